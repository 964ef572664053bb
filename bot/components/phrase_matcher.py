"""Ordered, gapped phrase matching over (lemma, text) token pairs, for the word lists of
data/lexicon.yml (roles, ages, the worry; bot/components/lexicon_extractor.py). Pure Python.

The crisis layer has its own engine with spelling tolerance (bot/crisis.py, data/crisis.yml):
it reads raw text before anything else; this one reads spaCy's lemmas inside the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import yaml


@dataclass(frozen=True)
class Match:
    category: str
    name: str


def _split(word: str) -> Tuple[str, ...]:
    return tuple(word.lower().split())


class PhraseMatcher:
    """Ordered, gapped phrase matching over (lemma, text) token pairs. Pure Python."""

    def __init__(self, spec: Dict[str, Any]):
        self.max_gap = int(spec.get("max_gap", 4))
        self.negations = {n.lower() for n in spec.get("negaties", [])}
        # category -> name -> list of patterns; pattern = list of steps; step = list of word seqs
        self.patterns: List[Tuple[str, str, List[List[Tuple[str, ...]]]]] = []
        for category, named in (spec.get("categorieen") or {}).items():
            for name, patterns in named.items():
                for pattern in patterns:
                    steps = [[_split(str(alt)) for alt in step] for step in pattern]
                    self.patterns.append((category, name, steps))

    @classmethod
    def from_file(cls, path: Path) -> "PhraseMatcher":
        with open(path, encoding="utf-8") as f:
            return cls(yaml.safe_load(f) or {})

    @staticmethod
    def _word_matches(word: str, token: Tuple[str, str]) -> bool:
        lemma, text = token
        if word.endswith("*"):
            stem = word[:-1]
            return lemma.startswith(stem) or text.startswith(stem)
        return word == lemma or word == text

    def _seq_at(self, seq: Tuple[str, ...], tokens: Sequence[Tuple[str, str]], i: int) -> bool:
        if i + len(seq) > len(tokens):
            return False
        return all(self._word_matches(w, tokens[i + k]) for k, w in enumerate(seq))

    def _rest(self, steps, tokens, step_idx: int, start: int) -> int:
        """End index when steps[step_idx:] match from start (with gaps), else -1."""
        if step_idx == len(steps):
            return start
        for i in range(start, min(len(tokens), start + self.max_gap + 1)):
            for seq in steps[step_idx]:
                if self._seq_at(seq, tokens, i):
                    end = self._rest(steps, tokens, step_idx + 1, i + len(seq))
                    if end >= 0:
                        return end
        return -1

    def _negated(self, tokens, i: int) -> bool:
        return any(tokens[j][1] in self.negations for j in range(max(0, i - 3), i))

    def spans(self, tokens: Sequence[Tuple[str, str]]) -> List[Tuple[Match, int, int]]:
        """Every pattern that matches, with the token span [start, end) of its first match."""
        toks = [(lemma.lower(), text.lower()) for lemma, text in tokens]
        found = []
        for category, name, steps in self.patterns:
            for i in range(len(toks)):
                if self._negated(toks, i):
                    continue
                end = -1
                for seq in steps[0]:
                    if self._seq_at(seq, toks, i):
                        end = self._rest(steps, toks, 1, i + len(seq))
                        if end >= 0:
                            break
                if end >= 0:
                    found.append((Match(category, name), i, end))
                    break
        return found

    def find(self, tokens: Sequence[Tuple[str, str]]) -> List[Match]:
        return [m for m, _, _ in self.spans(tokens)]
