"""Rasa custom actions: the routing form's questions, the route, organisation answers.

The other actions: actions/stappen.py (step plans), afweging.py (afwegingskader), melding.py
(melding draft), suggest.py ("Bedoel je ...?"). Texts: data/texts/nl.yml."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import organisations as orgs
from actions.routing import EXPLOITATION, messages, route
from actions import texts
from actions.suggest import ActionSuggest
from actions.texts import lang_of, text

# "wat doet X", "wie is X", "what is X": a question about one organisation (else a guess is better).
ASKS_ABOUT_ONE = re.compile(r"\b(wat doet|wat doen|wie is|wie zijn|wat is|ken je|what is|what does|who is)\b", re.I)


def after_route_buttons(lang: str) -> List[Dict[str, str]]:
    return [
        {"title": text("na_route.nog_een_vraag", lang), "payload": "/what_can_you_do"},
        {"title": text("na_route.mens", lang), "payload": "/talk_to_human"},
    ]


def needed_slots(zorg: Optional[str], rol: Optional[str]) -> List[str]:
    """Which questions the routing form asks, given what is already known."""
    needed = ["zorg", "rol"]
    if zorg in EXPLOITATION:
        needed.append("minderjarig")
        if rol in ("ouder", "omstander", "slachtoffer"):  # Koraal, when it is so
            needed.append("lvb")
    # Everyone: "wants to stay anonymous" adds Meld Misdaad Anoniem to any route (domain brief),
    # also for a professional who asks advice without giving a name.
    needed.append("anoniem")
    return needed


def earlier_value(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest user message (None when it had none)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def kept_value(tracker: Tracker, slot: str, value: Any, named_counts: bool = False) -> Any:
    """The slot's earlier value instead of `value` when it had one and the form does not ask it
    now; with named_counts, a value the message names as an entity (the word lists) still wins."""
    before = earlier_value(tracker, slot)
    if not before or value == before or tracker.get_slot("requested_slot") == slot:
        return value
    entities = tracker.latest_message.get("entities") or [] if named_counts else []
    named = any(e.get("entity") == slot and e.get("value") == value for e in entities)
    return value if named else before


class ValidateRouteForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_route_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        return needed_slots(tracker.get_slot("zorg"), tracker.get_slot("rol"))

    def validate_rol(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Who the user is, once known, stays unless the form asks it: "mn stiefvader slaat me"
        said first is not undone by a word like "mn stiefvader" in the answer about the worry."""
        return {"rol": kept_value(tracker, "rol", value)}

    def validate_zorg(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """The worry, once known, stays unless the form asks it or the message names another in
        so many words (the word lists' entity): NLU's intent guess on an answer to another
        question ("maakt niet uit, mama mag het wel weten" read as exploitation) does not change it."""
        return {"zorg": kept_value(tracker, "zorg", value, named_counts=True)}

    def validate_minderjarig(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """A minor, once known, stays unless the form asks it: NLU's guess of elder abuse on a later
        story ("hij woont nog bij mijn ouders") made "mijn broertje" an adult (held-out set 7)."""
        if earlier_value(tracker, "minderjarig") == "ja" and tracker.get_slot("requested_slot") != "minderjarig":
            return {"minderjarig": "ja"}
        return {"minderjarig": value}


class ActionRoute(Action):
    def name(self) -> Text:
        return "action_route"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        lang = lang_of(tracker)
        slots = {s: tracker.get_slot(s) for s in ("zorg", "rol", "minderjarig", "lvb", "anoniem")}
        parts = messages(route(**slots), slots["zorg"], slots["rol"], lang)
        for part in parts[:-1]:
            dispatcher.utter_message(text=part)
        dispatcher.utter_message(text=parts[-1], buttons=after_route_buttons(lang))
        # The worry is answered: a next worry starts fresh; who the user is stays known.
        return [SlotSet("zorg", None), SlotSet("minderjarig", None), SlotSet("lvb", None)]


class ActionOrganisatieInfo(Action):
    def name(self) -> Text:
        return "action_organisatie_info"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        lang = lang_of(tracker)
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
            said = tracker.latest_message.get("text") or ""
            if not ASKS_ABOUT_ONE.search(said):  # no organisation asked about: NLU was unsure
                return ActionSuggest().run(dispatcher, tracker, domain) + [SlotSet("organisatie", None)]
            dispatcher.utter_message(text=text("organisatie_onbekend", lang))
            return [SlotSet("organisatie", None)]
        for key in keys[:3]:
            dispatcher.utter_message(text=orgs.describe(key, lang=lang))
        return [SlotSet("organisatie", None)]


class ActionOrganisatiesLijst(Action):
    """Knowledge organisations, trainings, or the sociale kaart (optionally by topic)."""

    def name(self) -> Text:
        return "action_organisaties_lijst"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        lang = lang_of(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        all_orgs = orgs.organisations()
        if intent in ("knowledge_organisations", "trainings"):
            soort = "kennis" if intent == "knowledge_organisations" else "training"
            lines = [text(f"lijst.{soort}", lang)]
            for k, o in all_orgs.items():
                if o["soort"] == soort:
                    about = texts.translated(o, "beschrijving", lang).strip()
                    lines.append(text("lijst.item", lang, naam=o["naam"], beschrijving=about, contact=orgs.contact(k, lang)))
            if soort == "kennis":
                lines.append(text("lijst.kennis_advies", lang))
            for part in texts.packed(lines):
                dispatcher.utter_message(text=part)
            return []
        key = next(
            (orgs.key_for(str(v)) for v in tracker.get_latest_entity_values("organisatie")), None
        ) or orgs.find_by_topic(tracker.latest_message.get("text") or "")
        if key:
            dispatcher.utter_message(text=orgs.describe(key, lang=lang))
            return []
        names = sorted(o["naam"] for o in all_orgs.values() if o.get("sociale_kaart"))
        for part in texts.packed(text("lijst.sociale_kaart", lang, namen=", ".join(names)).split("\n")):
            dispatcher.utter_message(text=part)
        return []
