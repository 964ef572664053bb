"""Redis tracker and lock store (REDIS_URL): state in Redis with a prefix and the session TTL,
the form goes on across two Rasa servers on one Redis, and one of them may die.

Starts its own redis-server on a free port (bot/setup/redis.sh installs it) and its own stack.
"""

import asyncio
import os
import shutil
import signal
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests

from bot.channels.guard import FAILURE_TEXT
from bot.redis_server import redis_server, start_redis
from bot.web.sio_client import SioChat, texts
from tests.conftest import ARTIFACTS, free_port
from tests.helpers import rest_say

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server missing: run `bash bot/setup/redis.sh`"
)
SESSION_SECONDS = 30 * 60


def start_second_rasa(stack, redis_url, log: Path):
    """Another Rasa server on the same Redis and the same action server."""
    from bot.launcher import _stop, _wait_http, base_env, start_rasa, write_credentials, write_endpoints

    workdir = Path(tempfile.mkdtemp(prefix="bot-run-b-"))
    env = {**base_env(), "REDIS_URL": redis_url}
    endpoints = write_endpoints(workdir, stack.action_port, env)
    creds, _ = write_credentials(workdir, env)
    port = free_port()
    proc = start_rasa(port, endpoints, creds, env, open(log, "w"))
    try:
        _wait_http(f"http://127.0.0.1:{port}/", 240, proc, "second Rasa server")
    except Exception:
        _stop(proc)
        raise
    return proc, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def redis_stacks():
    from bot.launcher import _stop, start_stack, stop_stack

    with redis_server(free_port()) as url:
        stack = start_stack(free_port(), free_port(), log_dir=ARTIFACTS / "logs-redis", env={"REDIS_URL": url})
        try:
            second, second_url = start_second_rasa(stack, url, ARTIFACTS / "logs-redis" / "rasa-b.log")
            try:
                yield {"url": url, "stack": stack, "a": stack.url, "b": second_url, "proc_a": stack.rasa}
            finally:
                _stop(second)
        finally:
            stop_stack(stack)


async def sio_turn(url, text):
    async with SioChat(url, quiet=1.0, first_timeout=30) as chat:
        return texts(await chat.say(text))


def test_endpoints_without_redis_url_keep_the_in_memory_default(tmp_path):
    import yaml
    from bot.launcher import write_endpoints

    conf = yaml.safe_load(write_endpoints(tmp_path, 5055, {}).read_text())
    assert set(conf) == {"action_endpoint", "tracker_store"}
    assert conf["tracker_store"] == {"type": "bot.stores.ExpiringInMemoryTrackerStore", "record_exp": SESSION_SECONDS}


def test_endpoints_parse_the_redis_url(tmp_path):
    import yaml
    from bot.launcher import write_endpoints

    conf = yaml.safe_load(
        write_endpoints(tmp_path, 5055, {"REDIS_URL": "redis://:geh%40eim@redis.local:6380/3"}).read_text()
    )
    tracker, lock = conf["tracker_store"], conf["lock_store"]
    assert tracker == {
        "type": "bot.stores.LendingRedisTrackerStore",
        "url": "redis.local",
        "port": 6380,
        "db": 3,
        "key_prefix": "meldcode",
        "password": "geh@eim",
        "record_exp": SESSION_SECONDS,
    }
    assert lock["type"] == "bot.locks.QueueLockStore" and lock["key_prefix"] == "meldcode" and "record_exp" not in lock
    with pytest.raises(ValueError):
        write_endpoints(tmp_path, 5055, {"REDIS_URL": "http://x"})


def test_a_lent_tracker_never_hides_what_another_server_saved(tmp_path):
    """Two stores on one Redis (two servers): each lends its own last tracker, but only while
    Redis still holds what it saved; the other server's turn always wins, nothing is lost."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered

    from bot.stores import LendingRedisTrackerStore

    with redis_server(free_port()) as url:
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        a, b = (LendingRedisTrackerStore(Domain.empty(), port=port, record_exp=60) for _ in "ab")

        async def scenario():
            tracker = await a.get_or_create_tracker("gesprek")
            tracker.update(UserUttered("een"))
            await a.save(tracker)
            rebuilt = await a.retrieve("gesprek")  # rebuilt from Redis, as Rasa does
            rebuilt.update(UserUttered("twee"))
            await a.save(rebuilt)  # no merge needed: Redis still held what it was built from
            lent_once = (await a.retrieve("gesprek")) is rebuilt
            on_b = await b.retrieve("gesprek")  # B rebuilds from Redis
            on_b.update(UserUttered("drie"))
            await b.save(on_b)
            back_on_a = await a.retrieve("gesprek")  # A's kept tracker is stale now
            failed = await a.retrieve("gesprek")  # a turn that never saves ...
            failed.update(UserUttered("kwijt"))
            after_failure = await a.retrieve("gesprek")  # ... leaves nothing behind
            return lent_once, back_on_a, after_failure, a.lender.hits

        lent_once, back_on_a, after_failure, hits = asyncio.run(scenario())
    said = lambda t: [e.text for e in t.events if isinstance(e, UserUttered)]  # noqa: E731
    assert lent_once and hits >= 1
    assert said(back_on_a) == ["een", "twee", "drie"]
    assert said(after_failure) == ["een", "twee", "drie"]


def test_state_is_in_redis_with_prefix_and_session_ttl(redis_stacks):
    import redis

    sender = f"redis-{uuid.uuid4().hex[:8]}"
    texts(rest_say(redis_stacks["a"], "hallo", sender))
    client = redis.Redis.from_url(redis_stacks["url"])
    key = f"meldcode:tracker:rest:{sender}"
    assert client.exists(key), sorted(k.decode() for k in client.keys("*"))[:20]
    ttl = client.ttl(key)
    assert SESSION_SECONDS - 60 <= ttl <= SESSION_SECONDS, ttl
    assert all(k.startswith(b"meldcode:") for k in client.keys("*")), client.keys("*")


def test_form_state_survives_across_two_servers_and_a_killed_one(redis_stacks):
    sender = f"redis-{uuid.uuid4().hex[:8]}"
    a, b = redis_stacks["a"], redis_stacks["b"]
    first = texts(rest_say(a, "ik maak me zorgen om mijn buurvrouw, ze moet drugs rondbrengen", sender))
    assert "jonger dan 18" in first[-1]
    second = texts(rest_say(b, "/affirm", sender))  # the other server knows the form
    assert "verstandelijke beperking" in second[-1]
    crisis = texts(rest_say(a, "er staat nu iemand met een mes voor de deur", sender))
    assert "112" in crisis[0].splitlines()[0]
    assert "verstandelijke beperking" in crisis[-1], "the form asks its question again"
    # Server A dies without warning; B carries on with the same conversation.
    os.killpg(redis_stacks["proc_a"].pid, signal.SIGKILL)
    redis_stacks["proc_a"].wait(10)
    third = "\n".join(texts(rest_say(b, "/deny", sender)))
    assert "Veilig Thuis" in third or "?" in third, third


def test_redis_restart_gets_a_clear_message_then_recovers(tmp_path):
    """Redis down: a clear answer with 112, no hang, no 5xx; Redis back: the bot answers again."""
    from bot.launcher import start_stack, stop_stack

    port = free_port()
    redis_proc = start_redis(port)
    url = f"redis://127.0.0.1:{port}/0"
    stack = start_stack(free_port(), free_port(), log_dir=ARTIFACTS / "logs-redis-restart", env={"REDIS_URL": url})
    try:
        sender = f"restart-{uuid.uuid4().hex[:8]}"
        assert "computerprogramma" in texts(rest_say(stack.url, "hallo", sender))[0]
        redis_proc.kill()
        redis_proc.wait(10)
        started = time.time()
        r = requests.post(
            f"{stack.url}/webhooks/rest/webhook", json={"sender": sender, "message": "ben jij een robot?"}, timeout=60
        )
        assert r.status_code == 200 and time.time() - started < 30
        text = " ".join(m.get("text", "") for m in r.json())
        assert "Er ging iets mis" in text and "112" in text and "0800-2000" in text
        # The widget's channel says the same.
        sio_replies = asyncio.run(sio_turn(stack.url, "ben jij een robot?"))
        assert sio_replies == [FAILURE_TEXT], sio_replies
        redis_proc = start_redis(port)
        deadline = time.time() + 30
        while True:
            replies = texts(rest_say(stack.url, "ben jij een robot?", sender))
            if replies and "computerprogramma" in replies[0]:
                break
            assert time.time() < deadline, replies
            time.sleep(1)
        sio_replies = asyncio.run(sio_turn(stack.url, "ben jij een robot?"))
        assert sio_replies and "computerprogramma" in sio_replies[0], sio_replies
    finally:
        stop_stack(stack)
        redis_proc.kill()


def test_saving_a_lent_tracker_is_one_round_trip_and_never_overwrites_another_servers_turn():
    """The check "is the stored text still the one this tracker was built from?" and the write
    are one compare-and-set script in Redis (bot/stores.SAVE_IF_UNCHANGED), not a GET and a SET."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered

    from bot.stores import LendingRedisTrackerStore

    with redis_server(free_port()) as url:
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        a, b = (LendingRedisTrackerStore(Domain.empty(), port=port, record_exp=60) for _ in "ab")

        async def scenario():
            tracker = await a.get_or_create_tracker("cas")
            tracker.update(UserUttered("een"))
            await a.save(tracker)
            warm = await a.retrieve("cas")  # the script is loaded into Redis on first use
            warm.update(UserUttered("warm"))
            await a.save(warm)
            lent = await a.retrieve("cas")
            lent.update(UserUttered("twee"))
            calls = []
            original = a.red.execute_command
            a.red.execute_command = lambda *args, **kw: calls.append(args[0]) or original(*args, **kw)
            await a.save(lent)
            a.red.execute_command = original
            # B saves between A's retrieve and A's save: A's save must not overwrite it
            on_a = await a.retrieve("cas")
            on_b = await b.retrieve("cas")
            on_b.update(UserUttered("drie"))
            await b.save(on_b)
            on_a.update(UserUttered("vier"))
            await a.save(on_a)
            return calls, await b.retrieve("cas")

        calls, final = asyncio.run(scenario())
    assert calls == ["EVALSHA"], calls
    said = [e.text for e in final.events if isinstance(e, UserUttered)]
    assert "drie" in said and "vier" in said, said
