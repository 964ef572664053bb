"""The base of every team chat connector (Slack, Mattermost, Microsoft Teams).

A connector is one small file with two classes, each put before the Rasa class it builds on
(Rasa's connector for the platform, or InputChannel / OutputChannel for one Rasa lacks):

- the output, `TeamChatOutput`: sets `flavour` (its markdown, bot/channels/formatting.py) and
  `platform` (a short name), and implements `post(text)`: one post in the conversation or
  thread of the question. Buttons become numbered options; one bot response is one post.
- the input, `TeamChatInput`: sets `output_class` and implements `receive(request,
  on_new_message)`: check that the request comes from the platform, answer it at once and
  hand the user's message to the bot with `hand_over`, mostly via `in_background`.

What the base does, once for all of them:
- `from_credentials`: the keys of the channel's section in credentials.yml are the names of
  the arguments of `__init__` (a missing one is None or the argument's default; other keys are
  ignored, as in Rasa's connectors);
- `blueprint`: GET / (health: {"status": "ok"}) and /webhook (`webhook_methods`, POST) that
  calls `receive`; a body that `json_body` cannot read gets 400 "invalid JSON";
- `user_message`: an answer with a number becomes the payload of that option (the options the
  output last showed this user), an empty message the greeting;
- `hand_over`: calls the bot through `guarded` (bot/channels/guard.py): when handling fails
  the user still gets an answer with 112, the conversation is keyed by channel and the pace
  of each sender is limited;
- `in_background`: runs the answer after the webhook has returned, keeping a reference to the
  task until it is done (asyncio keeps only a weak one);
- `same_secret`: a shared webhook token compared in constant time; `content_type`.

A new platform: its file here, its section in credentials.yml (the class's path, the settings
as ${VAR}, optional ones as ${VAR:-default}), and a `channel: <output name>` variant beside
the slack / mattermost / botframework ones of the responses that speak of the browser
(domain/; tests/unit/test_channel_responses.py names the missing ones). tests/unit/test_channel_config.py
checks every connector of credentials.yml: off without its settings, built offline with them,
its health route, and 401 for a webhook request without the platform's token or signature.

No user text is logged.
"""

from __future__ import annotations

import asyncio
import hmac
import inspect
import json
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Tuple, Type

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.formatting import MATTERMOST, OPTIONS, OptionMemory, render
from bot.channels.guard import guarded

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
GREETING = "/greet"  # what an empty message (only the mention of the bot) means


class TeamChatOutput:
    """Mixin for an output channel that posts markdown text with numbered options.

    Subclasses set `flavour` and `platform`, and implement `post(text)`.
    """

    flavour: str = MATTERMOST
    platform: str = "team-chat"
    options: OptionMemory = OPTIONS
    address: Optional[str] = None  # how to address the bot here (None: no need)

    async def post(self, text: str) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _key(self, recipient_id: str) -> Tuple[str, str]:
        return (self.platform, str(recipient_id))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.options.forget(self._key(recipient_id))
        if (text or "").strip():
            await self.post(render(text, None, self.flavour))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        if buttons:
            self.options.remember(self._key(recipient_id), buttons)
        else:
            self.options.forget(self._key(recipient_id))
        await self.post(render(text, buttons, self.flavour, self.address))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.post(image)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        await self.post(str(attachment))


class NotJSON(ValueError):
    """The request's body is not JSON (the webhook answers 400)."""


def json_body(request: Request) -> Any:
    """The request's body as JSON (an empty body as {}); NotJSON when it is not JSON."""
    try:
        return json.loads(request.body or b"{}")
    except ValueError as e:  # also a body that is not UTF-8
        raise NotJSON() from e


def content_type(request: Request) -> str:
    """'application/json' for 'Application/JSON; charset=utf-8'; '' when there is none."""
    return (request.headers.get("content-type") or "").split(";")[0].strip().lower()


def same_secret(given: Any, expected: Optional[str]) -> bool:
    """True when a token sent with a request is the configured one (constant-time compare)."""
    if not isinstance(given, str) or not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class TeamChatInput:
    """Mixin for a team chat input channel (see the module's docstring).

    Subclasses set `output_class` and implement `receive`; `name()` (the channel's name, also
    its URL: /webhooks/<name>/webhook) comes from the Rasa class they build on.
    """

    output_class: Type[TeamChatOutput] = TeamChatOutput
    webhook_methods: Tuple[str, ...] = ("POST",)

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> Any:
        if not credentials:
            cls.raise_missing_credentials_exception()
        params = [
            p
            for name, p in inspect.signature(cls.__init__).parameters.items()
            if name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        ]
        return cls(**{p.name: credentials.get(p.name, None if p.default is p.empty else p.default) for p in params})

    async def receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        """Answers one webhook request of the platform."""
        raise NotImplementedError  # pragma: no cover - abstract

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhooks = Blueprint(f"{self.name()}_webhook")

        @webhooks.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhooks.route("/webhook", methods=list(self.webhook_methods))
        async def webhook(request: Request) -> HTTPResponse:
            try:
                return await self.receive(request, on_new_message)
            except NotJSON:
                return response.text("invalid JSON", status=HTTPStatus.BAD_REQUEST)

        return webhooks

    def user_message(
        self, text: str, output: TeamChatOutput, sender_id: str, metadata: Optional[Dict[str, Any]] = None
    ) -> UserMessage:
        """What the user wrote as a message for the bot, answered through `output`.

        sender_id: one conversation per user of the platform (whatever channel or thread).
        """
        text = output.options.resolve((output.platform, sender_id), text) if text else GREETING
        return UserMessage(text, output, sender_id, input_channel=self.name(), metadata=metadata)

    async def hand_over(self, message: UserMessage, on_new_message: OnNewMessage) -> None:
        """Lets the bot answer; on a failure the user gets FAILURE_TEXT (112, Veilig Thuis)."""
        await guarded(on_new_message, channel=self.name())(message)

    def in_background(self, work: Awaitable[Any]) -> asyncio.Task:
        """Runs `work` after the webhook has answered; the task is kept until it is done."""
        tasks: Set[asyncio.Task] = vars(self).setdefault("_background_tasks", set())
        task = asyncio.ensure_future(work)
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return task
