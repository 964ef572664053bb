"""The browser tests of the web chat widget (tests/e2e/test_widget_*.py): fixtures and the page object.

The widget (bot/web) runs in headless Chromium against the running bot (`bot_stack`, real
socket.io). Needs Debian's Chromium at /usr/bin/chromium (`bash bot/setup/browser.sh`) and
Playwright for Python (requirements.txt); Playwright's own browser downloads are never used.
Screenshots go to test-artifacts/screenshots/.

A test module takes the fixtures (browser, demo, new_page, axe_page) by naming them at its top
level: `axe_page, browser, demo, new_page = widget_page.axe_page, ...`. The widget's own texts come from the same place as
the widget's: bot/web/server.py, widget_texts(lang).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.web.server import widget_texts

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
AXE = ROOT / "bot" / "web" / "node_modules" / "axe-core" / "axe.min.js"  # pinned in bot/web/package.json
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # WCAG 2.2 A and AA
SHIFT_TIMEOUT_MS = 5000  # widget/exit.js: the time allowed between two Shift presses
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

# A phrase of the bot's greeting (utter_greet) per language: the chat is open and connected.
GREETING = {"nl": "computerprogramma", "en": "computer program"}


# ---- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Chromium not found at /usr/bin/chromium: run `bash bot/setup/browser.sh` (as root)")
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
    """A Playwright page plus what it saw: console errors, dialogs, requests, socket frames.

    `lang`: the language of the widget's texts on the page (for its labels, its "Jij:").
    """

    def __init__(self, context, lang: str = "nl"):
        self.context = context
        self.page = context.new_page()
        self.lang = lang
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

    @property
    def texts(self) -> dict:
        """The widget's own texts in the page's language (bot/web/server.py)."""
        return widget_texts(self.lang)["texts"]

    # the widget
    def open_chat(self, url: str, greeting: str = None):
        self.page.goto(url)
        self.page.get_by_role("button", name=self.texts["openen"]).click()
        expect(self.bot.first).to_contain_text(greeting or GREETING[self.lang])
        return self

    @property
    def widget(self):
        """The widget's host element (lang, dir), on the page itself."""
        return self.page.locator(".meldcode-gids-widget")

    @property
    def bot(self):
        return self.page.locator(".mg-log .mg-bot")

    @property
    def user(self):
        return self.page.locator(".mg-log .mg-user")

    @property
    def input(self):
        return self.page.get_by_role("textbox", name=self.texts["invoer"])

    def say(self, text: str):
        before = self.bot.count()
        self.input.fill(text)
        self.input.press("Enter")
        expect(self.user.last).to_have_text(f"{self.texts['jij']} {text}")
        expect(self.bot).not_to_have_count(before)  # the bot answered

    def click_choice(self, title: str):
        before = self.bot.count()
        self.page.locator(".mg-choices").get_by_role("button", name=title, exact=True).click()
        expect(self.user.last).to_have_text(f"{self.texts['jij']} {title}")
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

    def make(lang: str = "nl", **options) -> Page:
        ctx = browser.new_context(locale="nl-NL", **options)
        contexts.append(ctx)
        return Page(ctx, lang)

    yield make
    for ctx in contexts:
        ctx.close()


# ---- bot messages sent by the test itself, over the page's real socket.io connection ----------------


def inject(routes):
    """Send a bot_uttered frame to the page, as if the bot had said it."""

    def send(message: dict):
        routes[-1].send("42" + json.dumps(["bot_uttered", message]))

    return send


def routed(p: Page, drop=None) -> list:
    """The page's socket.io WebSockets, passed through to the bot (the last one is the newest).

    `drop(frame)` true keeps a frame from the page away from the bot (so its answer cannot race
    with what a test checks)."""
    routes = []

    def route(ws):
        server = ws.connect_to_server()
        if drop is not None:
            ws.on_message(lambda frame: None if drop(frame) else server.send(frame))
        routes.append(ws)

    p.page.route_web_socket(re.compile(r"/socket\.io/"), route)
    return routes


# ---- accessibility checked by axe-core (npm, pinned in bot/web/package.json) -----------------------


def axe(p: Page, state: str) -> None:
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

    def make(lang: str = "nl", **options) -> Page:
        # the page's CSP allows no inline scripts; Playwright injects axe as one
        return new_page(lang, bypass_csp=True, **options)

    return make
