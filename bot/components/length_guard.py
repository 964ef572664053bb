"""Length guard: a message longer than `max_chars` gets the intent `too_long` (confidence 1.0).

The bot then asks, in a rule, to say it shorter (utter_too_long). Placed in config.yml directly
*before* FallbackClassifier, so after DangerDetector: the safety net has already run on the whole
text, and a message whose intent is a crisis intent (forced by DangerDetector on a danger phrase,
or the intent classifier's own pick) keeps it here, so 112 wins. The ranking is cut to `too_long` alone, so that
FallbackClassifier's ambiguity check cannot turn it into nlu_fallback (the intent classifier is often ~1.0 sure of
some intent on very long texts).

Only the length is logged, never the text.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from bot.components.base import StatelessComponent, register
from bot.components.danger_detector import CRISIS_INTENTS
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

logger = logging.getLogger(__name__)

INTENT_TOO_LONG = "too_long"
DEFAULT_MAX_CHARS = 2000


def decide(text: Optional[str], predicted: Optional[str], max_chars: int = DEFAULT_MAX_CHARS) -> bool:
    """True when the message should get `too_long`. Pure Python, for the tests."""
    if not text or len(text.strip()) <= max_chars:
        return False
    return predicted not in CRISIS_INTENTS


@register("INTENT_CLASSIFIER")
class LengthGuard(StatelessComponent):
    """Rasa NLU component around decide()."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"max_chars": DEFAULT_MAX_CHARS}

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        self.max_chars = int(config.get("max_chars") or DEFAULT_MAX_CHARS)

    def process(self, messages: List["Message"]) -> List["Message"]:
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: "Message") -> None:
        text = message.get(TEXT)
        predicted = (message.get(INTENT) or {}).get("name")
        if not decide(text, predicted, self.max_chars):
            return
        logger.debug(
            "message of %d characters: intent %s (the intent classifier said %s)", len(text), INTENT_TOO_LONG, predicted
        )
        message.set(INTENT, {"name": INTENT_TOO_LONG, "confidence": 1.0}, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [{"name": INTENT_TOO_LONG, "confidence": 1.0}], add_to_output=True)
