"""The web chat widget's safety in the browser: quick exit (button, Shift three times, Esc twice)
and what Back and Forward show after it, the "niet veilig" note, nothing stored in the browser,
the server's security headers and no request to another machine (tests/e2e/widget_page.py).
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.e2e import widget_page
from tests.e2e.widget_page import LOCAL_HOSTS, SHIFT_TIMEOUT_MS, expect

# The fixtures of tests/e2e/widget_page.py.
axe_page, browser, demo, new_page = widget_page.axe_page, widget_page.browser, widget_page.demo, widget_page.new_page


# ---- safety: quick exit and no traces -----------------------------------------------------------


def test_quick_exit_leaves_for_the_neutral_page_and_back_does_not_return(new_page, demo):
    p = new_page(viewport={"width": 1000, "height": 800})
    p.page.goto("about:blank")
    p.open_chat(demo)
    p.page.get_by_role("button", name=re.compile("^Snel weg")).click()
    p.page.wait_for_url(demo + "neutraal.html")
    expect(p.page.get_by_role("heading", name="Het weer vandaag")).to_be_visible()
    p.page.go_back()
    assert p.page.url == "about:blank", f"Back returned to {p.page.url}"

    # Esc twice does the same, also before the chat was opened
    p.page.goto(demo)
    p.page.get_by_role("button", name="Chat anoniem").wait_for()
    p.page.keyboard.press("Escape")
    p.page.keyboard.press("Escape")
    p.page.wait_for_url(demo + "neutraal.html")
    p.page.go_back()
    assert p.page.url == "about:blank", f"Back returned to {p.page.url}"
    # one Esc does nothing
    p.page.goto(demo)
    p.page.get_by_role("button", name="Chat anoniem").click()
    p.page.keyboard.press("Escape")
    p.page.wait_for_timeout(1200)
    p.page.keyboard.press("Escape")
    p.page.wait_for_timeout(300)
    assert p.page.url == demo


def test_shift_three_times_exits_with_progress_and_the_page_hidden_at_once(new_page, demo):
    p = new_page(viewport={"width": 1000, "height": 800})
    logged = []
    p.page.on("console", lambda m: logged.append(m.text) if m.type == "log" else None)
    p.page.goto("about:blank")
    p.page.goto(demo)
    p.page.get_by_role("button", name="Chat anoniem").wait_for()
    status = p.page.locator(".mg-shift-status")
    assert status.get_attribute("aria-live") == "polite"
    assert p.lit_dots() == -1, "no dots before Shift is pressed"
    p.page.keyboard.press("Shift")
    expect(status).to_have_text("Shift: druk nog 2 keer om snel weg te gaan.")
    assert p.lit_dots() == 1
    p.page.keyboard.press("Shift")
    expect(status).to_have_text("Shift: druk nog 1 keer om snel weg te gaan.")
    assert p.lit_dots() == 2
    p.shot("shift-progress")
    # what the page looks like right after the third press, in the same task (before leaving)
    p.page.evaluate("""() => document.addEventListener('keyup', () => console.log(JSON.stringify({
        body: getComputedStyle(document.body).display,
        widget: !!document.querySelector('.meldcode-gids-widget'),
        overlay: [...document.documentElement.children].filter(e => e.getAttribute('role') === 'alert')
                 .map(e => [e.textContent, getComputedStyle(e).position, getComputedStyle(e).backgroundColor]),
    })))""")
    # the neutral page answers a moment later, so the old page's console message arrives before it goes
    p.page.route("**/neutraal.html", lambda route: (time.sleep(0.5), route.continue_()))
    p.page.keyboard.press("Shift")
    p.page.wait_for_url(demo + "neutraal.html")
    expect(p.page.get_by_role("heading", name="Het weer vandaag")).to_be_visible()
    p.page.unroute("**/neutraal.html")
    assert logged and json.loads(logged[-1]) == {
        "body": "none",
        "widget": False,
        "overlay": [["Laden...", "fixed", "rgb(255, 255, 255)"]],
    }, logged
    p.page.go_back()
    assert p.page.url == "about:blank", f"Back returned to {p.page.url}"

    # with the chat open and the focus in the input: the dots are on the panel's button
    p.open_chat(demo)
    p.page.keyboard.press("Shift")
    expect(status).to_have_text("Shift: druk nog 2 keer om snel weg te gaan.")
    assert p.lit_dots() == 1 and "mg-exit-head" in p.exit_button.get_attribute("class")
    p.page.keyboard.press("Shift")
    p.page.keyboard.press("Shift")
    p.page.wait_for_url(demo + "neutraal.html")
    assert not p.errors, p.errors  # the overlay's CSSOM styles pass the page's strict CSP


def test_shift_count_resets_when_slow_or_after_another_key(new_page, demo):
    p = new_page(viewport={"width": 1000, "height": 800}).open_chat(demo)
    status = p.page.locator(".mg-shift-status")
    # too slow: a press more than the time limit after the previous one starts again
    p.page.keyboard.press("Shift")
    expect(status).to_have_text("Shift: druk nog 2 keer om snel weg te gaan.")
    p.page.wait_for_timeout(SHIFT_TIMEOUT_MS + 500)
    expect(status).to_have_text("Snel weg met Shift is gestopt.")
    assert p.lit_dots() == -1
    p.page.keyboard.press("Shift")
    p.page.keyboard.press("Shift")
    expect(status).to_have_text("Shift: druk nog 1 keer om snel weg te gaan.")
    assert p.lit_dots() == 2
    # another key in between starts again
    p.page.keyboard.press("a")
    expect(status).to_have_text("Snel weg met Shift is gestopt.")
    assert p.lit_dots() == -1
    p.page.keyboard.press("Shift")
    expect(status).to_have_text("Shift: druk nog 2 keer om snel weg te gaan.")
    p.page.keyboard.press("Escape")  # one Escape is another key too
    expect(status).to_have_text("Snel weg met Shift is gestopt.")
    # Shift used for capitals does not count
    for key in ("Shift+H", "Shift+A", "Shift+L"):
        p.page.keyboard.press(key)
    p.page.wait_for_timeout(500)
    assert p.page.url == demo
    assert p.lit_dots() == -1
    expect(p.input).to_have_value("aHAL")


def test_back_after_exit_does_not_show_the_chat_page(new_page, demo):
    """The user followed links within the page (#hulp): those entries go too."""
    p = new_page(viewport={"width": 1000, "height": 800})
    p.page.goto("about:blank")
    p.page.goto(demo)
    p.page.get_by_role("navigation").get_by_role("link", name="Hulp").click()
    p.page.wait_for_url(demo + "#hulp")
    p.page.get_by_role("navigation").get_by_role("link", name="Over ons").click()
    p.page.wait_for_url(demo + "#over-ons")
    p.page.get_by_role("button", name="Chat anoniem").click()
    expect(p.bot.first).to_contain_text("computerprogramma")
    p.click_choice("Ja, het is veilig")
    p.page.get_by_role("button", name=re.compile("^Snel weg")).click()
    p.page.wait_for_url(demo + "neutraal.html")
    p.page.go_back()
    assert p.page.url == "about:blank", f"Back returned to {p.page.url}"
    # Forward: the neutral page, then the entries of "#hulp" and "#over-ons" that were left:
    # they leave again at once, without the chat
    p.page.go_forward()
    p.page.wait_for_url(demo + "neutraal.html")
    p.page.go_forward(wait_until="commit")
    p.page.wait_for_url(demo + "neutraal.html")
    expect(p.page.get_by_role("heading", name="Het weer vandaag")).to_be_visible()
    expect(p.page.get_by_role("button", name="Chat anoniem")).to_have_count(0)
    # Back from there still ends before the site
    for _ in range(3):
        if p.page.url == "about:blank":
            break
        p.page.go_back()
    assert p.page.url == "about:blank", f"Back returned to {p.page.url}"
    assert not p.errors, p.errors


def test_not_safe_tells_how_to_leave_and_leave_no_traces(new_page, demo):
    p = new_page(viewport={"width": 1000, "height": 800}).open_chat(demo)
    p.click_choice("Nee, niet veilig")
    note = p.page.locator(".mg-log .mg-note-notsafe")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Snel weg")
    expect(note).to_contain_text("3 keer op Shift")
    expect(note).to_contain_text("privévenster")
    expect(note).to_contain_text("geschiedenis")
    items = note.locator("li").all_text_contents()
    assert 2 <= len(items) <= 4 and all(len(t) <= 90 for t in items), items  # a few short lines
    # the note comes after the bot's answer, not before it
    order = p.page.locator(".mg-log > *").evaluate_all("els => els.map(e => e.className)")
    assert order[-1].endswith("mg-note-notsafe") and "mg-bot" in order[-2], order
    p.shot("not-safe")


def test_nothing_is_stored_in_the_browser(new_page, demo):
    p = new_page()
    p.open_chat(demo)
    p.click_choice("Ja, het is veilig")
    p.say("mijn zus wordt door haar vriend geslagen")
    p.page.get_by_role("button", name="Tip: geen sporen achterlaten").click()
    tip = p.page.locator(".mg-log .mg-note-tip")
    expect(tip).to_contain_text("privévenster")
    expect(tip).to_contain_text("Wis daarna je geschiedenis")
    expect(tip).to_contain_text("Snel weg")
    expect(tip).to_contain_text("3 keer op Shift")
    expect(tip).to_contain_text("menu van je browser")
    stored = p.page.evaluate("""async () => ({
        cookie: document.cookie,
        local: localStorage.length,
        session: sessionStorage.length,
        idb: (await indexedDB.databases()).length,
        caches: self.caches ? (await caches.keys()).length : 0,
        workers: (await navigator.serviceWorker.getRegistrations()).length,
    })""")
    assert stored == {"cookie": "", "local": 0, "session": 0, "idb": 0, "caches": 0, "workers": 0}
    assert p.context.cookies() == []
    state = p.context.storage_state(indexed_db=True)
    assert state["cookies"] == [] and all(
        not o.get("localStorage") and not o.get("indexedDB") for o in state["origins"]
    ), state
    # a new random session id on every page load, kept in memory only
    first = p.session_ids()
    p.page.reload()
    p.page.get_by_role("button", name="Chat anoniem").click()
    expect(p.bot.first).to_contain_text("computerprogramma")
    ids = p.session_ids()
    assert len(ids) == 2 and ids[0] == first[0] and ids[0] != ids[1], ids
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    expect(p.user).to_have_count(0)  # the old conversation is gone after a reload


# ---- headers and requests -----------------------------------------------------------------------------


def _csp(value: str) -> dict:
    out = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


PAGES = ["", "en.html", "ar.html", "neutraal.html"]


@pytest.mark.parametrize("path", PAGES + ["widget.js", "widget/chat.js", "widget.css", "vendor/socket.io.min.js"])
def test_security_headers(demo, bot_stack, path):
    with urllib.request.urlopen(demo + path, timeout=10) as r:
        headers = r.headers
        body = r.read().decode("utf-8")
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    csp = _csp(headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"] and csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    bot = urlsplit(bot_stack.url).netloc
    assert csp["connect-src"] == ["'self'", f"http://{bot}", f"ws://{bot}"]
    for sources in csp.values():
        for source in sources:
            assert source.startswith("'") or urlsplit(source).hostname in LOCAL_HOSTS, source
            assert "unsafe" not in source
    if path in PAGES:
        assert not re.search(r"<script(?![^>]*\ssrc=)", body), "no inline scripts"
        assert not re.search(r"<style|\sstyle=|\son\w+=", body), "no inline styles or handlers"


def test_no_request_leaves_this_machine(new_page, demo):
    p = new_page()
    p.open_chat(demo)
    p.click_choice("Ja, het is veilig")
    p.say("wat gebeurt er met wat ik hier typ?")
    hosts = {urlsplit(u).hostname for u in p.requests}
    assert hosts <= LOCAL_HOSTS, hosts
    assert any(u.startswith("ws://127.0.0.1") for u in p.requests), "the widget talks over a WebSocket"
    assert not p.errors, p.errors  # CSP violations show up here
