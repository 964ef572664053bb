"""The web chat widget's accessibility in the browser: focus never hidden, 320 px and 200% zoom,
text contrast and axe-core's WCAG 2.2 A and AA rules (tests/e2e/widget_page.py).
"""

from __future__ import annotations

import re

import pytest

from tests.e2e import widget_page
from tests.e2e.widget_page import Page, axe, expect

# The fixtures of tests/e2e/widget_page.py.
axe_page, browser, demo, new_page = widget_page.axe_page, widget_page.browser, widget_page.demo, widget_page.new_page


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


def check_layout(p: Page, width: int, height: int):
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
    check_layout(p, 320, 568)
    p.shot("mobile-320")
    # 200% zoom of a 1280 x 800 window: a 640 x 400 CSS viewport
    z = new_page(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    z.open_chat(demo)
    check_layout(z, 640, 400)
    z.shot("zoom-200")


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


def test_axe_desktop_closed_open_and_in_a_conversation(axe_page, demo):
    p = axe_page(viewport={"width": 1000, "height": 800})
    p.page.goto(demo)
    p.page.get_by_role("button", name="Chat anoniem").wait_for()
    axe(p, "closed")
    p.page.keyboard.press("Shift")  # the dots and the announcement
    expect(p.page.locator(".mg-shift-status")).not_to_be_empty()
    axe(p, "closed, Shift pressed once")
    p.page.get_by_role("button", name="Chat anoniem").click()
    expect(p.bot.first).to_contain_text("computerprogramma")
    expect(p.page.locator(".mg-choices button")).to_have_count(2)
    axe(p, "open, greeting with buttons")
    p.click_choice("Ja, het is veilig")
    p.click_choice("Ik maak me zorgen om iemand")
    p.say("mijn buurman slaat zijn vrouw, ik hoor het bijna elke avond")
    p.page.get_by_role("button", name="Tip: geen sporen achterlaten").click()
    axe(p, "after a conversation, with the tip")
    p.page.get_by_role("button", name="Chat verkleinen").click()
    axe(p, "closed again")


def test_axe_fails_on_a_violation(axe_page, demo):
    """The check itself: an unlabelled input in the widget is reported."""
    p = axe_page(viewport={"width": 1000, "height": 800}).open_chat(demo)
    p.page.evaluate("""() => { const root = document.querySelector('.meldcode-gids-widget').shadowRoot;
                        root.querySelector('label[for=mg-input]').remove();
                        root.querySelector('#mg-input').removeAttribute('placeholder'); }""")
    with pytest.raises(AssertionError, match='"id": "label"'):
        axe(p, "broken on purpose")


def test_axe_phone_320px_and_200_percent_zoom(axe_page, demo):
    p = axe_page(viewport={"width": 320, "height": 568}, device_scale_factor=2, is_mobile=True, has_touch=True)
    p.page.goto(demo)
    p.page.get_by_role("button", name="Chat anoniem").wait_for()
    axe(p, "phone, closed")
    p.page.get_by_role("button", name="Chat anoniem").click()
    expect(p.bot.first).to_contain_text("computerprogramma")
    axe(p, "phone, open with buttons")
    p.click_choice("Nee, niet veilig")
    expect(p.page.locator(".mg-note-notsafe")).to_be_visible()
    axe(p, "phone, not safe")
    z = axe_page(viewport={"width": 640, "height": 400}, device_scale_factor=2).open_chat(demo)
    z.click_choice("Ja, het is veilig")
    axe(z, "200% zoom, mid-conversation with buttons")
