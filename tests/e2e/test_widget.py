"""End to end: the web chat widget (bot/web) in headless Chromium against the running bot.

Needs Debian's Chromium at /usr/bin/chromium (`bash bot/setup_test.sh`) and Playwright for Python
(requirements.txt); Playwright's own browser downloads are never used.
Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
AXE = ROOT / "bot" / "web" / "node_modules" / "axe-core" / "axe.min.js"  # pinned in bot/web/package.json
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # WCAG 2.2 A and AA
SHIFT_TIMEOUT_MS = 5000  # widget.js: the time allowed between two Shift presses
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SESSION_REQUEST = re.compile(r'^42\["session_request",\{"session_id":"([0-9a-f]+)"\}\]$')

try:
    from playwright import sync_api
except ImportError:  # a failure, not a skip: the widget must be tested
    pytest.fail("Playwright for Python is missing: run `make setup` (it is in requirements.txt)", pytrace=False)
expect = sync_api.expect
expect.set_options(timeout=20_000)


# ---- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Chromium not found at /usr/bin/chromium: run `bash bot/setup_test.sh` (as root)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def demo(bot_stack) -> str:
    assert bot_stack.web_port, "bot_stack started without the web server (bot/web/server.py)"
    return f"http://127.0.0.1:{bot_stack.web_port}/"


class Page:
    """A Playwright page plus what it saw: console errors, dialogs, requests, socket frames."""

    def __init__(self, context):
        self.context = context
        self.page = context.new_page()
        self.errors, self.dialogs, self.requests, self.sent = [], [], [], []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("websocket", self._websocket)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _websocket(self, ws):
        self.requests.append(ws.url)
        ws.on("framesent", lambda payload: self.sent.append(payload))

    # the widget
    def open_chat(self, url: str):
        self.page.goto(url)
        self.page.get_by_role("button", name="Chat anoniem").click()
        expect(self.bot.first).to_contain_text("computerprogramma")
        return self

    @property
    def bot(self):
        return self.page.locator(".mg-log .mg-bot")

    @property
    def user(self):
        return self.page.locator(".mg-log .mg-user")

    @property
    def input(self):
        return self.page.get_by_role("textbox", name="Typ je bericht")

    def say(self, text: str):
        before = self.bot.count()
        self.input.fill(text)
        self.input.press("Enter")
        expect(self.user.last).to_have_text(f"Jij: {text}")
        expect(self.bot).not_to_have_count(before)  # the bot answered

    def click_choice(self, title: str):
        before = self.bot.count()
        self.page.locator(".mg-choices").get_by_role("button", name=title, exact=True).click()
        expect(self.user.last).to_have_text(f"Jij: {title}")
        expect(self.bot).not_to_have_count(before)

    def focused(self) -> str:
        """Text or label of the focused element, also inside the widget's shadow root."""
        return self.page.evaluate("""() => {
            let a = document.activeElement;
            while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
            if (!a) return '';
            return (a.getAttribute('aria-label') || a.id || a.textContent || '').trim();
        }""")

    @property
    def exit_button(self):
        """The visible "Snel weg" button (in the dock when closed, in the panel's head when open)."""
        return self.page.locator(".mg-exit:visible")

    def shift_status(self) -> str:
        return self.page.locator(".mg-shift-status").text_content()

    def lit_dots(self) -> int:
        """How many of the three dots on the visible "Snel weg" button are lit (-1: none shown)."""
        return self.exit_button.evaluate("""b => { const d = b.querySelector('.mg-exit-dots');
            return d.hidden ? -1 : d.querySelectorAll('.mg-exit-dot.mg-on').length; }""")

    def session_ids(self):
        return [m.group(1) for m in map(SESSION_REQUEST.match, self.sent) if m]

    def shot(self, name: str):
        self.page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(**options) -> Page:
        ctx = browser.new_context(locale="nl-NL", **options)
        contexts.append(ctx)
        return Page(ctx)

    yield make
    for ctx in contexts:
        ctx.close()


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
    p.page.keyboard.press("Shift")
    p.page.wait_for_url(demo + "neutraal.html")
    expect(p.page.get_by_role("heading", name="Het weer vandaag")).to_be_visible()
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


# ---- chat quality ---------------------------------------------------------------------------------


def test_html_in_messages_is_shown_as_text(new_page, demo):
    p = new_page()
    routes = []

    def route(ws):
        ws.connect_to_server()
        routes.append(ws)

    p.page.route_web_socket(re.compile(r"/socket\.io/"), route)
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


def _inject(routes):
    """Send a bot_uttered frame to the page, as if the bot had said it."""

    def send(message: dict):
        routes[-1].send("42" + json.dumps(["bot_uttered", message]))

    return send


def _routed(p: Page) -> list:
    routes = []

    def route(ws):
        ws.connect_to_server()
        routes.append(ws)

    p.page.route_web_socket(re.compile(r"/socket\.io/"), route)
    return routes


def test_newest_choices_two_tabs_from_the_input_after_a_long_conversation(new_page, demo):
    p = new_page(viewport={"width": 1000, "height": 800})
    say = _inject(_routed(p))
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
    say = _inject(_routed(p))
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


def test_focus_is_never_hidden_under_the_widget(new_page, demo):
    """WCAG 2.4.11: Tab through the demo page with the widget closed, and round the open panel."""
    for size in ({"width": 1000, "height": 800}, {"width": 320, "height": 568}):
        p = new_page(viewport=size)
        p.page.goto(demo)
        p.page.get_by_role("button", name="Chat anoniem").wait_for()
        seen = []
        for _ in range(12):
            p.page.keyboard.press("Tab")
            seen.append(p.page.evaluate(COVERED_JS))
        hidden = [s for s in seen if s["hidden"]]
        assert not hidden and any(s["name"] == "Chat anoniem" for s in seen), (size, seen)
        # open; at 320 px the panel fills the window and Tab goes round inside it
        p.page.get_by_role("button", name="Chat anoniem").click()
        expect(p.bot.first).to_contain_text("computerprogramma")
        names = []
        for _ in range(24):
            p.page.keyboard.press("Tab")
            state = p.page.evaluate(COVERED_JS)
            assert not state["hidden"], (size, state)
            if size["width"] == 320:
                assert state["inWidget"], ("Tab left the full-window panel", state)
            names.append(state["name"])
        assert "mg-input" in names, names
        if size["width"] == 320:
            assert names.count("Chat verkleinen") >= 2, ("Tab goes round", names)


COVERED_JS = """() => {
    let a = document.activeElement, inWidget = false;
    if (!a || a === document.body || a === document.documentElement)  // past the last one
        return {name: '', inWidget: false, hidden: false, rect: []};
    while (a && a.shadowRoot && a.shadowRoot.activeElement) { a = a.shadowRoot.activeElement; inWidget = true; }
    const r = a.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
    const host = document.querySelector('.meldcode-gids-widget');
    const top = inWidget ? host.shadowRoot.elementFromPoint(x, y) : document.elementFromPoint(x, y);
    const visible = top && (top === a || a.contains(top));
    return {name: (a.getAttribute('aria-label') || a.id || a.textContent || '').trim(),
            inWidget, hidden: !visible, rect: [r.left, r.top, r.width, r.height]};
}"""


# ---- layout: 320 px and 200% zoom ----------------------------------------------------------------


def _check_layout(p: Page, width: int, height: int):
    sizes = p.page.evaluate("""() => {
        const root = document.querySelector('.meldcode-gids-widget').shadowRoot;
        const el = s => root.querySelector(s);
        return {doc: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
                panel: [el('.mg-panel').scrollWidth, el('.mg-panel').clientWidth],
                log: [el('.mg-log').scrollWidth, el('.mg-log').clientWidth]};
    }""")
    for name, (scroll, client) in sizes.items():
        assert scroll <= client, f"horizontal scroll in {name}: {scroll} > {client}"
    controls = [
        p.page.get_by_role("button", name=re.compile("^Snel weg")).last,
        p.page.get_by_role("button", name="Chat verkleinen"),
        p.page.locator(".mg-bar a[href='tel:112']"),
        p.page.locator(".mg-bar a[href='tel:08002000']"),
        p.input,
        p.page.get_by_role("button", name="Stuur"),
        p.page.get_by_role("button", name="Tip: geen sporen achterlaten"),
    ]
    for control in controls:
        expect(control).to_be_visible()
        box = control.bounding_box()
        assert (
            box
            and box["x"] >= 0
            and box["y"] >= 0
            and box["x"] + box["width"] <= width + 0.5
            and box["y"] + box["height"] <= height + 0.5
        ), (control, box)
        assert box["height"] >= 24 and box["width"] >= 24, ("target too small", control, box)


def test_layout_at_320px_and_200_percent_zoom(new_page, demo):
    p = new_page(viewport={"width": 320, "height": 568}, device_scale_factor=2, is_mobile=True, has_touch=True)
    p.page.goto(demo)
    dock = [p.page.get_by_role("button", name="Chat anoniem"), p.page.get_by_role("button", name=re.compile("^Snel weg"))]
    for control in dock:
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    p.shot("mobile-320-closed")
    dock[0].click()
    expect(p.bot.first).to_contain_text("computerprogramma")
    p.click_choice("Ja, het is veilig")
    p.say("x" * 120 + " https://www.veiligthuis.nl/" + "a" * 80)  # long words wrap
    _check_layout(p, 320, 568)
    p.shot("mobile-320")
    # 200% zoom of a 1280 x 800 window: a 640 x 400 CSS viewport
    z = new_page(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    z.open_chat(demo)
    _check_layout(z, 640, 400)
    z.shot("zoom-200")


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
    p.page.wait_for_function("window.__seen.length >= 2")
    assert p.page.evaluate("window.__seen")[:2] == ["Verbinding kwijt, opnieuw verbinden...", ""]
    p.say("mijn dochter van 15 moet drugs rondbrengen voor een oudere jongen")
    ids = p.session_ids()  # the page's random id, then the token the server sent back for it
    assert len(ids) >= 3 and len(set(ids[1:])) == 1, "the same conversation goes on after reconnecting"


# ---- headers and requests -----------------------------------------------------------------------------


def _csp(value: str) -> dict:
    out = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.parametrize("path", ["", "widget.js", "widget.css", "vendor/socket.io.min.js", "neutraal.html"])
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
    if path in ("", "neutraal.html"):
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


def test_text_contrast_meets_wcag_aa(new_page, demo):
    p = new_page()
    p.open_chat(demo)
    p.click_choice("Ja, het is veilig")
    p.page.get_by_role("button", name="Tip: geen sporen achterlaten").click()
    ratios = p.page.evaluate("""() => {
        const root = document.querySelector('.meldcode-gids-widget').shadowRoot;
        const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
        const lum = c => { const v = rgb(c).slice(0, 3).map(x => { x /= 255;
            return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
            return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
        const bg = el => { for (; el; el = el.parentElement || (el.getRootNode() && el.getRootNode().host)) {
            const c = getComputedStyle(el).backgroundColor; const a = rgb(c);
            if (a.length === 3 || (a.length === 4 && a[3] > 0.5)) return c; } return 'rgb(255, 255, 255)'; };
        const out = [];
        root.querySelectorAll('*').forEach(el => {
            const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
            if (!own || el.classList.contains('mg-sr') || !el.getClientRects().length) return;
            const fg = getComputedStyle(el).color, back = bg(el);
            const [a, b] = [lum(fg), lum(back)].sort((x, y) => y - x);
            out.push([el.className || el.tagName, Math.round((a + 0.05) / (b + 0.05) * 100) / 100]);
        });
        return out;
    }""")
    low = [r for r in ratios if r[1] < 4.5]
    assert ratios and not low, low
    print("lowest text contrast:", min(r[1] for r in ratios))


# ---- accessibility checked by axe-core (npm, pinned in bot/web/package.json) -----------------------


def _axe(p: Page, state: str) -> None:
    """Zero WCAG 2.2 A and AA violations (axe-core) in the current state of the page."""
    if not p.page.evaluate("() => !!window.axe"):
        p.page.add_script_tag(path=str(AXE))
    result = p.page.evaluate(
        """async tags => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                           resultTypes: ['violations']});
        return {version: axe.version, rules: r.passes.length + r.violations.length + r.incomplete.length,
                violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => [n.target.join(' '), n.failureSummary])}))};
    }""",
        AXE_TAGS,
    )
    assert result["version"] == json.loads((AXE.parent / "package.json").read_text())["version"]
    assert result["rules"] > 10, result  # the rules really ran
    assert not result["violations"], (state, json.dumps(result["violations"], ensure_ascii=False, indent=1))


@pytest.fixture
def axe_page(new_page):
    if not AXE.is_file():
        pytest.fail("axe-core missing: run `bash bot/setup.sh` (npm ci in bot/web)", pytrace=False)

    def make(**options) -> Page:
        # the page's CSP allows no inline scripts; Playwright injects axe as one
        return new_page(bypass_csp=True, **options)

    return make


def test_axe_desktop_closed_open_and_in_a_conversation(axe_page, demo):
    p = axe_page(viewport={"width": 1000, "height": 800})
    p.page.goto(demo)
    p.page.get_by_role("button", name="Chat anoniem").wait_for()
    _axe(p, "closed")
    p.page.keyboard.press("Shift")  # the dots and the announcement
    expect(p.page.locator(".mg-shift-status")).not_to_be_empty()
    _axe(p, "closed, Shift pressed once")
    p.page.get_by_role("button", name="Chat anoniem").click()
    expect(p.bot.first).to_contain_text("computerprogramma")
    expect(p.page.locator(".mg-choices button")).to_have_count(2)
    _axe(p, "open, greeting with buttons")
    p.click_choice("Ja, het is veilig")
    p.click_choice("Ik maak me zorgen om iemand")
    p.say("mijn buurman slaat zijn vrouw, ik hoor het bijna elke avond")
    p.page.get_by_role("button", name="Tip: geen sporen achterlaten").click()
    _axe(p, "after a conversation, with the tip")
    p.page.get_by_role("button", name="Chat verkleinen").click()
    _axe(p, "closed again")


def test_axe_fails_on_a_violation(axe_page, demo):
    """The check itself: an unlabelled input in the widget is reported."""
    p = axe_page(viewport={"width": 1000, "height": 800}).open_chat(demo)
    p.page.evaluate("""() => { const root = document.querySelector('.meldcode-gids-widget').shadowRoot;
                        root.querySelector('label[for=mg-input]').remove();
                        root.querySelector('#mg-input').removeAttribute('placeholder'); }""")
    with pytest.raises(AssertionError, match='"id": "label"'):
        _axe(p, "broken on purpose")


def test_axe_phone_320px_and_200_percent_zoom(axe_page, demo):
    p = axe_page(viewport={"width": 320, "height": 568}, device_scale_factor=2, is_mobile=True, has_touch=True)
    p.page.goto(demo)
    p.page.get_by_role("button", name="Chat anoniem").wait_for()
    _axe(p, "phone, closed")
    p.page.get_by_role("button", name="Chat anoniem").click()
    expect(p.bot.first).to_contain_text("computerprogramma")
    _axe(p, "phone, open with buttons")
    p.click_choice("Nee, niet veilig")
    expect(p.page.locator(".mg-note-notsafe")).to_be_visible()
    _axe(p, "phone, not safe")
    z = axe_page(viewport={"width": 640, "height": 400}, device_scale_factor=2).open_chat(demo)
    z.click_choice("Ja, het is veilig")
    _axe(z, "200% zoom, mid-conversation with buttons")
