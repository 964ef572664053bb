"""Helpers for the end-to-end team chat tests (tests/e2e/test_channel_*.py): local stand-ins
for the platforms' APIs, and requests in each platform's own format.

The bot runs with Slack and Mattermost configured through environment variables (the fixture
`chat_stack` in tests/e2e/conftest.py); their Web API and REST API are `StandIn` servers that
record what the bot posts. Requests come as the platforms send them: signed Slack Events API
JSON, Mattermost outgoing webhooks (JSON and form). tests/unit/test_channel_failure.py uses the
stand-ins without a running bot.
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

LOG_DIR = ARTIFACTS / "logs-channels"  # the logs of the bot of chat_stack


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


# -- privacy --------------------------------------------------------------------------------


def assert_not_logged(*phrases: str) -> None:
    """None of the phrases (what users wrote) is in the log of the bot of chat_stack."""
    log = (LOG_DIR / "rasa.log").read_text(encoding="utf-8", errors="replace")
    for phrase in phrases:
        assert phrase not in log
