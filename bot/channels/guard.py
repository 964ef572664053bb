"""What a user sees when part of the bot fails, and the wrapper that makes every channel show it.

FAILURE_TEXT: handling a message failed as a whole (a store or the model failed, e.g. Redis is
down). Every channel wraps Rasa's on_new_message in `guarded`, so the user gets this text instead
of silence, and the log names only the error type (never the user's text).

ACTION_FAILURE_TEXT: one custom action failed (the action server is down, hangs or errors); the
Rasa server sends it through bot/serve.py and goes on with the conversation.

`guarded` also
- binds a conversation to its channel: the tracker key is "<channel>:<sender>", so a REST call
  with a Slack user's id, or a widget's session id, finds an empty conversation of its own
  (the channel still sees its own sender id: the prefix is taken off again on the way out);
- limits each sender to RATE_MAX messages per RATE_WINDOW seconds: more get RATE_TEXT, without
  NLU, except a message in which the crisis layer finds danger, which is always handled.

Numbers as in data/organisaties.yml; tests/unit/test_numbers.py checks every text here.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import Any, Awaitable, Callable, Deque, Dict, Optional

from rasa.core.channels.channel import UserMessage

from actions import texts

logger = logging.getLogger(__name__)

# The texts live in data/texts/nl.yml (storing.*), numbers in data/organisaties.yml.
FAILURE_TEXT = texts.text("storing.server")
ACTION_FAILURE_TEXT = texts.text("storing.actie")
RATE_TEXT = texts.text("storing.te_snel")
RATE_MAX = 20
RATE_WINDOW = 10.0
_MAX_TRACKED = 50000


class RateLimit:
    """At most `limit` messages per `window` seconds per key (a sliding window)."""

    def __init__(
        self, limit: int = RATE_MAX, window: float = RATE_WINDOW, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self.seen: Dict[str, Deque[float]] = {}

    def allow(self, key: str) -> bool:
        now = self.clock()
        if len(self.seen) > _MAX_TRACKED:  # forget senders that went quiet
            self.seen = {k: q for k, q in self.seen.items() if q and now - q[-1] < self.window}
        q = self.seen.setdefault(key, deque())
        while q and now - q[0] >= self.window:
            q.popleft()
        if len(q) >= self.limit:
            return False
        q.append(now)
        return True


RATE = RateLimit()


def conversation_key(channel: str, sender_id: Any) -> str:
    return f"{channel}:{sender_id}"


def _unprefix(output_channel: Any, key: str, own_id: Any) -> None:
    """Let the channel's output see its own sender id again (socket.io rooms, REST replies)."""

    def strip(recipient_id: Any) -> Any:
        return own_id if recipient_id == key else recipient_id

    for name in (
        "send_response",
        "send_text_message",
        "send_text_with_buttons",
        "send_quick_replies",
        "send_image_url",
        "send_attachment",
        "send_elements",
        "send_custom_json",
    ):
        method = getattr(output_channel, name, None)
        if method is None:
            continue

        def wrap(method=method):
            async def call(recipient_id, *args, **kwargs):
                return await method(strip(recipient_id), *args, **kwargs)

            return call

        setattr(output_channel, name, wrap())


def _is_crisis(text: Optional[str]) -> bool:
    from bot.crisis import detect

    try:
        return bool(text) and detect(text).kind is not None
    except Exception:  # noqa: BLE001 - when in doubt, handle the message
        return True


def guarded(
    on_new_message: Callable[[UserMessage], Awaitable[Any]], channel: Optional[str] = None, rate: Optional[RateLimit] = None
):
    """on_new_message that answers FAILURE_TEXT instead of failing silently, keys the
    conversation by channel and limits each sender's pace (see the module's docstring)."""
    limiter = rate or RATE

    async def handle(message: UserMessage) -> None:
        own_id = message.sender_id
        message.sender_id = conversation_key(channel or message.input_channel or "unknown", own_id)
        _unprefix(message.output_channel, message.sender_id, own_id)
        if not limiter.allow(message.sender_id) and not _is_crisis(message.text):
            logger.info("sender over the rate limit: message not handled")
            try:
                await message.output_channel.send_text_message(message.sender_id, RATE_TEXT)
            except Exception as e:  # noqa: BLE001
                logger.error("could not tell the user to slow down: %s", type(e).__name__)
            return
        try:
            await on_new_message(message)
        except Exception as e:  # noqa: BLE001 - any failure must still get an answer
            logger.error("handling a message failed: %s", type(e).__name__)
            try:
                await message.output_channel.send_text_message(message.sender_id, FAILURE_TEXT)
            except Exception as e2:  # noqa: BLE001 - the channel itself is gone
                logger.error("could not tell the user about the failure: %s", type(e2).__name__)

    return handle
