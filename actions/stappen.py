"""The step plans (the Meldcode, the step plan for exploitation): an overview, one step, and a
walk-through with "Vorige stap" / "Volgende stap". The steps are in data/stappen.yml, the
bot's own sentences around them in data/texts/nl.yml (stappen.*)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.texts import text

STEPS_FILE = Path(__file__).resolve().parent.parent / "data" / "stappen.yml"


@lru_cache(maxsize=1)
def content() -> Dict[str, Any]:
    with open(STEPS_FILE, encoding="utf-8") as f:
        return yaml.safe_load(f)


def steps(gids: str) -> List[Dict[str, str]]:
    return content()[gids]["stappen"]


def nav_buttons(gids: str, n: int) -> List[Dict[str, str]]:
    buttons = []
    if n > 1:
        buttons.append({"title": text("stappen.vorige"), "payload": "/previous_step"})
    if n < len(steps(gids)):
        buttons.append({"title": text("stappen.volgende"), "payload": "/next_step"})
    elif gids == "meldcode":
        buttons.append({"title": text("stappen.moet_ik_melden"), "payload": "/afwegingskader_start"})
    else:
        buttons.append({"title": text("stappen.naar_wie"), "payload": "/human_trafficking"})
    buttons.append({"title": text("stappen.stoppen"), "payload": "/stop"})
    return buttons


def step_text(gids: str, n: int) -> str:
    step = steps(gids)[n - 1]
    return f"{step['titel']}\n{step['uitleg'].strip()}"


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


def show_step(dispatcher: CollectingDispatcher, gids: str, n: int) -> List[EventType]:
    n = max(1, min(n, len(steps(gids))))
    dispatcher.utter_message(text=step_text(gids, n), buttons=nav_buttons(gids, n))
    return [SlotSet("gids", gids), SlotSet("stap", float(n))]


class ActionOverzicht(Action):
    """Overview of a step plan (meldcode_overview, exploitation_plan)."""

    def name(self) -> Text:
        return "action_overzicht"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        gids = "uitbuiting" if intent == "exploitation_plan" else "meldcode"
        lines = [text("stappen.overzicht", naam=content()[gids]["naam"])]
        lines += [s["titel"] for s in steps(gids)]
        if gids == "meldcode":
            lines.append(text("stappen.overzicht_meldcode"))
        else:
            lines.append(content()[gids]["ouders"].strip())
        lines.append(text("stappen.overzicht_vraag"))
        dispatcher.utter_message(
            text="\n".join(lines),
            buttons=[
                {"title": text("stappen.samen"), "payload": f'/walkthrough{{"gids": "{gids}"}}'},
                {"title": text("stappen.stap_3_uitgelegd"), "payload": f'/step_info{{"stap": "3", "gids": "{gids}"}}'},
            ],
        )
        return [SlotSet("gids", gids)]


class ActionGidsStart(Action):
    def name(self) -> Text:
        return "action_gids_start"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        gids = current_gids(tracker)
        dispatcher.utter_message(text=text("stappen.start", naam=content()[gids]["naam"]))
        return show_step(dispatcher, gids, 1)


class ActionStap(Action):
    def name(self) -> Text:
        return "action_stap"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        gids = current_gids(tracker)
        n = current_step(tracker)
        if n is None:
            dispatcher.utter_message(
                text=text("stappen.welke"),
                buttons=[
                    {"title": text("stappen.stap_n", n=i), "payload": f'/step_info{{"stap": "{i}", "gids": "{gids}"}}'}
                    for i in range(1, len(steps(gids)) + 1)
                ],
            )
            return [SlotSet("gids", gids)]
        return show_step(dispatcher, gids, n)


class ActionStapOverslaan(Action):
    def name(self) -> Text:
        return "action_stap_overslaan"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        gids = current_gids(tracker)
        n = current_step(tracker) or 3
        n = max(1, min(n, len(steps(gids))))
        step = steps(gids)[n - 1]
        question = text("stappen.overslaan", stap=step["titel"].split(":")[0].lower())
        dispatcher.utter_message(text=f"{question}\n{step['overslaan'].strip()}", buttons=nav_buttons(gids, n))
        return [SlotSet("gids", gids), SlotSet("stap", float(n))]


class ActionStapVolgende(Action):
    def name(self) -> Text:
        return "action_stap_volgende"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        gids = tracker.get_slot("gids") or "meldcode"
        n = current_step(tracker)
        if n is None:
            return show_step(dispatcher, gids, 1)
        if n >= len(steps(gids)):
            dispatcher.utter_message(text=text("stappen.laatste"), buttons=nav_buttons(gids, n))
            return []
        return show_step(dispatcher, gids, n + 1)


class ActionStapVorige(Action):
    def name(self) -> Text:
        return "action_stap_vorige"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        gids = tracker.get_slot("gids") or "meldcode"
        n = current_step(tracker) or 1
        if n <= 1:
            dispatcher.utter_message(text=text("stappen.eerste"))
        return show_step(dispatcher, gids, n - 1 if n > 1 else 1)
