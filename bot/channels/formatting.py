"""How the bot's answers look in team chat (Slack, Mattermost, Microsoft Teams).

- Buttons become numbered options ("1. <title>"), in the same message as the question. The
  user answers with the number (or the option's text); `OptionMemory` turns that back into the
  button's payload. Team chats get no clickable buttons: numbers work in every channel, in
  threads, in direct messages and with a keyboard only.
- The text is written in the platform's markdown, Slack's special characters escaped, and in
  bold: 112; a heading, that is a line that is one of the texts `route.kop_*` of a language
  in data/texts/ (with lines under it); the name in a bullet "- <name>: ..." when it is the
  `naam` of an organisation in data/organisaties.yml. This module knows no sentence of the
  bot: what it makes bold comes from those two files.
- One bot response is one post (Rasa's connectors split on blank lines; these do not).
- The connectors' output (bot/channels/team_base.py, TeamChatOutput) posts what `render` makes.

No user text is logged here.
"""

from __future__ import annotations

import re
import threading
import time
from functools import lru_cache
from typing import Any, Dict, FrozenSet, Hashable, List, Optional, Sequence, Tuple

from actions import organisations, texts

SLACK = "slack"  # Slack mrkdwn: *bold*, _italic_, & < > escaped
MATTERMOST = "mattermost"  # Mattermost markdown: **bold**, _italic_
TEAMS = "teams"  # Teams markdown: **bold**, paragraphs need a blank line
FLAVOURS = (SLACK, MATTERMOST, TEAMS)

OPTIONS_HINT = texts.raw("teamchat.keuze_hint")
OPTIONS_HINT_ADDRESSED = texts.raw("teamchat.keuze_hint_adres")

HEADING_KEYS = "route.kop_"  # the keys of the texts that are headings, in data/texts/<lang>.yml
BULLET, NAME_END = "- ", ": "  # a bullet that names an organisation: "- <naam>: ..."
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


@lru_cache(maxsize=1)
def headings() -> FrozenSet[str]:
    """The texts of the keys route.kop_* in every language of data/texts/."""
    return frozenset(
        str(value).strip()
        for lang in texts.languages()
        for key, value in texts.table(lang).items()
        if key.startswith(HEADING_KEYS) and isinstance(value, str) and value.strip()
    )


@lru_cache(maxsize=1)
def organisation_names() -> FrozenSet[str]:
    """The names (`naam`, and `naam_<lang>`) of the organisations in data/organisaties.yml."""
    return frozenset(
        str(value).strip()
        for org in organisations.organisations().values()
        for field, value in org.items()
        if value and (field == "naam" or field.startswith("naam_"))
    )


def _markdown_line(line: str, flavour: str, heading: bool) -> str:
    """One line of the bot's text: a heading or an organisation's name in bold, the rest escaped."""
    stripped = line.strip()
    if heading and stripped in headings():
        return bold(escape(stripped, flavour), flavour)
    name, sep, rest = stripped[len(BULLET) :].partition(NAME_END)
    if stripped.startswith(BULLET) and sep and name in organisation_names():
        return f"{BULLET}{bold(escape(name, flavour), flavour)}{NAME_END}{escape(rest, flavour)}"
    return escape(line, flavour)


def to_markdown(text: str, flavour: str) -> str:
    """The bot's plain text in the platform's markdown."""
    if flavour not in FLAVOURS:
        raise ValueError(f"unknown flavour {flavour!r}")
    source = (text or "").strip().splitlines()
    lines = [
        # a heading needs lines under it
        _EMERGENCY.sub(bold("112", flavour), _markdown_line(line, flavour, heading=n + 1 < len(source)))
        for n, line in enumerate(source)
    ]
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
