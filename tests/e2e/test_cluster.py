"""`make run-cluster`: two Rasa servers behind nginx on one Redis and one action server.

One conversation's turns alternate between the servers (REST round robin) and its form state
holds; one server killed with SIGKILL mid-conversation and the conversation goes on. socket.io
(the widget) goes through nginx too, over websocket and over long-polling (sticky), and a widget
that reconnects after its server died goes on with its conversation on the other server.
"""

import asyncio
import os
import signal
import time
import uuid

import pytest

from bot.cluster import start_cluster, stop_cluster
from bot.web.sio_client import SioChat, texts
from tests.conftest import free_port
from tests.helpers import joined, rest_say


@pytest.fixture(scope="module")
def cluster():
    c = start_cluster(free_port(), [free_port(), free_port()], free_port(), free_port())
    yield c
    stop_cluster(c)


STATE = {"sio_session": None}  # the widget conversation (its signed token) that goes on after the kill


def ports(addrs):
    """Upstream ports from nginx's $upstream_addr lines ("a:1" or "a:1, a:2" after a retry)."""
    return [a.rsplit(":", 1)[-1] for line in addrs for a in line.replace(",", " ").split() if a != "-"]


def new_upstreams(cluster, before, wait=5.0):
    """nginx's log lines after the first `before` (a websocket is logged when it closes)."""
    deadline = time.time() + wait
    while len(cluster.upstreams_used()) <= before and time.time() < deadline:
        time.sleep(0.1)
    return cluster.upstreams_used()[before:]


async def sio_turns(url, session_id, lines, transport="websocket"):
    async with SioChat(url, session_id=session_id, transport=transport, quiet=1.0) as chat:
        if transport == "websocket":  # the server signs the session: keep its token
            STATE["sio_session"] = chat.session_id
        return ["\n".join(texts(await chat.say(line))) for line in lines]


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_socketio_through_nginx_is_sticky(cluster, transport):
    session = STATE["sio_session"] if transport == "websocket" else None
    before = len(cluster.upstreams_used())
    greeting, question = asyncio.run(
        sio_turns(
            cluster.url,
            session,
            ["hallo", "ik maak me zorgen om mijn buurvrouw, ze moet drugs " "rondbrengen voor een paar jongens"],
            transport,
        )
    )
    assert "computerprogramma" in greeting and "jonger dan 18" in question, (greeting, question)
    used = set(ports(new_upstreams(cluster, before)))
    assert len(used) == 1, f"socket.io went to more than one server: {used}"
    STATE.setdefault("sio_port", used.pop())


def test_turns_alternate_and_then_one_server_dies(cluster):
    sender = f"cluster-{uuid.uuid4().hex[:8]}"
    assert "computerprogramma" in joined(rest_say(cluster.url, "hallo", sender))
    worry = "ik maak me zorgen om mijn buurvrouw, ze moet drugs rondbrengen voor een paar jongens"
    assert "jonger dan 18" in joined(rest_say(cluster.url, worry, sender))
    assert "verstandelijke beperking" in joined(rest_say(cluster.url, "/affirm", sender))
    used = set(ports(cluster.upstreams_used()))
    assert used == {str(p) for p in cluster.rasa_ports}, used
    # One server dies without warning (the one the widget's socket.io went to, when known);
    # nginx moves on and the form state is in Redis.
    victim = [str(p) for p in cluster.rasa_ports].index(STATE.get("sio_port", str(cluster.rasa_ports[0])))
    os.killpg(cluster.rasa[victim].pid, signal.SIGKILL)
    cluster.rasa[victim].wait(10)
    STATE["killed"] = str(cluster.rasa_ports[victim])
    assert "anoniem" in joined(rest_say(cluster.url, "/deny", sender))
    route = joined(rest_say(cluster.url, "/affirm", sender))
    assert "Zorgcoördinator" in route and "Meld Misdaad Anoniem" in route


def test_widget_reconnects_after_its_server_died(cluster):
    """After the kill above: the widget's conversation (form state in Redis) goes on through
    the other server."""
    if STATE.get("killed") != STATE.get("sio_port"):
        pytest.skip("needs the socket.io test and the kill test before it")
    before = len(cluster.upstreams_used())
    (answer,) = asyncio.run(sio_turns(cluster.url, STATE["sio_session"], ["/affirm"]))
    assert "verstandelijke beperking" in answer, answer
    assert ports(new_upstreams(cluster, before))[-1] != STATE["killed"]
