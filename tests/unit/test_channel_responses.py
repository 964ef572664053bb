"""Responses that speak of the browser or the chat window have their own text in team chat,
where the chat program keeps the conversation (domain.yml, `channel:` variants).

Every team chat connector of credentials.yml is checked: a new one needs these variants too,
under the name of its output channel."""

import asyncio

import pytest
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.trackers import DialogueStateTracker

from bot import domain_files
from bot.channels.config import team_chats

DOMAIN = domain_files.load()
NLG = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
TEAM_CHAT = [cls.output_class.name() for cls in team_chats().values()]  # the output names
WEB = ["socketio", "rest", "cmdline"]
TRACKER = DialogueStateTracker("t", DOMAIN.slots)


def text(response, channel):
    return asyncio.run(NLG.generate(response, TRACKER, channel))["text"]


def web_only_responses():
    """Responses whose default text speaks of the browser or the window."""
    out = []
    for name, variants in DOMAIN.responses.items():
        default = [v for v in variants if not v.get("channel")]
        if any(w in (v.get("text") or "").lower() for v in default for w in ("browser", "venster")):
            out.append(name)
    return sorted(out)


def test_there_are_such_responses():
    assert set(web_only_responses()) >= {"utter_niet_veilig", "utter_privacy"}


@pytest.mark.parametrize("channel", TEAM_CHAT)
@pytest.mark.parametrize("response", web_only_responses())
def test_team_chat_gets_its_own_text(response, channel):
    said = text(response, channel).lower()
    assert "browser" not in said and "venster" not in said, said
    assert "chatprogramma bewaart" in said, said
    assert "112" in said or response == "utter_privacy"


@pytest.mark.parametrize("channel", WEB)
def test_the_web_keeps_the_browser_text(channel):
    assert "browser" in text("utter_privacy", channel)
    assert "venster" in text("utter_niet_veilig", channel)


def test_the_team_chat_output_channels_have_these_names():
    from bot.channels.mattermost import TeamMattermostBot
    from bot.channels.slack import TeamSlackBot
    from bot.channels.teams import TeamsBot

    assert [c.name() for c in (TeamSlackBot, TeamMattermostBot, TeamsBot)] == TEAM_CHAT[:3]
