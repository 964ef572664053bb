"""A Redis lock store with two round trips per message (issue 16), in the order messages came.

Rasa's RedisLockStore keeps a JSON ticket list per conversation and reads and writes it about
seven times per message (issue a ticket: get, set; wait: get; finish: get, set; clean up: get,
delete), each a round trip to Redis; read-modify-write without a transaction, so two servers
that take a ticket at the same moment can overwrite each other's. Here a conversation has two
counters, `<prefix><id>:next` (tickets issued) and `<prefix><id>:done` (tickets finished), each
changed by a Lua script in one atomic round trip:

- take a ticket: INCR next, read done (one script). The message may go when done == ticket - 1
  (at once when nobody else is busy with the conversation);
- else wait, reading done every `POLL_S` seconds;
- finished: done = max(done, ticket) (one script).

Both keys expire `lock_lifetime` seconds after the last use, as Rasa's tickets do; a message
whose turn does not come within `lock_lifetime` (a server died holding the conversation) goes on
and moves done up to its own ticket, as Rasa's expired tickets let the next one go.
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

TAKE = """
local ticket = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
local done = tonumber(redis.call('GET', KEYS[2]) or '0')
return {ticket, done}
"""
FINISH = """
local done = tonumber(redis.call('GET', KEYS[2]) or '0')
if done < tonumber(ARGV[2]) then redis.call('SET', KEYS[2], ARGV[2]) end
redis.call('PEXPIRE', KEYS[2], ARGV[1])
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
        self._finish = self.red.register_script(FINISH)

    def _keys(self, conversation_id: Text) -> list:
        base = self.key_prefix + conversation_id
        return [base + ":next", base + ":done"]

    def take_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> tuple:
        """(ticket, tickets finished so far) in one round trip."""
        try:
            ticket, done = self._take(keys=self._keys(conversation_id), args=[int(lock_lifetime * 1000)])
        except Exception as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e
        return int(ticket), int(done)

    def finish(self, conversation_id: Text, ticket: int, lock_lifetime: float = LOCK_LIFETIME) -> None:
        try:
            self._finish(keys=self._keys(conversation_id), args=[int(lock_lifetime * 1000), ticket])
        except Exception as e:  # the keys expire by themselves; the next message goes after lock_lifetime
            logger.warning("could not release a conversation lock: %s", type(e).__name__)

    async def _wait_turn(self, conversation_id: Text, ticket: int, done: int, lock_lifetime: float) -> None:
        deadline = time.monotonic() + lock_lifetime
        done_key = self._keys(conversation_id)[1]
        while done < ticket - 1:
            if time.monotonic() > deadline:
                logger.warning("a conversation lock was not released in %.0f s: going on", lock_lifetime)
                return
            await asyncio.sleep(POLL_S)
            try:
                done = int(self.red.get(done_key) or 0)
            except Exception as e:
                raise LockError(f"Could not acquire lock. Error:\n{e}") from e

    @asynccontextmanager
    async def lock(
        self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncGenerator[TicketLock, None]:
        ticket, done = self.take_ticket(conversation_id, lock_lifetime)
        try:
            await self._wait_turn(conversation_id, ticket, done, lock_lifetime)
            yield TicketLock(conversation_id)
        finally:
            self.finish(conversation_id, ticket, lock_lifetime)
