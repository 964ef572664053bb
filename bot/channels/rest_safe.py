"""The REST channel, refusing malformed requests with a clear 400 instead of a 500, and
answering with a clear message when the bot itself fails (e.g. Redis is down).

Rasa 3.6's RestInput reads `request.json.get(...)` without checking the body: an empty body or
a JSON list gives a 500, and a `message` that is not text ends in an error log line that holds
the user's input. This subclass checks the body first. A missing sender gets a random one, so
that such requests never share the "default" conversation. When handling a message fails, the
user gets "er ging iets mis" with 112 and Veilig Thuis instead of an empty answer, and the log
names only the error type (bot/channels/guard.py). Same URL: /webhooks/rest/webhook.

Also refused: a body that is not sent as application/json (415), a sender id over 128
characters (400; it used to be cut, so two senders could share one conversation), and the
client's own `input_channel` is ignored (the conversation key is "rest:<sender>").
If REST_TOKEN is set, every call needs "Authorization: Bearer <REST_TOKEN>" (401 otherwise):
set it when REST is not the public entry point (the widget uses socket.io).
"""

from __future__ import annotations

import hmac
import os
import uuid
from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic import response
from sanic.exceptions import SanicException
from sanic.request import Request

from bot.channels.guard import guarded

from actions import texts

MAX_SENDER = 128
USAGE = texts.text("kanaal.rest_gebruik")


def _bad(reason: str) -> SanicException:
    return SanicException(f"{reason} {USAGE}", status_code=400)


class SafeRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message):
        bp = super().blueprint(guarded(on_new_message, channel="rest"))
        token = os.environ.get("REST_TOKEN", "")
        if token:

            @bp.middleware("request")
            async def check_token(request: Request):
                given = request.headers.get("Authorization", "")
                if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                    return response.json({"error": "REST_TOKEN nodig"}, status=401)

        return bp

    @staticmethod
    def _body(req: Request) -> Dict[str, Any]:
        # JSON only with a JSON content type: a web page elsewhere can post text/plain
        # without asking the browser first (CORS), but not application/json.
        if (req.content_type or "").split(";")[0].strip().lower() != "application/json":
            raise SanicException(texts.text("kanaal.rest_json_type") + " " + USAGE, status_code=415)
        try:
            body = req.json
        except Exception:  # sanic raises on invalid JSON
            raise _bad(texts.text("kanaal.rest_geen_json")) from None
        if not isinstance(body, dict):
            raise _bad(texts.text("kanaal.rest_geen_object"))
        return body

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = self._body(req).get("sender")
        if sender is None or sender == "":
            return f"anon-{uuid.uuid4().hex}"
        if not isinstance(sender, (str, int)) or isinstance(sender, bool):
            raise _bad(texts.text("kanaal.rest_sender_tekst"))
        sender = str(sender)
        if len(sender) > MAX_SENDER:
            raise _bad(texts.text("kanaal.rest_sender_lang", max=MAX_SENDER))
        return sender

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = self._body(req).get("message")
        if not isinstance(message, str):
            raise _bad(texts.text("kanaal.rest_message_tekst"))
        return message

    def _extract_input_channel(self, req: Request) -> Text:
        # Never the client's word for it: a REST call is a REST call.
        return self.name()
