"""Slack (Events API) for team chat, built on Rasa's connector (rasa/core/channels/slack.py).

What this adds to Rasa's SlackInput:
- a request without a valid signature (HMAC-SHA256 of "v0:{timestamp}:{body}" with the signing
  secret) or with a timestamp more than 5 minutes off is refused with 401 (Rasa: 400);
- every retry from Slack (an X-Slack-Retry-Num header) gets 200 and no second answer (Rasa only
  drops retries for "http_timeout"); an event seen before (same channel and ts) is dropped too;
- only a direct message to the bot or a mention (app_mention) reaches the bot; other channel
  chatter, edits, joins, bot posts and unknown event types get 200 and are ignored;
- the answer goes into the thread of the question (in a direct message: only when the question
  was in a thread); the conversation is per Slack user, whatever channel or thread;
- answers in Slack mrkdwn with numbered options (bot/channels/formatting.py), one post per
  response, without link previews;
- the Web API base URL is configurable (`slack_api_url`, env SLACK_API_URL).

What every team chat connector shares (health route, background tasks, the failure guard,
numbered options, reading the settings): bot/channels/team_base.py.

No user text is logged.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from http import HTTPStatus
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.errors import SlackApiError

from bot.channels.formatting import SLACK
from bot.channels.team_base import OnNewMessage, TeamChatInput, TeamChatOutput, content_type, json_body

logger = logging.getLogger(__name__)

DEFAULT_SLACK_API_URL = "https://slack.com/api/"


def _api_url(url: Optional[str]) -> str:
    url = (url or "").strip() or DEFAULT_SLACK_API_URL
    return url if url.endswith("/") else url + "/"


class TeamSlackBot(TeamChatOutput, SlackBot):
    """Posts markdown answers with chat.postMessage, in the question's thread."""

    flavour = SLACK
    platform = "slack"

    def __init__(
        self,
        token: Text,
        slack_channel: Optional[Text] = None,
        thread_id: Optional[Text] = None,
        proxy: Optional[Text] = None,
        api_url: Optional[Text] = None,
        bot_user: Optional[Text] = None,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client.base_url = _api_url(api_url)
        # In a channel the user has to mention the bot to answer; a DM needs no mention.
        self.address = f"<@{bot_user}>" if bot_user else None

    async def post_message(self, message: Dict[str, Any]) -> None:
        """chat.postMessage, in the question's thread if there is one."""
        if self.thread_id:
            message.setdefault("thread_ts", self.thread_id)
        try:
            await self.client.chat_postMessage(**message)
        except SlackApiError as e:
            logger.error("Slack chat.postMessage failed: %s", e.response.get("error"))
        except Exception as e:  # network trouble: the answer is lost, the server goes on
            logger.error("Slack chat.postMessage failed: %s", type(e).__name__)

    async def post(self, text: str) -> None:
        await self.post_message({"channel": self.slack_channel, "text": text, "unfurl_links": False, "unfurl_media": False})

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        json_message.setdefault("channel", self.slack_channel or recipient_id)
        await self.post_message(json_message)


class ThreadedSlackInput(TeamChatInput, SlackInput):
    """Slack Events API endpoint at /webhooks/slack/webhook."""

    output_class = TeamSlackBot
    webhook_methods = ("GET", "POST")  # GET only to refuse it (no signature)

    def __init__(
        self,
        slack_token: Text,
        slack_signing_secret: Text = "",
        proxy: Optional[Text] = None,
        slack_api_url: Optional[Text] = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("slack_retry_number_header", "x-slack-retry-num")
        kwargs.setdefault("slack_retry_reason_header", "x-slack-retry-reason")
        super().__init__(
            slack_token,
            proxy=proxy,
            use_threads=True,
            slack_signing_secret=slack_signing_secret,
            conversation_granularity="sender",
            **kwargs,
        )
        self.api_url = _api_url(slack_api_url)
        self._seen: "OrderedDict[str, float]" = OrderedDict()

    # -- helpers -------------------------------------------------------------------------

    def _first_time(self, key: str, keep: float = 600, max_items: int = 5000) -> bool:
        """False when this event was handled in the last `keep` seconds."""
        now = time.time()
        while self._seen and (next(iter(self._seen.values())) < now - keep or len(self._seen) > max_items):
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True

    @staticmethod
    def _addressed(event: Dict[str, Any]) -> bool:
        """A direct message to the bot or a mention of it; nothing else."""
        return event.get("type") == "app_mention" or (event.get("type") == "message" and event.get("channel_type") == "im")

    @staticmethod
    def _bot_users(payload: Dict[str, Any]) -> List[str]:
        """The bot's own user id(s), from the event's authorizations."""
        return [
            str(a["user_id"])
            for a in payload.get("authorizations") or []
            if isinstance(a, dict) and a.get("user_id") and a.get("is_bot", True)
        ]

    def get_output_channel(
        self, channel: Optional[Text] = None, thread_id: Optional[Text] = None, bot_user: Optional[Text] = None
    ) -> TeamSlackBot:
        return self.output_class(
            self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url, bot_user
        )

    async def _handle_event(self, payload: Dict[str, Any], on_new_message: OnNewMessage) -> str:
        """Starts the bot on an addressed user message; says why when it does not."""
        if payload.get("type") != "event_callback":
            return "ignored: not an event"
        event = payload.get("event")
        if not isinstance(event, dict) or not self._addressed(event):
            return "ignored: not addressed to the bot"
        if event.get("bot_id") or event.get("subtype") or not event.get("user"):
            return "ignored: not a user message"
        bot_users = self._bot_users(payload)
        if event["user"] in bot_users:
            return "ignored: own message"
        # Mentions to strip from the text: the bot, and (older payloads) authed_users.
        mentions = bot_users + [str(u) for u in payload.get("authed_users") or []]
        channel, ts = event.get("channel"), event.get("ts")
        if not channel or not self._first_time(f"{channel}:{ts or payload.get('event_id')}"):
            return "ignored: seen before"

        text = self._sanitize_user_message(event.get("text") or "", mentions)
        # In a channel the answer goes into the question's thread; in a DM only when the
        # question was in a thread.
        in_dm = event.get("channel_type") == "im" or str(channel).startswith("D")
        thread_id = event.get("thread_ts") or (None if in_dm else ts)
        metadata = {"out_channel": channel, "thread_id": thread_id, "users": bot_users}
        out = self.get_output_channel(channel, thread_id, None if in_dm or not bot_users else bot_users[0])
        message = self.user_message(text, out, str(event["user"]), metadata)  # one conversation per Slack user
        self.in_background(self.hand_over(message, on_new_message))
        return ""

    # -- endpoint ------------------------------------------------------------------------

    async def receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        # Signature and age (5 minutes) of the request, as Rasa checks them.
        if not self.is_request_from_slack_authentic(request):
            return response.text("invalid or stale Slack signature", status=HTTPStatus.UNAUTHORIZED)
        # Slack retries when we were slow; the first delivery is being answered already.
        if request.headers.get(self.retry_num_header):
            return response.text("", status=HTTPStatus.OK, headers={"X-Slack-No-Retry": "1"})
        if content_type(request) != "application/json":
            # Interactive payloads (we send no clickable elements) and anything else.
            return response.text("ignored")
        payload = json_body(request)
        if not isinstance(payload, dict):
            return response.text("ignored")
        if payload.get("type") == "url_verification":
            return response.json({"challenge": payload.get("challenge", "")})
        return response.text(await self._handle_event(payload, on_new_message))
