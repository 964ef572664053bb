"""Ordered, gapped phrase matching over (lemma, text) token pairs, for the word lists of
data/lexicon.yml (roles, ages, the worry; bot/components/lexicon_extractor.py), and the
organisation names of data/organisaties.yml (OrganisationFinder). Pure Python.

A pattern is a list of steps (each a list of alternatives, each one or more words), or
{max_gap: N, stappen: [...]} with its own gap. A first step [^] anchors the pattern at the
start of the message. A match is dropped when a negation ("geen", "niet") stands just before
it, and with negatie_in_gat: true also inside one of its gaps ("ik ben geen tandarts").

The crisis layer has its own engine with spelling tolerance (bot/crisis.py, data/crisis.yml):
it reads raw text before anything else; this one reads spaCy's lemmas inside the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Sequence, Set, Tuple

import re

import yaml

START = "^"
CLAUSE_ENDS = {",", ".", "!", "?", ";", ":", "maar"}


@dataclass(frozen=True)
class Match:
    category: str
    name: str


@dataclass(frozen=True)
class Pattern:
    category: str
    name: str
    steps: List[List[Tuple[str, ...]]]
    max_gap: int
    anchored: bool
    firsts: FrozenSet[str] = frozenset()  # the first words of its first step


def _split(word: str) -> Tuple[str, ...]:
    return tuple(str(word).lower().split())


Keys = List[FrozenSet[str]]


class PhraseMatcher:
    """Ordered, gapped phrase matching over (lemma, text) token pairs. Pure Python.

    Each token is first turned into the pattern words it stands for (its lemma, its text and
    every `stem*` either begins with), so a pattern whose first words are not in the message
    costs nothing, and the others are tried only where one of their first words stands.
    """

    def __init__(self, spec: Dict[str, Any]):
        self.max_gap = int(spec.get("max_gap", 4))
        self.negations = {n.lower() for n in spec.get("negaties", [])}
        self.negation_in_gap = bool(spec.get("negatie_in_gat", False))
        self.patterns: List[Pattern] = []
        for category, named in (spec.get("categorieen") or {}).items():
            for name, patterns in named.items():
                for pattern in patterns:
                    self.patterns.append(self._pattern(str(category), str(name), pattern))
        self.stems: Dict[int, Set[str]] = {}  # "stem*" words by the length of their stem
        for p in self.patterns:
            for step in p.steps:
                for seq in step:
                    for w in seq:
                        if w.endswith("*"):
                            self.stems.setdefault(len(w) - 1, set()).add(w[:-1])

    def _pattern(self, category: str, name: str, pattern: Any) -> Pattern:
        gap = self.max_gap
        if isinstance(pattern, dict):
            gap = int(pattern.get("max_gap", gap))
            pattern = pattern["stappen"]
        steps = [[_split(alt) for alt in step] for step in pattern]
        anchored = bool(steps) and steps[0] == [(START,)]
        steps = steps[1:] if anchored else steps
        firsts = frozenset(seq[0] for seq in steps[0]) if steps else frozenset()
        return Pattern(category, name, steps, gap, anchored, firsts)

    @classmethod
    def from_file(cls, path: Path) -> "PhraseMatcher":
        with open(path, encoding="utf-8") as f:
            return cls(yaml.safe_load(f) or {})

    def _keys(self, token: Tuple[str, str]) -> FrozenSet[str]:
        """The pattern words a (lemma, text) token matches: itself, and `stem*` words."""
        lemma, text = token
        out = {lemma, text}
        for n, stems in self.stems.items():
            for word in (lemma, text):
                if len(word) >= n and word[:n] in stems:
                    out.add(word[:n] + "*")
        return frozenset(out)

    @staticmethod
    def _seq_at(seq: Tuple[str, ...], keys: Keys, i: int) -> bool:
        if i + len(seq) > len(keys):
            return False
        return all(w in keys[i + k] for k, w in enumerate(seq))

    def _rest(self, p: Pattern, toks, keys: Keys, step_idx: int, start: int) -> int:
        """End index when p.steps[step_idx:] match from start (with gaps), else -1."""
        if step_idx == len(p.steps):
            return start
        for i in range(start, min(len(toks), start + p.max_gap + 1)):
            if self.negation_in_gap and i > start and toks[i - 1][1] in self.negations:
                return -1  # "ik ben geen tandarts"
            for seq in p.steps[step_idx]:
                if self._seq_at(seq, keys, i):
                    end = self._rest(p, toks, keys, step_idx + 1, i + len(seq))
                    if end >= 0:
                        return end
        return -1

    def _negated(self, tokens, i: int) -> bool:
        """A negation in the 3 words before i, within the clause ("geen leerkracht, ik ben moeder")."""
        for j in range(i - 1, max(0, i - 3) - 1, -1):
            if tokens[j][1] in CLAUSE_ENDS:
                return False
            if tokens[j][1] in self.negations:
                return True
        return False

    def _match_at(self, p: Pattern, toks, keys: Keys, i: int) -> int:
        if not (keys[i] & p.firsts) or self._negated(toks, i):
            return -1
        for seq in p.steps[0]:
            if self._seq_at(seq, keys, i):
                end = self._rest(p, toks, keys, 1, i + len(seq))
                if end >= 0:
                    return end
        return -1

    def spans(self, tokens: Sequence[Tuple[str, str]], every: bool = False) -> List[Tuple[Match, int, int]]:
        """Every pattern that matches, with the token span [start, end) of its first match
        (every=True: of each of its matches that do not overlap)."""
        toks = [(lemma.lower(), text.lower()) for lemma, text in tokens]
        keys = [self._keys(t) for t in toks]
        present = frozenset().union(*keys)
        found = []
        for p in self.patterns:
            if not p.steps or not (p.firsts & present):
                continue
            i = 0
            while i < (1 if p.anchored else len(toks)):
                end = self._match_at(p, toks, keys, i)
                if end < 0:
                    i += 1
                    continue
                found.append((Match(p.category, p.name), i, end))
                if not every:
                    break
                i = max(end, i + 1)
        return found

    def find(self, tokens: Sequence[Tuple[str, str]]) -> List[Match]:
        return [m for m, _, _ in self.spans(tokens)]


# Words in aliases that are also everyday Dutch ("om") or common abbreviations ("mw" for
# mevrouw): an alias with such a word only matches when that word is typed in capitals.
CAPITALS_ONLY = {"om", "mw", "gi", "vt"}


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
