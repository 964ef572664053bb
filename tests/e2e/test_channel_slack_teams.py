"""End to end: Slack against the really running bot, its Web API a local stand-in; and which
channels run: Slack and Mattermost (configured), not Microsoft Teams (no credentials here),
while the server goes on serving the others.

Helpers: tests/e2e/channel_helpers.py; the bot: `chat_stack` in tests/e2e/conftest.py.
"""

from __future__ import annotations

import json
import time

import requests

from tests.e2e.channel_helpers import (
    CRISIS,
    SLACK_BOT_USER,
    SLACK_TOKEN,
    assert_not_logged,
    in_channel,
    new_id,
    sign,
    slack_event,
    slack_post,
)

# -- which channels run ---------------------------------------------------------------------


def test_only_the_configured_channels_run(chat_stack):
    names = " ".join(chat_stack.channels)
    assert "slack" in names and "mattermost" in names
    assert "teams" not in names and "botframework" not in names
    assert requests.get(f"{chat_stack.url}/webhooks/slack/", timeout=5).status_code == 200
    assert requests.get(f"{chat_stack.url}/webhooks/mattermost/", timeout=5).status_code == 200
    assert requests.get(f"{chat_stack.url}/webhooks/botframework/", timeout=5).status_code == 404
    assert requests.post(f"{chat_stack.url}/webhooks/botframework/webhook", json={}, timeout=5).status_code == 404
    r = requests.post(
        f"{chat_stack.url}/webhooks/rest/webhook", json={"sender": new_id("rest-"), "message": "hallo"}, timeout=60
    )
    assert r.status_code == 200 and r.json(), "REST still answers"


# -- Slack ----------------------------------------------------------------------------------


def test_slack_mention_is_answered_in_its_thread_with_numbered_options(chat_stack, slack_api):
    channel, user = new_id("C"), new_id("U")
    payload = slack_event(f"<@{SLACK_BOT_USER}> hallo", user, channel)
    r = slack_post(chat_stack, payload)
    assert r.status_code == 200
    posts = slack_api.wait_for(in_channel(channel))
    assert all(p["thread_ts"] == payload["event"]["ts"] for p in posts)
    text = "\n".join(p["text"] for p in posts)
    assert "computerprogramma" in text
    assert "1. Ja, het is veilig" in text and "2. Nee, niet veilig" in text
    assert "*112*" in text, "112 in bold, Slack style"
    assert f"Antwoord met <@{SLACK_BOT_USER}> en het nummer" in text, "how to answer in a channel"
    assert text.count("<@") == 1, "the user's mention of the bot is not echoed"
    calls = [c for c in slack_api.calls if c["path"].endswith("/chat.postMessage")]
    assert calls and all(c["auth"] == f"Bearer {SLACK_TOKEN}" for c in calls)

    # The conversation is per user: the same user answers "1" in a direct message.
    dm = new_id("D")
    slack_post(chat_stack, slack_event("1", user, dm, kind="message", channel_type="im"))
    posts = slack_api.wait_for(in_channel(dm))
    text = "\n".join(p["text"] for p in posts)
    assert "1. Ik ben professional" in text, "'1' chose 'Ja, het is veilig'"
    assert "<@" not in text and "Antwoord met het nummer" in text, "no mention needed in a DM"
    assert all("thread_ts" not in p for p in posts), "a direct message is answered directly"


def test_slack_answer_goes_into_the_existing_thread(chat_stack, slack_api):
    channel, user = new_id("C"), new_id("U")
    payload = slack_event(f"<@{SLACK_BOT_USER}> ben jij een robot?", user, channel, thread_ts="1700000000.000100")
    assert slack_post(chat_stack, payload).status_code == 200
    posts = slack_api.wait_for(in_channel(channel))
    assert {p["thread_ts"] for p in posts} == {"1700000000.000100"}


def test_slack_crisis_gets_112(chat_stack, slack_api):
    channel = new_id("D")
    slack_post(chat_stack, slack_event(CRISIS, new_id("U"), channel, kind="message", channel_type="im"))
    first = slack_api.wait_for(in_channel(channel))[0]["text"]
    assert "112" in first.splitlines()[0]


def test_slack_refuses_bad_and_stale_signatures_and_ignores_the_rest(chat_stack, slack_api):
    quiet = []  # channels in which nothing may be answered

    def event(text="hallo", **kw):
        channel = new_id("C")
        quiet.append(channel)
        return slack_event(f"<@{SLACK_BOT_USER}> {text}", new_id("U"), channel, **kw)

    body = json.dumps(event()).encode()
    url = f"{chat_stack.url}/webhooks/slack/webhook"
    json_type = {"Content-Type": "application/json"}
    # Wrong secret, tampered body, stale (6 minutes old, correctly signed), no signature.
    bad = sign(body, secret="not-the-secret")
    r = requests.post(url, data=body, headers={**json_type, **bad}, timeout=10)
    assert r.status_code == 401
    tampered = sign(body)
    other = json.dumps(event(CRISIS)).encode()
    assert requests.post(url, data=other, headers={**json_type, **tampered}, timeout=10).status_code == 401
    stale_body = json.dumps(event()).encode()
    stale = sign(stale_body, ts=int(time.time()) - 6 * 60)
    assert requests.post(url, data=stale_body, headers={**json_type, **stale}, timeout=10).status_code == 401
    assert slack_post(chat_stack, event(), signed=False).status_code == 401
    assert requests.get(url, timeout=10).status_code == 401

    # A channel message that does not mention the bot, the bot's own post, an edit.
    for payload in (
        slack_event("we hebben morgen overleg", new_id("U"), quiet[-1], kind="message"),
        slack_event("Hoi", SLACK_BOT_USER, new_id("D"), kind="message", channel_type="im", bot_id="B0MELD"),
        slack_event("hallo", new_id("U"), new_id("D"), kind="message", channel_type="im", subtype="message_changed"),
    ):
        quiet.append(payload["event"]["channel"])
        assert slack_post(chat_stack, payload).status_code == 200

    # Unknown event types and other callbacks: 200, no error, no answer.
    for payload in (
        {
            **event(),
            "event": {
                "type": "reaction_added",
                "user": "U1",
                "reaction": "thumbsup",
                "item": {"type": "message", "channel": quiet[0], "ts": "1.2"},
                "event_ts": "1.3",
            },
        },
        {
            **event(),
            "event": {"type": "app_home_opened", "user": "U1", "channel": quiet[0], "tab": "home", "event_ts": "1.4"},
        },
        {
            "token": "x",
            "team_id": "T0MELD",
            "api_app_id": "A0MELD",
            "type": "app_rate_limited",
            "minute_rate_limited": 1518467820,
        },
        {"type": "something_new", "event": {"type": "surprise"}},
    ):
        r = slack_post(chat_stack, payload)
        assert r.status_code == 200, payload
    r = slack_post(chat_stack, {"type": "url_verification", "token": "x", "challenge": "c0ffee"})
    assert r.status_code == 200 and r.json() == {"challenge": "c0ffee"}

    # A control message is answered; by then none of the above may have been.
    control = new_id("C")
    slack_post(chat_stack, slack_event(f"<@{SLACK_BOT_USER}> hallo", new_id("U"), control))
    slack_api.wait_for(in_channel(control))
    time.sleep(1)
    assert not slack_api.posts(lambda c: c["path"].endswith("/chat.postMessage") and c["body"]["channel"] in quiet)


def test_slack_retries_get_no_second_answer(chat_stack, slack_api):
    channel = new_id("C")
    payload = slack_event(f"<@{SLACK_BOT_USER}> wat kun je allemaal?", new_id("U"), channel)
    assert slack_post(chat_stack, payload).status_code == 200
    first = slack_api.wait_for(in_channel(channel))
    for attempt, reason in ((1, "http_timeout"), (2, "http_error")):
        r = slack_post(chat_stack, payload, headers={"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": reason})
        assert r.status_code == 200
    # The same event delivered again without retry headers is not answered twice either.
    assert slack_post(chat_stack, payload).status_code == 200
    time.sleep(2)
    assert len(slack_api.posts(in_channel(channel))) == len(first)


def test_no_user_text_in_the_logs(chat_stack):
    assert_not_logged("voor de deur met een mes", "ben jij een robot", "wat kun je allemaal", "we hebben morgen overleg")
