"""Team chat channels without a running bot: which channels run, and how answers look."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
import yaml

from bot.channels import config
from bot.channels.formatting import MATTERMOST, SLACK, TEAMS, OptionMemory, numbered_options, render, to_markdown
from bot.channels.team_base import TeamChatOutput

ROOT = Path(__file__).resolve().parents[2]
REST = "bot.channels.rest_safe.SafeRestInput"  # the hardened REST channel
SOCKETIO = "bot.channels.socketio_safe.SafeSocketIOInput"  # the hardened socket.io channel
SLACK_CLS = "bot.channels.slack.ThreadedSlackInput"
MM_CLS = "bot.channels.mattermost.TokenCheckedMattermostInput"
TEAMS_CLS = "bot.channels.teams.TeamsInput"
SLACK_ENV = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3cret"}
MM_ENV = {"MATTERMOST_URL": "https://chat.example.org", "MATTERMOST_BOT_TOKEN": "t0ken", "MATTERMOST_WEBHOOK_TOKEN": "h00k"}
TEAMS_ENV = {"MICROSOFT_APP_ID": "app-id", "MICROSOFT_APP_PASSWORD": "app-pw"}
BUTTONS = [{"title": "Ja, het is veilig", "payload": "/affirm"}, {"title": "Nee, niet veilig", "payload": "/deny"}]


@pytest.fixture
def no_dotenv(tmp_path):
    return tmp_path / "missing.env"


def enabled(env, dotenv):
    return config.credentials(env, dotenv=dotenv)[1]


# -- which channels run ---------------------------------------------------------------------


def test_without_settings_only_rest_and_socketio(no_dotenv):
    assert enabled({}, no_dotenv) == [REST, SOCKETIO]


def test_rest_and_socketio_are_kept_as_they_are(no_dotenv):
    creds, _ = config.credentials({**SLACK_ENV, **MM_ENV}, dotenv=no_dotenv)
    original = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert creds[REST] == original[REST] and creds[SOCKETIO] == original[SOCKETIO]


def test_slack_and_mattermost_in_when_set_teams_out_without_its_settings(no_dotenv):
    names = enabled({**SLACK_ENV, **MM_ENV}, no_dotenv)
    assert SLACK_CLS in names and MM_CLS in names
    assert TEAMS_CLS not in names


def test_each_platform_needs_all_its_required_settings(no_dotenv):
    assert SLACK_CLS not in enabled({"SLACK_BOT_TOKEN": "xoxb-1"}, no_dotenv)
    assert MM_CLS not in enabled({**MM_ENV, "MATTERMOST_WEBHOOK_TOKEN": ""}, no_dotenv)
    assert TEAMS_CLS not in enabled({"MICROSOFT_APP_ID": "x"}, no_dotenv)
    assert TEAMS_CLS in enabled(TEAMS_ENV, no_dotenv)


def test_optional_settings_do_not_block_and_get_their_default(no_dotenv):
    creds, names = config.credentials(SLACK_ENV, dotenv=no_dotenv)
    assert SLACK_CLS in names
    assert creds[SLACK_CLS]["slack_api_url"] == "https://slack.com/api/"
    assert creds[SLACK_CLS]["slack_token"] == "${SLACK_BOT_TOKEN}", "secrets stay placeholders"
    creds, _ = config.credentials({**SLACK_ENV, "SLACK_API_URL": "http://127.0.0.1:9/api/"}, dotenv=no_dotenv)
    assert creds[SLACK_CLS]["slack_api_url"] == "${SLACK_API_URL}"
    creds, _ = config.credentials(TEAMS_ENV, dotenv=no_dotenv)
    assert creds[TEAMS_CLS]["tenant_id"] == "botframework.com"
    # An optional setting alone enables nothing.
    assert enabled({"SLACK_API_URL": "http://x/"}, no_dotenv) == [REST, SOCKETIO]


def test_settings_from_a_dotenv_file(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("# team chat\n" + "\n".join(f'{k}="{v}"' for k, v in MM_ENV.items()))
    assert MM_CLS in enabled({}, dotenv)


def test_the_filtered_file_gives_working_connectors(tmp_path, monkeypatch):
    """What Rasa makes of the launcher's file: ${VAR}s filled in, connectors built offline."""
    import rasa.shared.utils.io
    from rasa.core.run import _create_single_channel
    from bot.launcher import write_credentials

    env = {**SLACK_ENV, **MM_ENV}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("SLACK_API_URL", raising=False)
    path, names = write_credentials(tmp_path, env)
    creds = rasa.shared.utils.io.read_config_file(str(path))
    slack = _create_single_channel(SLACK_CLS, creds[SLACK_CLS])
    assert slack.slack_signing_secret == "s3cret" and slack.api_url == "https://slack.com/api/"
    assert slack.name() == "slack" and slack.use_threads
    mm = _create_single_channel(MM_CLS, creds[MM_CLS])
    assert mm.url == "https://chat.example.org/api/v4" and mm.webhook_token == "h00k"
    assert mm.name() == "mattermost"
    assert slack.get_output_channel("C1", "1.2").client.base_url == "https://slack.com/api/"


# -- every team chat connector of credentials.yml ------------------------------------------

TEAM_CHATS = config.team_chats()


def test_every_team_chat_section_is_a_team_chat_connector():
    assert set(config.read_channels()) - {REST, SOCKETIO} == set(TEAM_CHATS)
    assert {SLACK_CLS, MM_CLS, TEAMS_CLS} <= set(TEAM_CHATS)
    assert len({cls.name() for cls in TEAM_CHATS.values()}) == len(TEAM_CHATS), "each its own URL"


@pytest.mark.parametrize("key", list(TEAM_CHATS))
def test_a_team_chat_runs_with_its_settings_and_refuses_strangers(key, no_dotenv, tmp_path, monkeypatch):
    """Off without settings; with them Rasa builds it offline, its health route answers and a
    webhook request without the platform's proof (token, signature) gets 401."""
    import requests
    import rasa.shared.utils.io
    from rasa.core.run import _create_single_channel
    from sanic import Sanic

    from bot.channels.formatting import FLAVOURS
    from bot.channels.team_base import TeamChatInput, TeamChatOutput

    required = config.variables(config.read_channels()[key])
    assert required and key not in enabled({}, no_dotenv), "a team chat needs settings"
    env = {var: f"value-{n}" for n, var in enumerate(required)}
    creds, names = config.credentials(env, dotenv=no_dotenv)
    assert key in names
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    path = tmp_path / "credentials.yml"
    path.write_text(yaml.safe_dump({key: creds[key]}))

    def offline(*args, **kwargs):
        raise requests.ConnectionError("offline")

    monkeypatch.setattr(requests, "get", offline)
    channel = _create_single_channel(key, rasa.shared.utils.io.read_config_file(str(path))[key])
    assert isinstance(channel, TeamChatInput)
    assert issubclass(channel.output_class, TeamChatOutput) and channel.output_class.flavour in FLAVOURS
    got = []

    async def on_new_message(message):
        got.append(message)

    app = Sanic(f"test_{channel.name()}")
    app.blueprint(channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.name()}")
    _, r = app.test_client.get(f"/webhooks/{channel.name()}/")
    assert r.status == 200 and r.json == {"status": "ok"}
    _, r = app.test_client.post(f"/webhooks/{channel.name()}/webhook", json={"text": "hoi", "user_id": "u"})
    assert r.status == 401 and not got


# -- how answers look -----------------------------------------------------------------------


def test_buttons_become_numbered_options():
    text = numbered_options(BUTTONS, MATTERMOST)
    assert text.splitlines()[:2] == ["1. Ja, het is veilig", "2. Nee, niet veilig"]
    assert "nummer" in text.splitlines()[2]
    post = render("Kun je hier veilig chatten?", BUTTONS, SLACK)
    assert post.startswith("Kun je hier veilig chatten?\n\n1. Ja, het is veilig\n2. Nee")
    assert "_Antwoord met <@U1> en het nummer, of typ zelf iets._" in render("?", BUTTONS, SLACK, address="<@U1>")
    teams = render("Vraag?", BUTTONS, TEAMS)
    assert "1. Ja, het is veilig\n\n2. Nee, niet veilig" in teams


def test_markdown_per_platform():
    text = (
        "Dank je.\nNeem eerst contact op met:\n- Veilig Thuis: bel 0800-2000.\n"
        "- Gaat het om een misdrijf? Bel Meld Misdaad Anoniem: 0800-7000.\n"
        "Is er nu gevaar? Bel 112. <script>"
    )
    slack = to_markdown(text, SLACK)
    assert "*Neem eerst contact op met:*" in slack and "- *Veilig Thuis*: bel 0800-2000." in slack
    assert "Bel *112*." in slack and "*0800" not in slack
    assert "&lt;script&gt;" in slack and "<script>" not in slack
    assert "- Gaat het om een misdrijf?" in slack, "only names are bold, not questions"
    mm = to_markdown(text, MATTERMOST)
    assert "**Neem eerst contact op met:**" in mm and "- **Veilig Thuis**:" in mm and "**112**" in mm
    assert "<script>" in mm and "\n\n" not in mm
    teams = to_markdown(text, TEAMS)
    assert "Dank je.\n\n**Neem eerst contact op met:**\n\n- **Veilig Thuis**" in teams


def test_what_is_bold_comes_from_the_data_files(monkeypatch):
    """Headings are the texts route.kop_* of data/texts/, names those of data/organisaties.yml."""
    from actions import organisations, texts
    from bot.channels import formatting

    assert formatting.headings() >= {texts.text("route.kop_hulp"), texts.text("route.kop_ook")}
    name = organisations.get("veilig_thuis")["naam"]
    assert name in formatting.organisation_names()
    text = "\n".join(["Stappen:", "- Nergens Bekend: bel niet.", f"- {name}: bel.", texts.text("route.kop_ook")])
    assert to_markdown(text, MATTERMOST).splitlines() == [
        "Stappen:",  # not one of the headings
        "- Nergens Bekend: bel niet.",  # not an organisation
        f"- **{name}**: bel.",
        texts.text("route.kop_ook"),  # a heading with nothing under it stays as it is
    ]
    source = Path(formatting.__file__).read_text(encoding="utf-8")
    assert not [t for t in formatting.headings() | formatting.organisation_names() if t in source]
    # Another language's heading counts too.
    monkeypatch.setattr(formatting, "headings", lambda: frozenset({"Who can help:"}))
    assert to_markdown("Who can help:\n- x", SLACK).startswith("*Who can help:*\n")
    assert not to_markdown(f"{texts.text('route.kop_hulp')}\n- x", SLACK).startswith("*")


def test_the_domain_responses_render_in_every_flavour():
    responses = {}
    for path in [ROOT / "domain.yml", *sorted((ROOT / "domain").glob("*.yml"))]:
        responses.update((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    assert responses
    for name, variants in responses.items():
        for variant in variants:
            if not (variant.get("text") or variant.get("buttons")):
                continue  # custom payloads and images are passed on as they are
            for flavour in (SLACK, MATTERMOST, TEAMS):
                post = render(variant.get("text"), variant.get("buttons"), flavour)
                assert post.strip(), name
                for i, _ in enumerate(variant.get("buttons") or [], start=1):
                    assert f"{i}. " in post


def test_a_number_or_title_chooses_an_option():
    memory = OptionMemory()
    memory.remember(("slack", "U1"), BUTTONS)
    assert memory.resolve(("slack", "U1"), "1") == "/affirm"
    assert memory.resolve(("slack", "U1"), " 2. ") == "/deny"
    assert memory.resolve(("slack", "U1"), "nee, niet veilig") == "/deny"
    assert memory.resolve(("slack", "U1"), "3") == "3"
    assert memory.resolve(("slack", "U1"), "ik weet het niet") == "ik weet het niet"
    assert memory.resolve(("slack", "U2"), "1") == "1", "per user"
    assert memory.resolve(("mattermost", "U1"), "1") == "1", "per platform"


def test_options_expire_and_a_text_answer_clears_them():
    memory = OptionMemory(ttl=0.05)
    memory.remember("k", BUTTONS)
    time.sleep(0.1)
    assert memory.resolve("k", "1") == "1"

    from rasa.core.channels.channel import OutputChannel

    class Fake(TeamChatOutput, OutputChannel):
        flavour, platform = SLACK, "fake"
        options = OptionMemory()

        def __init__(self):
            self.sent = []

        async def post(self, text):
            self.sent.append(text)

    out = Fake()
    asyncio.run(out.send_response("U1", {"text": "Kies:", "buttons": list(BUTTONS)}))
    assert out.options.resolve(("fake", "U1"), "2") == "/deny"
    asyncio.run(out.send_response("U1", {"text": "Bel 112."}))
    assert out.options.resolve(("fake", "U1"), "2") == "2"
    assert out.sent == [
        "Kies:\n\n1. Ja, het is veilig\n2. Nee, niet veilig\n" "_Antwoord met het nummer, of typ zelf iets._",
        "Bel *112*.",
    ]


# -- platform details -----------------------------------------------------------------------


def test_mattermost_trigger_word_and_token():
    from bot.channels.mattermost import TokenCheckedMattermostInput as MM

    assert MM.strip_trigger("@meldcode wat is de meldcode?", "@meldcode") == "wat is de meldcode?"
    assert MM.strip_trigger("Meldcode: hoi", "meldcode") == "hoi"
    assert MM.strip_trigger("ik maak me zorgen", "") == "ik maak me zorgen", "no first word lost"
    channel = MM("https://chat.example.org/api/v4/", "bot-token", "h00k")
    assert channel.url == "https://chat.example.org/api/v4"
    assert channel.token_ok("h00k")
    assert not channel.token_ok("h00kx") and not channel.token_ok("") and not channel.token_ok(None)
    with pytest.raises(ValueError):
        MM("https://chat.example.org", "bot-token", "")


def test_teams_mentions_markdown_and_offline_start(monkeypatch):
    import requests
    from bot.channels import teams

    assert teams.strip_mentions("<at>Meldcode</at> wat doet CoMensha?") == "wat doet CoMensha?"

    def offline(*args, **kwargs):
        raise requests.ConnectionError("offline")

    monkeypatch.setattr(requests, "get", offline)
    channel = teams.TeamsInput("app-id", "app-pw")  # no crash without Microsoft
    assert channel.jwt_keys == {} and channel.name() == "botframework"
    assert channel._validate_auth("Bearer not.a.token").status == 401
    assert channel._validate_auth(None).status == 401

    out = channel.output_channel(
        {
            "conversation": {"id": "c1"},
            "recipient": {"id": "bot"},
            "from": {"id": "29:user"},
            "serviceUrl": "https://smba.example",
        }
    )
    sent = []

    async def fake_send(message):
        sent.append(message)

    monkeypatch.setattr(out, "send", fake_send)
    asyncio.run(out.send_response("29:user", {"text": "Kun je veilig chatten?", "buttons": list(BUTTONS)}))
    assert sent[0]["textFormat"] == "markdown" and sent[0]["recipient"] == {"id": "29:user"}
    assert "1. Ja, het is veilig\n\n2. Nee, niet veilig" in sent[0]["text"]


def test_slack_event_filter_and_threads():
    from bot.channels.slack import ThreadedSlackInput

    channel = ThreadedSlackInput("xoxb-1", "s3cret", slack_api_url="http://127.0.0.1:9/api")
    assert channel.api_url == "http://127.0.0.1:9/api/"
    got = []

    async def on_new_message(message):
        got.append(message)

    def event(ts, **event):
        return {
            "type": "event_callback",
            "authed_users": ["UHUMAN"],
            "authorizations": [{"user_id": "UBOT", "is_bot": True}],
            "event": {"user": "UHUMAN", "ts": ts, **event},
        }

    async def run(payload):
        answer = await channel._handle_event(payload, on_new_message)
        await asyncio.sleep(0)
        return answer

    loop = asyncio.new_event_loop()
    try:
        # A mention in a channel: answered in its thread, per user, mention stripped.
        assert loop.run_until_complete(run(event("1.1", type="app_mention", channel="C1", text="<@UBOT> hoi"))) == ""
        assert got[-1].sender_id == "slack:UHUMAN" and got[-1].text == "hoi"
        assert got[-1].output_channel.thread_id == "1.1"
        assert got[-1].output_channel.address == "<@UBOT>"
        # A direct message: no thread, no mention needed.
        loop.run_until_complete(run(event("1.2", type="message", channel="D1", channel_type="im", text="hoi")))
        assert got[-1].output_channel.thread_id is None and got[-1].output_channel.address is None
        # Ignored: channel chatter, the same event again, edits, the bot itself.
        n = len(got)
        for payload in (
            event("1.3", type="message", channel="C1", channel_type="channel", text="hoi"),
            event("1.1", type="app_mention", channel="C1", text="<@UBOT> hoi"),
            event("1.4", type="message", channel="D1", channel_type="im", subtype="message_changed", text="hoi"),
            {
                **event("1.5", type="app_mention", channel="C1", text="hoi"),
                "event": {"type": "app_mention", "user": "UBOT", "channel": "C1", "ts": "1.5", "text": "hoi"},
            },
        ):
            assert loop.run_until_complete(run(payload)).startswith("ignored")
        assert len(got) == n
    finally:
        loop.close()
