"""Short replies read against the bot's last message (issue 17: no dead ends).

"ja", "ok", "doe maar" take the offer on the last message's buttons; "nee" takes its "Nee"
button, or declines the offer (intent `decline`); "wat bedoel je?" asks to explain the last
question in other words (intent `explain_last`, actions/explain.py); "terug" takes a "Vorige
stap" button. A goodbye is only a goodbye when a goodbye word is in the message ("moet ik naar
de politie gaan" is not). The word lists are data/context.yml.

Pure Python over the tracker's events (Rasa's Event objects or rasa-sdk's dicts); bot/serve.py
calls read_reply() for every message, after NLU and the crisis layer.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "context.yml"
MAX_WORDS = 6
DECLINE, EXPLAIN = "decline", "explain_last"
UNCLEAR, UNCLEAR_ANSWER = "danger_unclear", "utter_danger_unclear"
# Questions people ask on the way, answered also halfway through a form (the form then asks
# again): every form lets them through (bot/domain_files.py), data/rules/vragen.yml has a rule
# for each outside and inside every form (tests/unit/test_context.py checks).
QUESTIONS_ON_THE_WAY = (
    "ask_police",
    "ask_found_out",
    "ask_punishable",
    "ask_chat",
    "ask_who_first",
    "ask_delete_chat",
    "ask_parent_steps",
    "ask_professional_secrecy",
    "ask_structural",
)
# Buttons that are no offer to say "ja" to.
NOT_AN_OFFER = {"deny", "previous_step", "stop", "what_can_you_do"}
# Intents a short reply may get from NLU that the context reads better.
SHORT_REPLY_INTENTS = {"affirm", "deny", "dont_know", "nlu_fallback", "out_of_scope", "thank", "goodbye", "greet"}
# A button payload: "/intent" or "/intent{\"slot\": \"value\"}" (bot/serve.py reads it too).
PAYLOAD = re.compile(r"^/([\w-]+)(\{.*\})?$", re.S)
_PUNCT = re.compile(r"[^\w\s']+", re.UNICODE)


def normalise(text: str) -> str:
    return " ".join(_PUNCT.sub(" ", (text or "").lower().replace("’", "'")).split())


@lru_cache(maxsize=1)
def phrases() -> Dict[str, set]:
    with open(DATA, encoding="utf-8") as f:
        data = yaml.load(f, Loader=yaml.BaseLoader) or {}  # every word a string ("yes", "no")
    return {kind: {normalise(p) for words in by_lang.values() for p in words} for kind, by_lang in data.items()}


ASKS_MEANING_WORDS = 8  # "sorry, I'm not sure what you mean": a short message around the phrase


def kind_of(text: str) -> Optional[str]:
    said = normalise(text)
    for kind in ("ja", "nee", "wat_bedoel_je", "terug"):
        if said in phrases()[kind]:
            return kind
    # "wat bedoelt u? ik ben niet zo handig met de computer": the first clause says it.
    first = first_clause(text)
    if " " in first and first in phrases()["wat_bedoel_je"]:
        return "wat_bedoel_je"
    words = said.split()
    if len(words) <= ASKS_MEANING_WORDS:
        padded = f" {said} "
        if any(" " in p and f" {p} " in padded for p in phrases()["wat_bedoel_je"]):
            return "wat_bedoel_je"
    return None


def first_clause(text: str) -> str:
    """The message up to its first . ? ! , or ;, normalised."""
    return normalise(re.split(r"[.?!,;]+", text or "", maxsplit=1)[0])


def contains_phrase(text: str, kind: str) -> bool:
    """One of the phrases of `kind` (data/context.yml) stands in the message, as whole words."""
    said = f" {normalise(text)} "
    return any(f" {p} " in said for p in phrases()[kind])


def says_help_is_here(text: str) -> bool:
    """ "de politie is er", "ik ben nu veilig": after a 112 answer, the danger is being handled."""
    return contains_phrase(text, "hulp_is_er")


def says_goodbye(text: str) -> bool:
    return contains_phrase(text, "doei")


def _get(event: Any, key: str) -> Any:
    return event.get(key) if isinstance(event, dict) else getattr(event, key, None)


def last_bot_turn(events: Iterable[Any], skip_latest_user: bool = False) -> List[Any]:
    """The bot's messages since the user's last message, the latest first.

    In bot/serve.py the message being read is not in the events yet; in an action it is
    (skip_latest_user=True)."""
    turn: List[Any] = []
    skip = skip_latest_user
    for event in reversed(list(events)):
        name = _get(event, "event") or getattr(event, "type_name", None)
        if name == "user":
            if skip:
                skip = False
                continue
            break
        if name == "bot":
            turn.append(event)
    return turn


def last_bot_buttons(events: Iterable[Any]) -> List[Dict[str, Any]]:
    """The buttons of the bot's last message that had buttons, in its last turn."""
    for event in last_bot_turn(events):
        buttons = (_get(event, "data") or {}).get("buttons")
        if buttons:
            return list(buttons)
    return []


def asked_before(events: Iterable[Any]) -> bool:
    """Whether the bot asked "Is er nu gevaar?" (utter_danger_unclear) in this conversation."""
    return any((_get(e, "name") or _get(e, "action_name")) == UNCLEAR_ANSWER for e in events)


def payload_intent(payload: str) -> Tuple[Optional[str], List[Dict[str, Any]]]:
    m = PAYLOAD.match((payload or "").strip())
    if not m:
        return None, []
    entities = []
    if m.group(2):
        try:
            values = json.loads(m.group(2))
        except ValueError:
            values = {}
        entities = [{"entity": k, "value": v, "extractor": "Context"} for k, v in values.items()]
    return m.group(1), entities


def _offer(buttons: List[Dict[str, Any]], in_form: bool) -> Optional[Dict[str, Any]]:
    """The button "ja" takes: "Ja" or "Volgende stap"; else (not in a form) the first offer."""
    intents = [(payload_intent(b.get("payload", ""))[0], b) for b in buttons]
    for preferred in ("affirm", "next_step"):
        for intent, b in intents:
            if intent == preferred:
                return b
    if in_form:  # "ja" to "Waar maak je je zorgen over?" is no choice
        return None
    return next((b for intent, b in intents if intent and intent not in NOT_AN_OFFER), None)


def with_intent(parsed: Dict[str, Any], intent: str, entities: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
    """The parse data with `intent` as the sure and only intent (plus `entities`, if given)."""
    out = {**parsed, "intent": {"name": intent, "confidence": 1.0}}
    out["intent_ranking"] = [{"name": intent, "confidence": 1.0}]
    if entities:
        out["entities"] = [*(parsed.get("entities") or []), *entities]
    return out


# What a form question can be answered with: while the form asks for the slot, the best of these
# in NLU's ranking is the answer, unless the message is clearly something else (a crisis, a
# question on the way, "wat bedoel je?").
ANSWERS_TO = {
    "zorg": (
        "worry_domestic_violence",
        "worry_child_abuse",
        "worry_elder_abuse",
        "exploitation_sexual",
        "exploitation_criminal",
        "exploitation_labour",
        "human_trafficking",
    ),
    "rol": ("role_professional", "role_parent", "role_bystander", "role_victim"),
    **{slot: ("affirm", "deny", "dont_know") for slot in ("minderjarig", "lvb", "anoniem")},  # YES_NO_SLOTS
}
YES_NO_SLOTS = ("minderjarig", "lvb", "anoniem")
YES_NO_INTENT = {"ja": "affirm", "nee": "deny", "onbekend": "dont_know"}
SURE_OTHERWISE = 0.6  # a question on the way this sure is a question, not an answer
# Outside a form: a message NLU is unsure of, that says what the worry is or who the user is (the
# lexicon's entities: "mn stiefvader slaat me"), starts the route with what it says.
UNSURE = 0.5
INTENT_OF_ENTITY = {
    ("zorg", z): i
    for z, i in zip(
        (
            "huiselijk_geweld",
            "kindermishandeling",
            "ouderenmishandeling",
            "seksuele_uitbuiting",
            "criminele_uitbuiting",
            "arbeidsuitbuiting",
            "mensenhandel",
        ),
        ANSWERS_TO["zorg"],
    )
}
INTENT_OF_ENTITY.update(
    {("rol", r): i for r, i in zip(("professional", "ouder", "omstander", "slachtoffer"), ANSWERS_TO["rol"])}
)


def start_from_entities(parsed: Dict[str, Any]) -> Dict[str, Any]:
    top = parsed.get("intent") or {}
    if top.get("name") != "nlu_fallback" and (top.get("confidence") or 0) >= UNSURE:
        return parsed
    if top.get("name") in QUESTIONS_ON_THE_WAY or top.get("name") in ANSWERS_TO["zorg"] + ANSWERS_TO["rol"]:
        return parsed
    for wanted in ("zorg", "rol"):
        for e in parsed.get("entities") or []:
            intent = INTENT_OF_ENTITY.get((e.get("entity"), e.get("value")))
            if e.get("entity") == wanted and intent:
                return with_intent(parsed, intent)
    return parsed


def yes_or_no_first(text: str) -> Optional[str]:
    """ "Ja, ik wil echt niet dat ze weten dat ik het was": affirm (deny for a no first); None
    without one, or for a question ("nee, maar komen ze erachter?")."""
    words = normalise(text).split()
    if not words or (text or "").rstrip().endswith("?"):
        return None
    for kind, intent in (("ja", "affirm"), ("nee", "deny")):
        said = phrases()[kind]
        if words[0] in said or " ".join(words[:2]) in said:
            return intent  # "ja, ...", "liefst wel, ik wil geen miserie"
    return None


def says_dont_know_first(text: str) -> bool:
    """ "Dat weet ik niet. Sommigen lijken 16": the first clause is a don't-know."""
    return first_clause(text) in phrases()["weet_niet"]


# A long first message that tells about a person ("mn stiefvader slaat me soms ...", "Een patiënte
# van 86 kwam met blauwe plekken ...") is a situation: NLU's topic guesses on long texts are weak
# (an info text about anonymity or a Meldcode step), and the route is the useful answer.
SITUATION_WORDS = 15
SURE_QUESTION = 0.8  # a question on the way this sure keeps its answer, however long the message
WORRY_GUESS = 0.2  # a worry intent this high in NLU's ranking gives the topic
# Intents that are a task of their own, not a guess: a long message keeps them.
OWN_TASKS = {
    "too_long",
    "language_card",
    "choose_language",
    "prepare_melding",
    "afwegingskader_start",
    "walkthrough",
    "talk_to_human",
    "ask_privacy",
    "bot_challenge",
    "lvb",
}
# NLU's prepare_melding on a long message is a task only when the message asks for the melding
# itself ("help me mijn melding voor te bereiden", "a draft of the report"); "mag ik daar iets
# mee?" or "should I report this, and to whom?" after a situation asks for the route.
ASKS_FOR_THE_MELDING = re.compile(
    r"\b(melding\w*|meldformulier|concept\w*|draft|report form|(write|prepare|writing|preparing) (a|the|my) report)\b", re.I
)
# Who the message tells about: an age, a topic word, or a user who is not (only) a professional.
SITUATION_ENTITIES = {("rol", "slachtoffer"), ("rol", "omstander"), ("rol", "ouder")}


@lru_cache(maxsize=1)
def _professions() -> Tuple[frozenset, Tuple[str, ...]]:
    """The profession words of data/lexicon.yml (`beroepen`): single words, and longer names."""
    import yaml

    spec = yaml.safe_load((ROOT / "data" / "lexicon.yml").read_text(encoding="utf-8"))
    names = [normalise(str(b)) for b in spec.get("beroepen") or []]
    return frozenset(n for n in names if " " not in n), tuple(n for n in names if " " in n)


def names_a_profession(text: str) -> bool:
    """A profession of the lexicon anywhere in a short answer ("Wmo-consulent van de gemeente")."""
    words, phrases = _professions()
    joined = normalise(text)
    toks = re.findall(r"[\w'-]+", joined)
    parts = set(toks) | {p for t in toks for p in t.split("-")}
    return bool(parts & words) or any(re.search(r"(?<![\w-])" + re.escape(p) + r"(?![\w-])", joined) for p in phrases)


BYSTANDER_WORDS = frozenset(
    "collega collegaatje buurvrouw buurman buur buren bovenbuurvrouw bovenbuurman onderbuurvrouw onderbuurman "
    "vriend vriendin kennis klasgenoot klasgenote huisgenoot huisgenote teamgenoot teamgenote tante oom neef "
    "nicht zus zusje broer broertje oma opa familie familielid schoonzus zwager colleague coworker co-worker "
    "neighbour neighbor friend flatmate roommate housemate classmate teammate aunt uncle cousin sister brother "
    "relative".split()
)
BYSTANDER_LEAD = re.compile(
    r"^\s*(?:(?:ik ben|ben|i'm|i am|im)\s+)?" r"(?:(?:de|een|haar|zijn|z'n|zn|d'r|hun|her|his|their|a|an|the)\s+)?([\w-]+)",
    re.I,
)


def names_a_bystander(text: str) -> bool:
    """A short answer to "Wie ben jij?" that starts with a bystander's word: "collega, we staan
    samen op de inpakafdeling", "I'm her flatmate", "de buurvrouw"."""
    m = BYSTANDER_LEAD.match(normalise(text))
    return bool(m) and m.group(1) in BYSTANDER_WORDS and len(normalise(text).split()) <= 12


def start_from_situation(parsed: Dict[str, Any], text: str) -> Dict[str, Any]:
    """Outside a form: a long message that tells about a person starts the route."""
    from bot.crisis import CRISIS_INTENTS

    top = parsed.get("intent") or {}
    name = top.get("name")
    entities = [(e.get("entity"), e.get("value")) for e in parsed.get("entities") or []]
    victim = ("rol", "slachtoffer") in entities  # a victim does not prepare a professional's melding
    own_task = name in OWN_TASKS and not victim
    if name == "prepare_melding" and not ASKS_FOR_THE_MELDING.search(text):
        own_task = False
    if len(normalise(text).split()) < SITUATION_WORDS or name in CRISIS_INTENTS or own_task:
        return parsed
    if name in ANSWERS_TO["zorg"] + ANSWERS_TO["rol"]:
        return parsed
    if name in QUESTIONS_ON_THE_WAY and (top.get("confidence") or 0) >= SURE_QUESTION:
        return parsed
    told = SITUATION_ENTITIES | ({("rol", "professional")} if name == "prepare_melding" else set())
    if not any(e in told or e[0] in ("zorg", "minderjarig") for e in entities):
        return parsed
    topic = next((INTENT_OF_ENTITY[e] for e in entities if e[0] == "zorg" and e in INTENT_OF_ENTITY), None)
    if topic is None:
        guesses = [r for r in parsed.get("intent_ranking") or [] if r.get("name") in ANSWERS_TO["zorg"]]
        if guesses and (guesses[0].get("confidence") or 0) >= WORRY_GUESS:
            topic = guesses[0]["name"]
    if topic is None:
        topic = next((INTENT_OF_ENTITY[e] for e in entities if e[0] == "rol" and e in INTENT_OF_ENTITY), None)
    return with_intent(parsed, topic) if topic else parsed


LEADING_AGE = re.compile(
    r"^\s*(?:(?:ik ben|ze is|zij is|hij is|i'm|i am|she's|he's|she is|he is)\s+)?(\d{1,3})\b"
    r"(?!\s*(?:uur|u\b|euro|€|%|keer|x\b|min|sec|kg|km|kinderen|kids|mensen|people|hours|minutes|"
    r"dag|day|weken|week|maand|month|nacht|night|"  # "20 dagen geleden", "5 maanden zwanger": no age
    r"(?:jaar|years?)\s+(?:geleden|lang|ago|long)))",
    re.I,
)


# "i have 24" (as one says it in Spanish or French): an age only as the whole answer
HAVE_AGE = re.compile(r"^\s*i (?:have|got)\s+(\d{1,3})\s*(?:years?(?: old)?|yo|y/o|yrs)?\s*[.!]*\s*$", re.I)


def age_answer(parsed: Dict[str, Any], text: str, first: Optional[str]) -> Tuple[Dict[str, Any], Optional[str]]:
    """The answer to "Is de persoon jonger dan 18?" read from the ages in it: "ik ben 19" is a no
    (the writer who answers with an age is the person); after a "no" first, a minor read from a
    child word alone goes ("no, I'm 24. the kids are small"), a minor's age stays ("nee, ze is 15")."""
    from bot.components.lexicon_extractor import ages_in

    entities = parsed.get("entities") or []
    lead = LEADING_AGE.match(text) or HAVE_AGE.match(text)
    if lead and 0 < int(lead.group(1)) < 110:
        # "16. die gast is al volwassen, 23 ofzo": the number said first answers the question.
        value = "ja" if int(lead.group(1)) < 18 else "nee"
        kept = [e for e in entities if e.get("entity") != "minderjarig"]
        kept.append(
            {"entity": "minderjarig", "value": value, "start": lead.start(1), "end": lead.end(1), "extractor": "context"}
        )
        return {**parsed, "entities": kept}, "affirm" if value == "ja" else "deny"
    if first == "deny":
        entities = [
            e
            for e in entities
            if not (
                e.get("entity") == "minderjarig"
                and e.get("value") == "ja"
                and not ages_in(text[e.get("start", 0) : e.get("end", 0)])
            )
        ]
        parsed = {**parsed, "entities": entities}
    if first or any(e.get("entity") == "minderjarig" for e in entities):
        return parsed, first
    said = {a.status for a in ages_in(text)} - {None}
    if len(said) == 1:
        return parsed, "affirm" if said == {"ja"} else "deny"
    return parsed, first


def answer_to(parsed: Dict[str, Any], requested: Optional[str], text: str = "") -> Dict[str, Any]:
    """Inside a form: NLU's best answer of the kind the form asks for."""
    from bot.crisis import FORM_IGNORED_INTENTS

    wanted = ANSWERS_TO.get(requested or "")
    top = parsed.get("intent") or {}
    if top.get("name") in FORM_IGNORED_INTENTS:
        return parsed  # a crisis, "stop", "wat bedoel je": never read as an answer
    first = yes_or_no_first(text) if requested in YES_NO_SLOTS else None
    if requested in YES_NO_SLOTS and not first and says_dont_know_first(text):
        # Only a minor named in it still counts ("weet niet, ze lijkt 15": under 18).
        kept = [e for e in parsed.get("entities") or [] if e.get("entity") != requested or e.get("value") == "ja"]
        return with_intent({**parsed, "entities": kept}, "dont_know")
    if requested == "minderjarig":
        parsed, first = age_answer(parsed, text, first)
    if first:
        # The first word decides; a word-list reading of the rest that says the opposite goes
        # ("Ja, ik wil niet dat hij ... met mijn naam erbij" is a yes). A minor named stays.
        against = "nee" if first == "affirm" else "ja"
        if requested == "minderjarig" and against == "ja":
            against = None  # "nee, ze is 15": the minor counts
        kept = [e for e in parsed.get("entities") or [] if not (e.get("entity") == requested and e.get("value") == against)]
        parsed = {**parsed, "entities": kept}
    if first and top.get("name") not in (first, "dont_know"):
        return with_intent(parsed, first)  # "ja asjeblieft, anders wordt hij kwaad" is a yes
    if requested == "rol" and not any(e.get("entity") == "rol" for e in parsed.get("entities") or []):
        if names_a_profession(text):  # "Wmo-consulent van de gemeente." answers "Wie ben jij?"
            return with_intent(parsed, "role_professional")
        if names_a_bystander(text):  # "collega, we staan samen op de inpakafdeling"
            return with_intent(parsed, "role_bystander")
    if not wanted or top.get("name") in wanted:
        return parsed  # (a yes or no first has been decided above)
    named = next((e.get("value") for e in parsed.get("entities") or [] if e.get("entity") == requested), None)
    if requested in YES_NO_SLOTS and named in YES_NO_INTENT and "?" not in text:
        # The word lists read the answer ("Mijn naam mag u weten, ik heb niets te verbergen"):
        # an answer, also where NLU heard a question about privacy in it.
        return with_intent(parsed, YES_NO_INTENT[named])
    if top.get("name") in QUESTIONS_ON_THE_WAY and (top.get("confidence") or 0) >= SURE_OTHERWISE:
        return parsed
    best = next((r for r in parsed.get("intent_ranking") or [] if r.get("name") in wanted), None)
    return with_intent(parsed, best["name"]) if best else parsed


@lru_cache(maxsize=1)
def intent_signs() -> Dict[str, Tuple[List["re.Pattern[str]"], Dict[str, str], Optional["re.Pattern[str]"], bool]]:
    """data/intent_signs.yml: per intent, the sign lists it needs, the entity values and the signs
    it excludes."""
    spec = yaml.safe_load((ROOT / "data" / "intent_signs.yml").read_text(encoding="utf-8")) or {}
    return {
        intent: (
            [re.compile(r"(?<!\w)(?:" + "|".join(str(x) for x in signs) + ")", re.I) for signs in s.get("all_of") or []],
            dict(s.get("not_with_entity") or {}),
            re.compile(r"(?<!\w)(?:" + "|".join(str(x) for x in s["none_of"]) + ")", re.I) if s.get("none_of") else None,
            bool(s.get("earlier_counts")),
        )
        for intent, s in spec.items()
    }


def earlier_texts(events: Iterable[Any], n: int = 6) -> str:
    """The user's last n messages before this one (typed, not buttons), for signs said earlier."""
    texts = [_get(e, "text") or "" for e in events if (_get(e, "event") or _get(e, "type_name")) == "user"]
    return " ".join(t for t in texts[-n:] if not t.startswith("/"))


def has_signs(intent: str, parsed: Dict[str, Any], text: str, earlier: Callable[[], str] = lambda: "") -> bool:
    """Whether the message (or, for the signs it needs, what the user said before: "Ik ben bang
    dat haar zoon haar slecht behandelt" after "mijn buurvrouw van 91") has the intent's signs.
    `earlier` gives the earlier messages' text; it is called only when an intent needs it."""
    signs = intent_signs().get(intent)
    if signs is None:
        return True
    lists, excluded, against, earlier_counts = signs
    entities = {(e.get("entity"), e.get("value")) for e in parsed.get("entities") or []}
    if any((entity, value) in entities for entity, value in excluded.items()) or (against and against.search(text)):
        return False
    if intent == "stop" and HARM_STOPS.search(text):
        return False  # "i just want it to stop", "ik wil dat hij ophoudt": the harm should stop, not the form
    return all(r.search(text) or (earlier_counts and r.search(earlier())) for r in lists)


def with_signs(parsed: Dict[str, Any], text: str, earlier: Callable[[], str] = lambda: "") -> Dict[str, Any]:
    """NLU's intent, or its best next guess when the message has none of the intent's signs
    (data/intent_signs.yml); a guess under the fallback threshold is nlu_fallback (the guesses stay
    in the ranking for "Bedoel je ...?")."""
    top = (parsed.get("intent") or {}).get("name")
    if text.startswith("/") or not top or has_signs(top, parsed, text, earlier):
        return parsed
    from bot.crisis import CRISIS_INTENTS

    # never a crisis intent from the ranking: the crisis layer has already read the message
    ranking = [
        r
        for r in parsed.get("intent_ranking") or []
        if r.get("name") not in (top, *CRISIS_INTENTS) and has_signs(r["name"], parsed, text, earlier)
    ]
    best = dict(ranking[0]) if ranking and (ranking[0].get("confidence") or 0) >= FALLBACK_THRESHOLD else None
    return {**parsed, "intent": best or {"name": "nlu_fallback", "confidence": 1.0}, "intent_ranking": ranking}


FALLBACK_THRESHOLD = 0.3  # config.yml, FallbackClassifier
HARM_STOPS = re.compile(
    r"\b(?:it|het|he|she|they|this|that|hij|ie|ze|zij|dit|dat)\s+(?:to\s+|would\s+|will\s+)?"
    r"(?:stop|stops|stopt|stoppen|ophoudt|ophouden|op houdt|stopped)\b",
    re.I,
)


def read_reply(
    parsed: Dict[str, Any], events: Iterable[Any], text: str, in_form: bool = False, requested: Optional[str] = None
) -> Dict[str, Any]:
    """The parse data with the intent the context gives a reply; else unchanged."""
    from bot.crisis import CRISIS_INTENTS, MODEL_ACUTE

    said_before: List[str] = []

    def earlier() -> str:  # the user's earlier messages, read once and only when a sign needs them
        if not said_before:
            said_before.append(earlier_texts(events))
        return said_before[0]

    parsed = with_signs(parsed, text or "", earlier)
    intent = (parsed.get("intent") or {}).get("name")
    if intent == UNCLEAR and not (text or "").startswith("/") and asked_before(events):
        # "Is er nu gevaar?" was asked in this conversation already: a second unsure guess of the
        # classifier (phrases found nothing) does not ask again, so that an answer to the form's
        # question ("my mom hits me, every week") is not swallowed twice. Real danger words still
        # count: they give acute_danger, never danger_unclear.
        others = [r for r in parsed.get("intent_ranking") or [] if r.get("name") not in CRISIS_INTENTS]
        if (parsed.get("crisis") or {}).get("phrases") == [MODEL_ACUTE]:
            parsed = with_intent(parsed, "acute_danger")  # the model read danger: no second question
        else:
            parsed = with_intent(parsed, others[0]["name"] if others else "nlu_fallback")
        intent = parsed["intent"]["name"]
    if (text or "").startswith("/") or intent in CRISIS_INTENTS:
        return parsed
    said = kind_of(text)
    if said is None:
        parsed = answer_to(parsed, requested, text) if in_form else start_from_situation(start_from_entities(parsed), text)
        intent = parsed["intent"]["name"]
    if intent == "goodbye" and not says_goodbye(text):
        others = [r for r in parsed.get("intent_ranking") or [] if r.get("name") not in ("goodbye", *CRISIS_INTENTS)]
        best = others[0]["name"] if others and (others[0].get("confidence") or 0) >= 0.2 else "nlu_fallback"
        parsed, intent = with_intent(parsed, best), best
    if said == "wat_bedoel_je":  # whatever NLU guessed ("Wat bedoel je precies?" is no step question)
        return with_intent(parsed, EXPLAIN)
    kind = said if len(normalise(text).split()) <= MAX_WORDS else None
    if kind is None or intent not in SHORT_REPLY_INTENTS:
        return parsed
    buttons = last_bot_buttons(events)
    by_intent = {payload_intent(b.get("payload", ""))[0]: b for b in buttons}
    if kind == "ja":
        offer = _offer(buttons, in_form)
        if offer is None:
            return parsed
        name, entities = payload_intent(offer["payload"])
        return with_intent(parsed, name, entities)
    if kind == "nee":
        if "deny" in by_intent:
            return with_intent(parsed, "deny")
        if in_form or not buttons:
            return parsed
        return with_intent(parsed, DECLINE)
    if kind == "terug" and "previous_step" in by_intent:
        return with_intent(parsed, "previous_step")
    return parsed
