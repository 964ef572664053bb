"""Every text the bot writes from Python, read from data/texts/<language>.yml.

Editors and translators change the text files, never Python. A text is found by its dotted
key ("route.heading_main") and filled in with str.format:

- named values given by the caller: text("route.opener.ouder", zorg="geweld thuis");
- organisations by their key in data/organisaties.yml, the one source of numbers and URLs:
  "{veilig_thuis.telefoon}", "{veilig_thuis.naam}", "{veilig_thuis.url}", and
  "{veilig_thuis.contact}" (how to reach it, written with the texts of the language).

A key missing from a language falls back to Dutch (tests/unit/test_texts.py lists the keys
that a language still lacks and fails for a language the bot offers completely).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List

import yaml

from actions import organisations as orgs

TEXTS_DIR = Path(__file__).resolve().parent.parent / "data" / "texts"
DEFAULT = "nl"


def _flatten(tree: Dict[str, Any], prefix: str = "") -> Dict[str, Any]:
    flat: Dict[str, Any] = {}
    for key, value in (tree or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


@lru_cache(maxsize=None)
def table(lang: str = DEFAULT) -> Dict[str, Any]:
    """The texts of one language as {dotted key: text}; {} for a language without a file."""
    path = TEXTS_DIR / f"{lang}.yml"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as f:
        return _flatten(yaml.safe_load(f) or {})


def lang_of(tracker: Any) -> str:
    """The conversation's language (slot taal) when there are texts for it, else Dutch."""
    lang = tracker.get_slot("taal") if tracker is not None else None
    return lang if lang and table(lang) else DEFAULT


def languages() -> List[str]:
    return sorted(p.stem for p in TEXTS_DIR.glob("*.yml"))


class _Org:
    """An organisation as a format value: {veilig_thuis.telefoon}, {veilig_thuis.contact}."""

    def __init__(self, key: str, lang: str) -> None:
        self._data = orgs.get(key)
        self._key, self._lang = key, lang

    def __getattr__(self, name: str) -> str:
        if name == "contact":
            return contact(self._key, self._lang)
        value = self._data.get(name)
        if value is None:
            raise KeyError(f"organisation {self._key} has no {name}")
        return str(value).strip()


class _Values(dict):
    def __init__(self, lang: str, values: Dict[str, Any]) -> None:
        super().__init__(values)
        self.lang = lang

    def __missing__(self, key: str) -> Any:
        if key in orgs.organisations():
            return _Org(key, self.lang)
        raise KeyError(key)


def raw(key: str, lang: str = DEFAULT) -> Any:
    """The text (or list of texts) as written in the file, not filled in."""
    found = table(lang).get(key)
    if found is None:
        found = table(DEFAULT).get(key)
    if found is None:
        raise KeyError(f"no text {key!r} in data/texts/{DEFAULT}.yml")
    return found


def translated(item: Dict[str, Any], name: str, lang: str = DEFAULT) -> Any:
    """A field of a content file in `lang`: `<name>_<lang>` when it is there, else `<name>`.

    Content files (data/routes.yml, data/stappen.yml, data/organisaties.yml, ...) keep a
    translation next to the Dutch field: beschrijving / beschrijving_en.
    """
    if lang != DEFAULT and item.get(f"{name}_{lang}") is not None:
        return item[f"{name}_{lang}"]
    return item[name]


def fill(template: str, lang: str = DEFAULT, **values: Any) -> str:
    return str(template).strip().format_map(_Values(lang, values))


def text(key: str, lang: str = DEFAULT, **values: Any) -> str:
    """The text of `key` in `lang` (Dutch when that language lacks it), filled in."""
    return fill(raw(key, lang), lang, **values)


MAX_CHARS = 600  # no bot message longer than this: on a phone the start must show (issue 17)


def _split_line(line: str, limit: int) -> List[str]:
    """A line longer than `limit` in pieces, cut after ". ", ", " or a space."""
    pieces = []
    while len(line) > limit:
        cut = max(line.rfind(sep, 0, limit) for sep in (". ", ", ", " "))
        cut = cut + 1 if cut > 0 else limit
        pieces.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    return [*pieces, line] if line else pieces


def packed(blocks: List[Any], limit: int = MAX_CHARS) -> List[str]:
    """Messages of at most `limit` characters from blocks (a line, or lines that belong
    together such as a heading and its list): a block stays in one message when it fits."""
    out: List[str] = []
    current: List[str] = []
    for block in blocks:
        lines = block.split("\n") if isinstance(block, str) else list(block)
        whole = "\n".join(lines)
        pieces = [whole] if len(whole) <= limit else [p for line in lines for p in _split_line(line, limit)]
        for piece in pieces:
            if current and len("\n".join([*current, piece])) > limit:
                out.append("\n".join(current))
                current = []
            current.append(piece)
    if current:
        out.append("\n".join(current))
    return out


def contact(key: str, lang: str = DEFAULT) -> str:
    """How to reach an organisation, e.g. 'Bel 0800-2000 (gratis, ...). Website: ...'."""
    org = orgs.get(key)
    parts = []
    if org.get("telefoon"):
        when = org.get("bereikbaar_" + lang) or (org.get("bereikbaar") if lang == DEFAULT else None)
        name = "contact.bel_wanneer" if when else "contact.bel"
        parts.append(text(name, lang, telefoon=org["telefoon"], wanneer=when or ""))
    if org.get("url"):
        parts.append(text("contact.website", lang, url=org["url"]))
    if not parts:
        parts.append(text("contact.onbekend", lang))
    return " ".join(parts)
