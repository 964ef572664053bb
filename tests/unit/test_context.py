"""Short replies read against the bot's last message (bot/context.py), and "wat bedoel je?"."""

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.explain import ActionExplain
from bot.context import kind_of, last_bot_buttons, read_reply, says_goodbye
from bot.domain_files import domain_dict

RESPONSES = domain_dict()["responses"]


def bot(name, lang_variant=0):
    v = RESPONSES[name][lang_variant]
    return {"event": "bot", "text": v.get("text"), "data": {"buttons": v.get("buttons")}, "metadata": {"utter_action": name}}


def user(text, intent="nlu_fallback"):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def parsed(intent, ranking=None, entities=None, confidence=0.5):
    return {
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": ranking or [],
        "entities": entities or [],
    }


def intent_of(result):
    return result["intent"]["name"]


@pytest.mark.parametrize("reply", ["ja", "ok", "oké!", "doe maar", "Ja graag", "yes"])
def test_yes_takes_the_offer_of_the_suggestion(reply):
    events = [
        user("eh"),
        {
            "event": "bot",
            "text": "Bedoel je ...?",
            "data": {
                "buttons": [
                    {"title": "Een melding voorbereiden", "payload": "/prepare_melding"},
                    {"title": "Iets anders", "payload": "/what_can_you_do"},
                ]
            },
        },
    ]
    assert intent_of(read_reply(parsed("nlu_fallback"), events, reply)) == "prepare_melding"


def test_yes_to_a_yes_no_question_is_yes_and_payload_entities_come_along():
    events = [bot("utter_greet")]
    assert intent_of(read_reply(parsed("nlu_fallback"), events, "ok")) == "affirm"
    steps = [
        {
            "event": "bot",
            "data": {
                "buttons": [
                    {"title": "Vorige stap", "payload": "/previous_step"},
                    {"title": "Samen", "payload": '/walkthrough{"gids": "meldcode"}'},
                ]
            },
        }
    ]
    out = read_reply(parsed("affirm"), steps, "doe maar")
    assert (
        intent_of(out) == "walkthrough"
        and {"entity": "gids", "value": "meldcode", "extractor": "Context"} in out["entities"]
    )


def test_yes_in_a_form_is_no_choice_of_a_topic():
    events = [bot("utter_ask_zorg")]
    assert intent_of(read_reply(parsed("affirm"), events, "ja", in_form=True)) == "affirm"


def test_no_declines_an_offer_and_is_no_to_a_question():
    assert intent_of(read_reply(parsed("deny"), [bot("utter_what_can_you_do")], "nee dank je")) == "decline"
    assert intent_of(read_reply(parsed("nlu_fallback"), [bot("utter_greet")], "nee")) == "deny"
    assert intent_of(read_reply(parsed("deny"), [user("x")], "nee")) == "deny"  # nothing offered


def test_what_do_you_mean_and_back():
    assert intent_of(read_reply(parsed("nlu_fallback"), [bot("utter_ask_rol")], "wat bedoel je?")) == "explain_last"
    steps = [{"event": "bot", "data": {"buttons": [{"title": "Vorige stap", "payload": "/previous_step"}]}}]
    assert intent_of(read_reply(parsed("nlu_fallback"), steps, "terug")) == "previous_step"


def test_long_messages_and_crisis_keep_their_intent():
    events = [bot("utter_greet")]
    long = "ja ok maar ik wil eigenlijk vertellen dat mijn buurman zijn vrouw slaat"
    assert intent_of(read_reply(parsed("worry_domestic_violence"), events, long)) == "worry_domestic_violence"
    assert intent_of(read_reply(parsed("acute_danger"), events, "ja")) == "acute_danger"
    assert intent_of(read_reply(parsed("affirm"), events, "/affirm")) == "affirm"


def test_goodbye_only_for_a_goodbye():
    ranking = [{"name": "goodbye", "confidence": 0.5}, {"name": "ask_police", "confidence": 0.3}]
    out = read_reply(parsed("goodbye", ranking), [], "moet ik naar de politie gaan")
    assert intent_of(out) == "ask_police"
    assert intent_of(read_reply(parsed("goodbye", ranking[:1]), [], "moet ik naar de politie gaan")) == "nlu_fallback"
    assert intent_of(read_reply(parsed("goodbye"), [], "oke doei")) == "goodbye"
    assert says_goodbye("Tot ziens!") and not says_goodbye("ik ga naar de dokter")


def test_buttons_of_the_last_turn_only():
    events = [bot("utter_greet"), user("ja"), {"event": "bot", "text": "Fijn.", "data": {}}]
    assert last_bot_buttons(events) == []


def tracker(events, slots=None, loop=None):
    return Tracker("t", slots or {}, {"text": "wat bedoel je"}, events, False, None, {"name": loop} if loop else {}, None)


def test_explain_gives_the_question_in_other_words_with_its_buttons():
    d = CollectingDispatcher()
    ActionExplain().run(d, tracker([bot("utter_ask_minderjarig"), user("wat bedoel je")]), {})
    assert "jonger dan 18" in d.messages[0]["text"] and d.messages[0]["buttons"]
    d = CollectingDispatcher()
    ActionExplain().run(d, tracker([bot("utter_ask_minderjarig"), user("wat bedoel je")], {"taal": "en"}), {})
    assert "younger than 18" in d.messages[0]["text"]
    d = CollectingDispatcher()
    ActionExplain().run(d, tracker([bot("utter_ask_lvb"), user("huh")], loop="route_form"), {})
    assert "beperking" in d.messages[0]["text"] and not d.messages[0]["buttons"]  # the form asks again
    d = CollectingDispatcher()
    ActionExplain().run(d, tracker([user("hoi")]), {})
    assert "112" in d.messages[0]["text"]


def test_explaining_an_answer_without_buttons_goes_on_to_who_can_help():
    d = CollectingDispatcher()
    events = ActionExplain().run(d, tracker([bot("utter_anoniem"), user("wat bedoel je?")]), {})
    assert "wie je kan helpen" in d.messages[0]["text"]
    assert events == [{"event": "followup", "name": "route_form", "timestamp": None}]
    # With buttons the offer stays, and nothing follows.
    d = CollectingDispatcher()
    assert ActionExplain().run(d, tracker([bot("utter_out_of_scope"), user("huh")]), {}) == []
    assert d.messages[0]["buttons"]
    assert (
        kind_of("sorry, I'm not sure what you mean")
        == kind_of("Ik begrijp de vraag niet, ik wil weten hoe")
        == "wat_bedoel_je"
    )
    assert kind_of("ik wil weten wat je bedoelt met de meldcode stap 3 en hoe dat werkt") is None


def test_questions_on_the_way_are_let_through_by_every_form_and_ruled_inside_it():
    import yaml

    from bot.context import QUESTIONS_ON_THE_WAY
    from bot.domain_files import ROOT

    domain = domain_dict()
    rules = yaml.safe_load((ROOT / "data" / "rules" / "vragen.yml").read_text(encoding="utf-8"))["rules"]
    ruled = set()
    for rule in rules:
        loop = next((c["active_loop"] for c in rule.get("condition", []) if "active_loop" in c), None)
        ruled.add((rule["steps"][0].get("intent"), loop))
    for intent in QUESTIONS_ON_THE_WAY:
        assert intent in domain["intents"] and f"utter_{intent}" in domain["responses"], intent
        assert (intent, None) in ruled, intent
        for form, spec in domain["forms"].items():
            if form == "melding_form":  # free-text answers: its validation answers a question
                assert intent not in spec["ignored_intents"] and (intent, form) not in ruled
                continue
            assert intent in spec["ignored_intents"], (form, intent)
            assert (intent, form) in ruled, (form, intent)


def test_is_there_danger_now_is_asked_once():
    asked = [{"event": "action", "name": "utter_danger_unclear"}, bot("utter_ask_zorg")]
    unsure = parsed(
        "danger_unclear", [{"name": "danger_unclear", "confidence": 1.0}, {"name": "worry_child_abuse", "confidence": 0.2}]
    )
    assert intent_of(read_reply(unsure, asked, "my mom hits me every week", in_form=True)) == "worry_child_abuse"
    assert (
        intent_of(read_reply(unsure, [bot("utter_ask_zorg")], "my mom hits me every week", in_form=True)) == "danger_unclear"
    )
    acute = parsed("acute_danger")
    assert intent_of(read_reply(acute, asked, "hij heeft een mes", in_form=True)) == "acute_danger"


def test_a_form_question_is_answered_with_the_best_answer_of_its_kind():
    ranking = [
        {"name": "advice_vs_melding", "confidence": 0.4},
        {"name": "worry_child_abuse", "confidence": 0.2},
        {"name": "role_victim", "confidence": 0.1},
    ]
    said = "my mom hitting me and yelling, it happens like every week"
    assert intent_of(read_reply(parsed("advice_vs_melding", ranking), [], said, True, "zorg")) == "worry_child_abuse"
    assert intent_of(read_reply(parsed("advice_vs_melding", ranking), [], said, True, "rol")) == "role_victim"
    assert intent_of(read_reply(parsed("advice_vs_melding", ranking), [], said, False, None)) == "advice_vs_melding"
    sure = parsed(
        "ask_police", [{"name": "ask_police", "confidence": 0.9}, {"name": "worry_child_abuse", "confidence": 0.05}]
    )
    sure["intent"]["confidence"] = 0.9
    assert intent_of(read_reply(sure, [], "moet ik naar de politie?", True, "zorg")) == "ask_police"


def test_an_unsure_first_message_that_says_the_worry_or_the_role_starts_the_route():
    unsure = parsed("stay_anonymous", entities=[{"entity": "rol", "value": "slachtoffer"}], confidence=0.35)
    assert intent_of(read_reply(unsure, [], "mn stiefvader slaat me soms")) == "role_victim"
    sure = parsed("meldcode_overview", entities=[{"entity": "rol", "value": "professional"}], confidence=0.9)
    assert intent_of(read_reply(sure, [], "ik ben leerkracht, wat is de meldcode?")) == "meldcode_overview"
    worry = parsed("nlu_fallback", entities=[{"entity": "zorg", "value": "ouderenmishandeling"}])
    assert intent_of(read_reply(worry, [], "financieel misbruik bij mijn oma")) == "worry_elder_abuse"


def test_a_yes_or_no_answer_to_a_yes_no_question_is_an_answer_not_a_question_on_the_way():
    ranking = [{"name": "ask_found_out", "confidence": 0.7}, {"name": "affirm", "confidence": 0.2}]
    said = "Ja, ik wil echt niet dat ze weten dat ik het was."
    sure = parsed("ask_found_out", ranking, confidence=0.7)
    assert intent_of(read_reply(sure, [], said, True, "anoniem")) == "affirm"
    # A real question still gets its answer, also when it starts with "nee".
    asked = "nee, maar komen ze erachter dat ik het was?"
    assert intent_of(read_reply(sure, [], asked, True, "anoniem")) == "ask_found_out"
    assert intent_of(read_reply(sure, [], said, True, "zorg")) == "ask_found_out"  # not a yes/no question
    # The first word wins over NLU's opposite reading.
    misread = parsed("deny", [{"name": "deny", "confidence": 0.62}, {"name": "affirm", "confidence": 0.3}])
    assert intent_of(read_reply(misread, [], "ja asjeblieft, anders wordt hij kwaad", True, "anoniem")) == "affirm"
    assert intent_of(read_reply(misread, [], "nee hoor, ze zit op de havo", True, "lvb")) == "deny"
    unsure = parsed("deny", entities=[{"entity": "minderjarig", "value": "nee"}])
    said = "Dat weet ik niet. Sommigen lijken 16, anderen ouder."
    answer = read_reply(unsure, [], said, True, "minderjarig")
    assert intent_of(answer) == "dont_know" and answer["entities"] == []
    stop = parsed("stop")
    assert intent_of(read_reply(stop, [], "weet niet, stop maar", True, "minderjarig")) == "stop"
    # The first word wins over a word-list reading of the rest ("met mijn naam erbij").
    named = parsed("affirm", entities=[{"entity": "anoniem", "value": "nee"}])
    said = "Ja, ik wil niet dat hij in de problemen komt met mijn naam erbij."
    answer = read_reply(named, [], said, True, "anoniem")
    assert intent_of(answer) == "affirm" and answer["entities"] == []
    other = parsed("ask_found_out", [{"name": "ask_found_out", "confidence": 0.5}])
    assert intent_of(read_reply(other, [], "Liefst wel, ik wil geen miserie met die mama.", True, "anoniem")) == "affirm"


def test_a_long_first_message_about_a_person_starts_the_route_with_its_topic():
    story = "een patiënte van 86 kwam vandaag met blauwe plekken en haar zoon beheert al haar geld, wat moet ik doen"
    ranking = [{"name": "stay_anonymous", "confidence": 0.6}, {"name": "worry_elder_abuse", "confidence": 0.3}]
    guess = parsed("stay_anonymous", ranking, entities=[{"entity": "rol", "value": "slachtoffer"}], confidence=0.6)
    assert intent_of(read_reply(guess, [], story)) == "worry_elder_abuse"
    # A topic word in the message wins over NLU's ranking.
    named = parsed("meldcode_step", ranking, entities=[{"entity": "zorg", "value": "kindermishandeling"}], confidence=0.7)
    assert intent_of(read_reply(named, [], story)) == "worry_child_abuse"
    # Short messages, sure questions on the way and tasks of their own keep NLU's answer.
    assert intent_of(read_reply(guess, [], "blauwe plekken bij een patiënte van 86")) == "stay_anonymous"
    sure = parsed("ask_police", ranking, entities=[{"entity": "rol", "value": "slachtoffer"}], confidence=0.9)
    assert intent_of(read_reply(sure, [], story)) == "ask_police"
    task = parsed("prepare_melding", ranking, entities=[{"entity": "rol", "value": "omstander"}], confidence=0.6)
    asks = story.replace("wat moet ik doen", "help me mijn melding bij Veilig Thuis voor te bereiden")
    assert intent_of(read_reply(task, [], asks)) == "prepare_melding"
    # prepare_melding on a story that does not ask for the melding ("mag ik daar iets mee?",
    # "should I report this?") is a guess: the route, also for a professional.
    assert intent_of(read_reply(task, [], story)) == "worry_elder_abuse"
    pro = parsed("prepare_melding", [], entities=[{"entity": "rol", "value": "professional"}], confidence=0.6)
    assert intent_of(read_reply(pro, [], story)) == "role_professional"
    # A victim does not prepare a professional's melding: the route, also from a task intent.
    victim = parsed("prepare_melding", ranking, entities=[{"entity": "rol", "value": "slachtoffer"}], confidence=0.6)
    assert intent_of(read_reply(victim, [], story)) == "worry_elder_abuse"
    # Without a person or a topic in it, a long message is not read as a situation.
    plain = parsed("stay_anonymous", ranking, confidence=0.6)
    assert intent_of(read_reply(plain, [], story)) == "stay_anonymous"


def test_a_profession_named_in_answer_to_who_are_you_is_a_professional():
    from bot.context import answer_to, names_a_profession

    assert names_a_profession("Wmo-consulent van de gemeente.")
    assert names_a_profession("pedagogisch medewerker bij de bso")
    assert not names_a_profession("ik ben haar moeder") and not names_a_profession("gewoon de buurvrouw")
    got = answer_to(
        parsed("nlu_fallback", [{"name": "role_parent", "confidence": 0.2}]), "rol", "Wmo-consulent van de gemeente."
    )
    assert intent_of(got) == "role_professional"
    # The word lists' role, when they found one, is left to the slot; other questions are not touched.
    mother = parsed("nlu_fallback", entities=[{"entity": "rol", "value": "ouder"}])
    assert intent_of(answer_to(mother, "rol", "ik ben haar moeder, ik werk als jeugdarts")) == "nlu_fallback"
    assert intent_of(answer_to(parsed("nlu_fallback"), "lvb", "jeugdarts")) != "role_professional"


def test_an_age_answers_the_question_about_minority():
    """ "ik ben 19" to "Is de persoon jonger dan 18?" was read as a yes (NLU's best yes/no guess)."""
    from bot.context import answer_to

    unsure = [{"name": "role_professional", "confidence": 0.69}, {"name": "affirm", "confidence": 0.2}]
    assert intent_of(answer_to(parsed("role_professional", unsure), "minderjarig", "ik ben 19")) == "deny"
    assert intent_of(answer_to(parsed("role_professional", unsure), "minderjarig", "hij is pas 15")) == "affirm"
    # a "no" first: a minor read from a child word alone goes, a minor's age stays
    kids = {"entity": "minderjarig", "value": "ja", "start": 16, "end": 20}
    text = "no, I'm 24. the kids are small but this is about me"
    got = answer_to(parsed("deny", entities=[kids]), "minderjarig", text)
    assert intent_of(got) == "deny" and not got["entities"]
    age = {"entity": "minderjarig", "value": "ja", "start": 5, "end": 14}
    got = answer_to(parsed("deny", entities=[age]), "minderjarig", "nee, ze is 15")
    assert got["entities"] == [age]


@pytest.mark.parametrize("text", ["idc if its anonymous i just want it to stop", "ik wil gewoon dat hij ophoudt"])
def test_wanting_the_harm_to_stop_does_not_stop_the_form(text):
    """ "i just want it to stop" in answer to the anonymity question ended the form."""
    from bot.context import read_reply

    ranking = [{"name": "stop", "confidence": 0.6}, {"name": "deny", "confidence": 0.2}]
    got = read_reply(parsed("stop", ranking, confidence=0.6), [], text, in_form=True, requested="anoniem")
    assert intent_of(got) != "stop"
    assert intent_of(read_reply(parsed("stop", ranking), [], "stop met vragen", in_form=True)) == "stop"


def test_an_answer_the_word_lists_read_is_an_answer_not_a_question_on_the_way():
    """ "Mijn naam mag u weten, ik heb niets te verbergen" got the privacy text and the question again."""
    from bot.context import answer_to

    named = parsed("ask_privacy", [{"name": "ask_privacy", "confidence": 0.8}], [{"entity": "anoniem", "value": "nee"}], 0.8)
    assert intent_of(answer_to(named, "anoniem", "Mijn naam mag u weten, ik heb niets te verbergen.")) == "deny"
    # with a question in it, the question is answered (and the form asks again)
    asks = "no, it's fine if they know it's me. will she be told though?"
    assert intent_of(answer_to(named, "anoniem", asks)) == "ask_privacy"


def test_the_number_said_first_answers_the_age_question():
    """ "16. die gast is al volwassen, 23 ofzo" was read as an adult (the word "volwassen")."""
    from bot.context import answer_to

    adult = [{"entity": "minderjarig", "value": "nee", "start": 19, "end": 28}]
    got = answer_to(parsed("deny", entities=adult), "minderjarig", "16. die gast is al volwassen, 23 ofzo")
    assert intent_of(got) == "affirm"
    assert [e["value"] for e in got["entities"] if e["entity"] == "minderjarig"] == ["ja"]
    assert intent_of(answer_to(parsed("affirm"), "minderjarig", "41")) == "deny"
    # a time is no age: "2 jaar geleden begon het, ze is nu 25"
    assert intent_of(answer_to(parsed("affirm"), "minderjarig", "2 jaar geleden begon het, ze is nu 25")) == "deny"
    assert (
        intent_of(answer_to(parsed("affirm"), "minderjarig", "2 kinderen heb ik, maar het gaat om mijn zus van 30"))
        == "deny"
    )
    # days, weeks, months said first are no age either (review of 2026-12-04)
    assert intent_of(answer_to(parsed("deny"), "minderjarig", "20 dagen geleden liep ze weg, ze is 15")) == "affirm"
    assert intent_of(answer_to(parsed("affirm"), "minderjarig", "3 weken terug hoorde ik het, hij is 40")) == "deny"
    assert intent_of(answer_to(parsed("affirm"), "minderjarig", "5 maanden zwanger, ze is 24")) == "deny"
    # "i have 24" (as one says it in Spanish or French) is an age said first
    assert intent_of(answer_to(parsed("affirm"), "minderjarig", "i have 24")) == "deny"
    assert intent_of(answer_to(parsed("affirm"), "minderjarig", "i have 3 children, she is 30")) == "deny"


@pytest.mark.parametrize(
    "text", ["collega, we staan samen op de inpakafdeling", "I'm her flatmate", "de buurvrouw van boven"]
)
def test_a_bystander_word_answers_who_are_you(text):
    """ "collega, we staan samen op de inpakafdeling" got "Sorry, dat begreep ik niet"."""
    from bot.context import answer_to

    assert (
        intent_of(answer_to(parsed("nlu_fallback", [{"name": "greet", "confidence": 0.2}]), "rol", text)) == "role_bystander"
    )


def test_a_parent_or_a_story_is_no_bystander_answer():
    from bot.context import names_a_bystander

    assert not names_a_bystander("mijn zoon is 14")
    assert not names_a_bystander(
        "de collega van mijn man heeft gezien dat hij haar slaat en nu weet ik niet wat ik moet doen met alles"
    )


def test_an_answer_not_understood_in_a_form_says_so_and_explains_the_question():
    """Inside the routing form an answer NLU could not place got the bare "Sorry, dat begreep ik niet"."""
    d = CollectingDispatcher()
    t = Tracker(
        "t",
        {},
        {"text": "zo zit dat", "intent": {"name": "nlu_fallback"}},
        [bot("utter_ask_rol"), user("zo zit dat")],
        False,
        None,
        {"name": "route_form"},
        None,
    )
    ActionExplain().run(d, t, {})
    assert d.messages[0]["text"].startswith("Ik weet niet zeker of ik je goed begrijp.")
    assert "wie jij bent" in d.messages[0]["text"] and not d.messages[0]["buttons"]  # the form asks again
