"""A socket.io client that talks to the bot as the widget does (session_request, user_uttered,
bot_uttered). Used by the end-to-end tests and the benchmark.

    async with SioChat("http://127.0.0.1:5005") as chat:
        replies = await chat.say("hallo")        # [{"text": ...}, ...]

socket.io has no end-of-turn marker: a turn's replies are the bot_uttered events that arrive
until none came for `quiet` seconds after the last one (or `first_timeout` passed without any).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any, Dict, List, Optional

import aiohttp
import socketio

if not hasattr(aiohttp, "ClientWSTimeout"):
    # python-engineio (4.15, pinned) builds aiohttp >= 3.10's ClientWSTimeout for its websocket
    # client; Rasa 3.6 pins aiohttp 3.9, whose ws_connect takes that close timeout as a number.
    # The server side (sanic) does not use aiohttp, so only this client needs the stand-in.
    aiohttp.ClientWSTimeout = lambda ws_close=10.0, **_: ws_close


class SioChat:
    def __init__(
        self,
        url: str,
        session_id: Optional[str] = None,
        path: str = "/socket.io",
        quiet: float = 1.0,
        first_timeout: float = 60.0,
        transport: str = "websocket",
    ):
        self.url, self.path, self.quiet, self.first_timeout = url, path, quiet, first_timeout
        self.transport = transport
        self.session_id = session_id or uuid.uuid4().hex
        self.client = socketio.AsyncClient(reconnection=False)
        self.replies: "asyncio.Queue[tuple]" = asyncio.Queue()
        self.last_reply_at = 0.0
        self.disconnected = asyncio.Event()

    async def __aenter__(self) -> "SioChat":
        await self.open()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def open(self) -> None:
        confirmed: asyncio.Future = asyncio.get_running_loop().create_future()

        async def on_bot(data: Any) -> None:
            await self.replies.put((time.monotonic(), data))

        async def on_confirm(session_id: Any) -> None:
            if not confirmed.done():
                confirmed.set_result(session_id)

        async def on_disconnect() -> None:
            self.disconnected.set()

        self.client.on("bot_uttered", on_bot)
        self.client.on("session_confirm", on_confirm)
        self.client.on("disconnect", on_disconnect)
        await self.client.connect(self.url, socketio_path=self.path, transports=[self.transport], wait_timeout=30)
        await self.client.emit("session_request", {"session_id": self.session_id})
        self.session_id = await asyncio.wait_for(confirmed, 30)

    async def close(self) -> None:
        await self.client.disconnect()

    async def collect(self, first_timeout: Optional[float] = None) -> List[Dict[str, Any]]:
        """The replies of one turn (see the module's docstring); [] when none came."""
        out: List[Dict[str, Any]] = []
        timeout = self.first_timeout if first_timeout is None else first_timeout
        while True:
            try:
                at, data = await asyncio.wait_for(self.replies.get(), timeout)
            except asyncio.TimeoutError:
                return out
            self.last_reply_at = at
            out.append(data)
            timeout = self.quiet

    async def collect_count(self, count: int, timeout: float) -> List[Dict[str, Any]]:
        """Exactly the next `count` replies (fewer when `timeout` passes first)."""
        out: List[Dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while len(out) < count:
            try:
                at, data = await asyncio.wait_for(self.replies.get(), max(0.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                break
            self.last_reply_at = at
            out.append(data)
        return out

    async def emit(self, *args: Any, event: str = "user_uttered") -> None:
        """Send `event` with any arguments (for bad-input tests): none, one (None is sent as a
        JSON null) or several."""
        if not args:
            await self.client.emit(event)
        elif len(args) == 1 and args[0] is not None and not isinstance(args[0], tuple):
            await self.client.emit(event, args[0])
        else:
            await self.client.emit(event, tuple(args))  # python-socketio: a tuple is the args

    async def send(self, text: Any) -> None:
        await self.emit({"message": text, "session_id": self.session_id})

    async def say(self, text: Any, first_timeout: Optional[float] = None) -> List[Dict[str, Any]]:
        await self.send(text)
        return await self.collect(first_timeout)


def texts(replies: List[Dict[str, Any]]) -> List[str]:
    return [r.get("text", "") for r in replies if isinstance(r, dict)]
