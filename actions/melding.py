"""Preparing a melding (never filing one): the melding form keeps the user's answers, warns
when an answer seems to hold a name, and writes a draft to copy. Texts: data/texts/nl.yml
(melding.*)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Text

import yaml

from rasa_sdk import Action
from rasa_sdk.events import EventType, SlotSet

from actions.forms import OneCheckForm
from actions.texts import lang_of, packed, raw, text

MELDING = ["melding_signalen", "melding_overleg", "melding_gesprek", "melding_afweging", "melding_besluit"]
NAME_LIKE = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][a-zà-ÿ]{2,}\b")
NAMES_FILE = Path(__file__).resolve().parent.parent / "data" / "namen.yml"
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=1)
def first_names() -> FrozenSet[str]:
    with open(NAMES_FILE, encoding="utf-8") as f:
        return frozenset(str(n).lower() for n in (yaml.safe_load(f) or {}).get("namen") or [])


def looks_like_a_name(answer: str, lang: str = "nl") -> bool:
    """A capitalised word that is no ordinary word, or a known first name in any case."""
    not_names = set(raw("melding.geen_namen")) | set(raw("melding.geen_namen", lang))
    if any(m.group(0) not in not_names for m in NAME_LIKE.finditer(answer or "")):
        return True
    return any(w.lower() in first_names() for w in WORD.findall(answer or ""))


QUESTION_START = re.compile(
    r"^\s*(mag|moet|kan|kun|wat|hoe|wie|waarom|wanneer|is|zijn|heb|hebben|may|must|can|what|how|who|why|is|do)\b", re.I
)


def question_answer(value: Optional[str], tracker, domain) -> Optional[str]:
    """The response for a question typed instead of an answer ("mag ik dit wel melden? wij
    hebben toch beroepsgeheim"): NLU is sure of an intent that has its own response utter_<intent>."""
    said = (value or "").strip()
    if not (said.endswith("?") or QUESTION_START.match(said)):
        return None
    intent = (tracker.latest_message.get("intent") or {}) if tracker is not None else {}
    name = f"utter_{intent.get('name')}"
    if (intent.get("confidence") or 0) >= 0.6 and name in ((domain or {}).get("responses") or {}):
        return name
    return None


QUESTION_LEAD = re.compile(r"^\s*(ik bedoel|bedoel je|sorry|i mean|do you mean)\b[,\s]*", re.I)


def only_a_question(value: Optional[str]) -> bool:
    """ "ik bedoel, moet ik dit aan de huisarts zeggen of zelf iets doen?": a question and nothing
    else (an answer with a question after it, "nog met niemand, moet dat?", is an answer)."""
    said = QUESTION_LEAD.sub("", (value or "").strip())
    return said.endswith("?") and bool(QUESTION_START.match(said)) and len(said.split()) <= 25


def undecided(answer: Optional[str], lang: str = "nl") -> bool:
    said = " ".join((answer or "").lower().split())
    return not said or any(p in said for p in [*raw("melding.open_besluit"), *raw("melding.open_besluit", lang)])


class ValidateMeldingForm(OneCheckForm):
    """Keeps every answer, but warns once per answer when it seems to contain a name."""

    SLOTS = MELDING

    def name(self) -> Text:
        return "validate_melding_form"

    def check(self, slot, value, dispatcher, tracker, domain=None):
        lang = lang_of(tracker)
        answer = question_answer(value, tracker, domain)
        if answer:  # a question, not an answer: answer it, and the form asks again
            dispatcher.utter_message(response=answer)
            return {slot: None}
        if only_a_question(value):  # not stored; the way out is a button, and the form asks again
            stop = [{"title": text("melding.stoppen", lang), "payload": "/stop"}]
            dispatcher.utter_message(text=text("melding.vraag_niet_bewaard", lang), buttons=stop)
            return {slot: None}
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
        after = "melding.nog_niet_besloten" if undecided(tracker.get_slot("melding_besluit"), lang) else "melding.na_concept"
        dispatcher.utter_message(
            text=text(after, lang),
            buttons=[
                {"title": text("melding.meelezen", lang), "payload": "/read_along"},
                {"title": text("melding.ouders_vertellen", lang), "payload": "/tell_involved"},
            ],
        )
        return [SlotSet(s, None) for s in MELDING]
