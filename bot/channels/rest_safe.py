"""The REST channel, refusing malformed requests with a clear 400 instead of a 500, and
answering with a clear message when the bot itself fails (e.g. Redis is down).

Rasa 3.6's RestInput reads `request.json.get(...)` without checking the body: an empty body or
a JSON list gives a 500, and a `message` that is not text ends in an error log line that holds
the user's input. This subclass checks the body first. A missing sender gets a random one, so
that such requests never share the "default" conversation. When handling a message fails, the
user gets "er ging iets mis" with 112 and Veilig Thuis instead of an empty answer, and the log
names only the error type (bot/channels/guard.py). Same URL: /webhooks/rest/webhook.
"""
from __future__ import annotations

import uuid
from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.exceptions import SanicException
from sanic.request import Request

from bot.channels.guard import guarded

USAGE = 'Stuur JSON zoals {"sender": "een-id", "message": "je bericht"}.'


def _bad(reason: str) -> SanicException:
    return SanicException(f"{reason} {USAGE}", status_code=400)


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
