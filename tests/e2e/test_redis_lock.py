"""bot/locks.py: the Redis lock store serves a conversation's messages one at a time, in order,
in two round trips per message, and goes on when a server died holding a conversation."""

import asyncio
import shutil
import time
import uuid

import pytest

from bot.redis_server import redis_server
from tests.conftest import free_port

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server missing: run `bash bot/setup/redis.sh`"
)


@pytest.fixture(scope="module")
def store():
    from urllib.parse import urlparse

    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    with redis_server(free_port()) as url:
        u = urlparse(url)
        # As Rasa builds it from endpoints.yml (type: bot.locks.QueueLockStore).
        config = EndpointConfig(url=u.hostname, type="bot.locks.QueueLockStore", port=u.port, db=0, key_prefix="test")
        yield LockStore.create(config)


def test_rasa_builds_it_from_the_endpoints(store):
    from bot.locks import QueueLockStore

    assert isinstance(store, QueueLockStore) and store.key_prefix.startswith("test:")


def test_one_message_at_a_time_in_the_order_they_came(store):
    conversation, log = uuid.uuid4().hex, []

    async def message(i):
        await asyncio.sleep(i * 0.01)  # they arrive in this order, while the first is still busy
        async with store.lock(conversation):
            log.append(("start", i))
            await asyncio.sleep(0.05)
            log.append(("end", i))

    async def main():
        await asyncio.gather(*(message(i) for i in range(5)))

    asyncio.run(main())
    assert log == [(kind, i) for i in range(5) for kind in ("start", "end")]


def test_other_conversations_do_not_wait(store):
    async def message(conversation):
        async with store.lock(conversation):
            await asyncio.sleep(0.2)

    async def main():
        t0 = time.monotonic()
        await asyncio.gather(*(message(uuid.uuid4().hex) for _ in range(5)))
        return time.monotonic() - t0

    assert asyncio.run(main()) < 0.6  # five at once, not one after the other (1 s)


def test_two_round_trips_per_message(store, monkeypatch):
    conversation = uuid.uuid4().hex

    async def once():
        async with store.lock(conversation):
            pass

    asyncio.run(once())  # the scripts are loaded into Redis on first use
    calls = []
    original = store.red.execute_command
    monkeypatch.setattr(store.red, "execute_command", lambda *a, **k: calls.append(a[0]) or original(*a, **k))
    asyncio.run(once())
    assert len(calls) == 2, calls  # Rasa's RedisLockStore: seven


def test_a_dead_holder_frees_the_conversation_after_the_lock_lifetime(store):
    conversation = uuid.uuid4().hex
    store.take_ticket(conversation, 0.3)  # a server took the conversation and died

    async def main():
        t0 = time.monotonic()
        async with store.lock(conversation, lock_lifetime=0.3):
            return time.monotonic() - t0

    waited = asyncio.run(main())
    assert 0.25 <= waited < 2
    # the keys expire with the lifetime: nothing of the conversation stays in Redis
    time.sleep(0.5)
    assert not store.red.exists(*[store.key_prefix + conversation + s for s in (":next", ":done")])
