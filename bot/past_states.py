"""The dialogue states of a conversation's history, worked out once per prediction instead of once
per policy.

Both policies (MemoizationPolicy and RulePolicy) ask `Domain.states_for_tracker_history` for the
states of the whole conversation before every action they predict. Each call replays every event
of the conversation into a copy of the tracker and builds a state at each action: under load that
was a tenth of a Rasa server's CPU time (py-spy, 2026-12-04), and it grows with the conversation.
The two calls differ only in what they then leave out (MemoizationPolicy skips the turns that only
rules know), so the replay and the states it gives are the same for both.

`apply()` replaces the method with one that keeps the replay of the last tracker it saw (the
same tracker object with the same events: the same number and the same last event) and then does
exactly what Rasa 3.6.21's method does with it, on copies of the kept states. Checked against
Rasa's own method in tests/unit/test_past_states.py.
"""

from __future__ import annotations

import weakref
from typing import Any, Dict, List, Optional, Tuple

import rasa.shared.core.constants as core
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

_PATCHED = "_meldcode_past_states"
RASA_STATES = Domain.states_for_tracker_history  # Rasa's own, for the tests
# key: (weak reference to the tracker, number of events, last event, domain, omit_unset_slots)
_last: Dict[str, Any] = {"key": None, "turns": None}

# One replayed turn: (hide_rule_turn, followup_action, latest action is the active loop,
# previous action sub-state, the active state)
Turn = Tuple[bool, bool, bool, Optional[Dict[str, Any]], Dict[str, Any]]


def _key(domain: Domain, tracker: DialogueStateTracker, omit_unset_slots: bool) -> tuple:
    events = tracker.events
    return (weakref.ref(tracker), len(events), events[-1] if events else None, domain, omit_unset_slots)


def _same(key: Optional[tuple], other: tuple) -> bool:
    """The same tracker object (alive), with as many events and the same last one."""
    return (
        key is not None and key[0]() is other[0]() and key[1] == other[1] and all(a is b for a, b in zip(key[2:], other[2:]))
    )


def replay(domain: Domain, tracker: DialogueStateTracker, omit_unset_slots: bool) -> List[Turn]:
    """What states_for_tracker_history reads at each prior tracker, kept for the last tracker."""
    key = _key(domain, tracker, omit_unset_slots)
    if _same(_last["key"], key):
        return _last["turns"]
    turns: List[Turn] = []
    for tr, hide_rule_turn in tracker.generate_all_prior_trackers():
        turns.append(
            (
                hide_rule_turn,
                bool(tr.followup_action),
                tr.latest_action_name == tr.active_loop_name,
                domain._get_prev_action_sub_state(tr),
                domain.get_active_state(tr, omit_unset_slots=omit_unset_slots),
            )
        )
    _last["key"], _last["turns"] = key, turns
    return turns


def _copy(state: Dict[str, Any]) -> Dict[str, Any]:
    # The policies and the featurizer change a state's sub-states (they pop slots, the text or
    # the intent); their values are tuples and strings.
    return {k: dict(v) if isinstance(v, dict) else v for k, v in state.items()}


def states_for_tracker_history(
    self: Domain,
    tracker: DialogueStateTracker,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Optional[Dict[str, Any]] = None,
) -> List[Dict[str, Any]]:
    """Domain.states_for_tracker_history of Rasa 3.6.21, on the kept replay."""
    states: List[Dict[str, Any]] = []
    last_ml_action_sub_state = None
    turn_was_hidden = False
    for hide_rule_turn, followup, loop_action, prev_action, active_state in replay(self, tracker, omit_unset_slots):
        if ignore_rule_only_turns:
            if not turn_was_hidden:
                last_ml_action_sub_state = prev_action
            if not followup and not loop_action:
                turn_was_hidden = hide_rule_turn
            if turn_was_hidden:
                continue
        state = _copy(active_state)
        if ignore_rule_only_turns:
            self._remove_rule_only_features(state, rule_only_data)
            if states:
                self._substitute_rule_only_user_input(state, states[-1])
            if last_ml_action_sub_state:
                state[core.PREVIOUS_ACTION] = dict(last_ml_action_sub_state)  # not the kept one
        states.append(self._clean_state(state))
    return states


def apply() -> None:
    """Patch Domain.states_for_tracker_history (idempotent)."""
    if getattr(Domain.states_for_tracker_history, _PATCHED, False):
        return
    setattr(states_for_tracker_history, _PATCHED, True)
    Domain.states_for_tracker_history = states_for_tracker_history
