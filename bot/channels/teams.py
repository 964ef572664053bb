"""Microsoft Teams, through Rasa's Bot Framework connector (rasa/core/channels/botframework.py).

Endpoint: /webhooks/botframework/webhook (the "messaging endpoint" of the Azure Bot).
Enabled only when MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD are set: the connector fetches
Microsoft's signing keys at start-up (bot/channels/config.py leaves it out otherwise).

What this adds to Rasa's BotFrameworkInput:
- the "<at>Bot</at>" mention that Teams puts in a channel message is removed;
- answers in Teams markdown with numbered options (Rasa sends its buttons as a hero card
  without button types); one post per response; answers in a channel thread stay there,
  because Teams puts the thread in the conversation id;
- the conversation is per Teams user (from.id, as in Rasa);
- single-tenant bots: the tenant for the token (MICROSOFT_APP_TENANT_ID, default
  "botframework.com", which is what Rasa uses for multi-tenant bots);
- the webhook returns at once and the answer follows; Microsoft's token and messages are
  fetched and sent without blocking the server;
- when Microsoft's keys cannot be fetched at start-up the server still starts (every request
  is refused with 401 until the keys are there).

What every team chat connector shares (health route, background tasks, the failure guard,
numbered options, reading the settings): bot/channels/team_base.py.

No user text is logged.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import logging
import re
from http import HTTPStatus
from typing import Any, Dict, Optional, Text

import requests
from rasa.core.channels.botframework import MICROSOFT_OAUTH2_URL, BotFramework, BotFrameworkInput
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.formatting import TEAMS
from bot.channels.team_base import OnNewMessage, TeamChatInput, TeamChatOutput, json_body

logger = logging.getLogger(__name__)

DEFAULT_TENANT = "botframework.com"
_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)


def strip_mentions(text: str) -> str:
    """'<at>Meldcode</at> mijn vraag' -> 'mijn vraag'."""
    return re.sub(r"\s+", " ", _MENTION.sub(" ", text or "")).strip()


class TeamsBot(TeamChatOutput, BotFramework):
    flavour = TEAMS
    platform = "teams"

    def __init__(
        self,
        app_id: Text,
        app_password: Text,
        conversation: Dict[Text, Any],
        bot: Text,
        service_url: Text,
        tenant: Text = DEFAULT_TENANT,
        recipient_id: Optional[Text] = None,
    ) -> None:
        super().__init__(app_id, app_password, conversation, bot, service_url)
        self.tenant = tenant or DEFAULT_TENANT
        self.recipient_id = recipient_id

    async def _get_headers(self) -> Optional[Dict[Text, Any]]:
        if BotFramework.token_expiration_date >= datetime.datetime.now() and BotFramework.headers:
            return BotFramework.headers
        payload = {
            "client_id": self.app_id,
            "client_secret": self.app_password,
            "grant_type": "client_credentials",
            "scope": "https://api.botframework.com/.default",
        }
        uri = f"{MICROSOFT_OAUTH2_URL}/{self.tenant}/oauth2/v2.0/token"
        try:
            r = await asyncio.to_thread(requests.post, uri, data=payload, timeout=20)
        except requests.RequestException as e:
            logger.error("Could not get a Bot Framework token: %s", type(e).__name__)
            return None
        if not r.ok:
            logger.error("Could not get a Bot Framework token (status %s)", r.status_code)
            return None
        token = r.json()
        lifetime = datetime.timedelta(seconds=int(token["expires_in"]) - 60)
        BotFramework.token_expiration_date = datetime.datetime.now() + lifetime
        BotFramework.headers = {"content-type": "application/json", "Authorization": f"Bearer {token['access_token']}"}
        return BotFramework.headers

    async def send(self, message_data: Dict[Text, Any]) -> None:
        uri = f"{self.global_uri}conversations/{self.conversation['id']}/activities"
        headers = await self._get_headers()
        if not headers:
            return
        try:
            r = await asyncio.to_thread(requests.post, uri, headers=headers, data=json.dumps(message_data), timeout=20)
            if not r.ok:
                logger.error("Could not send a Bot Framework message (status %s)", r.status_code)
        except requests.RequestException as e:
            logger.error("Could not send a Bot Framework message: %s", type(e).__name__)

    async def post(self, text: str) -> None:
        await self.send(self.prepare_message(self.recipient_id or "", {"text": text, "textFormat": "markdown"}))


class TeamsInput(TeamChatInput, BotFrameworkInput):
    """Bot Framework endpoint for Microsoft Teams at /webhooks/botframework/webhook."""

    output_class = TeamsBot

    def __init__(self, app_id: Text, app_password: Text, tenant_id: Optional[Text] = DEFAULT_TENANT) -> None:
        self.tenant = tenant_id or DEFAULT_TENANT
        super().__init__(app_id, app_password)

    def _update_cached_jwk_keys(self) -> None:
        try:
            super()._update_cached_jwk_keys()
        except (requests.RequestException, ValueError, KeyError) as e:
            logger.warning(
                "Could not fetch Microsoft's Bot Framework keys (%s); Teams "
                "requests are refused until they can be fetched.",
                type(e).__name__,
            )

    def _validate_auth(self, auth_header: Optional[Text]) -> Optional[HTTPResponse]:
        try:
            return super()._validate_auth(auth_header)
        except Exception as e:  # e.g. a malformed token that is not a PyJWTError
            logger.error("Bot Framework request refused: %s", type(e).__name__)
            return response.text("Could not validate JWT token.", status=HTTPStatus.UNAUTHORIZED)

    def output_channel(self, activity: Dict[str, Any]) -> TeamsBot:
        return self.output_class(
            self.app_id,
            self.app_password,
            activity["conversation"],
            activity["recipient"],
            activity["serviceUrl"],
            self.tenant,
            recipient_id=activity["from"]["id"],
        )

    async def handle(
        self, activity: Dict[str, Any], metadata: Optional[Dict[str, Any]], on_new_message: OnNewMessage
    ) -> None:
        sender_id = str(activity["from"]["id"])  # one conversation per Teams user
        message = self.user_message(
            strip_mentions(activity.get("text") or ""), self.output_channel(activity), sender_id, metadata
        )
        await self.hand_over(message, on_new_message)

    async def receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        refused = self._validate_auth(request.headers.get("Authorization"))
        if refused:
            return refused
        activity = json_body(request)
        if not isinstance(activity, dict) or activity.get("type") != "message":
            return response.text("")  # conversationUpdate, typing, reactions, ...
        try:
            activity["conversation"]["id"], activity["from"]["id"], activity["serviceUrl"]
        except (KeyError, TypeError):
            return response.text("incomplete activity", status=HTTPStatus.BAD_REQUEST)
        metadata = self.add_attachments_to_metadata(activity, self.get_metadata(request))
        self.in_background(self.handle(activity, metadata, on_new_message))
        return response.text("")
