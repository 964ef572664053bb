"""Entities from word lists: role, minor, LVB, anonymity and organisation names.

With little training data, DIET would guess these; word lists are exact and can be
reviewed by the content team. Sources:
- data/lexicon.yml: patterns for `rol`, `minderjarig`, `lvb`, `anoniem` (see its header);
- an age in the message ("van 15", "14 jaar", "16-jarige") decides `minderjarig` first;
- data/organisaties.yml: every organisation's `aliassen` give the `organisatie` entity,
  whose value is the organisation's key in that file (longest alias wins).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

import yaml

from bot.components.danger_detector import ROOT
from bot.components.phrase_matcher import PhraseMatcher
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components.base import StatelessComponent, register

DEFAULT_LEXICON = "data/lexicon.yml"
DEFAULT_ORGANISATIONS = "data/organisaties.yml"
NAME = "LexiconEntityExtractor"

AGE = re.compile(
    r"(?:\b(?:van|is|ben|was|wordt|werd)\s+(\d{1,2})\b(?!\s*(?:uur|minuten|euro|keer|dagen|weken|maanden|procent|%|:))"
    r"|\b(\d{1,2})\s*(?:jaar|jr|-?jarige?)\b)",
    re.IGNORECASE,
)
STEP = re.compile(
    r"\bstap\s*(?P<num>[1-5]|een|één|twee|drie|vier|vijf)\b"
    r"|\b(?P<ord>eerste|tweede|derde|vierde|vijfde|laatste)\s+stap\b",
    re.IGNORECASE,
)
STEP_VALUES = {
    "een": 1,
    "één": 1,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "eerste": 1,
    "tweede": 2,
    "derde": 3,
    "vierde": 4,
    "vijfde": 5,
    "laatste": 5,
}


def step_in(text: str) -> Optional[Tuple[int, int, int]]:
    """(step number, start, end) of the first "stap 3" / "derde stap" in the text."""
    m = STEP.search(text)
    if not m:
        return None
    word = (m.group("num") or m.group("ord")).lower()
    return (int(word) if word.isdigit() else STEP_VALUES[word]), m.start(), m.end()


JOINER = re.compile(r"^\s*(?:en|of|/|,)?\s*$")

# Words in aliases that are also everyday Dutch ("om") or common abbreviations ("mw" for
# mevrouw): an alias with such a word only matches when that word is typed in capitals.
CAPITALS_ONLY = {"om", "mw", "gi", "vt"}


def age_in(text: str) -> Optional[int]:
    for m in AGE.finditer(text):
        value = int(m.group(1) or m.group(2))
        if 0 < value < 110:
            return value
    return None


def _resolve(path: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else ROOT / p


class OrganisationFinder:
    """Finds organisation aliases as whole words; value = organisation key."""

    def __init__(self, organisations: Dict[str, Dict[str, Any]]):
        self.alias_to_key: Dict[str, str] = {}
        for key, org in organisations.items():
            names = [org.get("naam", ""), org.get("afkorting", "")] + list(org.get("aliassen") or [])
            for alias in names:
                alias = str(alias or "").strip().lower()
                if alias:
                    self.alias_to_key.setdefault(alias, key)
        aliases = sorted(self.alias_to_key, key=len, reverse=True)
        self.pattern = (
            re.compile(
                r"(?<![\w-])(" + "|".join(re.escape(a) for a in aliases) + r")(?![\w-])",
                re.IGNORECASE,
            )
            if aliases
            else None
        )

    @classmethod
    def from_file(cls, path: Path) -> "OrganisationFinder":
        with open(path, encoding="utf-8") as f:
            return cls((yaml.safe_load(f) or {}).get("organisaties") or {})

    def find(self, text: str) -> List[Tuple[str, int, int]]:
        if not self.pattern:
            return []
        found = []
        for m in self.pattern.finditer(text):
            alias = m.group(1).lower()
            if any(w.lower() in CAPITALS_ONLY and w != w.upper() for w in m.group(1).split()):
                continue
            found.append((self.alias_to_key[alias], m.start(), m.end()))
        return found


class Lexicon:
    """Pure-Python extraction over text plus (lemma, text, start, end) tokens."""

    ORDER = {
        "rol": ["professional", "ouder", "omstander", "slachtoffer"],
        "minderjarig": ["ja", "nee"],
        "lvb": ["ja"],
        "anoniem": ["ja"],
        "gids": ["uitbuiting", "meldcode"],
        "zorg": [
            "seksuele_uitbuiting",
            "criminele_uitbuiting",
            "arbeidsuitbuiting",
            "mensenhandel",
            "ouderenmishandeling",
            "kindermishandeling",
            "huiselijk_geweld",
        ],
    }

    def __init__(self, matcher: PhraseMatcher, organisations: OrganisationFinder):
        self.matcher = matcher
        self.organisations = organisations

    @classmethod
    def from_files(cls, lexicon: str = DEFAULT_LEXICON, organisations: str = DEFAULT_ORGANISATIONS) -> "Lexicon":
        return cls(PhraseMatcher.from_file(_resolve(lexicon)), OrganisationFinder.from_file(_resolve(organisations)))

    def extract(self, text: str, tokens: Sequence[Tuple[str, str, int, int]]) -> List[Dict[str, Any]]:
        entities: List[Dict[str, Any]] = []
        spans = self.matcher.spans([(lemma, word) for lemma, word, _, _ in tokens])
        by_entity: Dict[str, Dict[str, Tuple[int, int]]] = {}
        for match, start, end in spans:
            by_entity.setdefault(match.category, {}).setdefault(match.name, (start, end))
        age = age_in(text)
        if age is not None:
            m = AGE.search(text)
            by_entity["minderjarig"] = {}
            entities.append(self._entity("minderjarig", "ja" if age < 18 else "nee", m.start(), m.end(), text))
        for entity, values in by_entity.items():
            for value in self.ORDER.get(entity, list(values)):
                if value in values:
                    start, end = values[value]
                    entities.append(self._entity(entity, value, tokens[start][2], tokens[end - 1][3], text))
                    break
        step = step_in(text)
        if step:
            entities.append(self._entity("stap", str(step[0]), step[1], step[2], text))
        spans: Dict[str, List[int]] = {}
        for key, start, end in self.organisations.find(text):
            if key not in spans:
                spans[key] = [start, end]
            elif JOINER.match(text[spans[key][1] : start]):
                spans[key][1] = end  # "RIEC's en LIEC", "OGGZ / bemoeizorg": one mention
        for key, (start, end) in spans.items():
            entities.append(self._entity("organisatie", key, start, end, text))
        return entities

    @staticmethod
    def _entity(name: str, value: str, start: int, end: int, text: str) -> Dict[str, Any]:
        return {"entity": name, "value": value, "start": start, "end": end, "confidence": 1.0, "extractor": NAME}


@register("ENTITY_EXTRACTOR")
class LexiconEntityExtractor(StatelessComponent):
    @classmethod
    def required_components(cls) -> List[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"lexicon_file": DEFAULT_LEXICON, "organisations_file": DEFAULT_ORGANISATIONS}

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        self.lexicon = Lexicon.from_files(
            config.get("lexicon_file") or DEFAULT_LEXICON, config.get("organisations_file") or DEFAULT_ORGANISATIONS
        )

    def process(self, messages: List["Message"]) -> List["Message"]:
        for message in messages:
            text = message.get(TEXT) or ""
            tokens = [(t.lemma or t.text, t.text, t.start, t.end) for t in (message.get(TOKENS_NAMES[TEXT]) or [])]
            found = self.lexicon.extract(text, tokens)
            if found:
                message.set(ENTITIES, (message.get(ENTITIES) or []) + found, add_to_output=True)
        return messages
