"""Helpers shared by the tests: talking to a running bot over REST, and reading its replies.

The widget (socket.io, browser) has its own helpers: bot/web/sio_client.py (SioChat) and the
page object in tests/e2e/widget_page.py.
"""

from __future__ import annotations

from typing import Dict, List

from bot.web.sio_client import texts

__all__ = ["rest_say", "texts", "joined", "fuzz_settings"]


def rest_say(url: str, text: str, sender: str, timeout: float = 60) -> List[Dict]:
    """One turn over the bot's REST channel at url: its messages (the status must be 200)."""
    import requests

    r = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=timeout)
    assert r.status_code == 200, r.text
    return r.json()


def joined(messages: List[Dict]) -> str:
    """All texts of a turn as one string, a line per message (texts(): one string each)."""
    return "\n".join(texts(messages))


def fuzz_settings(examples: int):
    """hypothesis settings for texts sent to a running bot: reproducible, no deadline."""
    from hypothesis import HealthCheck, settings

    checks = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
    return settings(max_examples=examples, deadline=None, derandomize=True, suppress_health_check=checks)
