"""bot/launcher.py: the parts that need no Rasa server (the end-to-end tests use the rest)."""
import subprocess
import sys
from pathlib import Path

import pytest

from bot.launcher import restart_if_stopped


def sleeper(seconds: float = 30) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({seconds})"])


def test_a_running_process_is_left_alone():
    proc = sleeper()
    try:
        started = []
        same, said = restart_if_stopped(proc, lambda: started.append(1) or sleeper(), [], "x")
        assert same is proc and said is None and started == []
    finally:
        proc.kill()


def test_a_stopped_process_is_started_again():
    dead = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    dead.wait(10)
    restarts = []
    new, said = restart_if_stopped(dead, sleeper, restarts, "action server")
    try:
        assert new is not dead and new.poll() is None
        assert said == "the action server stopped (exit 3); started it again"
        assert len(restarts) == 1
    finally:
        new.kill()


def test_a_process_that_keeps_dying_is_given_up():
    def crash():
        p = subprocess.Popen([sys.executable, "-c", "raise SystemExit(1)"])
        p.wait(10)
        return p
    proc, restarts = crash(), []
    for _ in range(3):
        proc, said = restart_if_stopped(proc, crash, restarts, "action server", limit=3)
        assert said
    with pytest.raises(RuntimeError, match="stopped 3 times"):
        restart_if_stopped(proc, crash, restarts, "action server", limit=3)


def test_channels_are_printed_by_their_short_names():
    from bot.channels.config import credentials
    from bot.launcher import channel_name
    _, enabled = credentials({}, dotenv=Path("/nonexistent/.env"))
    assert [channel_name(k) for k in enabled] == ["rest", "socketio"]
    assert channel_name("bot.channels.teams.TeamsInput") == "botframework"
    assert channel_name("no.such.Module") == "no.such.Module"
