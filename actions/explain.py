""" "Wat bedoel je?": the bot's last question in other words (issue 17, context).

The explanation of a response is the text uitleg.<response name> of data/texts/<lang>.yml;
without one, uitleg.algemeen. The last message's buttons come again, so the offer stays; in a
form the form asks its question again after this (data/rules/context.yml).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.texts import lang_of, table, text
from bot.context import last_bot_turn


def last_response(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The bot's last message before the latest user message that came from a response."""
    for event in last_bot_turn(tracker.events, skip_latest_user=True):
        if (event.get("metadata") or {}).get("utter_action"):
            return event
    return None


class ActionExplain(Action):
    def name(self) -> Text:
        return "action_explain"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        lang = lang_of(tracker)
        event = last_response(tracker)
        name = (event or {}).get("metadata", {}).get("utter_action", "")
        key = f"uitleg.{name}" if f"uitleg.{name}" in table("nl") else "uitleg.algemeen"
        buttons = ((event or {}).get("data") or {}).get("buttons") or []
        not_understood = (tracker.latest_message.get("intent") or {}).get("name") == "nlu_fallback"
        if tracker.active_loop.get("name"):
            buttons = []  # the form asks again, with its own buttons
            if not_understood:  # an answer not understood: say so, then the question in other words
                dispatcher.utter_message(text=text("uitleg.niet_zeker", lang) + " " + text(key, lang))
                return []
        elif key == "uitleg.algemeen" and not buttons:
            # An info text or an answer without buttons: the way on is who can help, so the
            # routing form asks its first question (with buttons) instead of a dead end.
            dispatcher.utter_message(text=text("uitleg.naar_route", lang))
            return [FollowupAction("route_form")]
        dispatcher.utter_message(text=text(key, lang), buttons=buttons)
        return []
