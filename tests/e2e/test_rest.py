"""End to end: the trained bot and the action server, running, over the REST channel."""

import uuid

import pytest
import requests

from tests.helpers import rest_say, texts


@pytest.fixture
def sender():
    return f"e2e-{uuid.uuid4().hex[:8]}"


def test_greeting_says_it_is_a_program_and_asks_if_safe(bot_stack, sender):
    replies = rest_say(bot_stack.url, "hallo", sender)
    assert "computerprogramma" in replies[0]["text"] and "veilig" in replies[0]["text"]
    assert [b["payload"] for b in replies[0]["buttons"]] == ["/affirm", "/deny"]
    replies = rest_say(bot_stack.url, "/affirm", sender)
    assert len(replies[0]["buttons"]) == 4


def test_one_message_needs_only_the_anonymity_question(bot_stack, sender):
    # Role, topic and age are all in the message: the form asks only whether to stay anonymous
    # (everyone is asked, domain brief), then gives the route.
    first = rest_say(bot_stack.url, "ik ben leerkracht, een leerling van 15 wordt volgens mij uitgebuit", sender)
    assert len(first) == 1 and "anoniem blijven" in first[0]["text"], texts(first)
    assert "jonger dan 18" not in first[0]["text"] and "Wie ben jij" not in first[0]["text"]
    replies = rest_say(bot_stack.url, "nee", sender)
    text = "\n".join(texts(replies))
    assert "Veilig Thuis" in text and "0800-2000" in text
    assert "wegwijzermensenhandel.nl/zorgcoördinatoren" in text


def test_crisis_halfway_through_the_form_comes_first_and_the_form_goes_on(bot_stack, sender):
    first = rest_say(bot_stack.url, "ik maak me zorgen om mijn buurvrouw, ze moet drugs rondbrengen", sender)
    assert "jonger dan 18" in first[-1]["text"]
    crisis = rest_say(bot_stack.url, "er staat nu iemand met een honkbalknuppel voor ons huis te dreigen", sender)
    assert "112" in crisis[0]["text"].splitlines()[0]
    assert "jonger dan 18" in crisis[-1]["text"], "the form asks its question again"
    more = rest_say(bot_stack.url, "/affirm", sender)
    assert "verstandelijke beperking" in more[-1]["text"]


def test_bot_challenge_and_privacy(bot_stack, sender):
    assert "computerprogramma" in rest_say(bot_stack.url, "ben jij een robot?", sender)[0]["text"]
    privacy = rest_say(bot_stack.url, "wat gebeurt er met wat ik hier typ?", sender)[0]["text"]
    assert "30 minuten" in privacy


def test_organisation_question_uses_the_data_file(bot_stack, sender):
    text = "\n".join(texts(rest_say(bot_stack.url, "wat doet Koraal?", sender)))
    assert "088-5057410" in text


@pytest.mark.parametrize(
    "text", ["", "   ", "<script>alert(1)</script>", "x" * 5000, "What is the weather in London?", "\u202eabc\u202c"]
)
def test_odd_input_gets_an_answer(bot_stack, sender, text):
    r = requests.post(f"{bot_stack.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
    assert r.status_code == 200
