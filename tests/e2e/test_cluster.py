"""`make run-cluster`: two Rasa servers behind nginx on one Redis and one action server.

One conversation's turns alternate between the servers (REST round robin) and its form state
holds; one server killed with SIGKILL mid-conversation and the conversation goes on. socket.io
(the widget) goes through nginx too, over websocket and over long-polling (sticky), and a widget
that reconnects after its server died goes on with its conversation on the other server.
"""
import asyncio
import os
import signal
import uuid

import pytest
import requests

from bot.cluster import start_cluster, stop_cluster
from bot.web.sio_client import SioChat, texts
from tests.conftest import free_port


@pytest.fixture(scope="module")
def cluster():
    c = start_cluster(free_port(), [free_port(), free_port()], free_port(), free_port())
    yield c
    stop_cluster(c)


def say(cluster, text, sender):
    r = requests.post(f"{cluster.url}/webhooks/rest/webhook",
                      json={"sender": sender, "message": text}, timeout=60)
    assert r.status_code == 200, r.text
    return "\n".join(m.get("text", "") for m in r.json())


SIO_SESSION = uuid.uuid4().hex  # the widget conversation that goes on after the kill


async def sio_turns(url, session_id, lines, transport="websocket"):
    async with SioChat(url, session_id=session_id, transport=transport, quiet=1.0) as chat:
        return ["\n".join(texts(await chat.say(line))) for line in lines]


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_socketio_through_nginx(cluster, transport):
    session = SIO_SESSION if transport == "websocket" else uuid.uuid4().hex
    greeting, question = asyncio.run(sio_turns(
        cluster.url, session, ["hallo", "ik maak me zorgen om mijn buurmeisje, ze moet drugs "
                                        "rondbrengen voor een paar jongens"], transport))
    assert "computerprogramma" in greeting and "jonger dan 18" in question, (greeting, question)


def test_turns_alternate_and_then_one_server_dies(cluster):
    sender = f"cluster-{uuid.uuid4().hex[:8]}"
    assert "computerprogramma" in say(cluster, "hallo", sender)
    assert "jonger dan 18" in say(cluster, "ik maak me zorgen om mijn buurmeisje, ze moet drugs "
                                           "rondbrengen voor een paar jongens", sender)
    assert "verstandelijke beperking" in say(cluster, "/affirm", sender)
    used = {addr.split(":")[-1] for addr in cluster.upstreams_used() if addr != "-"}
    assert used == {str(p) for p in cluster.rasa_ports}, used
    # One server dies without warning; nginx moves on and the form state is in Redis.
    os.killpg(cluster.rasa[0].pid, signal.SIGKILL)
    cluster.rasa[0].wait(10)
    assert "anoniem" in say(cluster, "/deny", sender)
    route = say(cluster, "/affirm", sender)
    assert "Zorgcoördinator" in route and "Meld Misdaad Anoniem" in route


def test_widget_reconnects_after_its_server_died(cluster):
    """Runs after the kill above: the widget's conversation (form state in Redis) goes on."""
    assert cluster.rasa[0].poll() is not None, "runs after one server was killed"
    (answer,) = asyncio.run(sio_turns(cluster.url, SIO_SESSION, ["/affirm"]))
    assert "verstandelijke beperking" in answer, answer
