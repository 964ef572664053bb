"""English throughout (issue 14): every text the bot shows has its English version, as data.

- every response of the domain has a variation with the condition taal=en, and so does every
  channel variant (team chat), with the same buttons (payloads) as the Dutch one;
- Rasa picks the right variation for channel + language;
- data/texts/en.yml has every key of data/texts/nl.yml, with the same placeholders;
- every Dutch text field of the content files has its <field>_en next to it;
- where the Dutch says 112 in its first two sentences, the English does too;
- the English texts show only numbers and URLs of data/organisaties.yml.
"""

import re
from pathlib import Path

import pytest
import yaml
from rasa.core.nlg import TemplatedNaturalLanguageGenerator

from actions import organisations as orgs
from actions import texts
from actions.routing import render, route
from bot import crisis
from tests.helpers import route_answers
from bot.domain_files import domain_dict
from tests.unit.test_numbers import check

ROOT = Path(__file__).resolve().parents[2]
EN = [{"type": "slot", "name": "taal", "value": "en"}]
# Responses whose default text is already in English and Dutch (the language card).
BILINGUAL = {"utter_language_card"}
DOMAIN = domain_dict()
RESPONSES = DOMAIN["responses"]
PLACEHOLDER = re.compile(r"(?<!\{)\{[^{}]*\}(?!\})")  # {name}; {{ and }} are braces written out


def load(path):
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


def is_en(variant):
    return variant.get("condition") == EN


def dutch(variants, channel=None):
    return [v for v in variants if not v.get("condition") and v.get("channel") == channel]


def english(variants, channel=None):
    return [v for v in variants if is_en(v) and v.get("channel") == channel]


def payloads(variant):
    return [b["payload"] for b in variant.get("buttons") or []]


def first_two_sentences(text):
    # The same reading as tests/unit/test_crisis_wiring.py.
    return " ".join(text.replace("?", ".").split(".")[:2])


def to_translate():
    return sorted(name for name in RESPONSES if name not in BILINGUAL)


def channel_variants():
    return sorted(
        (name, v["channel"])
        for name in to_translate()
        for v in RESPONSES[name]
        if v.get("channel") and not v.get("condition")
    )


# ---------------------------------------------------------------- responses


def test_there_are_responses_to_check():
    assert len(to_translate()) > 50
    assert channel_variants(), "no team chat variants?"


@pytest.mark.parametrize("name", to_translate())
def test_every_response_has_an_english_variation(name):
    variants = RESPONSES[name]
    nl, en = dutch(variants), english(variants)
    assert len(nl) == 1 and len(en) == 1, name
    assert en[0].get("text", "").strip(), name
    assert payloads(en[0]) == payloads(nl[0]), name
    assert all(b["title"].strip() for b in en[0].get("buttons") or [])


@pytest.mark.parametrize("name,channel", channel_variants())
def test_every_channel_variant_has_an_english_variation(name, channel):
    variants = RESPONSES[name]
    nl, en = dutch(variants, channel), english(variants, channel)
    assert len(nl) == 1 and len(en) == 1, (name, channel)
    assert payloads(en[0]) == payloads(nl[0])
    assert en[0]["text"] != english(variants)[0]["text"], "the team chat text should differ from the web text"


def pick(name, channel, taal):
    nlg = TemplatedNaturalLanguageGenerator(RESPONSES)
    slots = {"taal": taal} if taal else {}
    return nlg.generate_from_slots(name, slots, channel)["text"]


@pytest.mark.parametrize("name,channel", channel_variants())
def test_rasa_picks_the_variation_for_channel_and_language(name, channel):
    variants = RESPONSES[name]
    # Rasa 3.6 (rasa/core/nlg/generator.py): condition + channel first, then the channel's
    # default, then the condition without channel, then the default.
    assert pick(name, channel, "en") == english(variants, channel)[0]["text"]
    assert pick(name, channel, "nl") == dutch(variants, channel)[0]["text"]
    assert pick(name, channel, None) == dutch(variants, channel)[0]["text"]
    assert pick(name, "rest", "en") == english(variants)[0]["text"]
    assert pick(name, "socketio", None) == dutch(variants)[0]["text"]


def test_english_team_chat_texts_speak_of_the_chat_program():
    for name, channel in channel_variants():
        text = pick(name, channel, "en").lower()
        assert "chat program" in text and "browser" not in text and "window" not in text, (name, channel)


@pytest.mark.parametrize("name", to_translate())
def test_rasa_picks_english_for_taal_en_and_dutch_otherwise(name):
    variants = RESPONSES[name]
    assert pick(name, "rest", "en") == english(variants)[0]["text"]
    assert pick(name, "rest", "nl") == dutch(variants)[0]["text"]


@pytest.mark.parametrize("name", to_translate())
def test_112_stays_first_in_english_where_the_dutch_has_it_first(name):
    variants = RESPONSES[name]
    for channel in {v.get("channel") for v in variants}:
        nl = dutch(variants, channel)
        if nl and "112" in first_two_sentences(nl[0].get("text", "")):
            assert "112" in first_two_sentences(english(variants, channel)[0]["text"]), (name, channel)
        if nl and "112" in nl[0].get("text", ""):
            assert "112" in english(variants, channel)[0]["text"], (name, channel)


def crisis_responses():
    rules = load("data/rules/crisis.yml")["rules"]
    found = set()
    for r in rules:
        steps = r["steps"]
        if steps and "intent" in steps[0] and steps[0]["intent"] in crisis.CRISIS_INTENTS:
            found.add(steps[1]["action"])
    return sorted(found)


def test_crisis_answers_say_112_first_in_english():
    names = crisis_responses()
    assert {"utter_acute_danger", "utter_suicide_acute", "utter_sexual_assault_now"} <= set(names)
    for name in names:
        nl = dutch(RESPONSES[name])[0]["text"]
        en = english(RESPONSES[name])[0]["text"]
        if "112" in first_two_sentences(nl):
            assert "112" in first_two_sentences(en), name
        assert "112" in en, name


def test_english_crisis_answers_keep_the_numbers_of_the_dutch():
    number = re.compile(r"\b(?:112|113|0\d{2,3}-\d{4,7})\b")
    for name in crisis_responses():
        nl = set(number.findall(dutch(RESPONSES[name])[0]["text"]))
        en = set(number.findall(english(RESPONSES[name])[0]["text"]))
        assert nl == en, name


# ---------------------------------------------------------------- texts of the actions

NL, EN_TEXTS = texts.table("nl"), texts.table("en")


def test_english_texts_have_every_dutch_key():
    assert set(NL) == set(EN_TEXTS), set(NL) ^ set(EN_TEXTS)


@pytest.mark.parametrize("key", sorted(NL))
def test_english_texts_keep_the_placeholders(key):
    nl, en = NL[key], EN_TEXTS[key]
    assert type(nl) is type(en), key
    if isinstance(nl, str):
        assert sorted(PLACEHOLDER.findall(nl)) == sorted(PLACEHOLDER.findall(en)), key
        assert ("112" in nl) == ("112" in en), key


def test_words_that_are_not_names_are_capitalised_english_words():
    words = EN_TEXTS["melding.geen_namen"]
    assert isinstance(words, list) and len(words) > 20
    assert all(isinstance(w, str) and w[:1].isupper() for w in words)
    assert {"Monday", "January", "Police", "Veilig", "Thuis"} <= set(words)


def test_english_texts_fill_in():
    values = {"zorg": "x", "naam": "x", "waarom": "x", "contact": "x", "telefoon": "0800-2000", "wanneer": "x"}
    values.update({"url": "x", "address": "x", "n": 1, "stap": "x", "uitleg": "x", "tekst": "x", "samenvatting": "x"})
    values.update({"waarde": "x", "conclusie": "x", "beschrijving": "x", "namen": "x", "max": 128})
    values.update({k: "x" for k in ("melding_signalen", "melding_overleg", "melding_gesprek")})
    values.update({k: "x" for k in ("melding_afweging", "melding_besluit")})
    for value in EN_TEXTS.values():
        if isinstance(value, str):
            texts.fill(value, "en", **values)


# ---------------------------------------------------------------- content files


def test_routes_have_english_reasons_and_tips():
    rules = load("data/routes.yml")["regels"]
    for rule in rules:
        for field in ("waarom", "tip"):
            if field in rule:
                en = rule.get(f"{field}_en")
                assert en and en.strip(), rule
                assert sorted(PLACEHOLDER.findall(rule[field])) == sorted(PLACEHOLDER.findall(en)), rule


def text_fields(node, path=""):
    """Every Dutch string field of a content tree, as (path, dict, key)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and not re.search(r"_[a-z]{2}$", key):
                yield f"{path}.{key}", node, key
            else:
                yield from text_fields(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from text_fields(value, f"{path}[{i}]")


def test_step_plans_have_english_fields():
    fields = list(text_fields(load("data/stappen.yml")))
    assert len(fields) > 40
    for path, node, key in fields:
        assert (node.get(f"{key}_en") or "").strip(), path


def test_organisations_have_english_descriptions():
    for key, org in orgs.organisations().items():
        for field in ("beschrijving", "extra", "bereikbaar"):
            if field in org:
                assert (org.get(f"{field}_en") or "").strip(), (key, field)


def test_suggestion_labels_have_english():
    data = load("data/suggestions.yml")
    assert set(data["labels_en"]) == set(data["labels"])
    assert all(len(label) <= 45 for label in data["labels_en"].values())


# ---------------------------------------------------------------- numbers and URLs


def english_texts():
    out = []
    for name, variants in RESPONSES.items():
        for v in variants:
            if is_en(v):
                out.append((name, v.get("text", "")))
                out += [(f"{name}:button", b.get("title", "")) for b in v.get("buttons") or []]
    out += [(f"texts {k}", v) for k, v in EN_TEXTS.items() if isinstance(v, str)]
    for rule in load("data/routes.yml")["regels"]:
        out += [("routes", rule[f]) for f in ("waarom_en", "tip_en") if f in rule]
    out += [(path, node[f"{key}_en"]) for path, node, key in text_fields(load("data/stappen.yml"))]
    for key in orgs.organisations():
        out.append((f"organisation {key}", orgs.describe(key, lang="en")))
    for zorg, rol, minor, lvb, anon in route_answers():
        out.append((f"route {zorg} {rol}", render(route(zorg, rol, minor, lvb, anon), zorg, rol, "en")))
    return out


def test_english_texts_show_only_known_numbers_and_urls():
    found = english_texts()
    assert len(found) > 500
    assert check(found) == []


def test_an_english_route_is_english():
    text = render(route("arbeidsuitbuiting", "slachtoffer", "nee", None, None), "arbeidsuitbuiting", "slachtoffer", "en")
    assert "CoMensha" in text and "Contact first:" in text and "It is not your fault." in text
    for dutch_word in ("Wie kan je helpen", "Bel ", "gratis", " je "):
        assert dutch_word not in text, (dutch_word, text)
