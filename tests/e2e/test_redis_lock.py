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


def _one_after_the_other(store, conversation: str, n: int, **lock_args) -> list:
    """n messages of one conversation, arriving 10 ms apart while the first is still busy: the
    log of when each started and ended."""
    log = []

    async def message(i):
        await asyncio.sleep(i * 0.01)
        async with store.lock(conversation, **lock_args):
            log.append(("start", i))
            await asyncio.sleep(0.05)
            log.append(("end", i))

    async def main():
        await asyncio.gather(*(message(i) for i in range(n)))

    asyncio.run(main())
    return log


def in_order(n: int) -> list:
    return [(kind, i) for i in range(n) for kind in ("start", "end")]


def test_rasa_builds_it_from_the_endpoints(store):
    from bot.locks import QueueLockStore

    assert isinstance(store, QueueLockStore) and store.key_prefix.startswith("test:")


def test_one_message_at_a_time_in_the_order_they_came(store):
    conversation = uuid.uuid4().hex
    assert _one_after_the_other(store, conversation, 5) == in_order(5)


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
    # the hash expires with the lifetime: nothing of the conversation stays in Redis
    time.sleep(0.5)
    assert not store.red.exists(store.key_prefix + conversation)


def test_behind_a_dead_holder_the_others_still_go_one_at_a_time_in_order(store):
    """Review of 2026-12-04: all waiters behind a dead holder reached their deadline together."""
    conversation = uuid.uuid4().hex
    store.take_ticket(conversation, 0.3)  # taken by a server that died
    assert _one_after_the_other(store, conversation, 4, lock_lifetime=0.3) == in_order(4)


def test_a_late_finish_after_the_hash_expired_lets_no_two_messages_run_together(store):
    """A holder slower than the lock lifetime finished into a new count: later tickets ran at once."""
    conversation = uuid.uuid4().hex
    ticket, _ = store.take_ticket(conversation, 0.1)
    time.sleep(0.3)  # the hash expired while the slow holder was busy
    store.finish(conversation, ticket + 5, 0.1)  # a finish that came late (and with a high ticket)
    assert _one_after_the_other(store, conversation, 3, lock_lifetime=5) == in_order(3)


def test_a_message_that_gives_up_waiting_neither_frees_the_holder_nor_blocks_the_next(store):
    """A cancelled waiter finished its ticket at once, so the next one ran beside the holder."""
    conversation, log = uuid.uuid4().hex, []

    async def holder():
        async with store.lock(conversation, lock_lifetime=5):
            log.append("holder start")
            await asyncio.sleep(0.4)
            log.append("holder end")

    async def gives_up():
        await asyncio.sleep(0.05)
        async with store.lock(conversation, lock_lifetime=5):
            log.append("never")

    async def next_one():
        await asyncio.sleep(0.1)
        t0 = time.monotonic()
        async with store.lock(conversation, lock_lifetime=5):
            log.append("next start")
        return time.monotonic() - t0

    async def main():
        waiting = asyncio.ensure_future(gives_up())
        h, n = asyncio.ensure_future(holder()), asyncio.ensure_future(next_one())
        await asyncio.sleep(0.2)
        waiting.cancel()  # its request went away while it waited
        await h
        return await n

    waited = asyncio.run(main())
    assert log == ["holder start", "holder end", "next start"]
    assert waited < 1.5  # not the lock lifetime (5 s)


def test_behind_two_dead_tickets_the_next_still_goes(store):
    """Review of 2026-12-04: only the ticket right behind a dead holder could skip it, so two dead
    tickets in a row blocked the conversation for good."""
    conversation = uuid.uuid4().hex
    store.take_ticket(conversation, 0.2)  # a server died holding the conversation ...
    store.take_ticket(conversation, 0.2)  # ... and with a message waiting behind it

    async def main():
        t0 = time.monotonic()
        async with store.lock(conversation, lock_lifetime=0.2):
            return time.monotonic() - t0

    assert 0.35 <= asyncio.run(main()) < 3
