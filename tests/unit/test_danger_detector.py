"""The crisis layer in the pipeline: a crisis forces its intent, other messages keep theirs."""

from pathlib import Path

import pytest
import spacy
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components.danger_detector import DangerDetector
from bot.components.phrase_matcher import PhraseMatcher

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def nlp():
    return spacy.load(ROOT / "build" / "spacy_nl")


@pytest.fixture(scope="module")
def detector():
    return DangerDetector({})


def message(nlp, text, intent="worry_domestic_violence", confidence=0.8):
    doc = nlp(text)
    tokens = [Token(t.text, t.idx, lemma=t.lemma_) for t in doc]
    m = Message(data={TEXT: text})
    m.set(TOKENS_NAMES[TEXT], tokens)
    m.set(INTENT, {"name": intent, "confidence": confidence})
    m.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}, {"name": "acute_danger", "confidence": 0.1}])
    return m


# Worded on purpose unlike the training data.
ACUTE = [
    "mijn stiefvader loopt met een keukenmes door de gang",
    "hij heeft gezegd dat hij ons vannacht allemaal vermoordt",
    "ze hebben mij in de schuur opgesloten",
    "ik zit op de wc en durf niet terug naar de kamer, hij is door het dolle heen en slaat nu alles kapot",
    "mijn ex staat beneden voor de deur te wachten en schreeuwt",
    "de buurman slaat zijn vrouw nu op straat",
    "help snel alsjeblieft",
    "ik kan niet weg, de deur zit op slot",
    "mijn moeder is bewusteloos na de klappen",
    "hij dreigt mij dood te steken",
    "mijn vader heeft een pistool in de la en is dronken",
    "zijn baby is alleen thuis achtergelaten sinds vanochtend",
]
SUICIDE = ["ik wil er een einde aan maken", "ik denk steeds aan zelfmoord", "ik wil niet meer leven na alles"]
CALM = [
    "wat doet veilig thuis precies",
    "ik heb hulp nodig bij een melding",
    "wat betekent acute onveiligheid in het afwegingskader",
    "ik wil mijn verslag afmaken voor de melding",
    "mijn leerling komt vaak met honger op school",
    "de buren maken elke avond ruzie",
    "hij heeft geen mes of wapen, maar hij scheldt veel",
    "kan ik anoniem iets melden over uitbuiting",
    "wat is het verschil tussen advies en een melding",
    "mijn oma wordt bestolen door haar thuishulp",
    "ik ga dood van het lachen om die video",
    "mijn dochter is niet meer naar school gegaan",
]


@pytest.mark.parametrize("text", ACUTE)
def test_acute_danger_is_forced(nlp, detector, text):
    m = detector.process([message(nlp, text)])[0]
    assert m.get(INTENT) == {"name": "acute_danger", "confidence": 1.0}
    ranking = m.get(INTENT_RANKING_KEY)
    assert ranking[0]["name"] == "acute_danger"
    assert [r["name"] for r in ranking].count("acute_danger") == 1


@pytest.mark.parametrize("text", SUICIDE)
def test_suicide_is_forced(nlp, detector, text):
    m = detector.process([message(nlp, text, intent="role_victim")])[0]
    assert m.get(INTENT)["name"] in ("suicide", "suicide_acute")


@pytest.mark.parametrize("text", CALM)
def test_calm_messages_keep_their_intent(nlp, detector, text):
    m = detector.process([message(nlp, text, intent="ask_organisation")])[0]
    assert m.get(INTENT)["name"] == "ask_organisation"
    assert m.get("crisis") is None


def test_low_confidence_crisis_prediction_becomes_certain(nlp, detector):
    m = message(nlp, "er staat iemand met een honkbalknuppel voor ons huis", intent="acute_danger", confidence=0.37)
    assert detector.process([m])[0].get(INTENT) == {"name": "acute_danger", "confidence": 1.0}


def test_gaps_and_order():
    m = PhraseMatcher({"max_gap": 1, "categorieen": {"x": {"p": [[["a"], ["b"]]]}}})
    assert m.find([("a", "a"), ("z", "z"), ("b", "b")])
    assert not m.find([("a", "a"), ("z", "z"), ("z", "z"), ("b", "b")])
    assert not m.find([("b", "b"), ("a", "a")])


def test_negation_blocks_a_match():
    m = PhraseMatcher({"negaties": ["geen"], "categorieen": {"x": {"p": [[["mes"]]]}}})
    assert not m.find([("geen", "geen"), ("mes", "mes")])
    assert m.find([("een", "een"), ("mes", "mes")])


def test_button_payload_is_left_to_rasa(nlp, detector):
    m = message(nlp, "/acute_danger", intent="greet")
    assert detector.process([m])[0].get(INTENT)["name"] == "greet"


def test_empty_message_is_fine(detector):
    m = Message(data={TEXT: ""})
    assert detector.process([m])[0].get(INTENT) is None


def test_forced_intent_is_never_ambiguous_for_the_fallback(nlp, detector):
    m = message(nlp, "hij heeft een mes", intent="greet", confidence=0.99)
    m.set(INTENT_RANKING_KEY, [{"name": "greet", "confidence": 0.99}, {"name": "acute_danger", "confidence": 0.98}])
    ranking = detector.process([m])[0].get(INTENT_RANKING_KEY)
    assert ranking[0] == {"name": "acute_danger", "confidence": 1.0}
    assert all(r["confidence"] <= 0.25 for r in ranking[1:])
