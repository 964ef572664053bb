"""Every organisation of the sociale kaart (seed 004) and of seed 000, asked by name and by
abbreviation, through the trained NLU and the action, gets that organisation's answer."""

import re

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import organisations as orgs
from actions.actions import ActionOrganisatieInfo
from actions.actions import ActionOrganisatiesLijst

SEED_000 = [
    "zorgcoordinator",
    "riec_liec",
    "comensha",
    "ccv",
    "ckm",
    "strdr",
    "kenniscentrum_lvb",
    "nationaal_rapporteur",
    "buit",
    "straatcultuur",
    "universiteit_van_de_straat",
    "straatcultuur_in_de_klas",
    "koraal",
    "veilig_thuis",
    "politie",
    "meld_misdaad_anoniem",
]


def questions():
    cases = []
    for key, org in orgs.organisations().items():
        if not (org.get("sociale_kaart") or key in SEED_000):
            continue
        name = " ".join(re.sub(r"\(.*?\)", " ", org["naam"]).split("/")[0].split())
        cases.append((key, f"wat doet {name}?"))
        if org.get("afkorting"):
            cases.append((key, f"wat is het {org['afkorting']} precies"))
    return cases


CASES = questions()


def test_all_organisations_are_covered():
    keys = {k for k, _ in CASES}
    assert len([k for k in keys if orgs.get(k).get("sociale_kaart")]) == 32
    assert set(SEED_000) <= keys


@pytest.mark.parametrize("key,question", CASES, ids=[q for _, q in CASES])
@pytest.mark.needs_model
def test_question_gets_that_organisations_answer(nlu_agent, key, question):
    parsed = nlu_agent(question)
    intent = parsed["intent"]["name"]
    assert intent in ("ask_organisation", "social_map"), intent
    tracker = Tracker(
        "t", {}, {"text": question, "intent": parsed["intent"], "entities": parsed["entities"]}, [], False, None, {}, None
    )
    action = ActionOrganisatieInfo() if intent == "ask_organisation" else ActionOrganisatiesLijst()
    dispatcher = CollectingDispatcher()
    action.run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["text"].startswith(orgs.get(key)["naam"])


@pytest.mark.needs_model
def test_unknown_organisation(nlu_agent):
    parsed = nlu_agent("wat doet stichting Zonnebloemhart?")
    tracker = Tracker(
        "t",
        {},
        {"text": "wat doet stichting Zonnebloemhart?", "intent": parsed["intent"], "entities": parsed["entities"]},
        [],
        False,
        None,
        {},
        None,
    )
    dispatcher = CollectingDispatcher()
    ActionOrganisatieInfo().run(dispatcher, tracker, {})
    assert "ken ik niet" in dispatcher.messages[0]["text"]
