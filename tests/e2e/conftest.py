"""Fixtures of the end-to-end tests: the bot with team chat channels (tests/e2e/test_channel_*.py).

`chat_stack` is shared by the channel test files, so the bot is started once; it is started
when the first channel test runs and stops at the end of the test run.
"""

import pytest

from tests.conftest import free_port
from tests.e2e.channel_helpers import (
    LOG_DIR,
    MM_BOT_TOKEN,
    MM_WEBHOOK_TOKEN,
    SIGNING_SECRET,
    SLACK_TOKEN,
    StandIn,
    mattermost_answer,
    slack_answer,
)


@pytest.fixture(scope="session")
def slack_api():
    server = StandIn(slack_answer)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mattermost_api():
    server = StandIn(mattermost_answer)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chat_stack(slack_api, mattermost_api):
    from bot.launcher import start_stack, stop_stack

    env = {
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": f"http://127.0.0.1:{slack_api.port}/api/",
        "MATTERMOST_URL": f"http://127.0.0.1:{mattermost_api.port}",
        "MATTERMOST_BOT_TOKEN": MM_BOT_TOKEN,
        "MATTERMOST_WEBHOOK_TOKEN": MM_WEBHOOK_TOKEN,
        # Teams stays out even if the developer's shell or .env has its settings.
        "MICROSOFT_APP_ID": "",
        "MICROSOFT_APP_PASSWORD": "",
    }
    stack = start_stack(free_port(), free_port(), log_dir=LOG_DIR, env=env)
    yield stack
    stop_stack(stack)
