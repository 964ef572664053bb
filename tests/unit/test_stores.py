"""bot/stores.py: conversations in memory are forgotten after the session expiry; the last
saved tracker is lent out once instead of rebuilt, and never when the stored text changed."""

import asyncio

from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.launcher import write_endpoints
from bot.stores import ExpiringInMemoryTrackerStore

DOMAIN = Domain.empty()


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def tracker(sender, text="hallo"):
    return DialogueStateTracker.from_events(sender, [UserUttered(text)])


def test_a_conversation_is_forgotten_after_the_expiry_and_kept_before():
    clock = Clock()
    store = ExpiringInMemoryTrackerStore(DOMAIN, record_exp=1800, clock=clock)

    async def scenario():
        await store.save(tracker("oud", "geheim verhaal"))
        clock.now += 1000
        await store.save(tracker("nieuw"))
        clock.now += 900  # "oud": 1900 s since its last message, "nieuw": 900 s
        old, new = await store.retrieve("oud"), await store.retrieve("nieuw")
        return old, new, list(await store.keys()), dict(store.store)

    old, new, keys, raw = asyncio.run(scenario())
    assert old is None and new is not None and keys == ["nieuw"]
    assert "oud" not in store.lender.lent  # an expired conversation is not lent either
    assert not any("geheim verhaal" in v for v in raw.values())


def test_each_message_keeps_a_conversation_alive():
    clock = Clock()
    store = ExpiringInMemoryTrackerStore(DOMAIN, record_exp=60, clock=clock)

    async def scenario():
        for _ in range(5):
            await store.save(tracker("actief"))
            clock.now += 50
        return await store.retrieve("actief")

    assert asyncio.run(scenario()) is not None


def test_rasa_builds_it_from_the_launchers_endpoints(tmp_path):
    """What `make run` writes is what Rasa loads (Rasa falls back to a plain store silently)."""
    import yaml

    conf = yaml.safe_load(write_endpoints(tmp_path, 5055, {}).read_text())
    store = TrackerStore.create(EndpointConfig.from_dict(conf["tracker_store"]), DOMAIN)
    inner = getattr(store, "_tracker_store", store)
    while hasattr(inner, "_tracker_store"):
        inner = inner._tracker_store
    assert isinstance(inner, ExpiringInMemoryTrackerStore)
    assert inner.record_exp == 1800


def said(t):
    return [e.text for e in t.events if isinstance(e, UserUttered)]


def test_the_saved_tracker_is_lent_once_and_rebuilt_when_a_turn_failed():
    store = ExpiringInMemoryTrackerStore(DOMAIN, record_exp=1800)

    async def scenario():
        first = tracker("t", "een")
        await store.save(first)
        lent = await store.retrieve("t")
        lent.update(UserUttered("nooit bewaard"))  # a turn that fails before its save
        rebuilt = await store.retrieve("t")
        rebuilt.update(UserUttered("twee"))
        await store.save(rebuilt)
        return first, lent, rebuilt, await store.retrieve("t")

    first, lent, rebuilt, last = asyncio.run(scenario())
    assert lent is first and rebuilt is not first
    assert said(rebuilt) == ["een", "twee"] and last is rebuilt


def test_a_second_session_is_rebuilt_as_rasa_does_never_lent():
    store = ExpiringInMemoryTrackerStore(DOMAIN, record_exp=1800)
    start = [ActionExecuted("action_session_start"), SessionStarted()]
    two = DialogueStateTracker.from_events("s", [*start, UserUttered("oud"), *start, UserUttered("nieuw")])

    async def scenario():
        await store.save(two)
        return await store.retrieve("s")

    got = asyncio.run(scenario())
    assert got is not two and said(got) == ["nieuw"]
