"""Privacy and exposure: no user text in the logs, no HTTP API without a token, servers on
localhost only, CORS limited to configured origins."""

import socket
import time
import uuid

import pytest
import requests

from bot.launcher import api_args, cors_args
from tests.helpers import rest_say


def logs(stack):
    time.sleep(1)  # let the servers flush
    out = {}
    for name in ("rasa.log", "actions.log"):
        path = stack.workdir / name
        out[name] = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    return out


def test_no_user_text_in_the_logs(bot_stack):
    marker = f"zwaluwstaart{uuid.uuid4().hex[:8]}"
    sender = f"priv-{uuid.uuid4().hex[:8]}"
    for text in [
        "hallo",
        "/affirm",
        f"ik maak me zorgen om mijn buurmeisje {marker}, ze moet drugs rondbrengen",
        f"ja {marker}",
        f"nee {marker}",
        f"wat doet Koraal {marker}?",
        f"er staat nu iemand met een mes voor de deur {marker}",
        f"{marker} " * 10,
        f"Ik weet het niet {marker}",
    ]:
        rest_say(bot_stack.url, text, sender)
    found = {name: text.count(marker) for name, text in logs(bot_stack).items()}
    assert found == {"rasa.log": 0, "actions.log": 0}, found


def test_no_user_text_in_the_logs_over_socketio(bot_stack):
    """The widget's channel, malformed events included (they are refused with a message)."""
    import asyncio
    from bot.web.sio_client import SioChat

    marker = f"kwikstaart{uuid.uuid4().hex[:8]}"

    async def conversation():
        async with SioChat(bot_stack.url, quiet=0.7) as chat:
            for text in [
                "hallo",
                f"ik maak me zorgen om mijn buurmeisje {marker}",
                f"er staat nu iemand met een mes voor de deur {marker}",
            ]:
                assert await chat.say(text)
            for data in (
                {"message": {"t": marker}, "session_id": chat.session_id},
                {"message": marker, "session_id": uuid.uuid4().hex},
                marker,
                {"message": marker, "session_id": chat.session_id, "metadata": marker},
            ):
                await chat.emit(data)
                assert await chat.collect(20)

    asyncio.run(conversation())
    found = {name: text.count(marker) for name, text in logs(bot_stack).items()}
    assert found == {"rasa.log": 0, "actions.log": 0}, found


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/model/parse"),
        ("GET", "/conversations/someone/tracker"),
        ("POST", "/conversations/someone/messages"),
        ("POST", "/conversations/someone/trigger_intent"),
        ("GET", "/domain"),
        ("GET", "/status"),
        ("PUT", "/model"),
    ],
)
def test_http_api_is_off_without_a_token(bot_stack, method, path):
    r = requests.request(method, f"{bot_stack.url}{path}", json={"text": "hoi"}, timeout=10)
    assert r.status_code in (401, 403, 404, 405), f"{path}: {r.status_code}"


def test_api_args_need_a_token():
    assert api_args({}) == []
    assert api_args({"RASA_API_TOKEN": "  "}) == []
    assert api_args({"RASA_API_TOKEN": "geheim"}) == ["--enable-api", "--auth-token", "geheim"]


def test_cors_origins_are_a_setting():
    assert cors_args({}) == ["--cors", "http://127.0.0.1:8080", "http://localhost:8080"]
    assert cors_args({"CORS_ORIGINS": "https://a.example, https://b.example"}) == [
        "--cors",
        "https://a.example",
        "https://b.example",
    ]


def test_cors_refuses_a_foreign_origin(bot_stack):
    evil = "http://evil.example"
    r = requests.options(
        f"{bot_stack.url}/webhooks/rest/webhook",
        timeout=10,
        headers={"Origin": evil, "Access-Control-Request-Method": "POST"},
    )
    assert r.headers.get("Access-Control-Allow-Origin") not in (evil, "*"), r.headers
    r = requests.post(
        f"{bot_stack.url}/webhooks/rest/webhook",
        headers={"Origin": evil},
        json={"sender": "cors", "message": "hoi"},
        timeout=60,
    )
    assert r.headers.get("Access-Control-Allow-Origin") not in (evil, "*"), r.headers


def non_loopback_ips():
    ips = set()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent
            ips.add(s.getsockname()[0])
    except OSError:
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            ips.add(info[4][0])
    except OSError:
        pass
    return sorted(ip for ip in ips if not ip.startswith("127."))


@pytest.mark.parametrize("which", ["action_port", "rasa_port"])
def test_servers_listen_on_localhost_only(bot_stack, which):
    ips = non_loopback_ips()
    if not ips:
        pytest.skip("this machine has no non-loopback IPv4 address")
    port = getattr(bot_stack, which)
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass  # it is up on localhost
    for ip in ips:
        with pytest.raises(OSError):
            socket.create_connection((ip, port), timeout=3).close()


def test_the_running_server_uses_the_expiring_store(bot_stack):
    """Rasa falls back to its plain in-memory store (which never forgets) with only a warning
    when a custom store cannot be loaded; the running server's log must not say so."""
    rest_say(bot_stack.url, "hallo", f"priv-{uuid.uuid4().hex[:8]}")
    log = logs(bot_stack)["rasa.log"]
    assert "Tracker store with type" not in log and "ExpiringInMemoryTrackerStore" not in log, [
        line for line in log.splitlines() if "racker store" in line
    ][:3]
