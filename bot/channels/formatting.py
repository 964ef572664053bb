"""How the bot's answers look in team chat (Slack, Mattermost, Microsoft Teams).

- Buttons become numbered options ("1. Ja"), in the same message as the question. The user
  answers with the number (or the option's text); `OptionMemory` turns that back into the
  button's payload. Team chats get no clickable buttons: numbers work in every channel, in
  threads, in direct messages and with a keyboard only.
- The text is written in the platform's markdown: headings ("Wie kan je helpen:") and the
  names of organisations in bold, 112 in bold, Slack's special characters escaped.
- One bot response is one post (Rasa's connectors split on blank lines; these do not).

No user text is logged here.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any, Dict, Hashable, List, Optional, Sequence, Tuple

SLACK = "slack"  # Slack mrkdwn: *bold*, _italic_, & < > escaped
MATTERMOST = "mattermost"  # Mattermost markdown: **bold**, _italic_
TEAMS = "teams"  # Teams markdown: **bold**, paragraphs need a blank line
FLAVOURS = (SLACK, MATTERMOST, TEAMS)

OPTIONS_HINT = "Antwoord met het nummer, of typ zelf iets."
OPTIONS_HINT_ADDRESSED = "Antwoord met {address} en het nummer, of typ zelf iets."

_HEADING = re.compile(r"^[^-\d*][^:.?!]{1,24}:$")  # "Wie kan je helpen:", "Ook handig:"
_ORG_BULLET = re.compile(r"^- ([^:?.!,()]{2,60}): ")  # "- Veilig Thuis: ..."
_EMERGENCY = re.compile(r"(?<![\d-])112(?![\d-])")  # 112 on its own, not in 0800-...


def bold(text: str, flavour: str) -> str:
    return f"*{text}*" if flavour == SLACK else f"**{text}**"


def italic(text: str, flavour: str) -> str:
    return f"_{text}_"


_MARKDOWN = re.compile(r"([\\`*_\[\]#|~!])")
_QUOTE = re.compile(r"(?m)^(\s*)>")
_MENTION = re.compile(r"@(?=\w)")


def escape(text: str, flavour: str) -> str:
    """What a user wrote may come back in an answer (the melding draft): it must stay text.

    Slack treats & < > as control characters (and <!channel> as a mention). In Mattermost and
    Teams markdown, links, images, emphasis, headings and quotes are escaped with a backslash,
    and "@channel" / "@all" / "@user" get a zero-width space after the @ so nobody is notified.
    The bot's own formatting (bold headings, 112) is added after this, by to_markdown.
    """
    if flavour == SLACK:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _QUOTE.sub(r"\1\\>", _MARKDOWN.sub(r"\\\1", text))
    return _MENTION.sub("@\u200b", text)


def to_markdown(text: str, flavour: str) -> str:
    """The bot's plain text in the platform's markdown."""
    if flavour not in FLAVOURS:
        raise ValueError(f"unknown flavour {flavour!r}")
    lines = []
    source = escape((text or "").strip(), flavour).splitlines()
    for n, line in enumerate(source):
        stripped = line.strip()
        if _HEADING.match(stripped) and n + 1 < len(source):  # a heading with lines under it
            line = bold(stripped, flavour)
        else:
            m = _ORG_BULLET.match(stripped)
            if m:
                line = f"- {bold(m.group(1), flavour)}: {stripped[m.end():]}"
        lines.append(_EMERGENCY.sub(bold("112", flavour), line))
    # Teams joins single newlines into one paragraph: give every line its own.
    return ("\n\n" if flavour == TEAMS else "\n").join(lines)


def numbered_options(buttons: Sequence[Dict[str, Any]], flavour: str, address: Optional[str] = None) -> str:
    """ "1. Ja\n2. Nee" and a short hint how to answer.

    address: how the user addresses the bot in a channel (Slack "<@U123>", Mattermost's
    trigger word), already in the platform's format; None in a direct conversation.
    """
    sep = "\n\n" if flavour == TEAMS else "\n"
    lines = [f"{i}. {escape(str(b.get('title', '')), flavour)}" for i, b in enumerate(buttons, start=1)]
    hint = OPTIONS_HINT_ADDRESSED.format(address=address) if address else OPTIONS_HINT
    return sep.join(lines + [italic(hint, flavour)])


def render(
    text: Optional[str], buttons: Optional[Sequence[Dict[str, Any]]], flavour: str, address: Optional[str] = None
) -> str:
    """One post: the text in markdown, then the buttons as numbered options."""
    parts = [to_markdown(text or "", flavour)] if (text or "").strip() else []
    if buttons:
        parts.append(numbered_options(buttons, flavour, address))
    return "\n\n".join(parts)


class OptionMemory:
    """The options last shown to each user, so that "2" means the second button.

    Kept in memory for as long as a session lasts (30 minutes), only the bot's own button
    titles and payloads, never what the user typed.
    """

    def __init__(self, ttl: float = 30 * 60, max_users: int = 10000) -> None:
        self.ttl = ttl
        self.max_users = max_users
        self._items: Dict[Hashable, Tuple[float, List[Tuple[str, str]]]] = {}
        self._lock = threading.Lock()

    def remember(self, key: Hashable, buttons: Sequence[Dict[str, Any]]) -> None:
        options = [(str(b.get("title", "")), str(b.get("payload", b.get("title", "")))) for b in buttons]
        now = time.time()
        with self._lock:
            if len(self._items) >= self.max_users:
                expired = [k for k, (t, _) in self._items.items() if t < now]
                for k in expired or list(self._items)[:1]:  # else the oldest
                    self._items.pop(k, None)
            self._items[key] = (now + self.ttl, options)

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._items.pop(key, None)

    def options(self, key: Hashable) -> List[Tuple[str, str]]:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return []
            if item[0] < time.time():
                self._items.pop(key, None)
                return []
            return list(item[1])

    def resolve(self, key: Hashable, text: str) -> str:
        """The payload of the chosen option, or the text unchanged."""
        options = self.options(key)
        answer = (text or "").strip()
        if not options or not answer:
            return text
        number = answer.rstrip(".)").strip()
        if number.isdigit():
            index = int(number)
            return options[index - 1][1] if 1 <= index <= len(options) else text
        for title, payload in options:
            if title.casefold() == answer.casefold():
                return payload
        return text


# One memory for all team chat connectors in this process; keys are (platform, user id).
OPTIONS = OptionMemory()


class TeamChatOutput:
    """Mixin for an output channel that posts markdown text with numbered options.

    Subclasses set `flavour` and `platform`, and implement `post(text)`.
    """

    flavour: str = MATTERMOST
    platform: str = "team-chat"
    options: OptionMemory = OPTIONS
    address: Optional[str] = None  # how to address the bot here (None: no need)

    async def post(self, text: str) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _key(self, recipient_id: str) -> Tuple[str, str]:
        return (self.platform, str(recipient_id))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.options.forget(self._key(recipient_id))
        if (text or "").strip():
            await self.post(render(text, None, self.flavour))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        if buttons:
            self.options.remember(self._key(recipient_id), buttons)
        else:
            self.options.forget(self._key(recipient_id))
        await self.post(render(text, buttons, self.flavour, self.address))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.post(image)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        await self.post(str(attachment))
