"""What a user sees when part of the bot fails, and the wrapper that makes every channel show it.

FAILURE_TEXT: handling a message failed as a whole (a store or the model failed, e.g. Redis is
down). Every channel wraps Rasa's on_new_message in `guarded`, so the user gets this text instead
of silence, and the log names only the error type (never the user's text).

ACTION_FAILURE_TEXT: one custom action failed (the action server is down, hangs or errors); the
Rasa server sends it through bot/serve.py and goes on with the conversation.

Numbers as in data/organisaties.yml; tests/test_numbers.py checks both texts.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage

logger = logging.getLogger(__name__)

FAILURE_TEXT = ("Er ging iets mis aan onze kant. Probeer het over een minuut opnieuw.\n"
                "Is er nu gevaar? Bel 112. Wil je met iemand praten? Bel Veilig Thuis: 0800-2000.")
ACTION_FAILURE_TEXT = ("Dit deel van de hulp werkt nu even niet. Probeer het over een paar minuten "
                       "opnieuw.\nIs er nu gevaar? Bel 112. Wil je met iemand praten? "
                       "Bel Veilig Thuis: 0800-2000.")


def guarded(on_new_message: Callable[[UserMessage], Awaitable[Any]]):
    """on_new_message that answers FAILURE_TEXT instead of failing silently."""
    async def handle(message: UserMessage) -> None:
        try:
            await on_new_message(message)
        except Exception as e:  # noqa: BLE001 - any failure must still get an answer
            logger.error("handling a message failed: %s", type(e).__name__)
            try:
                await message.output_channel.send_text_message(message.sender_id, FAILURE_TEXT)
            except Exception as e2:  # noqa: BLE001 - the channel itself is gone
                logger.error("could not tell the user about the failure: %s", type(e2).__name__)
    return handle
