"""An in-memory tracker store whose conversations expire, for `make run` without Redis.

Rasa's InMemoryTrackerStore keeps every conversation until the server stops: a new session after
30 minutes starts on top of the old events, which stay in memory. This store forgets a
conversation `record_exp` seconds after its last message (the session expiry of domain.yml, as
the Redis store's TTL), so what the bot tells users ("na 30 minuten is het oude gesprek weg") holds
for both. The launcher writes it into endpoints.yml when REDIS_URL is not set.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, Iterable, Optional, Text

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker


class ExpiringInMemoryTrackerStore(InMemoryTrackerStore):
    def __init__(
        self,
        domain: Domain,
        event_broker: Any = None,
        record_exp: Any = 1800,
        clock: Callable[[], float] = time.monotonic,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("host", None)  # Rasa passes the endpoint's url as host; unused here
        super().__init__(domain, event_broker, **kwargs)
        self.record_exp = float(record_exp)
        self.clock = clock
        self.last_saved: Dict[Text, float] = {}

    def expire(self) -> int:
        """Forget the conversations older than record_exp; returns how many."""
        cutoff = self.clock() - self.record_exp
        old = [sender for sender, at in self.last_saved.items() if at < cutoff]
        for sender in old:
            self.store.pop(sender, None)
            del self.last_saved[sender]
        return len(old)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        self.last_saved[tracker.sender_id] = self.clock()
        self.expire()

    async def _retrieve(self, sender_id: Text, fetch_all_sessions: bool) -> Optional[DialogueStateTracker]:
        self.expire()
        return await super()._retrieve(sender_id, fetch_all_sessions)

    async def keys(self) -> Iterable[Text]:
        self.expire()
        return await super().keys()
