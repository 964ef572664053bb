"""The socket.io channel (the web widget's), checking every event and never leaving a user without
an answer.

Rasa 3.6's SocketIOInput trusts the client: an event whose data is not an object, a `message`
that is not text or metadata that is not JSON raise inside the handler, and the user gets nothing;
a message without a session id is dropped with only a server-side warning; a connection can send
into any conversation by naming its session id. This subclass keeps Rasa's events and output
(`session_request` -> `session_confirm`, `user_uttered` -> `bot_uttered`) and:

- answers a malformed event with a `bot_uttered` that says what is wrong (socket.io's 4xx);
- accepts a message only for a session the connection itself asked for with `session_request`
  (the room it joined);
- gives a new random session id when the asked one is missing or not 32-128 safe characters;
- wraps handling in bot/channels/guard.py: when the bot fails (Redis down) the user gets
  "er ging iets mis" with 112 and Veilig Thuis, and the log names only the error type.

What this does not do: a client that knows a session id can still ask for it (that is how a
widget picks up its conversation after a reconnect), so a conversation is as private as its id
is secret. The widget makes 128-bit random ids, keeps them in memory only and never shows them.
"""
from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput

from bot.channels.guard import guarded

logger = logging.getLogger(__name__)

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{32,128}$")  # the widget: 32 hex digits
NOT_AN_OBJECT = ("Dit bericht kon ik niet lezen. Stuur een object zoals "
                 '{"message": "je bericht", "session_id": "..."}.')
NOT_TEXT = "Dit bericht kon ik niet lezen: stuur je bericht als tekst."
NO_SESSION = ("Dit gesprek is niet (meer) verbonden. Laad de pagina opnieuw en begin een nieuw "
              "gesprek. Is er nu gevaar? Bel 112.")


def valid_session_id(value: Any) -> bool:
    return isinstance(value, str) and bool(SESSION_ID.match(value))


def metadata_of(data: Dict[str, Any], key: Text) -> Dict[str, Any]:
    """The message's metadata as a dict; anything else (bad JSON, a list, a number) is dropped."""
    meta = data.get(key)
    if isinstance(meta, str):
        try:
            meta = json.loads(meta)
        except ValueError:
            return {}
    return meta if isinstance(meta, dict) else {}


class SafeSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message):
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio
        namespace = self.namespace
        handle = guarded(on_new_message)

        async def tell(sid: Text, text: Text) -> None:
            await sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=namespace)

        # Registering again replaces the handlers Rasa registered for these events.
        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: Text, data: Any = None, *_: Any) -> None:
            asked = data.get("session_id") if isinstance(data, dict) else None
            session_id = asked if valid_session_id(asked) else uuid.uuid4().hex
            if self.session_persistence:
                sio.enter_room(sid, session_id, namespace=namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: Text, data: Any = None, *_: Any) -> None:
            if not isinstance(data, dict):
                logger.info("socket.io: refused an event that is not an object")
                await tell(sid, NOT_AN_OBJECT)
                return
            text = data.get("message", "")
            if not isinstance(text, str):
                logger.info("socket.io: refused a message that is not text")
                await tell(sid, NOT_TEXT)
                return
            sender_id: Optional[Text] = sid
            if self.session_persistence:
                sender_id = data.get("session_id")
                if not (valid_session_id(sender_id)
                        and sender_id in sio.rooms(sid, namespace=namespace)):
                    logger.info("socket.io: refused a message for a session this connection "
                                "did not ask for")
                    await tell(sid, NO_SESSION)
                    return
            await handle(UserMessage(text, SocketIOOutput(sio, self.bot_message_evt), sender_id,
                                     input_channel=self.name(),
                                     metadata=metadata_of(data, self.metadata_key)))

        return socketio_webhook
