"""Custom actions run with rasa-sdk's real Tracker and CollectingDispatcher."""

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionOrganisatieInfo, ActionRoute, ValidateRouteForm, needed_slots


def tracker(slots=None, entities=None, text="", intent="ask_organisation"):
    return Tracker(
        sender_id="test",
        slots=slots or {},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name=None,
    )


def run(action, t):
    d = CollectingDispatcher()
    events = action.run(d, t, {})
    return d.messages, events


def test_route_for_teacher_with_exploited_minor():
    msgs, events = run(ActionRoute(), tracker({"zorg": "mensenhandel", "rol": "professional", "minderjarig": "ja"}))
    text = "\n".join(m["text"] for m in msgs)
    assert "Veilig Thuis" in msgs[0]["text"] and "Zorgcoördinator" not in msgs[0]["text"]  # one first step
    assert text.index("Veilig Thuis") < text.index("Zorgcoördinator")
    assert "0800-2000" in text and "stappenplan" in text
    assert msgs[-1]["buttons"], "the route offers a next step"
    assert SlotSet("zorg", None) in events


def test_route_for_victim_of_domestic_violence():
    msgs, _ = run(ActionRoute(), tracker({"zorg": "huiselijk_geweld", "rol": "slachtoffer"}))
    text = "\n".join(m["text"] for m in msgs)
    assert "niet jouw schuld" in text and "0800-2000" in text and "112" in text
    assert "Meldcode" not in text


def test_route_for_adult_labour_exploitation():
    msgs, _ = run(
        ActionRoute(), tracker({"zorg": "arbeidsuitbuiting", "rol": "omstander", "minderjarig": "nee", "anoniem": "ja"})
    )
    text = "\n".join(m["text"] for m in msgs)
    for part in ("CoMensha", "Zorgcoördinator", "Meld Misdaad Anoniem", "0800-7000"):
        assert part in text


@pytest.mark.parametrize(
    "zorg,rol,expected",
    [
        (None, None, ["zorg", "rol", "anoniem"]),
        ("huiselijk_geweld", "professional", ["zorg", "rol", "anoniem"]),
        ("huiselijk_geweld", "omstander", ["zorg", "rol", "anoniem"]),
        ("mensenhandel", "professional", ["zorg", "rol", "minderjarig", "anoniem"]),
        ("seksuele_uitbuiting", "ouder", ["zorg", "rol", "minderjarig", "lvb", "anoniem"]),
        ("criminele_uitbuiting", "omstander", ["zorg", "rol", "minderjarig", "lvb", "anoniem"]),
        ("arbeidsuitbuiting", "slachtoffer", ["zorg", "rol", "minderjarig", "lvb", "anoniem"]),
        ("kindermishandeling", "slachtoffer", ["zorg", "rol", "anoniem"]),
    ],
)
def test_form_asks_only_what_matters(zorg, rol, expected):
    assert needed_slots(zorg, rol) == expected
    got = asyncio.run(
        ValidateRouteForm().required_slots([], CollectingDispatcher(), tracker({"zorg": zorg, "rol": rol}), {})
    )
    assert got == expected


@pytest.mark.parametrize(
    "key,expect",
    [
        ("comensha", "CoMensha"),
        ("koraal", "088-5057410"),
        ("mendoo", "huisdier"),
        ("zorgcoordinator", "wegwijzermensenhandel.nl"),
        ("veilig_thuis", "0800-2000"),
    ],
)
def test_organisation_info_by_entity(key, expect):
    msgs, events = run(
        ActionOrganisatieInfo(), tracker(entities=[{"entity": "organisatie", "value": key}], text="wat doet die organisatie")
    )
    assert expect in msgs[0]["text"]
    assert SlotSet("organisatie", None) in events


def test_unknown_organisation_gets_an_honest_answer_and_veilig_thuis():
    msgs, _ = run(ActionOrganisatieInfo(), tracker(text="wat doet stichting pietje puk"))
    assert "ken ik niet" in msgs[0]["text"] and "0800-2000" in msgs[0]["text"]


def test_organisation_info_accepts_a_name_as_entity_value():
    msgs, _ = run(
        ActionOrganisatieInfo(), tracker(entities=[{"entity": "organisatie", "value": "Koraal"}], text="wat doet Koraal")
    )
    assert "088-5057410" in msgs[0]["text"]


def test_the_action_server_registers_every_action_of_the_domain():
    """What `rasa_sdk --actions actions` does at start-up: a class it cannot register stops it."""
    from rasa_sdk.executor import ActionExecutor

    from bot.domain_files import domain_dict

    executor = ActionExecutor()
    executor.register_package("actions")
    custom = [a for a in domain_dict()["actions"] if a.startswith(("action_", "validate_"))]
    assert set(custom) <= set(executor.actions), set(custom) - set(executor.actions)


def form_tracker(events, slots, requested):
    t = tracker({**slots, "requested_slot": requested})
    t.events = events
    return t


def test_who_the_user_is_stays_unless_the_form_asks_it():
    events = [
        {"event": "user", "text": "mn stiefvader slaat me"},
        {"event": "slot", "name": "rol", "value": "slachtoffer"},
        {"event": "user", "text": "dat mn stiefvader me slaat"},
        {"event": "slot", "name": "rol", "value": "omstander"},
    ]
    form, d = ValidateRouteForm(), CollectingDispatcher()
    answer_about_the_worry = form_tracker(events, {"rol": "omstander"}, "zorg")
    assert form.validate_rol("omstander", d, answer_about_the_worry, {}) == {"rol": "slachtoffer"}
    asked = form_tracker(events, {"rol": "omstander"}, "rol")
    assert form.validate_rol("omstander", d, asked, {}) == {"rol": "omstander"}
    first_time = form_tracker(events[2:], {"rol": "omstander"}, "zorg")
    assert form.validate_rol("omstander", d, first_time, {}) == {"rol": "omstander"}


def test_the_worry_stays_unless_asked_or_named_in_words():
    events = [
        {"event": "user", "text": "mama haar vriend duwt mama"},
        {"event": "slot", "name": "zorg", "value": "huiselijk_geweld"},
        {"event": "user", "text": "maakt niet uit, mama mag het weten"},
        {"event": "slot", "name": "zorg", "value": "mensenhandel"},
    ]
    form, d = ValidateRouteForm(), CollectingDispatcher()
    guessed = form_tracker(events, {"zorg": "mensenhandel"}, "anoniem")
    assert form.validate_zorg("mensenhandel", d, guessed, {}) == {"zorg": "huiselijk_geweld"}
    named = form_tracker(events, {"zorg": "mensenhandel"}, "anoniem")
    named.latest_message["entities"] = [{"entity": "zorg", "value": "mensenhandel"}]
    assert form.validate_zorg("mensenhandel", d, named, {}) == {"zorg": "mensenhandel"}
    asked = form_tracker(events, {"zorg": "mensenhandel"}, "zorg")
    assert form.validate_zorg("mensenhandel", d, asked, {}) == {"zorg": "mensenhandel"}


def test_a_minor_stays_a_minor_unless_the_form_asks():
    """ "ik ben 28 en ik maak me zorgen om mijn broertje", then a story NLU read as elder abuse
    (its mapping sets minderjarig=nee): the route lost Veilig Thuis (held-out set 7)."""
    events = [
        {"event": "user", "text": "ik ben 28 en ik maak me zorgen om mijn broertje"},
        {"event": "slot", "name": "minderjarig", "value": "ja"},
        {"event": "user", "text": "hij woont nog bij mijn ouders ..."},
        {"event": "slot", "name": "minderjarig", "value": "nee"},
    ]
    form, d = ValidateRouteForm(), CollectingDispatcher()
    story = form_tracker(events, {"minderjarig": "nee"}, "zorg")
    assert form.validate_minderjarig("nee", d, story, {}) == {"minderjarig": "ja"}
    asked = form_tracker(events, {"minderjarig": "nee"}, "minderjarig")
    assert form.validate_minderjarig("nee", d, asked, {}) == {"minderjarig": "nee"}
