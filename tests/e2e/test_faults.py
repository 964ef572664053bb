"""Faults: with the action server down the bot still shows 112 and Veilig Thuis, and never hangs.

Uses the session's bot_stack: the action server is killed for this module and started again on
the same port afterwards, so later tests have it back.
"""
import os
import signal
import time
import uuid

import pytest
import requests

BOUND = 30.0  # seconds; every request must come back well within this
CRISIS = [
    "er staat nu iemand met een mes voor de deur",
    "ik kan niet weg, de deur zit op slot",
    "mijn vader heeft een pistool in de la en is dronken",
]


@pytest.fixture(scope="module")
def no_actions(bot_stack):
    from bot.launcher import _wait_http, start_actions
    proc = bot_stack.actions
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)
    try:
        requests.get(f"http://127.0.0.1:{bot_stack.action_port}/health", timeout=2)
        pytest.fail("the action server still answers")
    except requests.ConnectionError:
        pass
    yield bot_stack
    # Bring the action server back for the tests after this module.
    log = open(bot_stack.workdir / "actions.log", "a")
    bot_stack.actions = start_actions(bot_stack.action_port, bot_stack.workdir, log)
    _wait_http(f"http://127.0.0.1:{bot_stack.action_port}/health", 120, bot_stack.actions,
               "action server")


def timed_say(stack, text, sender):
    start = time.monotonic()
    r = requests.post(f"{stack.url}/webhooks/rest/webhook",
                      json={"sender": sender, "message": text}, timeout=BOUND + 30)
    took = time.monotonic() - start
    assert r.status_code == 200, r.text
    assert took < BOUND, f"{took:.1f} s for {text!r}"
    return [m.get("text", "") for m in r.json()], took


@pytest.mark.parametrize("text", CRISIS)
def test_crisis_answer_without_action_server(no_actions, text):
    replies, _ = timed_say(no_actions, text, f"fault-{uuid.uuid4().hex[:8]}")
    assert replies, "an answer"
    assert "112" in replies[0].splitlines()[0]
    assert "0800-2000" in "\n".join(replies)


def test_form_without_action_server_does_not_hang_and_crisis_still_works(no_actions):
    """What the user sees when a form needs the action server (printed with -s).

    Seen on 2026-11-23: the worry that starts the form and "wat doet Koraal?" get an empty
    reply (Rasa logs "Couldn't connect to the server"), a crisis message still gets 112.
    """
    sender = f"fault-{uuid.uuid4().hex[:8]}"
    seen = []
    for text in ["hallo", "/affirm",
                 "ik maak me zorgen om mijn buurmeisje, ze moet drugs rondbrengen",
                 "ja", "er staat nu iemand met een mes voor de deur",
                 "wat doet Koraal?"]:
        replies, took = timed_say(no_actions, text, sender)
        seen.append((text, took, replies))
        print(f"\n> {text}  ({took:.2f} s)\n" + "\n".join(f"  {r}" for r in replies))
    crisis = seen[4][2]
    assert crisis and "112" in crisis[0].splitlines()[0], crisis
    # The Rasa server is still healthy.
    assert requests.get(f"{no_actions.url}/", timeout=10).status_code == 200
