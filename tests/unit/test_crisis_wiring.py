"""The crisis intents are tied together: bot/crisis.py, domain.yml, the forms and the rules.

Every crisis intent is in the domain, ignored by every form (so a form cannot swallow it), has a
rule outside forms and one inside every form that gives its answer first; every kind of the
phrases file maps to a crisis intent.
"""

from pathlib import Path

import yaml

from bot import crisis
from bot.domain_files import domain_dict

ROOT = Path(__file__).resolve().parents[2]


def load(path):
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


def crisis_rules():
    rules = load("data/rules/crisis.yml")["rules"]
    found = {}
    for r in rules:
        steps = r["steps"]
        if "intent" not in steps[0]:
            continue
        loop = next((c["active_loop"] for c in r.get("condition", []) if "active_loop" in c), None)
        found[(steps[0]["intent"], loop)] = steps[1]["action"]
    return found


def test_every_kind_maps_to_a_crisis_intent():
    assert set(crisis.INTENT_OF_KIND) == set(crisis.KINDS)
    followups = {crisis.FOLLOWUP_INTENT, crisis.SUICIDE_FOLLOWUP_INTENT}
    assert set(crisis.INTENT_OF_KIND.values()) | followups == set(crisis.CRISIS_INTENTS)
    assert set(crisis.INTENTS_112_FIRST) <= set(crisis.CRISIS_INTENTS)


def test_crisis_intents_in_domain_ignored_by_every_form_and_ruled():
    domain = domain_dict()
    rules = crisis_rules()
    assert domain["forms"], "no forms?"
    for intent in crisis.CRISIS_INTENTS:
        assert intent in domain["intents"], intent
        answer = rules.get((intent, None))
        assert answer and answer in domain["responses"], intent
        for form, spec in domain["forms"].items():
            assert intent in spec.get("ignored_intents", []), (form, intent)
            assert rules.get((intent, form)) == answer, (form, intent)


def test_112_first_in_the_answers_that_need_it():
    domain = domain_dict()
    rules = crisis_rules()
    for intent in crisis.INTENTS_112_FIRST:
        text = domain["responses"][rules[(intent, None)]][0]["text"]
        first_two = " ".join(text.replace("?", ".").split(".")[:2])
        assert "112" in first_two, intent


def test_phrases_file_loads_and_classes_resolve():
    d = crisis.CrisisDetector.from_file(crisis.DEFAULT_FILE)
    assert len(d.phrases) > 100
