"""No bot message longer than 600 characters (issue 17): on a phone the start must show.

Every response, every route (each combination of answers, Dutch and English), the organisation
lists and answers, and the melding draft with long answers."""

import itertools

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import organisations as orgs
from actions.actions import ActionOrganisatiesLijst
from actions.melding import MELDING, ActionMeldingConcept
from actions.routing import EXPLOITATION, HOME_VIOLENCE, messages, route
from actions.texts import MAX_CHARS, packed
from bot.domain_files import domain_dict

LANGS = ["nl", "en"]


def test_every_response_fits():
    too_long = [
        (name, len(v["text"]))
        for name, variants in domain_dict()["responses"].items()
        for v in variants
        if len(v.get("text") or "") > MAX_CHARS
    ]
    assert not too_long


@pytest.mark.parametrize("lang", LANGS)
def test_every_route_message_fits_and_the_first_names_one_organisation(lang):
    for zorg, rol, minor, lvb, anon in itertools.product(
        sorted(EXPLOITATION | HOME_VIOLENCE),
        ["professional", "ouder", "omstander", "slachtoffer", None],
        ["ja", "nee", "onbekend"],
        ["ja", "nee", None],
        ["ja", None],
    ):
        r = route(zorg, rol, minor, lvb, anon)
        parts = messages(r, zorg, rol, lang)
        assert max(len(p) for p in parts) <= MAX_CHARS, (zorg, rol, minor, lvb, anon)
        first_org = orgs.get(r.main[0][0])["naam"]
        assert first_org in parts[0] and parts[0].count("\n- ") == 1, parts[0]


def run(action, slots=None, intent="greet"):
    d = CollectingDispatcher()
    t = Tracker("t", slots or {}, {"text": "", "intent": {"name": intent}, "entities": []}, [], False, None, {}, None)
    action.run(d, t, {})
    return [m["text"] for m in d.messages]


@pytest.mark.parametrize("lang", LANGS)
def test_lists_answers_and_the_draft_fit(lang):
    outputs = []
    for intent in ("knowledge_organisations", "trainings", "social_map"):
        outputs += run(ActionOrganisatiesLijst(), {"taal": lang}, intent)
    long_answers = {s: "Ik zag blauwe plekken en hoorde geschreeuw, " * 8 for s in MELDING}
    outputs += run(ActionMeldingConcept(), {"taal": lang, **long_answers})
    outputs += [orgs.describe(k, lang=lang) for k in orgs.organisations()]
    assert outputs and max(len(o) for o in outputs) <= MAX_CHARS


def test_packing_keeps_blocks_together_and_cuts_only_what_is_too_long():
    assert packed(["a", ["kop:", "- b"]], limit=10) == ["a\nkop:\n- b"]
    assert packed(["x" * 8, ["kop:", "- b"]], limit=10) == ["x" * 8, "kop:\n- b"]
    parts = packed(["woord " * 50], limit=40)
    assert all(len(p) <= 40 for p in parts) and " ".join(parts).split() == ["woord"] * 50
