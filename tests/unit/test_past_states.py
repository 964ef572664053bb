"""bot/past_states.py gives the states Rasa's own Domain.states_for_tracker_history gives, for
every prefix of every test story and of the training stories and rules, with every option the
policies use; a tracker that changed is replayed again."""

from pathlib import Path

import pytest
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

from bot import past_states
from bot.domain_files import load

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "tests" / "stories").glob("*.yml")) + sorted((ROOT / "data" / "stories").glob("*.yml"))
FILES += sorted((ROOT / "data" / "rules").glob("*.yml"))


@pytest.fixture(scope="module")
def domain():
    return load()


def _hidden(events):
    """The events with every second action a rule-only turn (hide_rule_turn), as Rasa marks the
    turns of rules inside the training stories."""
    out, n = [], 0
    for e in events:
        if isinstance(e, ActionExecuted):
            n += 1
            e = ActionExecuted(e.action_name, e.policy, e.confidence, e.timestamp, e.metadata, e.action_text, n % 2 == 0)
        out.append(e)
    return out


def _trackers(domain):
    """A tracker for each story or rule, cut after each of its actions; also with rule-only turns."""
    for path in FILES:
        for step in YAMLStoryReader(domain).read_from_file(path):
            for kind, events in (("", step.explicit_events(domain)), (" hidden", _hidden(step.explicit_events(domain)))):
                cuts = [i + 1 for i, e in enumerate(events) if isinstance(e, ActionExecuted)] or [len(events)]
                for cut in cuts:
                    yield (
                        f"{path.name}: {step.block_name}{kind}[:{cut}]",
                        DialogueStateTracker.from_events("test", events[:cut], domain.slots),
                    )


def test_the_same_states_as_rasas_own(domain):
    rule_only = {"rule_only_slots": [s.name for s in domain.slots][:8], "rule_only_loops": list(domain.form_names)[:2]}
    options = [(omit, ignore, data) for omit in (False, True) for ignore in (False, True) for data in (None, rule_only)]
    seen, differs = 0, set()
    for name, tracker in _trackers(domain):
        for omit, ignore, data in options:
            expected = past_states.RASA_STATES(domain, tracker, omit, ignore, data)
            ours = past_states.states_for_tracker_history(domain, tracker, omit, ignore, data)
            assert ours == expected, name
            for state in ours:  # what a policy does to a state does not reach the kept replay
                state.pop("slots", None)
                state.get("user", {}).pop("intent", None)
                if "prev_action" in state:
                    state["prev_action"]["action_name"] = "changed by a policy"
            again = past_states.states_for_tracker_history(domain, tracker, omit, ignore, data)
            assert again == expected, name
            seen += 1
            if expected != past_states.RASA_STATES(domain, tracker, omit):
                differs.add((ignore, data is not None))
    assert seen > 2000
    assert {(True, False), (True, True)} <= differs  # the options were exercised


def test_a_changed_tracker_is_replayed_again(domain):
    tracker = DialogueStateTracker.from_events(
        "test", [ActionExecuted("action_listen"), UserUttered("hoi", {"name": "greet", "confidence": 1.0})], domain.slots
    )
    before = past_states.states_for_tracker_history(domain, tracker)
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(SlotSet("taal", "en"))
    tracker.update(ActionExecuted("action_listen"))
    after = past_states.states_for_tracker_history(domain, tracker)
    assert after == past_states.RASA_STATES(domain, tracker) and len(after) == len(before) + 2
    # A copy (as the processor makes one) is another tracker: its own replay, the same states.
    copy = tracker.copy()
    assert past_states.states_for_tracker_history(domain, copy) == after


def test_apply_patches_once():
    from rasa.shared.core.domain import Domain

    original = Domain.states_for_tracker_history
    try:
        past_states.apply()
        past_states.apply()
        assert Domain.states_for_tracker_history is past_states.states_for_tracker_history
    finally:
        Domain.states_for_tracker_history = original
