"""Every phone number and URL the bot shows must stand in data/organisaties.yml.

Scans all responses in domain.yml and the output of every action for every route, so a
typo or an invented number anywhere fails here.
"""

import re
from pathlib import Path

import pytest
import yaml

from actions import organisations as orgs
from actions.routing import render, route
from tests.helpers import route_answers

ROOT = Path(__file__).resolve().parents[2]
PHONE = re.compile(r"(?<![\w/.-])(0\d{2,3}[\s-]?\d{2,4}(?:[\s-]?\d{2,4}){0,3})(?![\w/])")
URL = re.compile(r"(?:https?://|www\.)[^\s)\]]+")


def digits(s):
    return re.sub(r"\D", "", s)


def known_numbers():
    return {digits(o["telefoon"]) for o in orgs.organisations().values() if o.get("telefoon")}


def known_urls():
    return {norm_url(o["url"]) for o in orgs.organisations().values() if o.get("url")}


def norm_url(u):
    u = re.sub(r"^https?://", "", u.rstrip(".,;:!?")).removeprefix("www.")
    return u.rstrip("/")


def response_texts():
    texts = []
    for path in [ROOT / "domain.yml", *sorted((ROOT / "domain").glob("*.yml"))]:
        if not path.exists():
            continue
        domain = yaml.safe_load(path.read_text(encoding="utf-8"))
        for name, variants in (domain.get("responses") or {}).items():
            for v in variants:
                texts.append((f"{path.name}:{name}", v.get("text", "")))
                for b in v.get("buttons", []) or []:
                    texts.append((f"{path.name}:{name}:button", b.get("title", "")))
    return texts


def action_texts():
    texts = []
    for zorg, rol, minor, lvb, anon in route_answers():
        texts.append((f"route {zorg} {rol}", render(route(zorg, rol, minor, lvb, anon), zorg, rol)))
    for key in orgs.organisations():
        texts.append((f"organisation {key}", orgs.describe(key)))
    from bot.channels.guard import ACTION_FAILURE_TEXT, FAILURE_TEXT

    texts.append(("guard failure", FAILURE_TEXT))
    texts.append(("guard action failure", ACTION_FAILURE_TEXT))
    return texts


ALL_TEXTS = response_texts() + action_texts()


def check(texts):
    numbers, urls = known_numbers(), known_urls()
    bad = []
    for where, text in texts:
        for m in PHONE.finditer(text):
            if digits(m.group(1)) not in numbers:
                bad.append((where, m.group(1)))
        for m in URL.finditer(text):
            if norm_url(m.group(0)) not in urls:
                bad.append((where, m.group(0)))
    return bad


def test_there_is_something_to_check():
    assert len(response_texts()) > 20 and len(action_texts()) > 100


def test_all_numbers_and_urls_in_responses_and_actions_are_known():
    assert check(ALL_TEXTS) == []


def test_the_check_catches_an_unknown_number():
    fake = "0800-" + "12" + "34"  # built at run time, so no content scan mistakes it for real
    assert check([("fake", f"Bel {fake} of kijk op www.example.org")]) == [("fake", fake), ("fake", "www.example.org")]


@pytest.mark.parametrize(
    "name",
    ["utter_acute_danger", "utter_suicide", "utter_sexual_assault", "utter_greet", "utter_suggest_again", "utter_default"],
)
def test_crisis_and_fallback_show_112(name):
    texts = [t for where, t in response_texts() if where.endswith(f".yml:{name}")]
    assert texts and all("112" in t for t in texts)
