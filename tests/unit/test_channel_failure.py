"""When handling a message fails, every channel still answers: FAILURE_TEXT with 112 and Veilig
Thuis (bot/channels/guard.py), and the log names only the error type, never the user's text.

Mattermost and Slack run their real handlers against the local stand-ins of their APIs from
tests/e2e/channel_helpers.py; the failing part is the bot behind the channel (on_new_message).
"""

import asyncio
import logging
import time

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.guard import FAILURE_TEXT, guarded
from tests.e2e.channel_helpers import StandIn, mattermost_answer, slack_answer

SECRET_TEXT = "geheimwoord-uit-het-bericht"


async def failing_bot(message: UserMessage) -> None:
    raise RuntimeError(f"store down while handling {message.text}")


def test_guarded_answers_the_failure_text_and_logs_no_user_text(caplog):
    out = CollectingOutputChannel()
    with caplog.at_level(logging.DEBUG):
        asyncio.run(guarded(failing_bot)(UserMessage(SECRET_TEXT, out, "u1")))
    assert [m["text"] for m in out.messages] == [FAILURE_TEXT]
    assert "112" in FAILURE_TEXT and "0800-2000" in FAILURE_TEXT
    assert "RuntimeError" in caplog.text and SECRET_TEXT not in caplog.text


def test_guarded_adds_nothing_when_the_bot_works():
    out = CollectingOutputChannel()

    async def bot(message):
        await message.output_channel.send_text_message(message.sender_id, "antwoord")

    asyncio.run(guarded(bot)(UserMessage("hoi", out, "u1")))
    assert [m["text"] for m in out.messages] == ["antwoord"]


def test_guarded_survives_a_channel_that_cannot_send(caplog):
    class Gone(CollectingOutputChannel):
        async def send_text_message(self, *args, **kwargs):
            raise ConnectionError("gone")

    with caplog.at_level(logging.ERROR):
        asyncio.run(guarded(failing_bot)(UserMessage(SECRET_TEXT, Gone(), "u1")))
    assert "ConnectionError" in caplog.text and SECRET_TEXT not in caplog.text


@pytest.fixture
def api():
    servers = []

    def make(answer):
        servers.append(StandIn(answer))
        return servers[-1]

    yield make
    for s in servers:
        s.stop()


def test_mattermost_tells_the_user_when_the_bot_fails(api, caplog):
    from bot.channels.mattermost import TokenCheckedMattermostInput

    mm = api(mattermost_answer)
    channel = TokenCheckedMattermostInput(f"http://127.0.0.1:{mm.port}", "bot-token", "hook")
    with caplog.at_level(logging.DEBUG):
        asyncio.run(
            channel.handle({"user_id": "user1", "channel_id": "chan1", "text": SECRET_TEXT, "post_id": "post1"}, failing_bot)
        )
    posts = mm.wait_for(lambda c: c["path"] == "/api/v4/posts", timeout=10)
    assert any("Er ging iets mis" in p["message"] and "112" in p["message"] for p in posts), posts
    assert SECRET_TEXT not in caplog.text


def test_slack_tells_the_user_when_the_bot_fails(api, caplog):
    from bot.channels.slack import ThreadedSlackInput

    slack = api(slack_answer)
    channel = ThreadedSlackInput("xoxb-test", "secret", slack_api_url=f"http://127.0.0.1:{slack.port}/api/")
    payload = {
        "type": "event_callback",
        "event_id": "Ev1",
        "authorizations": [{"user_id": "UBOT", "is_bot": True}],
        "event": {
            "type": "message",
            "channel_type": "im",
            "channel": "D1",
            "user": "U1",
            "ts": f"{time.time():.6f}",
            "text": SECRET_TEXT,
        },
    }

    async def scenario():
        assert await channel._handle_event(payload, failing_bot) == ""
        await asyncio.gather(*channel._background_tasks)

    with caplog.at_level(logging.DEBUG):
        asyncio.run(scenario())
    posts = slack.wait_for(lambda c: c["path"].endswith("/chat.postMessage"), timeout=10)
    assert any("Er ging iets mis" in p["text"] and "112" in p["text"] for p in posts), posts
    assert SECRET_TEXT not in caplog.text
