"""Read data/organisaties.yml, the one source of organisation names, numbers and URLs."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Optional

import yaml

ORG_FILE = Path(__file__).resolve().parent.parent / "data" / "organisaties.yml"


@lru_cache(maxsize=1)
def organisations() -> Dict[str, Dict[str, Any]]:
    with open(ORG_FILE, encoding="utf-8") as f:
        return (yaml.safe_load(f) or {}).get("organisaties") or {}


def get(key: str) -> Dict[str, Any]:
    return organisations()[key]


def contact(key: str, lang: str = "nl") -> str:
    """How to reach an organisation, e.g. 'Bel 0800-2000 (gratis, ...). Website: ...'."""
    from actions import texts  # texts fills organisations in: imported here, not at the top

    return texts.contact(key, lang)


def describe(key: str, with_extra: bool = True, lang: str = "nl") -> str:
    """Full answer about one organisation: what it does and how to reach it."""
    from actions import texts

    org = get(key)
    name = org["naam"]
    if org.get("afkorting") and org["afkorting"] not in name:
        name = f"{name} ({org['afkorting']})"
    lines = [f"{name}: {texts.translated(org, 'beschrijving', lang).strip()}"]
    if with_extra and org.get("extra"):
        lines.append(texts.translated(org, "extra", lang).strip())
    lines.append(contact(key, lang))
    return "\n".join(lines)


def key_for(value: str) -> Optional[str]:
    """The organisation key for a key, name, abbreviation or alias (any case)."""
    if value in organisations():
        return value
    wanted = value.strip().lower()
    for key, org in organisations().items():
        names = [org.get("naam"), org.get("afkorting"), *(org.get("aliassen") or [])]
        if wanted in {str(n).lower() for n in names if n}:
            return key
    return None


def find_by_topic(text: str) -> Optional[str]:
    """The organisation whose `onderwerpen` share the most words with the text, if any.

    On a tie the more specialised organisation (fewer topics) wins: "ouderenmishandeling en
    geldzaken" goes to the lokale alliantie, not to the broad Veilig Thuis.
    """
    words = set(re.findall(r"[\wà-ÿ-]+", text.lower()))
    best, best_score = None, (0, 0.0)
    for key, org in organisations().items():
        topics = org.get("onderwerpen") or []
        matched = 0
        for topic in topics:
            topic_words = set(str(topic).lower().split())
            if topic_words and topic_words <= words:
                matched += len(topic_words)
        score = (matched, -len(topics))
        if matched and score > best_score:
            best, best_score = key, score
    return best
