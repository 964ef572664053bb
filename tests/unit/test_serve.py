"""bot/serve.py against real HTTP: a hanging, a missing, a refusing and a working action server."""

import asyncio
import json
import time

import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import serve
from bot.channels.guard import ACTION_FAILURE_TEXT

DOMAIN = Domain.from_yaml("version: '3.1'\nactions:\n  - action_test\n")


async def http_server(handler):
    """A TCP server on a free port; handler(reader, writer) decides what it answers."""
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def hang(reader, writer):
    await reader.read(65536)
    await asyncio.sleep(60)


def answer(status: int, body: dict):
    async def handle(reader, writer):
        await reader.read(65536)
        data = json.dumps(body).encode()
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode()
            + data
        )
        await writer.drain()
        writer.close()

    return handle


async def run_action(port: int, out=None, endpoint=None, close=True):
    action = RemoteAction("action_test", endpoint or EndpointConfig(f"http://127.0.0.1:{port}/webhook"))
    out = out or CollectingOutputChannel()
    tracker = DialogueStateTracker("test-user", [])
    try:
        return await action.run(out, TemplatedNaturalLanguageGenerator({}), tracker, DOMAIN), out
    finally:
        if close:
            await serve.close_sessions()


@pytest.fixture
def patched():
    serve.apply(timeout=1.0)
    yield
    serve.apply(timeout=serve.DEFAULT_ACTION_TIMEOUT)


def test_a_hanging_action_server_times_out_and_the_user_is_told(patched):
    async def scenario():
        server, port = await http_server(hang)
        started = time.monotonic()
        with pytest.raises(Exception):
            await run_action(port, out := CollectingOutputChannel())
        server.close()
        return time.monotonic() - started, out

    took, out = asyncio.run(scenario())
    assert took < 5, f"{took:.1f} s: the timeout of 1 s was not used"
    assert [m["text"] for m in out.messages] == [ACTION_FAILURE_TEXT]
    assert "112" in ACTION_FAILURE_TEXT and "0800-2000" in ACTION_FAILURE_TEXT


def test_no_action_server_tells_the_user_once_per_turn(patched):
    async def scenario():
        server, port = await http_server(hang)
        server.close()
        await server.wait_closed()  # nothing listens on the port any more
        out = CollectingOutputChannel()
        for _ in range(2):  # two failing actions in one turn
            with pytest.raises(Exception):
                await run_action(port, out)
        return out

    out = asyncio.run(scenario())
    assert [m["text"] for m in out.messages] == [ACTION_FAILURE_TEXT]


def test_a_rejection_passes_without_a_failure_text(patched):
    async def scenario():
        server, port = await http_server(answer(400, {"action_name": "action_test", "error": "refused"}))
        out = CollectingOutputChannel()
        with pytest.raises(ActionExecutionRejection):
            await run_action(port, out)
        server.close()
        return out

    assert asyncio.run(scenario()).messages == []


def test_a_working_action_server_is_unchanged(patched):
    async def scenario():
        server, port = await http_server(answer(200, {"events": [], "responses": [{"text": "hallo vanaf de actie"}]}))
        result = await run_action(port)
        server.close()
        return result

    events, out = asyncio.run(scenario())
    # The action's answer comes back as an event (Rasa sends it); nothing extra is sent.
    assert [getattr(e, "text", None) for e in events] == ["hallo vanaf de actie"]
    assert out.messages == []


async def read_request(reader) -> bytes:
    """One HTTP request from the stream: its body."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
    return await reader.readexactly(length)


def test_action_calls_share_one_kept_alive_connection(patched):
    connections = []

    async def keep_alive(reader, writer):
        connections.append(writer)
        data = json.dumps({"events": [], "responses": []}).encode()
        while True:
            await read_request(reader)
            writer.write(
                f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n".encode() + data
            )
            await writer.drain()

    async def scenario():
        server, port = await http_server(keep_alive)
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        for _ in range(3):
            events, _out = await run_action(port, endpoint=endpoint, close=False)
            assert events == []
        await serve.close_sessions()
        server.close()

    asyncio.run(scenario())
    assert len(connections) == 1  # Rasa alone opens a connection per call


def record(bodies):
    async def handle(reader, writer):
        bodies.append(json.loads(await read_request(reader)))
        data = b'{"events": [], "responses": []}'
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(data)
        writer.write(head + data)
        await writer.drain()

    return handle


async def _call(name, domain, endpoint_kwargs):
    bodies = []
    server, port = await http_server(record(bodies))
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", **endpoint_kwargs)
    tracker = DialogueStateTracker("test-user", [])
    try:
        nlg = TemplatedNaturalLanguageGenerator({})
        await RemoteAction(name, endpoint).run(CollectingOutputChannel(), nlg, tracker, domain)
    finally:
        await serve.close_sessions()
        server.close()
    return bodies[0]


FORM_DOMAIN = Domain.from_yaml(
    """version: '3.1'
actions: [action_test, validate_test_form]
slots:
  leeftijd: {type: text, mappings: [{type: from_text}]}
forms:
  test_form: {required_slots: [leeftijd]}
responses:
  utter_ask_leeftijd: [{text: "Hoe oud is het kind?"}, {text: "How old is the child?"}]
  utter_goodbye: [{text: "Doei"}]
"""
)


def test_the_action_server_gets_the_domain_only_for_validation_and_without_texts(patched):
    import tempfile
    from pathlib import Path

    import yaml

    from bot.server_files import write_endpoints

    kwargs = yaml.safe_load(write_endpoints(Path(tempfile.mkdtemp()), 5055, {}).read_text())["action_endpoint"]
    kwargs.pop("url")
    assert kwargs == {"enable_selective_domain": True}
    plain = asyncio.run(_call("action_test", FORM_DOMAIN, kwargs))
    assert "domain" not in plain and plain["tracker"]["sender_id"] == "test-user"
    validation = asyncio.run(_call("validate_test_form", FORM_DOMAIN, kwargs))
    sent = validation["domain"]
    full = FORM_DOMAIN.as_dict()
    assert sent["responses"] == {"utter_ask_leeftijd": [], "utter_goodbye": []}
    assert {k: v for k, v in sent.items() if k != "responses"} == {k: v for k, v in full.items() if k != "responses"}
    # Rasa's own domain object is untouched: the bot still has its texts.
    assert FORM_DOMAIN.as_dict()["responses"]["utter_goodbye"] == [{"text": "Doei"}]
    # Without selective domain (Rasa's default) every action gets it, still without the texts.
    assert asyncio.run(_call("action_test", FORM_DOMAIN, {}))["domain"]["responses"]["utter_goodbye"] == []


def test_apply_twice_wraps_once():
    serve.apply(timeout=2.0)
    first = RemoteAction.run
    serve.apply(timeout=3.0)
    from rasa.core.actions import action as rasa_action

    assert RemoteAction.run is first and rasa_action.DEFAULT_REQUEST_TIMEOUT == 3.0
    serve.apply(timeout=serve.DEFAULT_ACTION_TIMEOUT)


@pytest.mark.parametrize("raw, expected", [("", 10.0), ("2.5", 2.5), (" 30 ", 30.0)])
def test_action_timeout_setting(raw, expected):
    assert serve.action_timeout({"ACTION_TIMEOUT": raw}) == expected


@pytest.mark.parametrize("raw", ["abc", "0", "-1", "301"])
def test_action_timeout_setting_refuses_nonsense(raw):
    with pytest.raises(ValueError):
        serve.action_timeout({"ACTION_TIMEOUT": raw})


VALID_ANSWERS = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "rol", "value": "ouder"}],
        "responses": [{"text": "hallo", "buttons": [{"title": "Ja", "payload": "/affirm"}]}],
    },
    {},
]
INVALID_ANSWERS = [
    {"events": "geen lijst"},
    {"events": [{"event": "slot", "name": 5}]},
    {"responses": ["geen object"]},
    ["geen", "object"],
]


@pytest.mark.parametrize("answer", VALID_ANSWERS + INVALID_ANSWERS)
def test_the_fast_check_of_action_answers_agrees_with_rasas_own(answer):
    """Same verdict and same error as jsonschema.validate with Rasa's schema."""
    import jsonschema

    schema = RemoteAction.action_response_format_spec()
    try:
        jsonschema.validate(answer, schema)
        expected = None
    except jsonschema.ValidationError as e:
        expected = e
    serve.apply(timeout=serve.DEFAULT_ACTION_TIMEOUT)
    assert RemoteAction._validate_action_result is serve._validate_action_result
    action = RemoteAction("action_test", None)
    if expected is None:
        assert action._validate_action_result(answer) is True
    else:
        with pytest.raises(jsonschema.ValidationError) as got:
            action._validate_action_result(answer)
        assert got.value.message.startswith(expected.message)
        assert "Failed to validate Action server response" in got.value.message
    assert (answer in VALID_ANSWERS) == (expected is None), "the cases are what they say"


def test_the_crisis_follow_up_goes_on_until_help_is_here():
    from rasa.shared.core.events import ActionExecuted, UserUttered

    from bot.serve import follow_up

    def tracker_after(*actions):
        return DialogueStateTracker.from_events(
            "t", [UserUttered("help hij slaat me"), *(ActionExecuted(a) for a in actions)]
        )

    def parse(intent):
        return {"intent": {"name": intent, "confidence": 0.3}, "intent_ranking": [], "entities": []}

    def intent_after(action, intent, text):
        return follow_up(parse(intent), tracker_after(action, "action_listen"), text)["intent"]["name"]

    assert intent_after("utter_acute_danger", "nlu_fallback", "mama slaapt") == "crisis_followup"
    assert intent_after("utter_crisis_followup", "nlu_fallback", "het is nu kwart voor 6") == "crisis_followup"
    assert intent_after("utter_crisis_followup", "ask_police", "de politie is er nu") == "crisis_over"
    # After the follow-up, a question that is clearly no danger gets its own answer.
    assert intent_after("utter_crisis_followup", "affirm", "oké, maar wie moet ik nu eigenlijk bellen?") == "affirm"
    assert intent_after("utter_acute_danger", "affirm", "oké, maar wie moet ik nu eigenlijk bellen?") == "crisis_followup"
    assert intent_after("utter_acute_danger", "nlu_fallback", "ok, ik ben nu veilig bij de buren") == "crisis_over"
    # Danger words win, and without a 112 answer before nothing changes.
    assert intent_after("utter_acute_danger", "acute_danger", "de politie is er maar hij heeft een mes") == "acute_danger"
    assert intent_after("utter_greet", "nlu_fallback", "de politie is er") == "nlu_fallback"


def follow_up_intent(events, intent, text, phrases=None):
    """The intent bot.serve.follow_up gives `text` after these tracker events."""
    from bot.serve import follow_up

    parsed = {"intent": {"name": intent, "confidence": 0.4}, "intent_ranking": [], "entities": []}
    if phrases:
        parsed["crisis"] = {"phrases": phrases}
    return follow_up(parsed, DialogueStateTracker.from_events("t", events), text)["intent"]["name"]


def after_one_answer(opening, action):
    from rasa.shared.core.events import ActionExecuted, UserUttered

    return [UserUttered(opening), ActionExecuted(action), ActionExecuted("action_listen")]


def test_after_a_113_answer_the_same_worry_gets_113_again():
    def intent_after(action, intent, text, phrases=None):
        return follow_up_intent(after_one_answer("mn dochter wil dood", action), intent, text, phrases)

    assert intent_after("utter_suicide", "ask_who_first", "ze is 13. wat kan ik het beste zeggen?") == "suicide_followup"
    assert intent_after("utter_suicide_nee", "nlu_fallback", "ik denk er elke dag aan") == "suicide_followup"
    # The classifier alone read another crisis: the same worry. Phrases or suicide now keep theirs.
    hij = "hij zit nu op zijn kamer, moet ik bij hem blijven"
    assert intent_after("utter_suicide", "sexual_assault_now", hij, ["classifier"]) == "suicide_followup"
    assert intent_after("utter_suicide", "acute_danger", "hij heeft een mes", ["wapen"]) == "acute_danger"
    assert intent_after("utter_suicide", "suicide_acute", "ze heeft pillen genomen", ["classifier"]) == "suicide_acute"
    # "ja" / "nee" answer utter_suicide's question (rules); another topic stays itself.
    assert intent_after("utter_suicide", "affirm", "ja") == "affirm"
    assert intent_after("utter_suicide", "deny", "nee") == "deny"
    assert intent_after("utter_suicide", "ask_privacy", "wie leest dit mee?") == "ask_privacy"
    assert intent_after("utter_greet", "ask_who_first", "wie bel ik eerst") == "ask_who_first"


def test_after_the_centrum_answer_the_same_worry_gets_the_centrum_again():
    def intent_after(action, intent, text, phrases=None):
        return follow_up_intent(after_one_answer("ik ben gisteren verkracht", action), intent, text, phrases)

    assert intent_after("utter_sexual_assault", "nlu_fallback", "heb al gedoucht, heeft het nog zin?") == "sexual_assault"
    assert intent_after("utter_sexual_assault", "worry_domestic_violence", "het was mijn oom") == "worry_domestic_violence"
    # The classifier alone read suicide in "wil alleen douchen en slapen": the same worry.
    assert (
        intent_after("utter_sexual_assault", "suicide", "ze wil alleen douchen en slapen", ["classifier"])
        == "sexual_assault"
    )
    # Danger now, phrases, and other topics keep their own answer.
    assert intent_after("utter_sexual_assault", "acute_danger", "hij staat voor de deur", ["wacht_buiten"]) == "acute_danger"
    assert intent_after("utter_sexual_assault", "suicide", "ik wil dood", ["zelfdoding"]) == "suicide"
    assert intent_after("utter_sexual_assault", "ask_privacy", "wie leest dit mee?") == "ask_privacy"
    assert intent_after("utter_greet", "nlu_fallback", "heb al gedoucht") == "nlu_fallback"


def test_a_few_turns_after_the_centrum_answer_a_question_about_its_care_gets_it_again():
    from rasa.shared.core.events import ActionExecuted, UserUttered

    csg = [UserUttered("mijn dochter is zaterdag verkracht"), ActionExecuted("utter_sexual_assault")]
    between = [ActionExecuted("action_listen"), UserUttered("ik ben haar vader"), ActionExecuted("route_form")]
    listen = [ActionExecuted("action_listen")]
    care = "ze heeft al gedoucht, heeft het nog zin?"
    assert follow_up_intent(csg + between + listen, "nlu_fallback", care) == "sexual_assault"
    assert follow_up_intent(csg + between + listen, "nlu_fallback", "wat bedoel je?") == "nlu_fallback"
    long_ago = csg + between * 3 + listen
    assert follow_up_intent(long_ago, "nlu_fallback", care) == "nlu_fallback"
    # After the 112 answer to an assault now, too; a 113 answer in between ends the memory.
    now = [UserUttered("ze is net verkracht"), ActionExecuted("utter_sexual_assault_now"), *listen]
    assert follow_up_intent(now, "suicide", "ze wil alleen maar douchen en slapen", ["classifier"]) == "sexual_assault"
    sad = csg + [*listen, UserUttered("ik wil dood"), ActionExecuted("utter_suicide"), *listen]
    assert follow_up_intent(sad, "nlu_fallback", care) != "sexual_assault"


def test_right_after_a_112_answer_a_message_about_the_call_is_still_the_emergency():
    def intent(name, text):
        return follow_up_intent(after_one_answer("hij slaat mama nu", "utter_acute_danger"), name, text)

    assert intent("prepare_melding", "ik weet ni hoe je belt") == "crisis_followup"
    assert intent("ask_meldcode", "mijn collega belt 112, wat moet ik vragen?") == "crisis_followup"
    assert intent("ask_privacy", "wie leest dit mee?") == "ask_privacy"
