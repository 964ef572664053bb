"""The REST channel, refusing malformed requests with a clear 400 instead of a 500, and
answering with a clear message when the bot itself fails (e.g. Redis is down).

Rasa 3.6's RestInput reads `request.json.get(...)` without checking the body: an empty body or
a JSON list gives a 500, and a `message` that is not text ends in an error log line that holds
the user's input. This subclass checks the body first. A missing sender gets a random one, so
that such requests never share the "default" conversation. When handling a message fails, the
user gets "er ging iets mis" with 112 and Veilig Thuis instead of an empty answer, and the log
names only the error type. Same URL: /webhooks/rest/webhook.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic.exceptions import SanicException
from sanic.request import Request

logger = logging.getLogger(__name__)
USAGE = 'Stuur JSON zoals {"sender": "een-id", "message": "je bericht"}.'
# Shown when the bot cannot handle a message (a store or the model failed). Numbers as in
# data/organisaties.yml (tests/test_numbers.py checks this module's text too).
FAILURE_TEXT = ("Er ging iets mis aan onze kant. Probeer het over een minuut opnieuw.\n"
                "Is er nu gevaar? Bel 112. Wil je met iemand praten? Bel Veilig Thuis: 0800-2000.")


def _bad(reason: str) -> SanicException:
    return SanicException(f"{reason} {USAGE}", status_code=400)


def guarded(on_new_message: Callable[[UserMessage], Awaitable[Any]]):
    """on_new_message that answers FAILURE_TEXT instead of failing silently."""
    async def handle(message: UserMessage) -> None:
        try:
            await on_new_message(message)
        except Exception as e:  # noqa: BLE001 - any failure must still get an answer
            logger.error("handling a message failed: %s", type(e).__name__)
            await message.output_channel.send_text_message(message.sender_id, FAILURE_TEXT)
    return handle


class SafeRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message):
        return super().blueprint(guarded(on_new_message))

    @staticmethod
    def _body(req: Request) -> Dict[str, Any]:
        try:
            body = req.json
        except Exception:  # sanic raises on invalid JSON
            raise _bad("Dit is geen geldige JSON.") from None
        if not isinstance(body, dict):
            raise _bad("De body moet een JSON-object zijn.")
        return body

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = self._body(req).get("sender")
        if sender is None or sender == "":
            return f"anon-{uuid.uuid4().hex}"
        if not isinstance(sender, (str, int)) or isinstance(sender, bool):
            raise _bad("'sender' moet tekst zijn.")
        return str(sender)[:128]

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = self._body(req).get("message")
        if not isinstance(message, str):
            raise _bad("'message' moet tekst zijn.")
        return message

    def _extract_input_channel(self, req: Request) -> Text:
        channel = self._body(req).get("input_channel")
        return channel if isinstance(channel, str) and channel else self.name()
