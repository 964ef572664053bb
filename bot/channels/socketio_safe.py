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

- gives out session ids itself, signed: a session token is a 128-bit random id plus its
  HMAC-SHA256 with SESSION_SECRET (shared by every replica of a cluster; random per process
  when unset). A reconnect that brings a valid token gets its conversation back; any other id
  asked for gets a new session. So no client can pick the id of someone else's conversation,
  and the conversation's key in the tracker store ("socketio:<id>") is not a token;
- lets a connection be in one session at a time (asking for another leaves the first), and
  caps engine.io packets at MAX_PACKET bytes, so a 1 MB message is refused before any work.
The widget keeps its token in memory only and never shows it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
from typing import Any, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput

from actions import texts

from bot.channels.guard import guarded

logger = logging.getLogger(__name__)

TOKEN = re.compile(r"^([0-9a-f]{32})([0-9a-f]{64})$")
MAX_PACKET = 16 * 1024  # bytes; a message may have 2000 characters (bot/serve.py)
_SECRET = (os.environ.get("SESSION_SECRET") or secrets.token_hex(32)).encode()


def sign(nonce: str, secret: bytes = None) -> str:
    return nonce + hmac.new(secret or _SECRET, nonce.encode(), hashlib.sha256).hexdigest()


def new_token() -> str:
    return sign(secrets.token_hex(16))


def session_of(token: Any, secret: bytes = None) -> Optional[str]:
    """The session id inside a valid token, else None."""
    m = TOKEN.match(token) if isinstance(token, str) else None
    if not m or not hmac.compare_digest(sign(m.group(1), secret), token):
        return None
    return m.group(1)


NOT_AN_OBJECT = texts.text("kanaal.socket_geen_object")
NOT_TEXT = texts.text("kanaal.socket_geen_tekst")
NO_SESSION = texts.text("kanaal.socket_geen_sessie")


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
        sio.eio.max_http_buffer_size = MAX_PACKET
        namespace = self.namespace
        handle = guarded(on_new_message, channel="socketio")

        async def tell(sid: Text, text: Text) -> None:
            await sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=namespace)

        # Registering again replaces the handlers Rasa registered for these events.
        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: Text, data: Any = None, *_: Any) -> None:
            asked = data.get("session_id") if isinstance(data, dict) else None
            token = asked if session_of(asked) else new_token()
            if self.session_persistence:
                for room in sio.rooms(sid, namespace=namespace):
                    if room != sid:  # one session per connection
                        sio.leave_room(sid, room, namespace=namespace)
                sio.enter_room(sid, session_of(token), namespace=namespace)
            await sio.emit("session_confirm", token, room=sid, namespace=namespace)

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
                sender_id = session_of(data.get("session_id"))
                if not (sender_id and sender_id in sio.rooms(sid, namespace=namespace)):
                    logger.info("socket.io: refused a message for a session this connection " "did not ask for")
                    await tell(sid, NO_SESSION)
                    return
            await handle(
                UserMessage(
                    text,
                    SocketIOOutput(sio, self.bot_message_evt),
                    sender_id,
                    input_channel=self.name(),
                    metadata=metadata_of(data, self.metadata_key),
                )
            )

        return socketio_webhook
