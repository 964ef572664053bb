"""End to end: team chat channels (Slack, Mattermost) against the really running bot.

The bot runs with Slack and Mattermost configured through environment variables; their Web
API and REST API are local stand-in servers that record what the bot posts. Requests come in
each platform's own format: signed Slack Events API JSON, Mattermost outgoing webhooks (JSON
and form). Microsoft Teams has no credentials here, so it must be left out while the server
still serves the others.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional

import pytest
import requests

from tests.conftest import ARTIFACTS, free_port

SIGNING_SECRET = "test-signing-secret-" + uuid.uuid4().hex
SLACK_TOKEN = "xoxb-test-" + uuid.uuid4().hex[:12]
SLACK_BOT_USER = "UMELDBOT"
MM_BOT_TOKEN = "mm-bot-token-" + uuid.uuid4().hex[:12]
MM_WEBHOOK_TOKEN = "mm-hook-token-" + uuid.uuid4().hex[:12]
MM_BOT_USER = "meldcodebotuserid00000000a"
CRISIS = "hij staat nu voor de deur met een mes"
WAIT = 40  # seconds to wait for an answer (the first message also loads the model's parts)


# -- stand-in servers ----------------------------------------------------------------------


class StandIn:
    """A local HTTP server that answers like the platform's API and records every call."""

    def __init__(self, answer: Callable[[str, str, Any], tuple]) -> None:
        self.calls: List[Dict[str, Any]] = []
        self.lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                ctype = (self.headers.get("Content-Type") or "").split(";")[0]
                if ctype == "application/json" and raw:
                    body: Any = json.loads(raw)
                elif raw:
                    body = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
                else:
                    body = None
                path = urllib.parse.urlparse(self.path).path
                with stand_in.lock:
                    stand_in.calls.append(
                        {"method": self.command, "path": path, "body": body, "auth": self.headers.get("Authorization")}
                    )
                status, answer = stand_in.answer(self.command, path, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self.answer = answer
        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def posts(self, where: Callable[[Dict[str, Any]], bool]) -> List[Dict[str, Any]]:
        with self.lock:
            return [c["body"] for c in self.calls if c["method"] == "POST" and where(c)]

    def wait_for(
        self, where: Callable[[Dict[str, Any]], bool], count: int = 1, timeout: float = WAIT
    ) -> List[Dict[str, Any]]:
        """The recorded posts that match, once there are at least `count` (the bot answers
        asynchronously); fails after `timeout` seconds."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = self.posts(where)
            if len(found) >= count:
                time.sleep(0.3)  # the rest of the same turn
                return self.posts(where)
            time.sleep(0.1)
        raise AssertionError(f"no answer within {timeout} s; calls: {self.calls[-5:]}")

    def stop(self) -> None:
        self.server.shutdown()


_ts = itertools.count(1)


def slack_answer(method: str, path: str, body: Any) -> tuple:
    if path.endswith("/chat.postMessage"):
        return 200, {
            "ok": True,
            "channel": (body or {}).get("channel"),
            "ts": f"{time.time():.6f}",
            "message": {"text": (body or {}).get("text")},
        }
    if path.endswith("/auth.test"):
        return 200, {"ok": True, "user_id": SLACK_BOT_USER}
    return 200, {"ok": True}


MM_THREADS = {"reply-post-in-thread0000000a": "root-post-of-thread00000000"}


def mattermost_answer(method: str, path: str, body: Any) -> tuple:
    if path == "/api/v4/users/me":
        return 200, {"id": MM_BOT_USER, "username": "meldcode", "is_bot": True}
    if path == "/api/v4/users/login":
        return 200, {"id": MM_BOT_USER}
    if method == "GET" and path.startswith("/api/v4/posts/"):
        post_id = path.rsplit("/", 1)[-1]
        return 200, {"id": post_id, "root_id": MM_THREADS.get(post_id, "")}
    if method == "POST" and path == "/api/v4/posts":
        return 201, {"id": uuid.uuid4().hex[:26], **(body or {})}
    return 404, {"message": "not found"}


@pytest.fixture(scope="module")
def slack_api():
    server = StandIn(slack_answer)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mattermost_api():
    server = StandIn(mattermost_answer)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def chat_stack(slack_api, mattermost_api):
    from bot.launcher import start_stack, stop_stack

    env = {
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": f"http://127.0.0.1:{slack_api.port}/api/",
        "MATTERMOST_URL": f"http://127.0.0.1:{mattermost_api.port}",
        "MATTERMOST_BOT_TOKEN": MM_BOT_TOKEN,
        "MATTERMOST_WEBHOOK_TOKEN": MM_WEBHOOK_TOKEN,
        # Teams stays out even if the developer's shell or .env has its settings.
        "MICROSOFT_APP_ID": "",
        "MICROSOFT_APP_PASSWORD": "",
    }
    stack = start_stack(free_port(), free_port(), log_dir=ARTIFACTS / "logs-channels", env=env)
    yield stack
    stop_stack(stack)


# -- Slack helpers --------------------------------------------------------------------------


def slack_event(
    text: str,
    user: str,
    channel: str,
    kind: str = "app_mention",
    channel_type: str = "channel",
    thread_ts: Optional[str] = None,
    **extra: Any,
) -> Dict[str, Any]:
    """An Events API event_callback as Slack sends it."""
    ts = f"{int(time.time())}.{next(_ts):06d}"
    event = {
        "type": kind,
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "client_msg_id": str(uuid.uuid4()),
        "team": "T0MELD",
        "blocks": [{"type": "rich_text", "block_id": "b1", "elements": []}],
    }
    if kind == "message":
        event["channel_type"] = channel_type
    if thread_ts:
        event["thread_ts"] = thread_ts
    event.update(extra)
    return {
        "token": "verification-token-unused",
        "team_id": "T0MELD",
        "api_app_id": "A0MELD",
        "event": event,
        "type": "event_callback",
        "event_id": "Ev" + uuid.uuid4().hex[:10],
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": "T0MELD",
                "user_id": SLACK_BOT_USER,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-" + uuid.uuid4().hex,
    }


def sign(body: bytes, ts: Optional[int] = None, secret: str = SIGNING_SECRET) -> Dict[str, str]:
    ts = int(time.time()) if ts is None else ts
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def slack_post(
    stack, payload: Dict[str, Any], headers: Optional[Dict[str, str]] = None, signed: bool = True
) -> requests.Response:
    body = json.dumps(payload).encode()
    all_headers = {"Content-Type": "application/json", "User-Agent": "Slackbot 1.0"}
    if signed:
        all_headers.update(sign(body))
    all_headers.update(headers or {})
    return requests.post(f"{stack.url}/webhooks/slack/webhook", data=body, headers=all_headers, timeout=10)


def in_channel(channel: str) -> Callable[[Dict[str, Any]], bool]:
    return lambda c: c["path"].endswith("/chat.postMessage") and c["body"]["channel"] == channel


def new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:8].upper()


# -- Mattermost helpers ---------------------------------------------------------------------


def mm_webhook(
    text: str,
    user_id: str,
    channel_id: str,
    token: Optional[str] = MM_WEBHOOK_TOKEN,
    trigger_word: str = "@meldcode",
    post_id: Optional[str] = None,
) -> Dict[str, Any]:
    """The fields of a Mattermost outgoing webhook."""
    data = {
        "channel_id": channel_id,
        "channel_name": "zorgteam",
        "team_domain": "jeugdzorg",
        "team_id": "teamid00000000000000000000",
        "post_id": post_id or uuid.uuid4().hex[:26],
        "text": text,
        "timestamp": str(int(time.time() * 1000)),
        "trigger_word": trigger_word,
        "user_id": user_id,
        "user_name": "j.devries",
        "file_ids": "",
    }
    if token is not None:
        data["token"] = token
    return data


def mm_post(stack, data: Dict[str, Any], as_form: bool = False) -> requests.Response:
    url = f"{stack.url}/webhooks/mattermost/webhook"
    if as_form:
        return requests.post(url, data=data, timeout=10)
    return requests.post(url, json=data, timeout=10)


def mm_in(channel_id: str) -> Callable[[Dict[str, Any]], bool]:
    return lambda c: c["path"] == "/api/v4/posts" and c["body"]["channel_id"] == channel_id


# -- Slack ----------------------------------------------------------------------------------


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


# -- Mattermost -----------------------------------------------------------------------------


def test_mattermost_webhook_with_token_is_answered_in_thread_through_the_api(chat_stack, mattermost_api):
    channel, user = new_id("mmchan"), new_id("mmuser")
    data = mm_webhook("@meldcode hallo", user, channel)
    r = mm_post(chat_stack, data)
    assert r.status_code == 200
    posts = mattermost_api.wait_for(mm_in(channel))
    text = "\n".join(p["message"] for p in posts)
    assert "computerprogramma" in text
    assert "1. Ja, het is veilig" in text and "2. Nee, niet veilig" in text
    assert "**112**" in text, "112 in bold, Mattermost markdown"
    assert "Antwoord met `@meldcode` en het nummer" in text
    assert not text.startswith("@meldcode")
    assert all(p["root_id"] == data["post_id"] for p in posts)
    calls = [c for c in mattermost_api.calls if c["path"] == "/api/v4/posts"]
    assert all(c["auth"] == f"Bearer {MM_BOT_TOKEN}" for c in calls)

    # Form-encoded (Mattermost's default content type), the same user in another channel,
    # answers "1": one conversation per user; the reply goes into the question's thread.
    other = new_id("mmchan")
    data = mm_webhook("@meldcode 1", user, other, post_id="reply-post-in-thread0000000a")
    assert mm_post(chat_stack, data, as_form=True).status_code == 200
    posts = mattermost_api.wait_for(mm_in(other))
    assert "1. Ik ben professional" in "\n".join(p["message"] for p in posts)
    assert {p["root_id"] for p in posts} == {"root-post-of-thread00000000"}


def test_mattermost_crisis_gets_112(chat_stack, mattermost_api):
    channel = new_id("mmchan")
    assert mm_post(chat_stack, mm_webhook(f"@meldcode {CRISIS}", new_id("mmuser"), channel)).status_code == 200
    first = mattermost_api.wait_for(mm_in(channel))[0]["message"]
    assert "112" in first.splitlines()[0]


def test_mattermost_refuses_a_wrong_or_missing_token(chat_stack, mattermost_api):
    quiet = [new_id("mmchan") for _ in range(5)]
    user = new_id("mmuser")
    cases = [
        (mm_webhook(f"@meldcode {CRISIS}", user, quiet[0], token="wrong-token"), False),
        (mm_webhook("@meldcode hallo", user, quiet[1], token=None), False),
        (mm_webhook("@meldcode hallo", user, quiet[2], token=""), True),
        (mm_webhook("@meldcode hallo", user, quiet[3], token=MM_WEBHOOK_TOKEN + "x"), True),
        # What Mattermost sends for a click on an interactive button: no token.
        ({"user_id": user, "channel_id": quiet[4], "context": {"action": "/affirm"}}, False),
    ]
    for data, as_form in cases:
        r = mm_post(chat_stack, data, as_form=as_form)
        assert r.status_code == 401, data
    r = requests.post(
        f"{chat_stack.url}/webhooks/mattermost/webhook",
        data=b"not json",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 401

    # The bot's own post is ignored (its id comes from /users/me).
    own = new_id("mmchan")
    quiet.append(own)
    assert mm_post(chat_stack, mm_webhook("@meldcode hallo", MM_BOT_USER, own)).status_code == 200

    control = new_id("mmchan")
    mm_post(chat_stack, mm_webhook("@meldcode hallo", new_id("mmuser"), control))
    mattermost_api.wait_for(mm_in(control))
    time.sleep(1)
    assert not mattermost_api.posts(lambda c: c["path"] == "/api/v4/posts" and c["body"]["channel_id"] in quiet)


# -- privacy --------------------------------------------------------------------------------


def test_no_user_text_in_the_logs(chat_stack):
    log = (ARTIFACTS / "logs-channels" / "rasa.log").read_text(encoding="utf-8", errors="replace")
    for phrase in ("voor de deur met een mes", "ben jij een robot", "wat kun je allemaal", "we hebben morgen overleg"):
        assert phrase not in log


def test_mattermost_shows_echoed_markup_as_text(chat_stack, mattermost_api):
    """Issue 12: what a user wrote comes back in the melding draft. Mentions must not notify,
    links and images from elsewhere must not render, and several lines must not imitate the
    bot's own headings."""
    channel, user = new_id("mmchan"), new_id("mmuser")
    evil = (
        "blauwe plekken gezien @channel @all [klik hier](https://elders.example/x) "
        "![plaatje](https://elders.example/i.png) **vet**\nWie kan je helpen:\n- Nep: bel mij maar"
    )
    answers = [
        evil,
        "met de aandachtsfunctionaris besproken",
        "gesprek met moeder gevoerd",
        "acute onveiligheid",
        "ik ga melden",
    ]
    for text in ["ik wil een melding voorbereiden", *answers]:
        before = len(mattermost_api.posts(mm_in(channel)))
        assert mm_post(chat_stack, mm_webhook(f"@meldcode {text}", user, channel)).status_code == 200
        mattermost_api.wait_for(mm_in(channel), count=before + 1)
        time.sleep(0.5)
    deadline = time.time() + 30
    while time.time() < deadline:
        draft = [p["message"] for p in mattermost_api.posts(mm_in(channel)) if "CONCEPT MELDING" in p["message"]]
        if draft:
            break
        time.sleep(0.5)
    assert draft, [p["message"][:60] for p in mattermost_api.posts(mm_in(channel))]
    text = draft[-1]
    assert "@channel" not in text and "@all" not in text and "@\u200bchannel" in text
    assert "[klik hier](" not in text and "![plaatje](" not in text and "\\[klik hier\\]" in text
    assert "**vet**" not in text
    assert "**Wie kan je helpen:**" not in text and "\n- **Nep**" not in text
