"""The crisis layer inside the NLU pipeline, and the phrase matcher of the word lists.

DangerDetector runs after the intent classifier (config.yml): bot/crisis.py reads the raw text
(data/crisis.yml) and, when it finds a crisis, makes that crisis intent certain, whatever
the classifier said. When the crisis layer finds nothing but the classifier chose a crisis intent, its choice
gives way to its best other intent (demote_crisis).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Text

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components.base import StatelessComponent, register
from bot.crisis import CRISIS_INTENTS, CrisisDetector, layer

logger = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]


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
    """The crisis layer found no crisis: the classifier's crisis guess gives way to its best other intent.

    The layer was trained on the intent classifier's crisis examples and far more; measured on the corpus,
    the intent classifier's own crisis guesses on messages the layer calls calm were mostly false alarms.
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
