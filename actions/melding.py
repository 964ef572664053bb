"""Preparing a melding (never filing one): the melding form keeps the user's answers, warns
when an answer seems to hold a name, and writes a draft to copy. Texts: data/texts/nl.yml
(melding.*)."""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Text

from rasa_sdk import Action
from rasa_sdk.events import EventType, SlotSet

from actions.forms import OneCheckForm
from actions.texts import lang_of, packed, raw, text

MELDING = ["melding_signalen", "melding_overleg", "melding_gesprek", "melding_afweging", "melding_besluit"]
NAME_LIKE = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][a-zà-ÿ]{2,}\b")


def looks_like_a_name(answer: str, lang: str = "nl") -> bool:
    not_names = set(raw("melding.geen_namen")) | set(raw("melding.geen_namen", lang))
    return any(m.group(0) not in not_names for m in NAME_LIKE.finditer(answer or ""))


class ValidateMeldingForm(OneCheckForm):
    """Keeps every answer, but warns once per answer when it seems to contain a name."""

    SLOTS = MELDING

    def name(self) -> Text:
        return "validate_melding_form"

    def check(self, slot, value, dispatcher, tracker):
        lang = lang_of(tracker)
        if looks_like_a_name(value, lang):
            dispatcher.utter_message(text=text("melding.naam_gezien", lang))
        return {slot: value}


def melding_draft(values: Dict[str, Optional[str]], lang: str = "nl") -> str:
    # One line per answer: what the user wrote can never look like a line of the bot's.
    answers = {s: " ".join((values.get(s) or "").split()) or text("melding.nog_invullen", lang) for s in MELDING}
    return text("melding.concept", lang, **answers)


class ActionMeldingConcept(Action):
    def name(self) -> Text:
        return "action_melding_concept"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        lang = lang_of(tracker)
        draft = melding_draft({s: tracker.get_slot(s) for s in MELDING}, lang)
        for part in packed(draft.split("\n\n")):  # the draft, then the tips for writing it
            dispatcher.utter_message(text=part)
        dispatcher.utter_message(
            text=text("melding.na_concept", lang),
            buttons=[
                {"title": text("melding.meelezen", lang), "payload": "/read_along"},
                {"title": text("melding.ouders_vertellen", lang), "payload": "/tell_involved"},
            ],
        )
        return [SlotSet(s, None) for s in MELDING]
