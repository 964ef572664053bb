"""Bad input over REST: every request gets a 200 with a reply or a 4xx, never a 5xx or a dropped
connection, and the server is healthy afterwards. Plus arbitrary text from hypothesis."""

import json
import uuid

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import fuzz_settings


TIMEOUT = 60
LONG_LIMIT = 2000  # bot/components/length_guard.py DEFAULT_MAX_CHARS


def post_raw(stack, body: bytes, content_type="application/json"):
    return requests.post(
        f"{stack.url}/webhooks/rest/webhook", data=body, headers={"Content-Type": content_type}, timeout=TIMEOUT
    )


def post(stack, payload):
    return post_raw(stack, json.dumps(payload).encode("utf-8"))


def sender():
    return f"bad-{uuid.uuid4().hex[:8]}"


def check_answer(r):
    """200 with a list of bot messages, or 4xx with a message; never 5xx."""
    assert r.status_code < 500, f"{r.status_code}: {r.text[:300]}"
    if r.status_code == 200:
        replies = r.json()
        assert isinstance(replies, list)
        for m in replies:
            assert isinstance(m, dict) and ("text" in m or "buttons" in m or "image" in m), m
        return replies
    assert 400 <= r.status_code < 500, r.status_code
    assert r.text.strip(), "a 4xx says what is wrong"
    return None


def assert_healthy(stack):
    assert requests.get(f"{stack.url}/", timeout=10).status_code == 200
    r = post(stack, {"sender": sender(), "message": "hallo"})
    assert r.status_code == 200
    assert "computerprogramma" in r.json()[0]["text"]


TEXTS = {
    "empty": "",
    "whitespace": " \t\n  \r\n ",
    "100k": "a" * 100_000,
    "100k words": "hallo ik wil iets vragen " * 4000,
    "control": "\x01\x02\x03\x07\x08\x1b[31mrood\x1b[0m\x7f",
    "nul": "hallo\x00wereld\x00",
    "html": "<b>vet</b><img src=x onerror=alert(1)><a href='javascript:alert(1)'>klik</a>",
    "script": "<script>alert('xss')</script>",
    "sql": "'; DROP TABLE events; --",
    "template": "{{7*7}} ${jndi:ldap://x/a} %s %n {0}",
    "emoji": "😀🙈💔🔪🚨 👨‍👩‍👧‍👦 🏳️‍🌈",
    "rtl arabic": "أنا خائف من زوجي، هل يمكنك مساعدتي؟",
    "rtl hebrew": "אני צריכה עזרה",
    "rtl override": "\u202eabc\u202c \u200f\u200e\u200b\ufeff",
    "english": "My husband hits me, what should I do?",
    "polish": "Mój pracodawca zabrał mi paszport",
    "turkish": "Kocam bana vuruyor, ne yapmalıyım?",
    "chinese": "我需要帮助",
    "combining": (
        "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349"
        "\u035a\u032f\u031e\u0320\u034dA\u036b\u0357\u0334\u0362\u0335\u031c\u0330\u0354L"
    ),
    "slash command": "/",
    "fake intent": '/acute_danger{"x": 1}',
    "fake unknown intent": "/bestaat_niet",
    "fake restart": "/restart",
    "lone surrogate escaped": None,  # sent as raw JSON below
}


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_text_corpus(bot_stack, name):
    if TEXTS[name] is None:
        r = post_raw(bot_stack, b'{"sender": "s-%s", "message": "a\\ud800b"}' % uuid.uuid4().hex[:6].encode())
    else:
        r = post(bot_stack, {"sender": sender(), "message": TEXTS[name]})
    check_answer(r)


@pytest.mark.parametrize(
    "name, body",
    [
        ("invalid utf-8", b'{"sender": "x", "message": "\xff\xfe\xc3\x28"}'),
        ("not json", b"hallo"),
        ("truncated json", b'{"sender": "x", "message": "hal'),
        ("empty body", b""),
        ("message 5", b'{"sender": "x5", "message": 5}'),
        ("message null", b'{"sender": "xnull", "message": null}'),
        ("message list", b'{"sender": "xlist", "message": ["hallo"]}'),
        ("message object", b'{"sender": "xobj", "message": {"text": "hallo"}}'),
        ("sender number", b'{"sender": 12, "message": "hallo"}'),
        ("sender object", b'{"sender": {"a": 1}, "message": "hallo"}'),
        ("no sender", b'{"message": "hallo"}'),
        ("list body", b'["hallo"]'),
        ("string body", b'"hallo"'),
        ("number body", b"42"),
        ("null body", b"null"),
        ("deep nesting", b'{"sender": "deep", "message": "hi", "metadata": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
    ],
)
def test_wrong_bodies(bot_stack, name, body):
    r = post_raw(bot_stack, body)
    check_answer(r)
    if name.endswith(" body") or name.startswith("message "):
        assert r.status_code == 400 and "JSON" in r.text, (r.status_code, r.text[:200])


def test_form_encoded_body(bot_stack):
    check_answer(post_raw(bot_stack, b"sender=x&message=hallo", "application/x-www-form-urlencoded"))


def test_long_message_asks_to_make_it_shorter(bot_stack):
    replies = check_answer(post(bot_stack, {"sender": sender(), "message": "ik maak me zorgen. " * 200}))
    text = "\n".join(m.get("text", "") for m in replies)
    assert "korter" in text, text
    assert "112" in text, "the answer still names 112"


def test_long_crisis_message_still_gets_112_first(bot_stack):
    long = "ik wil iets vertellen over thuis. " * 80 + "nu staat hij met een mes in de keuken. " + "en verder. " * 20
    assert len(long) > LONG_LIMIT
    replies = check_answer(post(bot_stack, {"sender": sender(), "message": long}))
    assert "112" in replies[0]["text"].splitlines()[0]


def test_healthy_after_the_corpus(bot_stack):
    assert_healthy(bot_stack)


@fuzz_settings(60)
@given(text=st.text(max_size=400))
def test_arbitrary_text(bot_stack, text):
    r = post(bot_stack, {"sender": "hypothesis", "message": text})
    replies = check_answer(r)
    if r.status_code == 200 and text.strip():
        assert replies, f"no reply to {text!r}"


def test_healthy_after_arbitrary_text(bot_stack):
    assert_healthy(bot_stack)
