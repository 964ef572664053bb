import asyncio
import os
import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
ARTIFACTS = ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def bot_stack():
    """The trained bot and the action server, really running, on free ports."""
    from bot.launcher import start_stack, stop_stack

    web_port = free_port() if (ROOT / "bot" / "web" / "server.py").exists() else None
    stack = start_stack(free_port(), free_port(), log_dir=ARTIFACTS / "logs", web_port=web_port)
    yield stack
    stop_stack(stack)


@pytest.fixture(scope="session")
def nlu_agent():
    """The trained model loaded in-process, for NLU checks."""
    from rasa.core.agent import Agent

    loop = asyncio.new_event_loop()
    agent = Agent.load(str(ROOT / "models" / "bot.tar.gz"))

    def parse(text):
        return loop.run_until_complete(agent.parse_message(text))

    yield parse
    loop.close()
