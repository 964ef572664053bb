"""`make run-cluster`: two Rasa servers behind nginx on one Redis and one action server.

One conversation's turns alternate between the servers (REST round robin) and its form state
holds; one server killed with SIGKILL mid-conversation and the conversation goes on.
"""
import os
import signal
import uuid

import pytest
import requests

from bot.cluster import start_cluster, stop_cluster
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
