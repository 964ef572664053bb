"""The web chat widget in the browser, against the running bot: a conversation typed and clicked,
112 for a crisis, text never as HTML, the typing indicator, the keyboard, long answers and
losing the connection (fixtures and page object: tests/e2e/widget_page.py).
"""

from __future__ import annotations

import re
import time


from tests.e2e import widget_page
from tests.e2e.widget_page import Page, expect, inject, routed

# The fixtures of tests/e2e/widget_page.py.
axe_page, browser, demo, new_page = widget_page.axe_page, widget_page.browser, widget_page.demo, widget_page.new_page


# ---- a conversation -----------------------------------------------------------------------------


def test_conversation_typed_and_clicked(new_page, demo):
    p = new_page(viewport={"width": 1000, "height": 800})
    p.page.goto(demo)
    launcher = p.page.get_by_role("button", name="Chat anoniem")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    greeting = p.bot.first
    expect(greeting).to_contain_text("computerprogramma")
    expect(greeting).to_contain_text("veilig chatten")
    assert p.focused() == "mg-input", "the input has focus when the chat opens"
    assert any('"message":"/greet"' in str(f) for f in p.sent), "the widget sends /greet on connect"

    p.click_choice("Ja, het is veilig")
    expect(p.bot.last).to_contain_text("Vertel in je eigen woorden")
    p.click_choice("Ik maak me zorgen om iemand")
    p.say("mijn buurman slaat zijn vrouw, ik hoor het bijna elke avond")
    route_tel = p.page.locator(".mg-log .mg-bot a[href='tel:08002000']")
    for _ in range(3):  # answer the form's questions (anonymity, ...) with buttons until the route comes
        if route_tel.count():
            break
        p.click_choice(p.page.locator(".mg-choices button").first.inner_text())
    expect(route_tel.first).to_be_visible()
    links = p.page.locator(".mg-log .mg-bot a[href^='https://']")
    assert links.count() >= 1 and links.first.get_attribute("rel") == "noopener noreferrer"
    expect(p.page.locator(".mg-typing")).to_be_hidden()
    assert p.focused() == "mg-input", "the input keeps focus after a choice"
    p.shot("conversation-desktop")
    assert not p.dialogs and not p.errors, (p.dialogs, p.errors)


def test_crisis_message_shows_112(new_page, demo):
    p = new_page(viewport={"width": 1000, "height": 800}).open_chat(demo)
    p.say("hij staat nu voor de deur met een mes")
    answer = p.bot.nth(1)
    expect(answer).to_contain_text("112")
    expect(answer.locator("a[href='tel:112']").first).to_be_visible()
    expect(p.page.locator(".mg-bar a[href='tel:112']")).to_be_visible()
    expect(p.page.locator(".mg-bar a[href='tel:08002000']")).to_be_visible()
    p.shot("crisis")


# ---- chat quality ---------------------------------------------------------------------------------


def test_html_in_messages_is_shown_as_text(new_page, demo):
    p = new_page()
    routes = routed(p)
    p.open_chat(demo)
    for text in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>"):
        p.say(text)
    # a bot message with markup, a link, a phone number and a javascript: text
    routes[-1].send(
        '42["bot_uttered",{"text":"<b>vet</b> <img src=x onerror=alert(2)> Bel 088-5057410 '
        'of kijk op www.veiligthuis.nl. javascript:alert(3)"}]'
    )
    injected = p.bot.last
    expect(injected).to_contain_text("<b>vet</b> <img src=x onerror=alert(2)> Bel 088-5057410")
    p.page.wait_for_timeout(500)
    log = p.page.locator(".mg-log")
    assert log.locator("img, script, b, iframe").count() == 0
    expect(injected.locator("a[href='tel:0885057410']")).to_have_text("088-5057410")
    expect(injected.locator("a[href='https://www.veiligthuis.nl']")).to_contain_text("www.veiligthuis.nl")
    assert log.locator("a[href^='javascript']").count() == 0
    assert p.dialogs == [], p.dialogs
    texts = p.user.all_text_contents()
    assert [t.removeprefix("Jij: ") for t in texts] == ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


def test_typing_indicator_while_waiting(new_page, demo):
    p = new_page()
    held, state = [], {"hold": False, "page": None}

    def route(ws):
        server = ws.connect_to_server()
        state["page"] = ws

        def from_server(message):
            if state["hold"] and "bot_uttered" in str(message):
                held.append(message)
            else:
                ws.send(message)

        server.on_message(from_server)

    p.page.route_web_socket(re.compile(r"/socket\.io/"), route)
    p.open_chat(demo)
    typing = p.page.locator(".mg-typing")
    expect(typing).to_be_hidden()
    state["hold"] = True
    p.page.locator(".mg-choices").get_by_role("button", name="Ja, het is veilig").click()
    expect(typing).to_be_visible()
    for _ in range(40):
        if held:
            break
        p.page.wait_for_timeout(250)
    assert held, "the bot's answer did not arrive"
    state["hold"] = False
    for message in held:
        state["page"].send(message)
    expect(p.bot.last).to_contain_text("Vertel in je eigen woorden")
    expect(typing).to_be_hidden()


def test_keyboard_only(new_page, demo):
    p = new_page(viewport={"width": 1000, "height": 800})
    p.page.goto(demo)
    p.page.get_by_role("button", name="Chat anoniem").wait_for()
    for _ in range(25):
        p.page.keyboard.press("Tab")
        if p.focused() == "Chat anoniem":
            break
    assert p.focused() == "Chat anoniem", "the launcher is reachable by Tab"
    outline = p.page.get_by_role("button", name="Chat anoniem").evaluate(
        "b => getComputedStyle(b).outlineStyle + ' ' + getComputedStyle(b).outlineWidth"
    )
    assert outline.startswith("solid") and outline != "solid 0px", outline
    p.page.keyboard.press("Enter")
    expect(p.bot.first).to_contain_text("computerprogramma")
    assert p.focused() == "mg-input"
    expect(p.page.locator(".mg-choices button")).to_have_count(2)
    p.page.keyboard.press("Tab")
    assert p.focused() == "Stuur"
    p.page.keyboard.press("Tab")
    assert p.focused() == "Ja, het is veilig", "the bot's buttons come right after the send button"
    p.page.keyboard.press("Enter")
    expect(p.user.last).to_have_text("Jij: Ja, het is veilig")
    assert p.focused() == "mg-input"
    expect(p.bot.last).to_contain_text("Vertel in je eigen woorden")
    p.page.keyboard.type("ik ben ouder en maak me zorgen om mijn dochter van 14")
    p.page.keyboard.press("Enter")
    expect(p.user.last).to_contain_text("mijn dochter van 14")
    assert p.focused() == "mg-input", "the input keeps focus after sending"
    expect(p.bot).not_to_have_count(2)
    # Tab reaches the tip button after the send button and the choices; the tip opens with Enter
    p.page.keyboard.press("Tab")
    assert p.focused() == "Stuur"
    for _ in range(1 + p.page.locator(".mg-choices button").count()):
        p.page.keyboard.press("Tab")
    assert p.focused() == "Tip: geen sporen achterlaten"
    p.page.keyboard.press("Enter")
    expect(p.page.locator(".mg-log .mg-note-tip")).to_be_visible()
    p.shot("keyboard")
    p.page.keyboard.press("Escape")
    p.page.keyboard.press("Escape")
    p.page.wait_for_url(demo + "neutraal.html")


def test_newest_choices_two_tabs_from_the_input_after_a_long_conversation(new_page, demo):
    p = new_page(viewport={"width": 1000, "height": 800})
    # the bot does not hear "/bellen": its answer (the fallback, with choices) would race the check below
    say = inject(routed(p, drop=lambda frame: isinstance(frame, str) and "/bellen" in frame))
    p.open_chat(demo)
    p.click_choice("Ja, het is veilig")
    for i in range(12):  # twelve answers, each with links (36 links in the log)
        say({"text": f"Antwoord {i}: bel 0800-2000 of 112, of kijk op www.veiligthuis.nl."})
    say(
        {
            "text": "Wat wil je nu doen?",
            "buttons": [
                {"title": "Bellen", "payload": "/bellen"},
                {"title": "Chatten", "payload": "/chatten"},
                {"title": "Iets anders", "payload": "/anders"},
            ],
        }
    )
    expect(p.page.locator(".mg-choices button")).to_have_count(3)
    assert p.page.locator(".mg-log a").count() >= 36
    p.input.focus()
    p.page.keyboard.press("Tab")
    assert p.focused() == "Stuur"
    p.page.keyboard.press("Tab")
    assert p.focused() == "Bellen", "the first of the newest choices, two Tab presses from the input"
    # the choices are a labelled group, and the message that asks says where they are
    expect(p.page.get_by_role("group", name="Keuzes")).to_be_visible()
    expect(p.bot.last).to_contain_text("De knoppen staan onder het invoerveld.")
    for box in p.page.locator(".mg-choices button").all():
        expect(box).to_be_in_viewport()
    p.page.keyboard.press("Enter")
    expect(p.user.last).to_have_text("Jij: Bellen")
    assert p.focused() == "mg-input"
    expect(p.page.locator(".mg-choices button")).to_have_count(0)
    assert p.page.locator(".mg-choices-hint").count() == 0, "the hint goes with the choices"


def _log_view(p: Page) -> dict:
    return p.page.evaluate("""() => {
        const root = document.querySelector('.meldcode-gids-widget').shadowRoot;
        const log = root.querySelector('.mg-log'), r = log.getBoundingClientRect();
        const msgs = [...log.querySelectorAll('.mg-msg')], m = msgs[msgs.length - 1].getBoundingClientRect();
        return {logTop: r.top, logBottom: r.bottom, top: m.top, bottom: m.bottom,
                atEnd: log.scrollTop >= log.scrollHeight - log.clientHeight - 2};
    }""")


def test_a_long_message_is_shown_from_its_first_line(new_page, demo):
    p = new_page(viewport={"width": 320, "height": 568}, device_scale_factor=2, is_mobile=True, has_touch=True)
    say = inject(routed(p))
    p.open_chat(demo)
    p.click_choice("Ja, het is veilig")
    long_text = "Eerste regel van een lang antwoord.\n" + "\n".join(
        f"Regel {i}: nog meer uitleg over wat je kunt doen." for i in range(2, 40)
    )
    say({"text": long_text})
    expect(p.bot.last).to_contain_text("Regel 39")
    view = _log_view(p)
    assert view["bottom"] > view["logBottom"], "the message is longer than the view"
    assert view["logTop"] <= view["top"] <= view["logTop"] + 40, ("its first line is in view", view)
    assert not view["atEnd"], view
    p.shot("long-message-phone")
    # the user's own message, and a short answer after it, go to the end as before
    p.say("dank je")
    expect(p.bot.last).not_to_contain_text("Eerste regel")
    view = _log_view(p)
    assert view["atEnd"] and view["bottom"] <= view["logBottom"] + 1, view


# ---- connection lost and back -----------------------------------------------------------------------


def test_connection_drops_and_comes_back(new_page, demo):
    p = new_page()
    current = {}

    def route(ws):
        ws.connect_to_server()
        current["ws"] = ws

    p.page.route_web_socket(re.compile(r"/socket\.io/"), route)
    p.open_chat(demo)
    p.click_choice("Ja, het is veilig")
    notice = p.page.get_by_role("status")
    expect(notice).to_be_hidden()

    # 1. the browser goes offline for a while
    p.context.set_offline(True)
    expect(notice).to_have_text("Verbinding kwijt, opnieuw verbinden...")
    expect(notice).to_be_visible()
    p.shot("connection-lost")
    p.page.wait_for_timeout(1500)
    p.context.set_offline(False)
    expect(notice).to_be_hidden()
    p.click_choice("Ik ben ouder of verzorger")
    expect(p.bot.last).to_contain_text("Waar maak je je zorgen over")

    # 2. the connection breaks on the other side; socket.io reconnects at once
    p.page.evaluate("""() => {
        const status = document.querySelector('.meldcode-gids-widget').shadowRoot.querySelector('.mg-status');
        window.__seen = [];
        new MutationObserver(() => window.__seen.push(status.textContent))
            .observe(status, {childList: true, characterData: true, subtree: true});
    }""")
    current["ws"].close()
    expect(notice).to_be_hidden()
    # Polled from Python: wait_for_function evaluates its predicate with eval when it has to
    # poll, which the demo page's Content Security Policy (no 'unsafe-eval') refuses.
    deadline = time.monotonic() + 10
    while p.page.evaluate("() => window.__seen.length") < 2 and time.monotonic() < deadline:
        p.page.wait_for_timeout(100)
    assert p.page.evaluate("window.__seen")[:2] == ["Verbinding kwijt, opnieuw verbinden...", ""]
    p.say("mijn dochter van 15 moet drugs rondbrengen voor een oudere jongen")
    ids = p.session_ids()  # the page's random id, then the token the server sent back for it
    assert len(ids) >= 3 and len(set(ids[1:])) == 1, "the same conversation goes on after reconnecting"
