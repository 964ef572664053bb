"""Routing scenarios played as whole conversations (issue 17): a simulated user answers the
bot's questions in free text, and the route it gets is checked against the routing table.

The scenarios are tests/corpus/scenarios/*.yml (written apart from the training data and the
routing code; the organisations each must get come from the domain brief's table). The user
opens with the scenario's first message and then answers each question the bot asks with the
scenario's own words: the question is recognised by its response text (utter_ask_<slot> of
the domain, in the conversation's language). Offered a button that fits (a "Bedoel je ...?"
guess with the scenario's worry or role), the user clicks it, as a person would; asked the same
question a second time, the user clicks the button with their answer, if there is one. "Is er nu
gevaar?" gets "nee, nu niet" (every scenario is calm), also when it opens the full danger
answer (a calm story read as danger: the answer's first line asks it, its buttons offer "Nee,
nu niet"). A reply the user cannot place gets the
scenario's "anders" answer.

Counted per scenario: right route (every required organisation named, the first one first),
dead ends (a reply with the bare fallback, or no route within MAX_TURNS), turns to the route, and
answers not understood inside the form (the bot says so and asks the question again in other
words: a next step, so no dead end, but reported).
`python -m tests.corpus.simulate` (or `make conversations`) starts the bot and writes
results/routing-report.{txt,json}; tests/e2e/test_conversations.py runs it in `make test`.
"""

from __future__ import annotations

import re
import uuid
from functools import lru_cache
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Dict, List, Optional

import yaml

from actions import organisations as orgs
from actions.texts import text
from bot.context import INTENT_OF_ENTITY
from bot.domain_files import domain_dict

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MAX_TURNS = 10
QUESTIONS = {f"utter_ask_{slot}": slot for slot in ("zorg", "rol", "minderjarig", "lvb", "anoniem")}
QUESTIONS["utter_greet"] = "veilig"
# "Is er nu gevaar?": every scenario is calm, so the person says so (unless it has its own words).
# Also when it is the first line of the full danger answer (a calm story read as danger): its
# first line asks it, and its buttons offer "Nee, nu niet".
QUESTIONS["utter_danger_unclear"] = "gevaar"
QUESTIONS["utter_acute_danger"] = "gevaar"
NO_DANGER = {"nl": "nee, nu niet", "en": "no, not now"}
# The second miss in a row and Rasa's core fallback (both offer the main choices and a person):
# counted as dead ends all the same.
FALLBACK_RESPONSES = ("utter_default", "utter_suggest_again")
# The buttons that fit a scenario's facts: a person offered "Een oudere wordt mishandeld" clicks it.
FITTING_BUTTON = {fact: f"/{intent}" for fact, intent in INTENT_OF_ENTITY.items()}
# Asked the same question again, a person clicks the button that says their answer.
YES_NO_BUTTON = {"ja": "/affirm", "nee": "/deny", "onbekend": "/dont_know"}


def load_scenarios(folder: str = "scenarios") -> List[dict]:
    """scenarios/: the routing scenarios the developers have read transcripts of;
    heldout_scenarios/: written later by a writer who read only the domain brief, never tuned on."""
    out = []
    for path in sorted((HERE / folder).glob("*.yml")):
        out += yaml.safe_load(path.read_text(encoding="utf-8"))["scenarios"]
    return out


def _key(s: str) -> str:
    return " ".join(re.sub(r"[^\w ]+", " ", (s or "").lower()).split())[:60]


@lru_cache(maxsize=1)
def question_texts() -> Dict[str, str]:
    """The start of every variation of the questions (all languages) -> the answer it asks."""
    found = {}
    responses = domain_dict()["responses"]
    for name, slot in QUESTIONS.items():
        for v in responses.get(name, []):
            for line in (v.get("text") or "").splitlines():
                if "?" in line:
                    found[_key(line)] = slot
    return found


@lru_cache(maxsize=1)
def fallback_texts() -> List[str]:
    responses = domain_dict()["responses"]
    return [_key(v.get("text", "").splitlines()[0]) for n in FALLBACK_RESPONSES for v in responses.get(n, [])]


@lru_cache(maxsize=1)
def route_marks() -> List[str]:
    return [_key(text("route.slot", lang)) for lang in ("nl", "en")]


def asked(messages: List[dict], questions: Dict[str, str]) -> Optional[str]:
    """Which answer the bot's last question asks for, if it is one of the known questions."""
    for m in reversed(messages):
        for line in reversed((m.get("text") or "").splitlines()):
            slot = questions.get(_key(line))
            if slot:
                return slot
    return None


def named(route_text: str) -> List[str]:
    """Organisation keys named in a route, in the order they first appear."""
    found = []
    for key, org in orgs.organisations().items():
        spots = [route_text.find(f"- {v}:") for f, v in org.items() if f == "naam" or f.startswith("naam_")]
        spots = [at for at in spots if at >= 0]
        if spots:
            found.append((min(spots), key))
    return [k for _, k in sorted(found)]


def fitting_button(messages: List[dict], facts: Dict[str, str]) -> Optional[str]:
    """The payload of an offered button that fits the scenario (its worry or role), if any."""
    wanted = {FITTING_BUTTON.get((k, v)) for k, v in facts.items()} - {None}
    for m in reversed(messages):
        for b in m.get("buttons") or []:
            if b.get("payload") in wanted:
                return b["payload"]
    return None


def answer_button(messages: List[dict], slot: str, facts: Dict[str, str]) -> Optional[str]:
    """The button that gives the scenario's answer to the question asked (a second time)."""
    wanted = FITTING_BUTTON.get((slot, facts.get(slot))) or YES_NO_BUTTON.get(facts.get(slot) or "")
    for m in reversed(messages):
        for b in m.get("buttons") or []:
            if b.get("payload") == wanted:
                return wanted
    return None


def play(say: Callable[[str, str], List[dict]], scenario: dict) -> dict:
    sender = f"scenario-{uuid.uuid4().hex}"
    questions, fallbacks, marks = question_texts(), fallback_texts(), route_marks()
    replies = say(scenario["opening"], sender)
    turns, dead_ends, others, clicks, misread = 1, 0, 0, 0, 0
    not_sure = [text("uitleg.niet_zeker", lang) for lang in ("nl", "en")]
    route, last_asked = None, None
    while True:
        texts = [m.get("text") or "" for m in replies]
        joined = "\n".join(texts)
        if any(_key(t.splitlines()[0] if t else "") in fallbacks for t in texts):
            dead_ends += 1
        if any(t.startswith(n) for t in texts for n in not_sure):
            misread += 1  # an answer not understood: said so, and the question asked again (no dead end)
        if any(_key(line) in marks for line in joined.splitlines()):  # the route's last line
            route = joined
            break
        if turns >= MAX_TURNS:
            break
        slot = asked(replies, questions)
        if slot and slot == last_asked:  # asked again: the person clicks their answer, if offered
            button = answer_button(replies, slot, scenario["facts"])
        else:
            button = None if slot else fitting_button(replies, scenario["facts"])
        last_asked = slot
        if button:  # "Bedoel je ...?" with the right guess among the buttons: the person clicks it
            clicks += 1
            replies = say(button, sender)
            turns += 1
            continue
        if slot is None:
            others += 1
            if others > 2:
                break
            answer = scenario["answers"].get("anders") or "wie moet ik bellen?"
        elif slot == "gevaar":
            answer = scenario["answers"].get(slot) or NO_DANGER[scenario.get("lang", "nl")]
        else:
            answer = scenario["answers"].get(slot) or "weet ik niet"
        replies = say(answer, sender)
        turns += 1
    names = named(route or "")
    required = scenario["must_name"]
    return {
        "id": scenario["id"],
        "lang": scenario.get("lang", "nl"),
        "route": route is not None,
        "right": route is not None and set(required) <= set(names) and (names[:1] == [scenario["first"]]),
        "missing": sorted(set(required) - set(names)),
        "first": names[:1],
        "turns": turns,
        "clicks": clicks,
        "dead_end": dead_ends > 0 or route is None,
        "misread": misread,
        "dead_end_replies": dead_ends,
    }


def evaluate(say: Callable[[str, str], List[dict]], workers: int = 4, folder: str = "scenarios") -> dict:
    scenarios = load_scenarios(folder)
    with ThreadPoolExecutor(workers) as pool:
        rows = list(pool.map(lambda s: play(say, s), scenarios))
    n = len(rows) or 1
    with_route = [r for r in rows if r["route"]]
    return {
        "scenarios": len(rows),
        "right_routes": sum(r["right"] for r in rows) / n,
        "dead_ends": sum(r["dead_end"] for r in rows) / n,
        "mean_turns": sum(r["turns"] for r in with_route) / (len(with_route) or 1),
        "with_a_click": sum(bool(r["clicks"]) for r in rows) / n,
        "with_a_misread_answer": sum(bool(r["misread"]) for r in rows) / n,
        # per message: the share of the bot's replies that was the bare fallback
        "dead_end_replies": sum(r["dead_end_replies"] for r in rows) / (sum(r["turns"] for r in rows) or 1),
        "english_right": _share([r for r in rows if r["lang"] == "en"], "right"),
        "rows": rows,
    }


def _share(rows: List[dict], key: str) -> float:
    return sum(r[key] for r in rows) / len(rows) if rows else 0.0


def format_report(r: dict) -> str:
    lines = [
        f"routing scenarios: {r['scenarios']}, right routes {r['right_routes']:.1%}, "
        f"conversations with a dead end {r['dead_ends']:.1%}, turns to the route {r['mean_turns']:.1f}, "
        f"English right {r['english_right']:.1%}, with a click on a fitting guess {r['with_a_click']:.1%}, "
        f"with an answer not understood (asked again) {r['with_a_misread_answer']:.1%}; "
        f"replies that were the bare fallback {r['dead_end_replies']:.1%} of {sum(x['turns'] for x in r['rows'])}",
    ]
    for row in r["rows"]:
        if not row["right"]:
            lines.append(f"  {row['id']}: route={row['route']} first={row['first']} missing={row['missing']}")
    return "\n".join(lines)


def write(report: dict) -> None:
    from tests.helpers import write_report

    write_report("routing-report", report, format_report(report))


def main() -> int:
    from tests.helpers import run_against_bot

    return run_against_bot(evaluate, write, format_report)


if __name__ == "__main__":
    raise SystemExit(main())
