"""Helpers shared by the tests: talking to a running bot over REST, and reading its replies.

The widget (socket.io, browser) has its own helpers: bot/web/sio_client.py (SioChat) and the
page object in tests/e2e/widget_page.py.
"""

from __future__ import annotations

from typing import Dict, List

from bot.web.sio_client import texts


__all__ = ["rest_say", "texts", "joined", "fuzz_settings", "route_answers", "run_against_bot", "write_report"]


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


def route_answers():
    """Every combination of the routing form's answers: (zorg, rol, minderjarig, lvb, anoniem)."""
    import itertools

    from actions.routing import EXPLOITATION, HOME_VIOLENCE

    zorgen = sorted(EXPLOITATION | HOME_VIOLENCE) + [None]
    roles = ["professional", "ouder", "omstander", "slachtoffer", None]
    return list(itertools.product(zorgen, roles, ["ja", "nee", "onbekend"], ["ja", None], ["ja", None]))


def run_against_bot(evaluate, write, format_report) -> int:
    """Start the bot, evaluate(say) against it over REST, write and print the report."""
    from bot.launcher import start_stack, stop_stack
    from tests.conftest import free_port

    stack = start_stack(free_port(), free_port())
    try:
        report = evaluate(lambda text, sender: rest_say(stack.url, text, sender))
    finally:
        stop_stack(stack)
    write(report)
    print(format_report(report))
    return 0


def write_report(name: str, report: dict, text: str) -> None:
    """results/<name>.json and .txt."""
    import json
    from pathlib import Path

    out = Path(__file__).resolve().parents[1] / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    (out / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
