"""Mattermost for team chat, built on Rasa's connector (rasa/core/channels/mattermost.py).

In: an outgoing webhook (JSON or form, as Mattermost sends either) at
/webhooks/mattermost/webhook. Out: the REST API v4 (POST /posts) with the bot's access token.

What this adds to Rasa's MattermostInput:
- the webhook's token is checked: a request without the configured token, or with a wrong one,
  gets 401 and nothing reaches the bot (Rasa checks nothing; this also refuses Mattermost's
  interactive-button calls, which carry no token: the bot shows numbered options instead);
- the trigger word is stripped only when the message starts with it (Rasa always drops the
  first word, also for a channel-wide webhook without trigger words);
- the bot's own posts are ignored (its user id comes from GET /users/me);
- the answer goes into the thread of the question (root_id, looked up with GET /posts/{id});
  the conversation is per Mattermost user, whatever channel;
- the webhook is answered at once with {} and the bot's answers follow through the API,
  without blocking the server (aiohttp instead of requests);
- answers in Mattermost markdown with numbered options, one post per response.

What every team chat connector shares (health route, background tasks, the failure guard,
numbered options, reading the settings): bot/channels/team_base.py.

No user text is logged.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any, Dict, Optional, Text

import aiohttp
from rasa.core.channels.mattermost import MattermostBot, MattermostInput
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.formatting import MATTERMOST
from bot.channels.team_base import (
    NotJSON,
    OnNewMessage,
    TeamChatInput,
    TeamChatOutput,
    content_type,
    json_body,
    same_secret,
)

logger = logging.getLogger(__name__)

TIMEOUT = aiohttp.ClientTimeout(total=20)


def api_url(url: Text) -> Text:
    """The API base: accepts https://chat.example.org as well as .../api/v4."""
    url = (url or "").strip().rstrip("/")
    return url if url.endswith("/api/v4") else url + "/api/v4"


async def _request(method: str, url: str, token: str, data: Optional[Dict[str, Any]] = None) -> Optional[Dict[str, Any]]:
    """One API call; the JSON answer, or None (logged without content) on failure."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            async with session.request(
                method, url, headers=headers, data=json.dumps(data) if data is not None else None
            ) as r:
                if r.status >= 300:
                    logger.error(
                        "Mattermost API %s %s failed with status %s", method, url.rsplit("/api/v4", 1)[-1], r.status
                    )
                    return None
                return await r.json(content_type=None)
    except Exception as e:
        logger.error("Mattermost API %s failed: %s", method, type(e).__name__)
        return None


class TeamMattermostBot(TeamChatOutput, MattermostBot):
    """Posts markdown answers to the channel, in the thread of the question."""

    flavour = MATTERMOST
    platform = "mattermost"

    def __init__(
        self, url: Text, token: Text, bot_channel: Text, post_id: Optional[Text] = None, trigger_word: Optional[Text] = None
    ) -> None:
        super().__init__(url, token, bot_channel, webhook_url=None)
        self.post_id = post_id
        # The user answers an option with the trigger word ("@meldcode 2"), if there is one.
        self.address = f"`{trigger_word.strip()}`" if (trigger_word or "").strip() else None
        self._root_id: Optional[str] = None

    async def root_id(self) -> Optional[str]:
        """The thread to answer in: the question's thread, or the question itself."""
        if self._root_id is None and self.post_id:
            post = await _request("GET", f"{self.url}/posts/{self.post_id}", self.token)
            self._root_id = (post.get("root_id") or post.get("id") or "") if post else ""
        return self._root_id or None

    async def post_data(self, data: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        data.setdefault("channel_id", self.bot_channel)
        root = await self.root_id()
        if root:
            data.setdefault("root_id", root)
        return await _request("POST", f"{self.url}/posts", self.token, data)

    async def post(self, text: str) -> None:
        await self.post_data({"message": text})

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        json_message.setdefault("message", "")
        await self.post_data(json_message)


class TokenCheckedMattermostInput(TeamChatInput, MattermostInput):
    """Mattermost outgoing webhook endpoint that refuses requests without the right token."""

    output_class = TeamMattermostBot

    def __init__(self, url: Text, token: Text, webhook_token: Optional[Text], webhook_url: Optional[Text] = None) -> None:
        super().__init__(api_url(url), token, webhook_url)
        if not (webhook_token or "").strip():
            raise ValueError(
                "Mattermost needs the token of its outgoing webhook " "(webhook_token, env MATTERMOST_WEBHOOK_TOKEN)"
            )
        self.webhook_token = str(webhook_token).strip()
        self._bot_user_id: Optional[str] = None

    def token_ok(self, token: Any) -> bool:
        return same_secret(token, self.webhook_token)

    @staticmethod
    def payload(request: Request) -> Dict[str, Any]:
        """The outgoing webhook's fields, from JSON or from a form."""
        if content_type(request) == "application/x-www-form-urlencoded":
            return {k: request.form.get(k) for k in request.form}
        try:
            data = json_body(request)
        except NotJSON:
            return {}
        return data if isinstance(data, dict) else {}

    @staticmethod
    def strip_trigger(text: str, trigger_word: Optional[str]) -> str:
        text = (text or "").strip()
        trigger = (trigger_word or "").strip()
        if trigger and text.casefold().startswith(trigger.casefold()):
            text = text[len(trigger) :].lstrip(" ,:;")
        return text.strip()

    async def bot_user_id(self) -> Optional[str]:
        if self._bot_user_id is None:
            me = await _request("GET", f"{self.url}/users/me", self.token)
            if me and me.get("id"):
                self._bot_user_id = str(me["id"])
        return self._bot_user_id

    async def handle(self, data: Dict[str, Any], on_new_message: OnNewMessage) -> None:
        user_id, channel_id = str(data["user_id"]), str(data["channel_id"])
        if user_id == await self.bot_user_id():
            return
        text = self.strip_trigger(str(data.get("text") or ""), data.get("trigger_word"))
        out = self.output_class(self.url, self.token, channel_id, data.get("post_id") or None, data.get("trigger_word"))
        metadata = {"channel_id": channel_id, "post_id": data.get("post_id"), "team_id": data.get("team_id")}
        await self.hand_over(self.user_message(text, out, user_id, metadata), on_new_message)

    async def receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        data = self.payload(request)
        if not self.token_ok(data.get("token")):
            return response.json({"error": "invalid or missing webhook token"}, status=HTTPStatus.UNAUTHORIZED)
        if data.get("user_id") and data.get("channel_id"):
            self.in_background(self.handle(data, on_new_message))
        # An empty answer: Mattermost posts nothing itself; the bot answers via the API.
        return response.json({})
