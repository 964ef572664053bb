"""Force `ask_organisation` for a plain question about one named organisation.

"wat doet Mendoo?", "wat is het CIT precies": the organisation entity (from the
LexiconEntityExtractor, placed before this component) fills the whole question apart from the
question words, so the intent is certain even when the intent classifier never saw the name. Crisis intents are
never overridden, and longer questions ("wat doet Veilig Thuis na een melding") keep the intent classifier's intent.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from bot.components.danger_detector import CRISIS_INTENTS, force_intent
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components.base import StatelessComponent, register

PREFIX = re.compile(
    r"^\s*(?:en\s+|maar\s+)?(?:wat|wie)\s+(?:doet|doen|is|zijn|betekent)" r"(?:\s+(?:het|de|een))?\s*$", re.IGNORECASE
)
SUFFIX = re.compile(r"^(?:\s|[?!.,]|precies|eigenlijk|nou|dan|allemaal|nu|ook alweer)*$", re.IGNORECASE)


def organisation_question(text: str, entities: List[Dict[str, Any]]) -> Optional[str]:
    """The organisation key when the text is only a question about that organisation."""
    for e in entities:
        if e.get("entity") != "organisatie":
            continue
        if PREFIX.match(text[: e["start"]]) and SUFFIX.match(text[e["end"] :]):
            return e["value"]
    return None


@register("INTENT_CLASSIFIER")
class OrganisationQuestion(StatelessComponent):
    def process(self, messages: List["Message"]) -> List["Message"]:
        for message in messages:
            predicted = (message.get(INTENT) or {}).get("name")
            if predicted in CRISIS_INTENTS:
                continue
            if organisation_question(message.get(TEXT) or "", message.get(ENTITIES) or []):
                force_intent(message, "ask_organisation")
        return messages
