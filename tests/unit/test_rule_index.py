"""RulePolicy with the rule index (bot/components/rule_index.py) finds the same rules as Rasa's own."""

import json
import random
from pathlib import Path

import pytest
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.shared.core.constants import ACTIVE_LOOP, PREVIOUS_ACTION, SHOULD_NOT_BE_SET, SLOTS, USER

import bot.components  # noqa: F401 - installs the index
from bot.components import rule_index

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = ["action_listen", "utter_a", "utter_b", "route_form", "action_x"]
INTENTS = ["greet", "affirm", "deny", "acute_danger", "ask"]


def _policy(lookup=None):
    """A loaded-looking RulePolicy without a model: the matching needs no other attributes."""
    policy = object.__new__(RulePolicy)
    policy._meldcode_indexes = {}
    policy.lookup = lookup or {}
    return policy


def _original(policy, lookup, states):
    return RulePolicy._get_possible_keys.original(policy, lookup, states)


def _random_state(rng, rule: bool):
    state = {}
    if rng.random() < 0.9:
        if rng.random() < 0.85:
            state[PREVIOUS_ACTION] = {"action_name": rng.choice(ACTIONS)}
        else:
            state[PREVIOUS_ACTION] = {"action_text": "hallo"}
    if rng.random() < 0.7:
        state[USER] = {"intent": rng.choice(INTENTS + ([SHOULD_NOT_BE_SET] if rule else []))}
    if rng.random() < 0.4:
        state[ACTIVE_LOOP] = {"name": rng.choice(["route_form", SHOULD_NOT_BE_SET] if rule else ["route_form"])}
    if rng.random() < 0.4:
        state[SLOTS] = {"zorg": rng.choice([(1.0,), SHOULD_NOT_BE_SET] if rule else [(1.0,)])}
    return state


def test_the_same_rules_as_rasa_on_random_rules_and_conversations():
    rng = random.Random(11)
    lookup = {}
    for _ in range(400):
        states = [_random_state(rng, rule=True) for _ in range(rng.randint(1, 3))]
        lookup[json.dumps(states)] = rng.choice(ACTIONS)
    policy = _policy({RULES: lookup})
    hits = 0
    for _ in range(3000):
        conversation = [_random_state(rng, rule=False) for _ in range(rng.randint(1, 5))]
        ours = policy._get_possible_keys(lookup, conversation)
        assert ours == _original(policy, lookup, conversation)
        hits += bool(ours)
    assert hits > 300  # the comparison saw conversations that rules match, not only misses


def test_an_empty_history_and_a_changed_lookup():
    policy = _policy()
    lookup = {json.dumps([{PREVIOUS_ACTION: {"action_name": "action_listen"}, USER: {"intent": "greet"}}]): "utter_a"}
    assert policy._get_possible_keys(lookup, []) == set(lookup)
    state = [{PREVIOUS_ACTION: {"action_name": "action_listen"}, USER: {"intent": "greet"}}]
    assert policy._get_possible_keys(lookup, state) == set(lookup)
    lookup[json.dumps([{PREVIOUS_ACTION: {"action_name": "action_listen"}}])] = "utter_b"
    assert policy._get_possible_keys(lookup, state) == set(lookup)  # the index is rebuilt


def test_a_policy_being_trained_uses_rasas_own_search():
    policy = object.__new__(RulePolicy)  # no _meldcode_indexes: not loaded from a model
    lookup = {json.dumps([{PREVIOUS_ACTION: {"action_name": "utter_a"}}]): "action_listen"}
    assert policy._get_possible_keys(lookup, [{PREVIOUS_ACTION: {"action_name": "utter_a"}}]) == set(lookup)
    assert not hasattr(policy, "_meldcode_indexes")


def test_rule_keys_file_a_rule_under_what_its_last_state_fixes():
    assert rule_index.rule_key_of({PREVIOUS_ACTION: {"action_name": "action_listen"}, USER: {"intent": "greet"}}) == (
        "action_listen",
        "greet",
    )
    assert rule_index.rule_key_of({PREVIOUS_ACTION: {"action_name": SHOULD_NOT_BE_SET}}) == (None, None)
    assert rule_index.rule_key_of({USER: {"intent": "greet"}}) == (None, "greet")


def _variants(states, intents, actions, rng):
    yield states
    for k in range(1, len(states)):
        yield states[k:]
    last = dict(states[-1])
    if USER in last:
        yield states[:-1] + [{**last, USER: {"intent": rng.choice(intents)}}]
    if PREVIOUS_ACTION in last:
        yield states[:-1] + [{**last, PREVIOUS_ACTION: {"action_name": rng.choice(actions)}}]
    yield states[:-1] + [{k: v for k, v in last.items() if k != SLOTS}]


@pytest.mark.needs_model
def test_the_same_rules_as_rasa_on_the_trained_models_rules():
    from rasa.core.agent import Agent

    agent = Agent.load(str(ROOT / "models" / "bot.tar.gz"))
    policies = [
        node._component
        for node in agent.processor.graph_runner._instantiated_nodes.values()
        if isinstance(getattr(node, "_component", None), RulePolicy)
    ]
    assert len(policies) == 1 and hasattr(policies[0], "_meldcode_indexes")
    policy = policies[0]
    rng = random.Random(5)
    compared = 0
    for name in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH):
        lookup = policy.lookup[name]
        rules = [policy._rule_key_to_state(key) for key in lookup]
        intents = sorted({s.get(USER, {}).get("intent") for r in rules for s in r if s.get(USER, {}).get("intent")})
        actions = sorted({s.get(PREVIOUS_ACTION, {}).get("action_name") for r in rules for s in r} - {None})
        for states in rules:
            # Rules store tuples as lists; a conversation's states have tuples.
            states = [json.loads(json.dumps(s), object_hook=dict) for s in states]
            for conversation in _variants(states, intents, actions, rng):
                assert policy._get_possible_keys(lookup, conversation) == _original(policy, lookup, conversation)
                compared += 1
    assert compared > 500
