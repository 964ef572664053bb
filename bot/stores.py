"""Tracker stores: conversations that expire, and a tracker lent out instead of rebuilt.

Rasa's InMemoryTrackerStore keeps every conversation until the server stops: a new session after
30 minutes starts on top of the old events, which stay in memory. ExpiringInMemoryTrackerStore
forgets a conversation `record_exp` seconds after its last message (the session expiry of
domain.yml, as the Redis store's TTL), so what the bot tells users ("na 30 minuten is het oude
gesprek weg") holds for both. The launcher writes it into endpoints.yml when REDIS_URL is not set,
and LendingRedisTrackerStore when it is.

Lending (issue 16): Rasa rebuilds the tracker from its JSON at the start of every turn, replaying
every event (a tenth of a turn's server time), and the Redis store rebuilds the stored one once
more on every save to merge the two. Both stores here keep the tracker they last saved, with the
text they saved for it. The next turn gets that very object back, without a rebuild, when the
stored text is still the one saved with it (so another server or worker of the cluster that
answered in between, an expiry or a restart always win); it is lent once: taken out of the cache
when handed over, put back only by the next save. A turn that fails before its save leaves nothing
behind, and the next one rebuilds from the stored text as Rasa does.
"""

from __future__ import annotations

import collections
import hashlib
import time
from typing import Any, Callable, Dict, Iterable, Optional, Text, Tuple

from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker, get_trackers_for_conversation_sessions

LEND_MAX = 256  # trackers kept for lending: the most recently saved (tens of KB each)


def one_session(tracker: DialogueStateTracker) -> bool:
    """True when retrieve() would hand out this tracker whole (it holds at most one session)."""
    starts = 0
    for i, event in enumerate(tracker.events):
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME:
            starts += 1
            if starts > 1 or i > 0:
                return False
    return True


class Lender:
    """The last saved tracker per conversation, with the stored text it was saved as."""

    def __init__(self, size: int = LEND_MAX) -> None:
        self.size = size
        self.lent: "collections.OrderedDict[Text, Tuple[Text, DialogueStateTracker]]" = collections.OrderedDict()
        self.hits = 0
        self.misses = 0

    def keep(self, tracker: DialogueStateTracker, stored: Text) -> None:
        self.lent.pop(tracker.sender_id, None)
        if one_session(tracker):
            self.lent[tracker.sender_id] = (stored, tracker)
            while len(self.lent) > self.size:
                self.lent.popitem(last=False)

    def take(self, sender_id: Text, stored: Optional[Text]) -> Optional[DialogueStateTracker]:
        """The kept tracker when `stored` is still the text it was saved as (lent once)."""
        kept = self.lent.pop(sender_id, None)
        if kept is not None and stored is not None and kept[0] == stored:
            self.hits += 1
            return kept[1]
        self.misses += 1
        return None

    def forget(self, sender_id: Text) -> None:
        self.lent.pop(sender_id, None)


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
        # Oldest save first (a save moves its conversation to the end), so expire() looks only
        # at the conversations that are due, not at every one on every turn.
        self.last_saved: "collections.OrderedDict[Text, float]" = collections.OrderedDict()
        self.lender = Lender()

    def expire(self) -> int:
        """Forget the conversations older than record_exp; returns how many."""
        cutoff = self.clock() - self.record_exp
        gone = 0
        while self.last_saved:
            sender, at = next(iter(self.last_saved.items()))
            if at >= cutoff:
                break
            del self.last_saved[sender]
            self.store.pop(sender, None)
            self.lender.forget(sender)
            gone += 1
        return gone

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        self.lender.keep(tracker, self.store[tracker.sender_id])
        self.last_saved[tracker.sender_id] = self.clock()
        self.last_saved.move_to_end(tracker.sender_id)
        self.expire()

    async def _retrieve(self, sender_id: Text, fetch_all_sessions: bool) -> Optional[DialogueStateTracker]:
        self.expire()
        if not fetch_all_sessions:
            lent = self.lender.take(sender_id, self.store.get(sender_id))
            if lent is not None:
                return lent
        return await super()._retrieve(sender_id, fetch_all_sessions)

    async def keys(self) -> Iterable[Text]:
        self.expire()
        return await super().keys()


# Compare and set in Redis: the tracker is written only when the stored text (by its SHA-1) is
# still the one it was handed out from (or is gone); else 0 and the caller merges as Rasa does.
SAVE_IF_UNCHANGED = """
local current = redis.call('GET', KEYS[1])
if current and redis.sha1hex(current) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
"""


class LendingRedisTrackerStore(RedisTrackerStore):
    """Rasa's Redis store, lending the last saved tracker and merging only when needed.

    Rasa's save reads the stored tracker back and merges it with the one being saved, so that
    earlier sessions (which retrieve() leaves out) are kept. When the tracker being saved was
    handed out whole from the text that is still stored, that text's events are the first events
    of the tracker (events are only ever appended), so the merge is the tracker itself.
    """

    def __init__(self, domain: Domain, **kwargs: Any) -> None:
        super().__init__(domain, **kwargs)
        self.lender = Lender()
        self.whole: Dict[Text, Text] = {}  # sender -> stored text of a tracker handed out whole
        self._save_if_unchanged = self.red.register_script(SAVE_IF_UNCHANGED)

    async def _retrieve(self, sender_id: Text, fetch_all_sessions: bool) -> Optional[DialogueStateTracker]:
        stored = self.red.get(self.key_prefix + sender_id)
        self.whole.pop(sender_id, None)
        if stored is None:
            self.lender.forget(sender_id)
            return None
        if fetch_all_sessions:
            return self.deserialise_tracker(sender_id, stored)
        tracker = self.lender.take(sender_id, stored)
        if tracker is None:
            tracker = self.deserialise_tracker(sender_id, stored)
            if tracker is None or not one_session(tracker):
                # Only the last session, as Rasa's store does; save() merges the rest back.
                sessions = get_trackers_for_conversation_sessions(tracker) if tracker else []
                return sessions[-1] if len(sessions) > 1 else tracker
        self.whole[sender_id] = stored
        return tracker

    async def save(self, tracker: DialogueStateTracker, timeout: Optional[float] = None) -> None:
        sender = tracker.sender_id
        handed_out_from = self.whole.pop(sender, None)
        if handed_out_from is None or self.event_broker is not None:
            await super().save(tracker, timeout)
            self.lender.forget(sender)  # the merged tracker is not this object
            return
        key = self.key_prefix + sender
        serialised = self.serialise_tracker(tracker)
        expected = hashlib.sha1(handed_out_from.encode("utf-8") if isinstance(handed_out_from, str) else handed_out_from)
        # One round trip: written only when the stored text is still the one handed out.
        if not self._save_if_unchanged(keys=[key], args=[expected.hexdigest(), serialised, int(timeout or self.record_exp)]):
            # Somebody else saved in between: Rasa's merge.
            await super().save(tracker, timeout)
            self.lender.forget(sender)
            return
        self.lender.keep(tracker, serialised)
