"""The web chat widget's languages in the browser, against the running bot (issue 14): data-lang,
the language switch in the header, the widget's own texts from /widget-texts/<lang>.json, and
Arabic laid out right to left (fixtures and page object: tests/e2e/widget_page.py).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest

from actions import texts
from bot.web.server import widget_texts
from tests.e2e import widget_page
from tests.e2e.widget_page import GREETING, Page, axe, expect, inject, routed

# The fixtures of tests/e2e/widget_page.py.
axe_page, browser, demo, new_page = widget_page.axe_page, widget_page.browser, widget_page.demo, widget_page.new_page

ARABIC = "زوجي يضربني كل يوم وأنا خائفة جدا ولا أعرف ماذا أفعل"  # "my husband beats me every day, ..."


def user_uttered(p: Page) -> list:
    """Every user_uttered event the page sent over socket.io, as {message, session_id, metadata}."""
    events = []
    for frame in p.sent:
        if isinstance(frame, str) and frame.startswith('42["user_uttered"'):
            events.append(json.loads(frame[2:])[1])
    return events


def widget_attr(p: Page, selector: str, name: str) -> str:
    """An attribute of an element inside the widget's shadow root."""
    return p.page.locator(selector).first.get_attribute(name)


def test_widget_texts_are_served_per_language(demo):
    nl = widget_texts("nl")["texts"]
    for lang, want in (("nl", "nl"), ("en", "en"), ("pl", "en"), ("ar", "en")):
        with urllib.request.urlopen(f"{demo}widget-texts/{lang}.json", timeout=10) as r:
            assert r.headers["Access-Control-Allow-Origin"] == "*"
            assert r.headers["Cache-Control"] == "no-store"
            got = json.loads(r.read().decode("utf-8"))
        assert got["lang"] == want, (lang, got["lang"])  # the card languages get the English texts
        assert set(got["texts"]) == set(nl), set(nl) ^ set(got["texts"])
        assert got["texts"]["veilig_thuis_telefoon"] == "0800-2000"  # from data/organisaties.yml
    assert widget_texts("en")["texts"]["openen"] != nl["openen"]
    for unknown in ("xx", "../nl", "NL"):
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(f"{demo}widget-texts/{unknown}.json", timeout=10)
        assert error.value.code == 404


def test_english_page_gets_english_widget_and_greeting(new_page, demo):
    p = new_page("en", viewport={"width": 1000, "height": 800})
    p.page.goto(demo + "en.html")
    T = p.texts
    launcher = p.page.get_by_role("button", name=T["openen"])
    expect(launcher).to_be_visible()
    expect(p.widget).to_have_attribute("lang", "en")
    expect(p.widget).to_have_attribute("dir", "ltr")
    expect(p.page.get_by_role("button", name=re.compile("^" + T["snel_weg"])).first).to_be_visible()
    launcher.click()
    expect(p.bot.first).to_contain_text(GREETING["en"])
    expect(p.input).to_have_attribute("placeholder", T["placeholder"])
    expect(p.page.get_by_role("button", name=T["stuur"])).to_be_visible()
    expect(p.page.locator(".mg-langs button")).to_have_text(["Nederlands"])
    sent = user_uttered(p)
    assert sent and sent[0]["message"] == "/greet", sent
    assert all(e["metadata"] == {"lang": "en"} for e in sent), sent
    p.click_choice("Yes, it is safe")
    assert user_uttered(p)[-1]["metadata"] == {"lang": "en"}
    p.shot("english")
    assert not p.errors, p.errors


def test_switch_sends_choose_language_and_switches_the_widget_texts(new_page, demo):
    p = new_page(viewport={"width": 1000, "height": 800}).open_chat(demo)
    nl, en = widget_texts("nl")["texts"], widget_texts("en")["texts"]
    expect(p.widget).to_have_attribute("lang", "nl")
    switch = p.page.locator(".mg-langs button")
    expect(switch).to_have_text(["English"])
    assert switch.get_attribute("lang") == "en"
    before = p.bot.count()
    switch.click()
    expect(p.bot).not_to_have_count(before)
    last = user_uttered(p)[-1]
    assert last["message"] == '/choose_language{"taal": "en"}' and last["metadata"] == {"lang": "en"}, last
    expect(p.user.last).to_contain_text("English")
    expect(p.bot.last).to_contain_text("English")  # utter_choose_language, in English
    # the widget's own texts are English now, and it offers Dutch
    expect(p.widget).to_have_attribute("lang", "en")
    expect(p.page.get_by_role("textbox", name=en["invoer"])).to_have_attribute("placeholder", en["placeholder"])
    expect(p.page.get_by_role("button", name=en["tip_knop"])).to_be_visible()
    expect(p.page.locator(".mg-bar-112")).to_have_text(en["gevaar"])
    expect(switch).to_have_text(["Nederlands"])
    assert widget_attr(p, ".mg-panel", "lang") == "en"
    p.shot("switched-to-english")
    # and back
    switch.click()
    expect(switch).to_have_text(["English"])
    expect(p.page.get_by_role("textbox", name=nl["invoer"])).to_be_visible()
    assert user_uttered(p)[-1]["message"] == '/choose_language{"taal": "nl"}'
    expect(p.bot.last).to_contain_text("Nederlands")
    expect(p.widget).to_have_attribute("lang", "nl")
    assert not p.errors, p.errors


def test_arabic_page_is_right_to_left(new_page, demo):
    p = new_page("ar", viewport={"width": 1000, "height": 800})
    p.page.goto(demo + "ar.html")
    expect(p.widget).to_have_attribute("dir", "rtl")
    expect(p.widget).to_have_attribute("lang", "ar")
    p.page.get_by_role("button", name=p.texts["openen"]).click()
    expect(p.bot.first).to_be_visible()
    assert p.page.locator(".mg-panel").evaluate("e => getComputedStyle(e).direction") == "rtl"
    # the card languages have the English widget texts, and offer English and Dutch
    assert widget_attr(p, ".mg-panel", "lang") == "en"
    assert widget_attr(p, ".mg-log", "lang") == "ar"
    expect(p.page.locator(".mg-langs button")).to_have_text(["English", "Nederlands"])
    assert all(e["metadata"] == {"lang": "ar"} for e in user_uttered(p))
    p.say(ARABIC)
    expect(p.bot.last).to_contain_text("112")
    p.shot("arabic")
    # the switch to English: the conversation and the widget go on in English, left to right
    p.page.locator(".mg-langs").get_by_role("button", name="English").click()
    expect(p.widget).to_have_attribute("dir", "ltr")
    expect(p.widget).to_have_attribute("lang", "en")
    expect(p.page.locator(".mg-langs button")).to_have_text(["Nederlands"])
    assert user_uttered(p)[-1]["message"] == '/choose_language{"taal": "en"}'
    expect(p.bot.last).to_contain_text("English")
    assert not p.errors, p.errors


def test_an_arabic_bot_message_is_right_to_left_in_a_dutch_conversation(new_page, demo):
    p = new_page(viewport={"width": 1000, "height": 800}).open_chat(demo)
    p.say(ARABIC)  # the bot answers with the safety card in Arabic
    bubble = p.bot.last
    expect(bubble).to_contain_text("112")
    assert bubble.get_attribute("dir") == "auto"
    assert bubble.locator(".mg-text").evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert p.bot.first.locator(".mg-text").evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert p.user.last.get_attribute("dir") == "auto"
    expect(p.widget).to_have_attribute("dir", "ltr")  # the widget itself stays Dutch, left to right
    p.shot("arabic-in-dutch")


def test_a_bot_message_that_names_its_language_switches_the_widget(new_page, demo):
    """A channel that knows the conversation's language may send it along: {"lang": "ar"}."""
    p = new_page()
    say = inject(routed(p))
    p.open_chat(demo)
    say({"text": "مرحبا. هل أنت في خطر الآن؟ اتصل بالرقم 112.", "lang": "ar"})
    expect(p.widget).to_have_attribute("dir", "rtl")
    expect(p.widget).to_have_attribute("lang", "ar")
    assert p.bot.last.get_attribute("lang") == "ar"
    expect(p.page.locator(".mg-langs button")).to_have_text(["English", "Nederlands"])
    say({"text": "Something in an unknown language.", "lang": "xx"})  # ignored
    expect(p.widget).to_have_attribute("lang", "ar")
    # the safety card's own language buttons switch the widget too
    card = texts.text("kaart.knop_engels", "ar")
    say({"text": "English?", "quick_replies": [{"title": card, "payload": '/choose_language{"taal": "en"}'}]})
    p.lang = "ar"  # the page object reads the widget's texts of the conversation's language now
    p.click_choice(card)
    expect(p.widget).to_have_attribute("lang", "en")
    expect(p.widget).to_have_attribute("dir", "ltr")
    assert user_uttered(p)[-1]["message"] == '/choose_language{"taal": "en"}'


@pytest.mark.parametrize("lang, path", [("en", "en.html"), ("ar", "ar.html")])
def test_axe_in_english_and_arabic(axe_page, demo, lang, path):
    p = axe_page(lang, viewport={"width": 1000, "height": 800})
    p.page.goto(demo + path)
    p.page.get_by_role("button", name=p.texts["openen"]).wait_for()
    axe(p, f"{lang}, closed")
    p.page.get_by_role("button", name=p.texts["openen"]).click()
    expect(p.bot.first).to_be_visible()
    expect(p.page.locator(".mg-choices button").first).to_be_visible()
    axe(p, f"{lang}, open with buttons")
    p.page.get_by_role("button", name=p.texts["tip_knop"]).click()
    axe(p, f"{lang}, with the tip")
    z = axe_page(lang, viewport={"width": 320, "height": 568}, device_scale_factor=2, is_mobile=True, has_touch=True)
    z.page.goto(demo + path)
    z.page.get_by_role("button", name=z.texts["openen"]).click()
    expect(z.bot.first).to_be_visible()
    axe(z, f"{lang}, phone, open")
