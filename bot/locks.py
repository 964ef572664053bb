"""A Redis lock store with two round trips per message (issue 16), in the order messages came.

Rasa's RedisLockStore keeps a JSON ticket list per conversation and reads and writes it about
seven times per message (issue a ticket: get, set; wait: get; finish: get, set; clean up: get,
delete), each a round trip to Redis; read-modify-write without a transaction, so two servers
that take a ticket at the same moment can overwrite each other's. Here a conversation has one
hash `<prefix><id>` with two counters, `next` (tickets issued) and `done` (tickets finished),
changed by Lua scripts, each one atomic round trip (one key, so also on a Redis Cluster):

- take a ticket: HINCRBY next, read done. The message may go when done == ticket - 1 (at once
  when nobody else is busy with the conversation);
- else wait, reading done every `POLL_S` seconds (which keeps the hash alive while it waits);
- finished: done = ticket, only by the holder (done == ticket - 1, a ticket of this count: an
  expired hash starts the count again, and a late finish must not let later tickets through).

The hash expires `lock_lifetime` seconds after its last use, as Rasa's tickets do. A holder that
died (a server crashed) never finishes: when `done` has not moved for `lock_lifetime`, a waiter
moves it on by one (a compare-and-set, so only once), so the waiting messages still go one at a
time, in order, also behind several dead tickets. A message that gives up waiting (its request was
cancelled) finishes in the background when its turn comes, so the others need not wait for it.
endpoints.yml: `lock_store: {type: bot.locks.QueueLockStore, url: ..., port: ..., ...}` (the
launcher writes it with REDIS_URL, bot/server_files.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Optional, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

logger = logging.getLogger(__name__)

POLL_S = 0.05  # how often a waiting message looks whether its turn has come
_BACKGROUND: set = set()  # finishers of messages that gave up waiting

TAKE = """
local ticket = redis.call('HINCRBY', KEYS[1], 'next', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return {ticket, tonumber(redis.call('HGET', KEYS[1], 'done') or '0')}
"""
# done, and the hash kept alive while a message waits; -1 when the hash is gone
POLL = """
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return -1 end
return tonumber(redis.call('HGET', KEYS[1], 'done') or '0')
"""
# Only the holder finishes: done == ticket - 1 and the ticket of this count (a holder slower than
# the lifetime finishing into a new count, or one that was skipped, changes nothing).
FINISH = """
local ticket = tonumber(ARGV[2])
local done = tonumber(redis.call('HGET', KEYS[1], 'done') or '0')
local issued = tonumber(redis.call('HGET', KEYS[1], 'next') or '0')
if done ~= ticket - 1 or ticket > issued then return 0 end
redis.call('HSET', KEYS[1], 'done', ticket)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
"""
# a dead holder: done moves on by one, if nobody did it yet
SKIP = """
if tonumber(redis.call('HGET', KEYS[1], 'done') or '0') ~= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'done', tonumber(ARGV[2]) + 1)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
"""


class QueueLockStore(RedisLockStore):
    """Rasa's RedisLockStore settings; lock() with two counters (see the module docstring)."""

    def __init__(self, endpoint_config: Optional[Any] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {**endpoint_config.kwargs, **kwargs}
            kwargs.setdefault("host", endpoint_config.url or "localhost")
        kwargs.pop("type", None)
        super().__init__(**kwargs)
        self._take = self.red.register_script(TAKE)
        self._poll = self.red.register_script(POLL)
        self._finish = self.red.register_script(FINISH)
        self._skip = self.red.register_script(SKIP)

    def _key(self, conversation_id: Text) -> str:
        return self.key_prefix + conversation_id

    def take_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> tuple:
        """(ticket, tickets finished so far) in one round trip."""
        try:
            ticket, done = self._take(keys=[self._key(conversation_id)], args=[_ms(lock_lifetime)])
        except Exception as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e
        return int(ticket), int(done)

    def finish(self, conversation_id: Text, ticket: int, lock_lifetime: float = LOCK_LIFETIME) -> None:
        try:
            self._finish(keys=[self._key(conversation_id)], args=[_ms(lock_lifetime), ticket])
        except Exception as e:  # the hash expires by itself; the next message goes after lock_lifetime
            logger.warning("could not release a conversation lock: %s", type(e).__name__)

    async def _wait_turn(self, conversation_id: Text, ticket: int, done: int, lock_lifetime: float) -> None:
        key, ms = [self._key(conversation_id)], _ms(lock_lifetime)
        moved = time.monotonic()  # when done last moved
        while done < ticket - 1:
            await asyncio.sleep(POLL_S)
            try:
                now_done = int(self._poll(keys=key, args=[ms]))
                if now_done < 0:
                    return  # the hash expired: the conversation's count started again, nobody holds it
                if now_done != done:
                    done, moved = now_done, time.monotonic()
                elif time.monotonic() - moved > lock_lifetime:
                    # the holder (ticket done + 1) has not finished in the lifetime: it died. Any
                    # waiter moves done on by one (compare-and-set, so once), and the next in line goes.
                    if self._skip(keys=key, args=[ms, done]):
                        logger.warning("a conversation lock was not released in %.0f s: going on", lock_lifetime)
                    moved = time.monotonic()
            except Exception as e:
                raise LockError(f"Could not acquire lock. Error:\n{e}") from e

    async def _finish_when_its_turn_comes(self, conversation_id: Text, ticket: int, lock_lifetime: float) -> None:
        deadline = time.monotonic() + 3 * lock_lifetime  # else the others skip it as a dead holder
        while time.monotonic() < deadline:
            try:
                await self._wait_turn(conversation_id, ticket, -1, lock_lifetime)
            except Exception:  # noqa: BLE001 - Redis away for a moment: try again
                await asyncio.sleep(POLL_S * 10)
                continue
            self.finish(conversation_id, ticket, lock_lifetime)
            return

    @asynccontextmanager
    async def lock(
        self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncGenerator[TicketLock, None]:
        ticket, done = self.take_ticket(conversation_id, lock_lifetime)
        try:
            await self._wait_turn(conversation_id, ticket, done, lock_lifetime)
        except BaseException:
            # Given up before its turn (cancelled, Redis error): it must not let the next ticket
            # go while an earlier one still runs, nor keep the others waiting.
            task = asyncio.ensure_future(self._finish_when_its_turn_comes(conversation_id, ticket, lock_lifetime))
            _BACKGROUND.add(task)  # kept until done (the event loop holds tasks weakly)
            task.add_done_callback(_BACKGROUND.discard)
            raise
        try:
            yield TicketLock(conversation_id)
        finally:
            self.finish(conversation_id, ticket, lock_lifetime)


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))
