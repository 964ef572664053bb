"""The length guard: too long gets `too_long`, a crisis in a long message still gets 112."""

from pathlib import Path

import pytest
import spacy
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components.danger_detector import DangerDetector
from bot.components.length_guard import DEFAULT_MAX_CHARS, LengthGuard, decide

ROOT = Path(__file__).resolve().parents[2]
FILLER = "Ik wil je iets vertellen over wat er thuis allemaal speelt. "


@pytest.fixture(scope="module")
def nlp():
    return spacy.load(ROOT / "build" / "spacy_nl")


def message(nlp, text, intent="worry_domestic_violence", confidence=0.8):
    doc = nlp(text)
    m = Message(data={TEXT: text})
    m.set(TOKENS_NAMES[TEXT], [Token(t.text, t.idx, lemma=t.lemma_) for t in doc])
    m.set(INTENT, {"name": intent, "confidence": confidence})
    m.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}])
    return m


def long_text(core=""):
    text = FILLER * (DEFAULT_MAX_CHARS // len(FILLER) + 2)
    return text[: len(text) // 2] + core + " " + text[len(text) // 2 :]


def test_decide_by_length_and_crisis():
    assert not decide("hoi", "greet")
    assert not decide("", None) and not decide(None, None)
    assert not decide("x" * DEFAULT_MAX_CHARS, "greet"), "the limit itself is allowed"
    assert decide("x" * (DEFAULT_MAX_CHARS + 1), "greet")
    assert decide("x" * (DEFAULT_MAX_CHARS + 1), None)
    assert not decide(" " * 5000, "greet"), "whitespace only is not long"
    for crisis in ("acute_danger", "suicide", "sexual_assault"):
        assert not decide("x" * 5000, crisis), crisis
    assert decide("x" * 11, "greet", max_chars=10)


def test_long_message_gets_too_long_and_is_not_ambiguous(nlp):
    from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier

    m = message(nlp, long_text(), intent="no_response", confidence=1.0)
    LengthGuard(LengthGuard.get_default_config()).process([m])
    assert m.get(INTENT) == {"name": "too_long", "confidence": 1.0}
    assert m.get(INTENT_RANKING_KEY) == [{"name": "too_long", "confidence": 1.0}]
    fallback = FallbackClassifier(
        {**FallbackClassifier.get_default_config(), "threshold": 0.45, "ambiguity_threshold": 0.05}
    )
    fallback.process([m])
    assert m.get(INTENT)["name"] == "too_long", "FallbackClassifier keeps it"


def test_short_message_is_left_alone(nlp):
    m = message(nlp, "ik maak me zorgen om mijn buurvrouw")
    LengthGuard({"max_chars": 2000}).process([m])
    assert m.get(INTENT)["name"] == "worry_domestic_violence"


@pytest.mark.parametrize(
    "core, expected",
    [
        ("Nu staat hij met een mes in de keuken.", "acute_danger"),
        ("Ik wil er een einde aan maken.", "suicide"),
    ],
)
def test_danger_in_a_long_message_still_wins(nlp, core, expected):
    """Pipeline order of config.yml: the intent classifier -> DangerDetector -> ... -> LengthGuard -> Fallback."""
    m = message(nlp, long_text(core))
    DangerDetector({}).process([m])
    LengthGuard({}).process([m])
    assert m.get(INTENT)["name"] == expected


def test_crisis_intent_from_diet_is_kept(nlp):
    m = message(nlp, long_text(), intent="sexual_assault", confidence=0.9)
    LengthGuard({}).process([m])
    assert m.get(INTENT)["name"] == "sexual_assault"
