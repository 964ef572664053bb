"""The step plans (the Meldcode, the step plan for exploitation): an overview, one step, and a
walk-through with "Vorige stap" / "Volgende stap". The steps are in data/stappen.yml, the
bot's own sentences around them in data/texts/nl.yml (stappen.*)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.texts import lang_of, text, translated

STEPS_FILE = Path(__file__).resolve().parent.parent / "data" / "stappen.yml"


@lru_cache(maxsize=1)
def content() -> Dict[str, Any]:
    with open(STEPS_FILE, encoding="utf-8") as f:
        return yaml.safe_load(f)


def steps(gids: str) -> List[Dict[str, str]]:
    return content()[gids]["stappen"]


def nav_buttons(gids: str, n: int, lang: str = "nl") -> List[Dict[str, str]]:
    buttons = []
    if n > 1:
        buttons.append({"title": text("stappen.vorige", lang), "payload": "/previous_step"})
    if n < len(steps(gids)):
        buttons.append({"title": text("stappen.volgende", lang), "payload": "/next_step"})
    elif gids == "meldcode":
        buttons.append({"title": text("stappen.moet_ik_melden", lang), "payload": "/afwegingskader_start"})
    else:
        buttons.append({"title": text("stappen.naar_wie", lang), "payload": "/human_trafficking"})
    buttons.append({"title": text("stappen.stoppen", lang), "payload": "/stop"})
    return buttons


def step_text(gids: str, n: int, lang: str = "nl") -> str:
    step = steps(gids)[n - 1]
    return f"{translated(step, 'titel', lang)}\n{translated(step, 'uitleg', lang).strip()}"


def plan_name(gids: str, lang: str = "nl") -> str:
    return translated(content()[gids], "naam", lang)


def latest_entity(tracker: Tracker, name: str) -> Optional[str]:
    return next(tracker.get_latest_entity_values(name), None)


def current_gids(tracker: Tracker) -> str:
    return latest_entity(tracker, "gids") or tracker.get_slot("gids") or "meldcode"


def current_step(tracker: Tracker) -> Optional[int]:
    value = latest_entity(tracker, "stap")
    if value is None:
        value = tracker.get_slot("stap")
    try:
        return int(float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


def show_step(dispatcher: CollectingDispatcher, gids: str, n: int, lang: str = "nl") -> List[EventType]:
    n = max(1, min(n, len(steps(gids))))
    dispatcher.utter_message(text=step_text(gids, n, lang), buttons=nav_buttons(gids, n, lang))
    return [SlotSet("gids", gids), SlotSet("stap", float(n))]


class ActionOverzicht(Action):
    """Overview of a step plan (meldcode_overview, exploitation_plan)."""

    def name(self) -> Text:
        return "action_overzicht"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        lang = lang_of(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        gids = "uitbuiting" if intent == "exploitation_plan" else "meldcode"
        lines = [text("stappen.overzicht", lang, naam=plan_name(gids, lang))]
        lines += [translated(s, "titel", lang) for s in steps(gids)]
        if gids == "meldcode":
            lines.append(text("stappen.overzicht_meldcode", lang))
        else:
            lines.append(translated(content()[gids], "ouders", lang).strip())
        lines.append(text("stappen.overzicht_vraag", lang))
        dispatcher.utter_message(
            text="\n".join(lines),
            buttons=[
                {"title": text("stappen.samen", lang), "payload": f'/walkthrough{{"gids": "{gids}"}}'},
                {"title": text("stappen.stap_3_uitgelegd", lang), "payload": f'/step_info{{"stap": "3", "gids": "{gids}"}}'},
            ],
        )
        return [SlotSet("gids", gids)]


class ActionGidsStart(Action):
    def name(self) -> Text:
        return "action_gids_start"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        lang = lang_of(tracker)
        gids = current_gids(tracker)
        dispatcher.utter_message(text=text("stappen.start", lang, naam=plan_name(gids, lang)))
        return show_step(dispatcher, gids, 1, lang)


class ActionStap(Action):
    def name(self) -> Text:
        return "action_stap"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        lang = lang_of(tracker)
        gids = current_gids(tracker)
        n = current_step(tracker)
        if n is None:
            dispatcher.utter_message(
                text=text("stappen.welke", lang),
                buttons=[
                    {"title": text("stappen.stap_n", lang, n=i), "payload": f'/step_info{{"stap": "{i}", "gids": "{gids}"}}'}
                    for i in range(1, len(steps(gids)) + 1)
                ],
            )
            return [SlotSet("gids", gids)]
        return show_step(dispatcher, gids, n, lang)


class ActionStapOverslaan(Action):
    def name(self) -> Text:
        return "action_stap_overslaan"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        lang = lang_of(tracker)
        gids = current_gids(tracker)
        n = current_step(tracker) or 3
        n = max(1, min(n, len(steps(gids))))
        step = steps(gids)[n - 1]
        question = text("stappen.overslaan", lang, stap=translated(step, "titel", lang).split(":")[0].lower())
        skip = translated(step, "overslaan", lang).strip()
        dispatcher.utter_message(text=f"{question}\n{skip}", buttons=nav_buttons(gids, n, lang))
        return [SlotSet("gids", gids), SlotSet("stap", float(n))]


def wants_the_route(tracker: Tracker) -> bool:
    """ "Wat moet ik nu doen?" with no step plan underway, from someone who is not a
    professional and does not ask about a step: who can help (the routing form), not step 1."""
    said = (tracker.latest_message.get("text") or "").lower()
    return (
        tracker.get_slot("gids") is None
        and tracker.get_slot("rol") != "professional"
        and "stap" not in said
        and "step" not in said
    )


class ActionStapVolgende(Action):
    def name(self) -> Text:
        return "action_stap_volgende"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        lang = lang_of(tracker)
        gids = tracker.get_slot("gids") or "meldcode"
        n = current_step(tracker)
        if n is None and wants_the_route(tracker):
            return [FollowupAction("route_form")]
        if n is None:
            return show_step(dispatcher, gids, 1, lang)
        if n >= len(steps(gids)):
            dispatcher.utter_message(text=text("stappen.laatste", lang), buttons=nav_buttons(gids, n, lang))
            return []
        return show_step(dispatcher, gids, n + 1, lang)


class ActionStapVorige(Action):
    def name(self) -> Text:
        return "action_stap_vorige"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        lang = lang_of(tracker)
        gids = tracker.get_slot("gids") or "meldcode"
        n = current_step(tracker) or 1
        if n <= 1:
            dispatcher.utter_message(text=text("stappen.eerste", lang))
        return show_step(dispatcher, gids, n - 1 if n > 1 else 1, lang)
