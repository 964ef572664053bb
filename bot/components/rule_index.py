"""An index of RulePolicy's rules by their last state, so a prediction checks a few rules, not all.

Rasa's RulePolicy finds the rules that apply to a conversation (`_get_possible_keys`) by testing
every learned rule against the conversation's last state, then the survivors against the state
before it, and so on. With this bot's ~340 rules that first pass was most of RulePolicy's
4.3 ms per turn (bench/profile.md). A rule can only apply when the values its last state sets
for the previous action's name and for the user's intent equal the conversation's, so the rules
are filed once under those two values (a rule that does not set one is filed under "any"), and
the first pass only tests the rules filed under the conversation's values or "any". The test
itself is Rasa's own (`_is_rule_applicable`), so the result is the same set of rules; a unit test
compares it with Rasa's on the test stories' trackers.

The index is used only by a policy that was loaded from a trained model (`RulePolicy.load`), not
while a policy is being trained (its lookup then still changes).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set, Text, Tuple

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.nlu.constants import ACTION_NAME, INTENT

_PATCHED = "_meldcode_rule_index"
ANY = None  # filed under "any": the rule's last state does not fix this value

Key = Tuple[Optional[Text], Optional[Text]]


def _fixed(sub_state: Any, name: Text) -> Optional[Text]:
    """The value a rule's sub state requires for `name`, or ANY."""
    if not isinstance(sub_state, dict):
        return ANY
    value = sub_state.get(name)
    if not value or value == SHOULD_NOT_BE_SET or not isinstance(value, str):
        return ANY
    return value


def rule_key_of(state: Dict[Text, Any]) -> Key:
    return _fixed(state.get(PREVIOUS_ACTION), ACTION_NAME), _fixed(state.get(USER), INTENT)


def build_index(policy: RulePolicy, lookup: Dict[Text, Any]) -> Dict[Key, Set[Text]]:
    index: Dict[Key, Set[Text]] = {}
    for key in lookup:
        states = policy._rule_key_to_state(key)
        where = rule_key_of(states[-1]) if states else (ANY, ANY)
        index.setdefault(where, set()).add(key)
    return index


def candidates(index: Dict[Key, Set[Text]], state: Dict[Text, Any]) -> Set[Text]:
    """The rules whose last state can match `state`: filed under its values or under "any"."""
    action = (state.get(PREVIOUS_ACTION) or {}).get(ACTION_NAME)
    intent = (state.get(USER) or {}).get(INTENT)
    found: Set[Text] = set()
    for where in {(action, intent), (action, ANY), (ANY, intent), (ANY, ANY)}:
        found |= index.get(where, set())
    return found


def install() -> None:
    """Patch RulePolicy (idempotent): loaded policies find their rules through the index."""
    if getattr(RulePolicy._get_possible_keys, _PATCHED, False):
        return
    original_keys = RulePolicy._get_possible_keys
    original_load = RulePolicy.load.__func__

    def _get_possible_keys(self, lookup: Dict[Text, Any], states: List[Dict[Text, Any]]) -> Set[Text]:
        indexes = getattr(self, "_meldcode_indexes", None)
        # Without a previous action the state starts a conversation: Rasa then takes every rule
        # that starts one too, whatever its intent, so the index has nothing to add.
        if indexes is None or not states or not states[-1].get(PREVIOUS_ACTION):
            return original_keys(self, lookup, states)
        entry = indexes.get(id(lookup))
        if entry is None or entry[0] is not lookup or entry[1] != len(lookup):
            entry = (lookup, len(lookup), build_index(self, lookup))
            indexes[id(lookup)] = entry
        possible = candidates(entry[2], states[-1])
        for i, state in enumerate(reversed(states)):
            if not possible:
                break
            possible = {key for key in possible if self._is_rule_applicable(key, i, state)}
        return possible

    def load(cls, *args: Any, **kwargs: Any) -> RulePolicy:
        policy = original_load(cls, *args, **kwargs)
        policy._meldcode_indexes = {}
        return policy

    setattr(_get_possible_keys, _PATCHED, True)
    _get_possible_keys.original = original_keys
    RulePolicy._get_possible_keys = _get_possible_keys
    RulePolicy.load = classmethod(load)
