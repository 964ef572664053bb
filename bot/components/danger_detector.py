"""The crisis layer inside the NLU pipeline, and the phrase matcher of the word lists.

DangerDetector runs after DIETClassifier (config.yml): bot/crisis.py reads the raw text
(data/crisis.yml) and, when it finds a crisis, makes that crisis intent certain, whatever
DIET said. When the crisis layer finds nothing but DIET chose a crisis intent, DIET's choice
gives way to its best other intent (demote_crisis). PhraseMatcher (on spaCy lemmas) is what
bot/components/lexicon_extractor.py uses for roles, ages and organisation names
(data/lexicon.yml).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Sequence, Text, Tuple

import yaml

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
from bot.crisis import CRISIS_INTENTS, CrisisDetector, layer  # noqa: E402


@dataclass(frozen=True)
class Match:
    category: str
    name: str


def _split(word: str) -> Tuple[str, ...]:
    return tuple(word.lower().split())


class PhraseMatcher:
    """Ordered, gapped phrase matching over (lemma, text) token pairs. Pure Python."""

    def __init__(self, spec: Dict[str, Any]):
        self.max_gap = int(spec.get("max_gap", 4))
        self.negations = {n.lower() for n in spec.get("negaties", [])}
        # category -> name -> list of patterns; pattern = list of steps; step = list of word seqs
        self.patterns: List[Tuple[str, str, List[List[Tuple[str, ...]]]]] = []
        for category, named in (spec.get("categorieen") or {}).items():
            for name, patterns in named.items():
                for pattern in patterns:
                    steps = [[_split(str(alt)) for alt in step] for step in pattern]
                    self.patterns.append((category, name, steps))

    @classmethod
    def from_file(cls, path: Path) -> "PhraseMatcher":
        with open(path, encoding="utf-8") as f:
            return cls(yaml.safe_load(f) or {})

    @staticmethod
    def _word_matches(word: str, token: Tuple[str, str]) -> bool:
        lemma, text = token
        if word.endswith("*"):
            stem = word[:-1]
            return lemma.startswith(stem) or text.startswith(stem)
        return word == lemma or word == text

    def _seq_at(self, seq: Tuple[str, ...], tokens: Sequence[Tuple[str, str]], i: int) -> bool:
        if i + len(seq) > len(tokens):
            return False
        return all(self._word_matches(w, tokens[i + k]) for k, w in enumerate(seq))

    def _rest(self, steps, tokens, step_idx: int, start: int) -> int:
        """End index when steps[step_idx:] match from start (with gaps), else -1."""
        if step_idx == len(steps):
            return start
        for i in range(start, min(len(tokens), start + self.max_gap + 1)):
            for seq in steps[step_idx]:
                if self._seq_at(seq, tokens, i):
                    end = self._rest(steps, tokens, step_idx + 1, i + len(seq))
                    if end >= 0:
                        return end
        return -1

    def _negated(self, tokens, i: int) -> bool:
        return any(tokens[j][1] in self.negations for j in range(max(0, i - 3), i))

    def spans(self, tokens: Sequence[Tuple[str, str]]) -> List[Tuple[Match, int, int]]:
        """Every pattern that matches, with the token span [start, end) of its first match."""
        toks = [(lemma.lower(), text.lower()) for lemma, text in tokens]
        found = []
        for category, name, steps in self.patterns:
            for i in range(len(toks)):
                if self._negated(toks, i):
                    continue
                end = -1
                for seq in steps[0]:
                    if self._seq_at(seq, toks, i):
                        end = self._rest(steps, toks, 1, i + len(seq))
                        if end >= 0:
                            break
                if end >= 0:
                    found.append((Match(category, name), i, end))
                    break
        return found

    def find(self, tokens: Sequence[Tuple[str, str]]) -> List[Match]:
        return [m for m, _, _ in self.spans(tokens)]


try:  # The Rasa wrapper; the matcher above is importable without Rasa.
    from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
    from rasa.shared.nlu.training_data.message import Message
except ImportError:  # pragma: no cover - only without Rasa installed
    pass

from bot.components.base import StatelessComponent, register  # noqa: E402


def force_intent(message: "Message", name: str) -> None:
    """Make `name` the intent with confidence 1.0, first in the ranking.

    The other intents keep their order but at most half their confidence, so that the
    FallbackClassifier (last in the pipeline) does not call a forced intent ambiguous.
    """
    ranking = [
        {**r, "confidence": min(r.get("confidence") or 0.0, 0.5) / 2}
        for r in (message.get(INTENT_RANKING_KEY) or [])
        if r.get("name") != name
    ]
    message.set(INTENT, {"name": name, "confidence": 1.0}, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [{"name": name, "confidence": 1.0}] + ranking, add_to_output=True)


def demote_crisis(message: "Message") -> None:
    """The crisis layer found no crisis: DIET's crisis guess gives way to its best other intent.

    The layer was trained on DIET's crisis examples and far more; measured on the corpus,
    DIET's own crisis guesses on messages the layer calls calm were mostly false alarms.
    """
    intent = message.get(INTENT) or {}
    if intent.get("name") not in CRISIS_INTENTS:
        return
    ranking = [r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get("name") not in CRISIS_INTENTS]
    if not ranking:
        return
    message.set(INTENT, {"name": ranking[0]["name"], "confidence": ranking[0]["confidence"]}, add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)


@register("INTENT_CLASSIFIER")
class DangerDetector(StatelessComponent):
    """Rasa NLU component around bot/crisis.py."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"phrases_file": None}

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        path = config.get("phrases_file")
        if path:  # another phrases file (tests): phrases only
            path = Path(path) if Path(path).is_absolute() else ROOT / path
            self.crisis: Any = CrisisDetector.from_file(path)
        else:  # phrases and classifier (bot/crisis.py)
            self.crisis = layer()

    def process(self, messages: List["Message"]) -> List["Message"]:
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: "Message") -> None:
        text = message.get(TEXT) or ""
        if text.startswith("/"):  # a button payload names its intent itself
            return
        result = self.crisis.detect(text)
        forced = result.intent
        if not forced:
            demote_crisis(message)
            return
        # Only kinds and phrase names are logged, never the user's words.
        logger.debug("crisis %s (%s)", result.kind, result.names)
        force_intent(message, forced)
        message.set("crisis", {"kind": result.kind, "phrases": result.names}, add_to_output=True)
