"""actions/suggest.py: best guesses as buttons, then the main choices; never a crisis guess."""

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.suggest import ActionSuggest, guesses, labels, other
from bot.crisis import CRISIS_INTENTS


def tracker(ranking, events=None):
    return Tracker(
        "s",
        {},
        {"intent": {"name": "nlu_fallback"}, "intent_ranking": ranking, "text": "x"},
        events or [],
        False,
        None,
        {},
        "action_listen",
    )


def run(t):
    d = CollectingDispatcher()
    ActionSuggest().run(d, t, {})
    return d.messages


def test_labels_exist_and_never_a_crisis_intent():
    assert len(labels()) >= 20
    assert not set(labels()) & set(CRISIS_INTENTS)
    assert all(0 < len(v) <= 45 for v in labels().values())


def test_first_miss_offers_the_best_guesses_and_something_else():
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.9},
        {"name": "acute_danger", "confidence": 0.5},
        {"name": "prepare_melding", "confidence": 0.2},
        {"name": "greet", "confidence": 0.1},
        {"name": "after_melding", "confidence": 0.1},
        {"name": "tell_involved", "confidence": 0.05},
        {"name": "no_response", "confidence": 0.04},
    ]
    [m] = run(tracker(ranking))
    assert m["response"] == "utter_suggest"
    payloads = [b["payload"] for b in m["buttons"]]
    assert payloads == ["/prepare_melding", "/after_melding", "/tell_involved", other("nl")["payload"]]


def test_second_miss_in_a_row_gives_the_main_choices():
    events = [
        {"event": "user", "text": "a"},
        {"event": "action", "name": "action_suggest"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "b"},
    ]
    [m] = run(tracker([{"name": "prepare_melding", "confidence": 0.3}], events))
    assert m["response"] == "utter_suggest_again"


def test_nothing_to_guess_gives_the_main_choices():
    assert guesses([{"name": "greet", "confidence": 0.9}]) == []
    [m] = run(tracker([{"name": "greet", "confidence": 0.9}]))
    assert m["response"] == "utter_suggest_again"
