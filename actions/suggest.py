"""No dead ends: when the bot is unsure it offers its best guesses, then the main choices.

First miss: "Bedoel je ...?" with the two or three intents NLU ranked highest (only those with a
label in data/suggestions.yml, never a crisis intent) as buttons, plus "Iets anders", and the
112 line. A second miss in a row: the main choices and a person (Veilig Thuis). Texts are
responses in domain/basis.yml (utter_suggest, utter_suggest_again); labels in data/suggestions.yml.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.texts import lang_of, text

SUGGESTIONS = Path(__file__).resolve().parent.parent / "data" / "suggestions.yml"
MAX_GUESSES = 3
MIN_CONFIDENCE = 0.02


def other(lang: str) -> Dict[str, str]:
    return {"title": text("suggestie.iets_anders", lang), "payload": "/what_can_you_do"}


@lru_cache(maxsize=None)
def labels(lang: str = "nl") -> Dict[str, str]:
    """The button text per intent; labels_<lang> in the file for another language."""
    with open(SUGGESTIONS, encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    dutch = dict(data.get("labels") or {})
    return {**dutch, **(data.get(f"labels_{lang}") or {})} if lang != "nl" else dutch


def guesses(ranking: List[Dict[str, Any]], lang: str = "nl") -> List[Dict[str, str]]:
    """Buttons for the best-ranked intents that have a label."""
    known = labels(lang)
    out = []
    for r in ranking or []:
        name = r.get("name")
        if name in known and (r.get("confidence") or 0) >= MIN_CONFIDENCE:
            out.append({"title": known[name], "payload": f"/{name}"})
        if len(out) == MAX_GUESSES:
            break
    return out


def previous_bot_action(tracker: Tracker) -> Optional[str]:
    """The bot's last action before the latest user message (action_listen skipped)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") not in ("action_listen", None):
            return event.get("name")
    return None


class ActionSuggest(Action):
    def name(self) -> Text:
        return "action_suggest"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        lang = lang_of(tracker)
        options = guesses(tracker.latest_message.get("intent_ranking") or [], lang)
        if previous_bot_action(tracker) == self.name() or not options:
            dispatcher.utter_message(response="utter_suggest_again")
        else:
            dispatcher.utter_message(response="utter_suggest", buttons=options + [other(lang)])
        return []
