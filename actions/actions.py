"""Rasa custom actions: the routing form's questions, the route, organisation answers."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import organisations as orgs
from actions.routing import EXPLOITATION, render, route

AFTER_ROUTE_BUTTONS = [
    {"title": "Ik heb nog een vraag", "payload": "/what_can_you_do"},
    {"title": "Ik wil met een mens praten", "payload": "/talk_to_human"},
]


def needed_slots(zorg: Optional[str], rol: Optional[str]) -> List[str]:
    """Which questions the routing form asks, given what is already known."""
    needed = ["zorg", "rol"]
    if zorg in EXPLOITATION:
        needed.append("minderjarig")
        if rol in ("ouder", "omstander"):
            needed.append("lvb")
    if rol == "omstander":
        needed.append("anoniem")
    return needed


class ValidateRouteForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_route_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        return needed_slots(tracker.get_slot("zorg"), tracker.get_slot("rol"))


class ActionRoute(Action):
    def name(self) -> Text:
        return "action_route"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        slots = {s: tracker.get_slot(s) for s in ("zorg", "rol", "minderjarig", "lvb", "anoniem")}
        text = render(route(**slots), slots["zorg"], slots["rol"])
        dispatcher.utter_message(text=text, buttons=AFTER_ROUTE_BUTTONS)
        # The worry is answered: a next worry starts fresh; who the user is stays known.
        return [SlotSet("zorg", None), SlotSet("minderjarig", None), SlotSet("lvb", None)]


class ActionOrganisatieInfo(Action):
    def name(self) -> Text:
        return "action_organisatie_info"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        keys = []
        for value in tracker.get_latest_entity_values("organisatie"):
            key = orgs.key_for(str(value))
            if key and key not in keys:
                keys.append(key)
        if not keys:
            topic = orgs.find_by_topic(tracker.latest_message.get("text") or "")
            if topic:
                keys.append(topic)
        if not keys:
            dispatcher.utter_message(
                text="Die organisatie ken ik niet, sorry. Voor advies bij zorgen over geweld "
                "thuis, mishandeling of uitbuiting kun je altijd terecht bij Veilig Thuis. " + orgs.contact("veilig_thuis")
            )
            return [SlotSet("organisatie", None)]
        for key in keys[:3]:
            dispatcher.utter_message(text=orgs.describe(key))
        return [SlotSet("organisatie", None)]
