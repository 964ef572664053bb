"""Meldcode guidance: afwegingskader outcomes, step navigation, the melding draft."""

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionOrganisatiesLijst
from actions.afweging import AFWEGING, ActionAfwegingUitkomst, afweging_needed, afweging_outcome
from actions.melding import MELDING, ActionMeldingConcept, looks_like_a_name, melding_draft
from actions.stappen import ActionStapOverslaan, ActionStapVolgende, steps


def tracker(slots=None, intent="greet", entities=None, text=""):
    return Tracker(
        "t", slots or {}, {"text": text, "intent": {"name": intent}, "entities": entities or []}, [], False, None, {}, None
    )


def run(action, t):
    d = CollectingDispatcher()
    return d.messages, action.run(d, t, {})


def answers(*values):
    return dict(zip(AFWEGING, values))


@pytest.mark.parametrize(
    "values,melden,fragment",
    [
        (("nee",), False, "geen signalen"),
        (("ja", "ja"), True, "acute en/of structurele"),
        (("ja", "nee", "nee"), True, "geen hulp regelen"),
        (("ja", "nee", "ja", "nee"), True, "niet mee"),
        (("ja", "nee", "ja", "ja", "nee"), True, "niet voor veiligheid"),
        (("ja", "nee", "ja", "ja", "ja"), False, "blijft volgen"),
    ],
)
def test_every_afwegingskader_outcome(values, melden, fragment):
    vals = answers(*values)
    assert afweging_needed(vals) == AFWEGING[: len(values)], "no question after a decisive answer"
    text, must_report = afweging_outcome(vals)
    assert must_report is melden and fragment in text
    msgs, events = run(ActionAfwegingUitkomst(), tracker(vals))
    assert ("0800-2000" in msgs[0]["text"]) is melden
    assert any(e["name"] == "melding_afweging" and "uitkomst" in e["value"] for e in events)


def test_dont_know_asks_the_same_question_again():
    assert afweging_needed(answers("ja", "weetniet")) == AFWEGING[:2]


def test_walkthrough_next_and_last_step():
    msgs, events = run(ActionStapVolgende(), tracker({"gids": "meldcode", "stap": 2.0}))
    assert msgs[0]["text"].startswith("Stap 3")
    assert {"event": "slot", "name": "stap", "value": 3.0, "timestamp": None} in events
    msgs, _ = run(ActionStapVolgende(), tracker({"gids": "uitbuiting", "stap": 5.0}))
    assert "laatste stap" in msgs[0]["text"]


def test_what_to_do_now_without_a_step_plan_starts_the_route_form():
    msgs, events = run(ActionStapVolgende(), tracker(intent="next_step", text="huh? wat moet ik nu doen dan"))
    assert msgs == [] and events == [{"event": "followup", "name": "route_form", "timestamp": None}]
    # A professional, or a question about a step, gets step 1 of the plan.
    msgs, _ = run(ActionStapVolgende(), tracker({"rol": "professional"}, "next_step", text="wat moet ik nu doen"))
    assert msgs[0]["text"].startswith("Stap 1")
    msgs, _ = run(ActionStapVolgende(), tracker(intent="next_step", text="wat is de volgende stap"))
    assert msgs[0]["text"].startswith("Stap 1")


def test_skipping_step_3_is_only_for_safety():
    msgs, _ = run(ActionStapOverslaan(), tracker(entities=[{"entity": "stap", "value": "3"}]))
    assert "gevaar" in msgs[0]["text"] and msgs[0]["text"].startswith("Mag je stap 3")


def test_both_plans_have_five_steps():
    assert len(steps("meldcode")) == 5 and len(steps("uitbuiting")) == 5


def test_melding_draft_content_and_layout():
    values = {
        "melding_signalen": "Leerling A. heeft sinds 3 weken blauwe plekken op de armen.",
        "melding_overleg": "Overlegd met de aandachtsfunctionaris op 4 maart.",
        "melding_gesprek": "Gesprek met moeder B.: zij zegt dat A. valt bij het sporten.",
        "melding_afweging": "afweging 1: ja; afweging 2: ja (uitkomst: melden bij Veilig Thuis)",
        "melding_besluit": "Melden bij Veilig Thuis.",
    }
    draft = melding_draft(values)
    lines = draft.splitlines()
    assert lines[0] == "CONCEPT MELDING VEILIG THUIS"
    order = [next(i for i, line in enumerate(lines) if line.startswith(f"Stap {n}.")) for n in range(1, 6)]
    assert order == sorted(order)
    for value in values.values():
        assert value in draft
    for point in ("feitelijk", "bron", "onderbouw", "diagnose"):
        assert point in draft
    assert "(nog invullen)" in melding_draft({})
    msgs, events = run(ActionMeldingConcept(), tracker(values))
    assert "\n\n".join(m["text"] for m in msgs[:-1]) == draft and "niets gemeld" in msgs[-1]["text"]
    assert all(e["value"] is None for e in events) and {e["name"] for e in events} == set(MELDING)


def test_name_warning():
    assert looks_like_a_name("ik sprak met Fatima over de blauwe plekken")
    assert not looks_like_a_name("leerling A. heeft blauwe plekken, overlegd met Veilig Thuis")


@pytest.mark.parametrize("intent,expect", [("knowledge_organisations", "CoMensha"), ("trainings", "BUIT")])
def test_lists(intent, expect):
    msgs, _ = run(ActionOrganisatiesLijst(), tracker(intent=intent))
    assert expect in "\n".join(m["text"] for m in msgs)


def test_sociale_kaart_by_topic():
    msgs, _ = run(
        ActionOrganisatiesLijst(),
        tracker(intent="social_map", text="waar kan ik terecht met ouderenmishandeling en geldzaken"),
    )
    assert msgs[0]["text"].startswith("Lokale alliantie")


def test_every_form_question_gets_its_check():
    """rasa-sdk calls validate_<slot>; OneCheckForm answers it for every slot of the form."""
    from actions.afweging import ValidateAfwegingForm
    from actions.melding import ValidateMeldingForm

    t = tracker()
    for slot in AFWEGING:
        d = CollectingDispatcher()
        assert getattr(ValidateAfwegingForm(), f"validate_{slot}")("weetniet", d, t, {}) == {slot: None}
        assert "nog een keer" in d.messages[0]["text"]
        assert getattr(ValidateAfwegingForm(), f"validate_{slot}")("ja", CollectingDispatcher(), t, {}) == {slot: "ja"}
    for slot in MELDING:
        d = CollectingDispatcher()
        assert getattr(ValidateMeldingForm(), f"validate_{slot}")("gesprek met Sanne", d, t, {}) == {
            slot: "gesprek met Sanne"
        }
        assert "naam" in d.messages[0]["text"]
    assert not hasattr(ValidateMeldingForm(), "validate_afweging_1")


def test_the_melding_form_answers_a_question_instead_of_keeping_it_and_sees_names_in_lower_case():
    from actions.melding import ValidateMeldingForm

    domain = {"responses": {"utter_advice_vs_melding": [{"text": "x"}]}}
    question = "mag ik dit wel melden? wij hebben toch beroepsgeheim"
    t = tracker(intent="advice_vs_melding", text=question)
    t.latest_message["intent"]["confidence"] = 0.9
    d = CollectingDispatcher()
    assert ValidateMeldingForm().validate_melding_signalen(question, d, t, domain) == {"melding_signalen": None}
    assert d.messages[0]["response"] == "utter_advice_vs_melding"
    d = CollectingDispatcher()
    answer = "blauwe plekken gezien, met collega overlegd"
    assert ValidateMeldingForm().validate_melding_signalen(answer, d, tracker(intent="advice_vs_melding"), domain) == {
        "melding_signalen": answer
    }
    assert not d.messages
    assert looks_like_a_name("sanne vertelde het aan de juf") and not looks_like_a_name("de leerling vertelde het")


def test_an_open_decision_gets_no_advice_to_report():
    msgs, _ = run(ActionMeldingConcept(), tracker({"melding_besluit": "weet ik nog niet"}))
    assert "nog niet besloten" in msgs[-1]["text"] and "Meld bij" not in msgs[-1]["text"]
    msgs, _ = run(ActionMeldingConcept(), tracker({"melding_besluit": "ik meld bij Veilig Thuis"}))
    assert msgs[-1]["text"].startswith("Meld bij Veilig Thuis")
    assert "gezin" not in "\n".join(m["text"] for m in msgs) and "ouders" not in str(msgs[-1]["buttons"])
