import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components.organisation_question import OrganisationQuestion, organisation_question


def org(text, alias, key):
    start = text.index(alias)
    return [{"entity": "organisatie", "value": key, "start": start, "end": start + len(alias)}]


@pytest.mark.parametrize(
    "text,alias",
    [
        ("wat doet Mendoo?", "Mendoo"),
        ("wat is het CIT precies", "CIT"),
        ("Wie is de Nationaal Rapporteur eigenlijk?", "Nationaal Rapporteur"),
        ("en wat doet een verloskundige?", "verloskundige"),
    ],
)
def test_plain_questions(text, alias):
    assert organisation_question(text, org(text, alias, "x")) == "x"


@pytest.mark.parametrize(
    "text,alias",
    [
        ("wat doet Veilig Thuis na een melding", "Veilig Thuis"),
        ("moet ik Veilig Thuis bellen?", "Veilig Thuis"),
        ("mijn zus zit in de vrouwenopvang", "vrouwenopvang"),
    ],
)
def test_other_messages_are_left_alone(text, alias):
    assert organisation_question(text, org(text, alias, "x")) is None


def test_component_overrides_but_never_a_crisis():
    comp = OrganisationQuestion({})
    m = Message(data={TEXT: "wat doet Mendoo?"})
    m.set(ENTITIES, org("wat doet Mendoo?", "Mendoo", "mendoo"))
    m.set(INTENT, {"name": "affirm", "confidence": 0.4})
    assert comp.process([m])[0].get(INTENT)["name"] == "ask_organisation"
    m.set(INTENT, {"name": "acute_danger", "confidence": 1.0})
    assert comp.process([m])[0].get(INTENT)["name"] == "acute_danger"
