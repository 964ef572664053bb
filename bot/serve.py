"""`rasa run` with two fixes for a crisis bot; the launcher starts the Rasa server through this.

    python -m bot.serve run --model models/bot.tar.gz ...   (the arguments of `rasa run`)

1. A custom action times out after ACTION_TIMEOUT seconds (env, default 10) instead of Rasa
   3.6's fixed 300 s, so an action server that hangs cannot hold a conversation for 5 minutes.
2. When a custom action fails (the action server is down, hangs or errors), the user gets
   ACTION_FAILURE_TEXT (112 and Veilig Thuis) in that turn instead of nothing. Rasa then goes on
   as it always does: it logs the failure (action name and error, never the user's text), drops
   the action's events and predicts the next action. Crisis answers are responses (domain/crisis.yml),
   so they never need the action server.

3. Rasa checks each action server answer with `jsonschema.validate`, which first checks Rasa's
   own (constant) schema against the JSON Schema meta-schema: measured with cProfile, that was
   half of the CPU time of our turns. The answer is now checked with a validator built once,
   with the same schema, the same errors and the same message.

4. The gate before NLU (MessageProcessor.parse_message): a message longer than MAX_NLU_CHARS
   never reaches spaCy and the intent classifier (one long message froze every conversation); the crisis layer
   (bot/crisis.py) still reads it, so danger in a long text gets 112, anything else
   `too_long`. The tracker keeps only its first MAX_NLU_CHARS characters. A text starting
   with "/" that is not a button payload of a known intent is read as plain text (Rasa would
   log it in a warning), and lone surrogates are replaced instead of failing the turn.
5. Every HTTP request body is capped at MAX_BODY (64 KB; Sanic's own limit is 100 MB), and
   GET / no longer names the Rasa version.
6. No user text in the log: the keys Rasa's structlog events carry user text in (e.g.
   `rest.message.received.timeout` when a client gives up) are replaced by their length.

7. Rasa 3.6 opens a new aiohttp session, so a new TCP connection, for every action call
   (EndpointConfig.request). The action endpoint now keeps one session per event loop whose
   connections stay open between calls (idle ones close after KEEP_ALIVE_S, before the action
   server's own 5 s, so a call never goes out on a connection the server is closing). Measured
   with bench/profile.py: see the README's speed section.
8. Rasa sends the whole domain with every action call, 139 KB of JSON here, 127 KB of it the
   response texts in every language, and the action server parses it each time. The action
   endpoint has `enable_selective_domain` (bot/server_files.py): only the forms' validation
   actions get the domain (Rasa's rule for `validate_*`; rasa-sdk reads their slots and forms
   from it), and they get it without the response texts: every response name stays, with an
   empty list of variations (action_domain). No action reads a response's text; the melding
   form only asks whether a response of that name exists (actions/melding.py).
9. The policies' states of the conversation's history are worked out once per prediction, not
   once per policy (bot/past_states.py). `apply_all()` applies every patch.

A form's validation refusing a value (ActionExecutionRejection) is not a failure and passes as is.
Checked against Rasa 3.6.21 and jsonschema 4.17 (tests in tests/unit/test_serve.py); `apply()` refuses
to patch a Rasa whose RemoteAction does not look as expected.
"""

from __future__ import annotations

import re
import json
import logging
import os
import sys
from typing import Any, List, Optional

from jsonschema import validators
from jsonschema.exceptions import best_match
from rasa.shared.constants import DOCS_BASE_URL

from actions import texts
from bot import context
from bot.channels.guard import ACTION_FAILURE_TEXT

logger = logging.getLogger("bot.serve")  # also when run as __main__
DEFAULT_ACTION_TIMEOUT = 10.0
_PATCHED = "_meldcode_patched"


def action_timeout(env: Optional[dict] = None) -> float:
    raw = (env if env is not None else os.environ).get("ACTION_TIMEOUT", "")
    try:
        value = float(raw) if raw.strip() else DEFAULT_ACTION_TIMEOUT
    except ValueError:
        raise ValueError(f"ACTION_TIMEOUT must be a number of seconds, not {raw!r}") from None
    if not 0 < value <= 300:
        raise ValueError(f"ACTION_TIMEOUT must be between 0 and 300 seconds, not {value}")
    return value


def apply(timeout: Optional[float] = None) -> None:
    """Patch rasa.core.actions.action: the request timeout, RemoteAction.run and its check of
    action server answers (idempotent)."""
    global _VALIDATOR
    from rasa.core.actions import action as rasa_action

    if not hasattr(rasa_action, "DEFAULT_REQUEST_TIMEOUT") or not all(
        hasattr(rasa_action.RemoteAction, name)
        for name in ("run", "_validate_action_result", "action_response_format_spec", "_action_call_format")
    ):
        raise RuntimeError(
            "this Rasa's RemoteAction is not the one bot/serve.py was written for " "(3.6); check bot/serve.py against it"
        )
    # RemoteAction.run reads the module global at call time.
    rasa_action.DEFAULT_REQUEST_TIMEOUT = timeout if timeout is not None else action_timeout()
    original = rasa_action.RemoteAction.run
    if getattr(original, _PATCHED, False):
        return

    async def run(self, output_channel, nlg, tracker, domain) -> List[Any]:
        if self.action_endpoint is not None:
            self.action_endpoint._meldcode_keep_alive = True
        try:
            return await original(self, output_channel, nlg, tracker, domain)
        except rasa_action.ActionExecutionRejection:
            raise
        except Exception as e:
            logger.error("custom action %s failed: %s", self.name(), type(e).__name__)
            # Once per turn: the output channel object lives for one incoming message.
            if not getattr(output_channel, "_meldcode_failure_told", False):
                try:
                    await output_channel.send_text_message(tracker.sender_id, ACTION_FAILURE_TEXT)
                    output_channel._meldcode_failure_told = True
                except Exception as e2:  # noqa: BLE001 - the channel itself is gone
                    logger.error("could not tell the user: %s", type(e2).__name__)
            raise

    setattr(run, _PATCHED, True)
    rasa_action.RemoteAction.run = run
    original_format = rasa_action.RemoteAction._action_call_format

    def _action_call_format(self, tracker, domain):
        call = original_format(self, tracker, domain)
        if "domain" in call:
            call["domain"] = action_domain(call["domain"])
        return call

    rasa_action.RemoteAction._action_call_format = _action_call_format
    schema = rasa_action.RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    _VALIDATOR = cls(schema)
    rasa_action.RemoteAction._validate_action_result = _validate_action_result
    _keep_alive_sessions()


_SLIM_DOMAIN: tuple = (None, None)  # (Rasa's domain dict, its copy for the action server)


def action_domain(domain: dict) -> dict:
    """The domain as the action server gets it: the same, except that each response is an empty
    list of variations (the names stay). Made once per domain dict (Domain.as_dict() is cached)."""
    global _SLIM_DOMAIN
    if _SLIM_DOMAIN[0] is not domain:
        _SLIM_DOMAIN = (domain, {**domain, "responses": {name: [] for name in domain.get("responses") or {}}})
    return _SLIM_DOMAIN[1]


KEEP_ALIVE_S = 2.0  # < Sanic's KEEP_ALIVE_TIMEOUT (5 s) on the action server
_SESSIONS: dict = {}  # (event loop, endpoint) -> the open aiohttp session


class _OpenSession:
    """`async with` gives the shared session and leaves it open."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *exc: Any) -> bool:
        return False


def _keep_alive_sessions() -> None:
    import asyncio

    import aiohttp
    from rasa.core.actions import action as rasa_action
    from rasa.utils.endpoints import EndpointConfig

    original = EndpointConfig.session
    if getattr(original, _PATCHED, False):
        return

    def session(self):
        if not getattr(self, "_meldcode_keep_alive", False):
            return original(self)
        loop = asyncio.get_running_loop()
        for key in [k for k, s in _SESSIONS.items() if k[0].is_closed() or s.closed]:
            del _SESSIONS[key]
        shared = _SESSIONS.get((loop, id(self)))
        if shared is None:
            auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
            shared = aiohttp.ClientSession(
                headers=self.headers,
                auth=auth,
                timeout=aiohttp.ClientTimeout(total=rasa_action.DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEP_ALIVE_S),
            )
            _SESSIONS[(loop, id(self))] = shared
        return _OpenSession(shared)

    setattr(session, _PATCHED, True)
    EndpointConfig.session = session


async def close_sessions(*_: Any) -> None:
    """Close the open action-server sessions of the running event loop (a Sanic listener after
    the server stops; tests call it at the end of their loop)."""
    import asyncio

    loop = asyncio.get_running_loop()
    for key in [k for k in _SESSIONS if k[0] is loop]:
        await _SESSIONS.pop(key).close()


_VALIDATOR = None  # built by apply(), with its schema checked once


def _validate_action_result(self, result: Any) -> bool:
    """RemoteAction._validate_action_result with the validator built once by apply()."""
    error = best_match(_VALIDATOR.iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


MAX_NLU_CHARS = 2000  # longer messages skip NLU (LengthGuard in config.yml says the same)
# structlog keys that can hold what the user wrote (rasa/utils/log_utils.py, plus our own).
USER_TEXT_KEYS = (
    "text",
    "response_text",
    "user_text",
    "slot_values",
    "parse_data_text",
    "parse_data_entities",
    "prediction_events",
    "tracker_latest_message",
    "prefilled_slots",
    "message",
    "response",
    "slot_candidates",
    "rasa_event",
    "rasa_events",
    "tracker_states",
    "current_states",
    "old_states",
    "states",
    "current_entity",
    "next_entity",
    "entity",
    "token_text",
    "user_message",
    "json_message",
    "successes",
    "events",
    "event_info_text",
    "metadata",
)


def clean_text(text: Any) -> str:
    """Text as the bot may handle it: a str with lone surrogates replaced."""
    if not isinstance(text, str):
        return ""
    return text.encode("utf-8", "replace").decode("utf-8")


def _json_object(raw: Optional[str]) -> bool:
    """A payload's entities part is absent or a JSON object (else Rasa warns with the text)."""
    if not raw:
        return True
    try:
        return isinstance(json.loads(raw), dict)
    except ValueError:
        return False


def gate(text: str, intents: Any) -> tuple:
    """(text for NLU, parse data or None). Parse data means: skip NLU, use this."""
    from bot.crisis import detect

    text = clean_text(text)
    if text.startswith("/"):
        m = context.PAYLOAD.match(text.strip())
        if not (m and m.group(1) in intents and _json_object(m.group(2))):
            text = text.lstrip("/").lstrip() or "?"
    if len(text) <= MAX_NLU_CHARS:
        return text, None
    intent = detect(text).intent or "too_long"  # reads MAX_SCAN_CHARS of it
    return text[:MAX_NLU_CHARS], context.with_intent({"text": text[:MAX_NLU_CHARS], "entities": []}, intent)


def follow_up(parsed: dict, tracker: Any, text: str) -> dict:
    """After a 112-first answer, a reply that is not clearly something else gets the
    follow-up (112 again, short), instead of a form question or "ik begreep het niet"; after a
    113 answer, one reply about the same worry gets 113 first again (suicide_followup); after
    the Centrum Seksueel Geweld answer, a question about its care gets that answer again."""
    from bot.crisis import (
        ANSWERS_112_FIRST,
        ANSWERS_113_FIRST,
        CLASSIFIER_ONLY,
        MODEL_ACUTE,
        CRISIS_INTENTS,
        CRISIS_OVER_INTENT,
        FOLLOWUP_INTENT,
        FOLLOWUP_OVER,
        SUICIDE_FOLLOWUP_INTENT,
        SUICIDE_FOLLOWUP_OVER,
        ASSAULT_FOLLOWUP_INTENT,
        ASSAULT_FOLLOWUP_OVER,
    )

    intent = (parsed.get("intent") or {}).get("name")
    if tracker is None or (text or "").startswith("/"):
        return parsed
    answered = suicide = followed = False
    for event in reversed(tracker.events):
        if getattr(event, "type_name", "") == "user":
            break  # only the bot's last turn counts
        answered |= getattr(event, "action_name", None) in ANSWERS_112_FIRST
        followed |= getattr(event, "action_name", None) == FOLLOWUP_ANSWER
        suicide |= getattr(event, "action_name", None) in ANSWERS_113_FIRST
    if suicide and not answered:
        # After a 113 answer: the same worry goes on. Another crisis that only the classifier
        # saw ("hij zit nu op zijn kamer" read as an assault) is that worry too; suicide now
        # (pills, a height) and whatever the phrases found keep their own answer.
        by_model = (parsed.get("crisis") or {}).get("phrases") in (CLASSIFIER_ONLY, [MODEL_ACUTE])
        if intent in SUICIDE_FOLLOWUP_OVER or (
            intent in CRISIS_INTENTS and by_model and intent not in ("suicide", "suicide_acute")
        ):
            return context.with_intent(parsed, SUICIDE_FOLLOWUP_INTENT)
        return parsed
    by_model = (parsed.get("crisis") or {}).get("phrases") in (CLASSIFIER_ONLY, [MODEL_ACUTE])
    if not suicide and ABOUT_THE_CARE.search(text or "") and _assault_answered_lately(tracker):
        # Shortly after the Centrum Seksueel Geweld answer, a message about its care ("ze heeft
        # al gedoucht", "kan dat onderzoek nog na 4 dagen?") is the same worry: the Centrum
        # again, also when only the classifier read another crisis in it ("ze wil alleen maar
        # douchen en slapen" as suicide). Danger now and what the phrases found keep theirs.
        if intent in ASSAULT_FOLLOWUP_OVER or (
            intent in CRISIS_INTENTS and by_model and intent not in ("suicide_acute", "acute_danger")
        ):
            return context.with_intent(parsed, ASSAULT_FOLLOWUP_INTENT)
    if intent in CRISIS_INTENTS or not answered:
        return parsed  # danger words: the crisis answer; no 112 answer before: no phrase lists read
    if context.says_help_is_here(text):
        return context.with_intent(parsed, CRISIS_OVER_INTENT)
    if intent not in FOLLOWUP_OVER and not ABOUT_THE_CALL.search(text):
        return parsed
    if followed and text.rstrip().endswith("?") and clearly_calm(text):
        # 112 twice already, and this is a question that is clearly no danger ("ok, maar wie
        # moet ik nu eigenlijk bellen?"): the chain ends and the question gets its answer (a
        # false alarm must not trap the person in 112 answers).
        return parsed
    logger.debug("follow-up after a 112 answer instead of %s", intent)
    return context.with_intent(parsed, FOLLOWUP_INTENT)


FOLLOWUP_ANSWER = "utter_crisis_followup"
# The Centrum Seksueel Geweld's care, asked about a few turns after its answer.
ABOUT_THE_CARE = re.compile(
    r"\b(douch\w*|gedoucht|gewassen|wassen|onderzoek\w*|sporen\w*|centrum|csg|zedenpolitie|"
    r"morning.after\w*|shower\w*|washed|examination|forensic|evidence)\b",
    re.IGNORECASE,
)
ASSAULT_MEMORY_TURNS = 3  # the answer to one of the last three messages


def _assault_answered_lately(tracker: Any) -> bool:
    """The Centrum Seksueel Geweld answer within the last few turns, no other crisis after it."""
    from bot.crisis import ANSWERS_112_FIRST, ANSWERS_113_FIRST, ANSWERS_CSG_FIRST

    users = 0
    for event in reversed(tracker.events):
        if getattr(event, "type_name", "") == "user":
            users += 1
            if users >= ASSAULT_MEMORY_TURNS:
                return False
        name = getattr(event, "action_name", None)
        if name in ANSWERS_CSG_FIRST:
            return True
        if name in ANSWERS_113_FIRST or name in ANSWERS_112_FIRST:
            return name == "utter_sexual_assault_now"
    return False


# Right after a 112 answer, a message about the call itself is still the emergency, whatever NLU
# reads in it ("ik weet ni hoe je belt" as prepare_melding, "mijn collega belt 112, wat moet ik
# vragen?", "partner is onderweg"): the follow-up, not a form or a Meldcode step.
ABOUT_THE_CALL = re.compile(
    r"(?<!\d)112(?!\d)|\b(bel|belt|bellen|belde|gebeld|call|calling|called|ambulance|onderweg|"
    r"aan de lijn|aan de praat|centralist|on the way|on the phone)\b",
    re.IGNORECASE,
)
CLEARLY_CALM = 0.9  # the crisis classifier's P(calm) that ends the follow-up chain


def clearly_calm(text: str) -> bool:
    from bot.crisis import layer

    classifier = layer().classifier
    return classifier is not None and classifier.probabilities(text).get("calm", 0.0) >= CLEARLY_CALM


LANGUAGE_CARD_INTENT = "language_card"


def tracker_lang(tracker: Any) -> str:
    return (tracker.get_slot("taal") if tracker is not None else None) or "nl"


def language_step(parsed: dict, tracker: Any, text: str, metadata: Any = None) -> dict:
    """The conversation's language (bot/language.py) as the entity `taal` (slot taal), and the
    safety card for a message in a card language that is not a crisis (a crisis keeps its
    intent: its answer has a variation per language, 112 first).

    Until the conversation has a language, the page's language counts (the widget's data-lang,
    sent as metadata {"lang": ...}); a button payload ("/...") only carries that along."""
    from bot.crisis import CRISIS_INTENTS
    from bot.language import CARD_LANGUAGES, LANGUAGES, conversation_language

    current = tracker.get_slot("taal") if tracker is not None else None
    page = metadata.get("lang") if isinstance(metadata, dict) else None
    if current is None and page in LANGUAGES:
        current = page
    if (text or "").startswith("/"):
        lang = current
        if (
            lang is None
            or lang == tracker_lang(tracker)
            or any(e.get("entity") == "taal" for e in parsed.get("entities") or [])
        ):
            return parsed
    else:
        lang = conversation_language(current, text)
    if lang == tracker_lang(tracker) and lang not in CARD_LANGUAGES:
        return parsed
    entities = [e for e in parsed.get("entities") or [] if e.get("entity") != "taal"]
    entities.append({"entity": "taal", "value": lang, "extractor": "LanguageStep"})
    parsed = {**parsed, "entities": entities}
    intent = (parsed.get("intent") or {}).get("name")
    if lang in CARD_LANGUAGES and intent not in CRISIS_INTENTS:
        return context.with_intent(parsed, LANGUAGE_CARD_INTENT)
    return parsed


def _redact(_: Any, __: str, event_dict: dict) -> dict:
    for key in USER_TEXT_KEYS:
        if key in event_dict:
            value = event_dict[key]
            event_dict[key] = f"<{len(value)} chars>" if isinstance(value, str) else "<hidden>"
    return event_dict


ROOT_TEXT = texts.text("storing.server_draait")
MAX_BODY = 64 * 1024  # bytes, for every HTTP channel (Sanic's default is 100 MB)


def _add_root_route(app) -> None:
    """GET / without Rasa's version (it told an attacker which bugs to try)."""
    from sanic import response

    @app.get("/")
    async def hello(request):
        return response.text(ROOT_TEXT)

    app.register_listener(close_sessions, "after_server_stop")


def apply_gate() -> None:
    """Patch MessageProcessor.parse_message with gate(), Rasa's log anonymizer with _redact,
    GET / without the version, and the request body limit (idempotent)."""
    from rasa import server
    from rasa.core.processor import MessageProcessor
    from rasa.utils import log_utils

    from bot.crisis import recheck_answer

    log_utils._anonymizer = _redact
    server.add_root_route = _add_root_route
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_BODY))
    original = MessageProcessor.parse_message
    if getattr(original, _PATCHED, False):
        return

    async def parse_message(self, message, tracker=None, only_output_properties=True):
        intents = self.domain.intents if self.domain else ()
        message.text, parsed = gate(message.text, intents)
        if parsed is not None:
            logger.info("message of more than %d characters: %s without NLU", MAX_NLU_CHARS, parsed["intent"]["name"])
        else:
            parsed = await original(self, message, tracker, only_output_properties)
        parsed = language_step(parsed, tracker, message.text, message.metadata)
        if tracker is not None:
            in_form = bool(tracker.active_loop_name)
            requested = tracker.get_slot("requested_slot") if in_form else None
            if requested:
                parsed = recheck_answer(parsed, message.text)
            parsed = context.read_reply(parsed, tracker.events, message.text, in_form, requested)
        return follow_up(parsed, tracker, message.text)

    setattr(parse_message, _PATCHED, True)
    MessageProcessor.parse_message = parse_message


def apply_all() -> None:
    """Every patch of this module, and the states of the history worked out once per prediction
    (bot/past_states.py). Before structlog is configured: apply_gate takes serve's _redact."""
    from bot import past_states

    apply()
    apply_gate()
    past_states.apply()


def main(argv: Optional[List[str]] = None) -> int:
    apply_all()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
