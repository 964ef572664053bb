"""An English conversation from greeting to route, per persona, over REST (issue 14): the bot
answers in English and names the same organisations as the Dutch route for the same answers.
The widget's English conversation is in tests/e2e/test_widget_language.py."""

import uuid

import pytest

from actions.routing import route
from tests.corpus.simulate import asked, named, question_texts
from tests.helpers import rest_say, texts

PERSONAS = {
    "professional": (
        "hello, I am a teacher and I think a girl in my class (15) is sexually exploited by a loverboy",
        {
            "zorg": "/exploitation_sexual",
            "rol": "/role_professional",
            "minderjarig": "/affirm",
            "lvb": "/deny",
            "anoniem": "/deny",
            "veilig": "/affirm",
        },
        ("seksuele_uitbuiting", "professional", "ja", "nee", None),
    ),
    "parent": (
        "hi, my son is 16 and I think older boys make him sell drugs for them",
        {
            "zorg": "/exploitation_criminal",
            "rol": "/role_parent",
            "minderjarig": "/affirm",
            "lvb": "/deny",
            "anoniem": "/deny",
            "veilig": "/affirm",
        },
        ("criminele_uitbuiting", "ouder", "ja", "nee", None),
    ),
    "bystander": (
        "hello, I hear my neighbour shouting at his wife every night and she has bruises",
        {
            "zorg": "/worry_domestic_violence",
            "rol": "/role_bystander",
            "anoniem": "/affirm",
            "veilig": "/affirm",
            "minderjarig": "/deny",
            "lvb": "/deny",
        },
        ("huiselijk_geweld", "omstander", None, None, "ja"),
    ),
    "victim": (
        "hi, my boss took my passport and I work every day without pay, can you help me",
        {
            "zorg": "/exploitation_labour",
            "rol": "/role_victim",
            "minderjarig": "/deny",
            "lvb": "/deny",
            "anoniem": "/deny",
            "veilig": "/affirm",
        },
        ("arbeidsuitbuiting", "slachtoffer", "nee", "nee", None),
    ),
}


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_an_english_conversation_gets_the_same_route_as_the_dutch_one(bot_stack, persona):
    opening, answers, facts = PERSONAS[persona]
    sender, questions = f"english-{uuid.uuid4().hex[:8]}", question_texts()
    replies = rest_say(bot_stack.url, opening, sender)
    said, retold = list(texts(replies)), False
    for _ in range(10):
        if any("you decide what you do" in t for t in texts(replies)):
            break
        slot = asked(replies, questions)
        no_danger = [b["payload"] for m in replies for b in m.get("buttons") or [] if b["payload"] == "/deny"]
        if slot in (None, "gevaar") and no_danger:  # "Is there danger now?": not now
            replies = rest_say(bot_stack.url, no_danger[0], sender)
            said += texts(replies)
            continue
        if slot is None and not retold:  # "tell me what is going on": the person says it again
            retold = True
            replies = rest_say(bot_stack.url, opening, sender)
            said += texts(replies)
            continue
        assert slot, f"no known question and no route: {texts(replies)}"
        replies = rest_say(bot_stack.url, answers[slot], sender)
        said += texts(replies)
    route_text = "\n".join(texts(replies))
    assert "Contact first:" in route_text, said
    dutch = route(*facts)
    assert named(route_text) == [k for k, _ in dutch.main] + [k for k, _ in dutch.also], route_text
    for dutch_word in ("Wie kan je", "Neem eerst contact", " je ", "Bel "):
        assert dutch_word not in "\n".join(said), (dutch_word, said)
