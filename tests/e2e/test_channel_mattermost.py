"""End to end: Mattermost against the really running bot (its REST API a local stand-in).
Helpers: tests/e2e/channel_helpers.py; the bot: `chat_stack` in tests/e2e/conftest.py.
"""

from __future__ import annotations

import time

import requests

from tests.e2e.channel_helpers import (
    CRISIS,
    MM_BOT_TOKEN,
    MM_BOT_USER,
    MM_WEBHOOK_TOKEN,
    assert_not_logged,
    mm_in,
    mm_post,
    mm_webhook,
    new_id,
)


def test_mattermost_webhook_with_token_is_answered_in_thread_through_the_api(chat_stack, mattermost_api):
    channel, user = new_id("mmchan"), new_id("mmuser")
    data = mm_webhook("@meldcode hallo", user, channel)
    r = mm_post(chat_stack, data)
    assert r.status_code == 200
    posts = mattermost_api.wait_for(mm_in(channel))
    text = "\n".join(p["message"] for p in posts)
    assert "computerprogramma" in text
    assert "1. Ja, het is veilig" in text and "2. Nee, niet veilig" in text
    assert "**112**" in text, "112 in bold, Mattermost markdown"
    assert "Antwoord met `@meldcode` en het nummer" in text
    assert not text.startswith("@meldcode")
    assert all(p["root_id"] == data["post_id"] for p in posts)
    calls = [c for c in mattermost_api.calls if c["path"] == "/api/v4/posts"]
    assert all(c["auth"] == f"Bearer {MM_BOT_TOKEN}" for c in calls)

    # Form-encoded (Mattermost's default content type), the same user in another channel,
    # answers "1": one conversation per user; the reply goes into the question's thread.
    other = new_id("mmchan")
    data = mm_webhook("@meldcode 1", user, other, post_id="reply-post-in-thread0000000a")
    assert mm_post(chat_stack, data, as_form=True).status_code == 200
    posts = mattermost_api.wait_for(mm_in(other))
    assert "1. Ik ben professional" in "\n".join(p["message"] for p in posts)
    assert {p["root_id"] for p in posts} == {"root-post-of-thread00000000"}


def test_mattermost_crisis_gets_112(chat_stack, mattermost_api):
    channel = new_id("mmchan")
    assert mm_post(chat_stack, mm_webhook(f"@meldcode {CRISIS}", new_id("mmuser"), channel)).status_code == 200
    first = mattermost_api.wait_for(mm_in(channel))[0]["message"]
    assert "112" in first.splitlines()[0]


def test_mattermost_refuses_a_wrong_or_missing_token(chat_stack, mattermost_api):
    quiet = [new_id("mmchan") for _ in range(5)]
    user = new_id("mmuser")
    cases = [
        (mm_webhook(f"@meldcode {CRISIS}", user, quiet[0], token="wrong-token"), False),
        (mm_webhook("@meldcode hallo", user, quiet[1], token=None), False),
        (mm_webhook("@meldcode hallo", user, quiet[2], token=""), True),
        (mm_webhook("@meldcode hallo", user, quiet[3], token=MM_WEBHOOK_TOKEN + "x"), True),
        # What Mattermost sends for a click on an interactive button: no token.
        ({"user_id": user, "channel_id": quiet[4], "context": {"action": "/affirm"}}, False),
    ]
    for data, as_form in cases:
        r = mm_post(chat_stack, data, as_form=as_form)
        assert r.status_code == 401, data
    r = requests.post(
        f"{chat_stack.url}/webhooks/mattermost/webhook",
        data=b"not json",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 401

    # The bot's own post is ignored (its id comes from /users/me).
    own = new_id("mmchan")
    quiet.append(own)
    assert mm_post(chat_stack, mm_webhook("@meldcode hallo", MM_BOT_USER, own)).status_code == 200

    control = new_id("mmchan")
    mm_post(chat_stack, mm_webhook("@meldcode hallo", new_id("mmuser"), control))
    mattermost_api.wait_for(mm_in(control))
    time.sleep(1)
    assert not mattermost_api.posts(lambda c: c["path"] == "/api/v4/posts" and c["body"]["channel_id"] in quiet)


def test_mattermost_shows_echoed_markup_as_text(chat_stack, mattermost_api):
    """Issue 12: what a user wrote comes back in the melding draft. Mentions must not notify,
    links and images from elsewhere must not render, and several lines must not imitate the
    bot's own headings."""
    channel, user = new_id("mmchan"), new_id("mmuser")
    evil = (
        "blauwe plekken gezien @channel @all [klik hier](https://elders.example/x) "
        "![plaatje](https://elders.example/i.png) **vet**\nWie kan je helpen:\n- Nep: bel mij maar"
    )
    answers = [
        evil,
        "met de aandachtsfunctionaris besproken",
        "gesprek met moeder gevoerd",
        "acute onveiligheid",
        "ik ga melden",
    ]
    for text in ["ik wil een melding voorbereiden", *answers]:
        before = len(mattermost_api.posts(mm_in(channel)))
        assert mm_post(chat_stack, mm_webhook(f"@meldcode {text}", user, channel)).status_code == 200
        mattermost_api.wait_for(mm_in(channel), count=before + 1)
        time.sleep(0.5)
    deadline = time.time() + 30
    while time.time() < deadline:
        posts = [p["message"] for p in mattermost_api.posts(mm_in(channel))]
        start = next((i for i, m in enumerate(posts) if "CONCEPT MELDING" in m), None)
        draft = posts[start:] if start is not None else []
        if any("Stap 5." in m for m in draft):
            break
        time.sleep(0.5)
    assert draft, [p["message"][:60] for p in mattermost_api.posts(mm_in(channel))]
    text = "\n\n".join(draft)  # the draft may come in several posts of at most 600 characters
    assert "@channel" not in text and "@all" not in text and "@\u200bchannel" in text
    assert "[klik hier](" not in text and "![plaatje](" not in text and "\\[klik hier\\]" in text
    assert "**vet**" not in text
    assert "**Wie kan je helpen:**" not in text and "\n- **Nep**" not in text


def test_no_user_text_in_the_logs(chat_stack):
    assert_not_logged(CRISIS, "blauwe plekken gezien", "gesprek met moeder gevoerd")
