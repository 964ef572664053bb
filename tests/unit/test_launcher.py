"""bot/launcher.py: the parts that need no Rasa server (the end-to-end tests use the rest)."""

import subprocess
import sys
import time
from pathlib import Path

from bot.launcher import KeepRunning


def sleeper(seconds: float = 30) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({seconds})"])


def crashed(code: int = 1) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", f"raise SystemExit({code})"])
    p.wait(10)
    return p


def test_a_running_process_is_left_alone():
    proc = sleeper()
    try:
        started = []
        keeper = KeepRunning("x", lambda: started.append(1) or sleeper())
        same, said = keeper.check(proc)
        assert same is proc and said is None and started == []
    finally:
        proc.kill()


def test_a_stopped_process_is_started_again():
    keeper = KeepRunning("action server", sleeper)
    new, said = keeper.check(crashed(3))
    try:
        assert new.poll() is None
        assert said == "the action server stopped (exit 3); started it again"
    finally:
        new.kill()


def test_a_process_that_keeps_dying_waits_and_is_tried_again_later():
    keeper = KeepRunning("action server", crashed, limit=3, window=1.0)
    proc = crashed()
    for _ in range(3):
        proc, said = keeper.check(proc)
        assert said and "started it again" in said
    waiting, said = keeper.check(proc)
    assert waiting is proc and "stopped 3 times within 1 s" in said
    assert keeper.check(proc) == (proc, None), "says it once, does not start it meanwhile"
    time.sleep(1.1)
    again, said = keeper.check(proc)
    assert again is not proc and "started it again" in said


def test_channels_are_printed_by_their_short_names():
    from bot.channels.config import credentials
    from bot.launcher import channel_name

    _, enabled = credentials({}, dotenv=Path("/nonexistent/.env"))
    assert [channel_name(k) for k in enabled] == ["rest", "socketio"]
    assert channel_name("bot.channels.teams.TeamsInput") == "botframework"
    assert channel_name("no.such.Module") == "no.such.Module"
