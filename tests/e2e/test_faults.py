"""Faults: with the action server down or hanging the bot still shows 112 and Veilig Thuis,
tells the user when a part does not work, and never hangs.

Uses the session's bot_stack: the action server is killed for this module and started again on
the same port afterwards (through the launcher's restart helper), so later tests have it back.
"""

import os
import signal
import socket
import threading
import time
import uuid

import pytest
import requests

from bot.channels.guard import ACTION_FAILURE_TEXT
from tests.helpers import rest_say

BOUND = 30.0  # seconds; every request must come back well within this
CRISIS = [
    "er staat nu iemand met een mes voor de deur",
    "ik kan niet weg, de deur zit op slot",
    "mijn vader heeft een pistool in de la en is dronken",
]


@pytest.fixture(scope="module")
def no_actions(bot_stack):
    from bot.launcher import _wait_http

    proc = bot_stack.actions
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)
    try:
        requests.get(f"http://127.0.0.1:{bot_stack.action_port}/health", timeout=2)
        pytest.fail("the action server still answers")
    except requests.ConnectionError:
        pass
    yield bot_stack
    # Bring the action server back for the tests after this module, as `make run` does.
    from bot.launcher import KeepRunning, start_actions_logged

    old = bot_stack.actions
    keeper = KeepRunning(
        "action server",
        lambda: start_actions_logged(bot_stack.action_port, bot_stack.workdir, bot_stack.workdir / "actions.log"),
    )
    bot_stack.actions, said = keeper.check(old)
    assert said and bot_stack.actions is not old
    _wait_http(f"http://127.0.0.1:{bot_stack.action_port}/health", 120, bot_stack.actions, "action server")


class HangingServer:
    """Accepts connections on a port and never answers: an action server that hangs."""

    def __init__(self, port: int):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(64)
        self.conns, self.stopped = [], False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped:
            try:
                self.conns.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self):
        self.stopped = True
        for c in self.conns:
            c.close()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        except OSError:
            pass
        self.sock.close()


@pytest.fixture(scope="module")
def hanging_actions(no_actions):
    server = HangingServer(no_actions.action_port)
    yield no_actions
    server.close()


def timed_say(stack, text, sender):
    start = time.monotonic()
    replies = rest_say(stack.url, text, sender, timeout=BOUND + 30)
    took = time.monotonic() - start
    assert took < BOUND, f"{took:.1f} s for {text!r}"
    return [m.get("text", "") for m in replies], took


@pytest.mark.parametrize("text", CRISIS)
def test_crisis_answer_without_action_server(no_actions, text):
    replies, _ = timed_say(no_actions, text, f"fault-{uuid.uuid4().hex[:8]}")
    assert replies, "an answer"
    assert "112" in replies[0].splitlines()[0]
    assert "0800-2000" in "\n".join(replies)


def test_form_without_action_server_does_not_hang_and_crisis_still_works(no_actions):
    """The user is told when a part does not work (printed with -s); crisis still gets 112."""
    sender = f"fault-{uuid.uuid4().hex[:8]}"
    seen = []
    for text in [
        "hallo",
        "/affirm",
        "ik maak me zorgen om mijn buurmeisje, ze moet drugs rondbrengen",
        "ja",
        "er staat nu iemand met een mes voor de deur",
        "wat doet Koraal?",
    ]:
        replies, took = timed_say(no_actions, text, sender)
        seen.append((text, took, replies))
        print(f"\n> {text}  ({took:.2f} s)\n" + "\n".join(f"  {r}" for r in replies))
    crisis = seen[4][2]
    assert crisis and "112" in crisis[0].splitlines()[0], crisis
    # The turns that need a custom action say so, with 112 and Veilig Thuis, once per turn.
    for text, _, replies in (seen[2], seen[5]):
        told = [r for r in replies if r == ACTION_FAILURE_TEXT]
        assert len(told) == 1, (text, replies)
    # The Rasa server is still healthy.
    assert requests.get(f"{no_actions.url}/", timeout=10).status_code == 200


def test_hanging_action_server_times_out_and_the_user_is_told(hanging_actions):
    """An action server that accepts and never answers: the turn ends after ACTION_TIMEOUT (10 s)
    with the failure text, not after Rasa's 300 s; a crisis message is answered at once."""
    sender = f"hang-{uuid.uuid4().hex[:8]}"
    replies, took = timed_say(hanging_actions, "wat doet Koraal?", sender)
    print(f"\n'wat doet Koraal?' with a hanging action server: {took:.1f} s")
    assert ACTION_FAILURE_TEXT in replies, replies
    assert 9 < took < BOUND, f"{took:.1f} s: the 10 s action timeout was not used"
    replies, took = timed_say(hanging_actions, "er staat nu iemand met een mes voor de deur", sender)
    assert "112" in replies[0].splitlines()[0] and took < 5, (took, replies)
