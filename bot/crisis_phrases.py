"""The crisis layer's phrase engine: data/crisis.yml read into phrases, matched against a
message with spelling tolerance and context (negation, frames, "now" words). Pure Python.

Text and phrases are normalised the same way: lower case, accents removed, a letter repeated
three or more times counted once ("hellllp"). A phrase word of seven letters or more also
matches a word one typing error away ("vermoort", "zelfmort", "verkragt"); shorter words list
their misspellings ("bloet"); a word ending in * matches every word it begins.

A phrase is a list of steps in order; a step lists alternatives (one word or several words in a
row); at most `max_gap` other words may stand between two steps. Phrases are grouped per kind.
Context words then adjust the result:
- a `negation` right before the phrase ("geen mes") cancels it;
- `frames` (past, hypothetical, training, news, a joke) turn a weak match into no crisis,
  unless a `now` word stands in the message too. Strong phrases (marked `!` in the data, such as
  a threat to kill or pills already taken) are never turned off by a frame, only by a negation.

bot/crisis.py combines this engine with the classifier (bot/crisis_model.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace, field
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

import yaml


ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT / "data" / "crisis.yml"

# Strongest first: when several kinds match, the first of these wins.
KINDS = ("suicide_acute", "acute", "child_danger", "assault_now", "suicide", "assault_recent", "unclear")
# The intent each kind makes certain (domain.yml, data/rules/crisis.yml).
INTENT_OF_KIND = {
    "suicide_acute": "suicide_acute",
    "acute": "acute_danger",
    "child_danger": "acute_danger",
    "assault_now": "sexual_assault_now",
    "suicide": "suicide",
    "assault_recent": "sexual_assault",
    "unclear": "danger_unclear",
}
FAMILY = {
    "acute": "acute",
    "child_danger": "acute",
    "assault_now": "assault",
    "assault_recent": "assault",
    "suicide": "suicide",
    "suicide_acute": "suicide",
    "unclear": "acute",
}


# Phrase words this long also match a word one typing error away; shorter words are listed
# with their usual misspellings in the data ("bloet"), since "slaat" is one letter from "staat".
FUZZY_MIN = 7
_ORDINAL = re.compile(r"\d+(?:e|de|ste|st|nd|rd|th)")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
_REPEAT = re.compile(r"(.)\1{2,}")


# Letters NFKD does not take apart: Polish "ł", Turkish dotless "ı" ("zabił" is "zabil").
_PLAIN = str.maketrans({"ł": "l", "ı": "i", "ø": "o", "đ": "d"})


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().translate(_PLAIN))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("`", "'")
    return _REPEAT.sub(r"\1", text)


def tokens(text: str) -> List[str]:
    return _WORD.findall(normalise(text))


# "But" in the card languages also begins a clause ("kocam beni dövüyor ama şu an evde değil":
# the "now" is not about the beating); the word stays in the clause it begins. Not Dutch "maar",
# whose "help maar nu" would lose its now.
_CLAUSE_END = re.compile(r"[.,;:!?()\n]+|(?=(?<!\w)(?:ale|ama|dar|fakat|lakin|але|но|لكن)(?!\w))")


def clauses(text: str) -> List[int]:
    """The clause of each of tokens(text), counted from 0; punctuation and line breaks end one.
    Chat without punctuation is one clause."""
    out: List[int] = []
    for n, part in enumerate(_CLAUSE_END.split(normalise(text))):
        out.extend([n] * len(_WORD.findall(part)))
    return out


def _deletes(word: str) -> Set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass(frozen=True)
class Hit:
    kind: str
    name: str
    strong: bool
    start: int
    now: bool = False  # a `now` word ("op dit moment", "al 10 minuten") stands near it


@dataclass
class Result:
    kind: Optional[str]  # None: no crisis
    hits: List[Hit] = field(default_factory=list)
    framed: bool = False  # a frame word turned weak hits off
    negated: bool = False  # a phrase stood right after a negation ("geen mes")
    habitual: bool = False  # a habit word ("elke avond") and no now-word ("nu", "vanavond")

    @property
    def intent(self) -> Optional[str]:
        return INTENT_OF_KIND.get(self.kind) if self.kind else None

    @property
    def names(self) -> List[str]:
        return sorted({h.name for h in self.hits})


NUMBER_TAGS = ("#", "#jong", "#klein")
SO_FAR = frozenset("twice times weeks months years days keer weken maanden jaren dagen".split())
SO_FAR_TOKEN = "_sofar"
HABIT_REACH = 2  # a habit word counts within this many windows (of `window` words) of a phrase


class Lexicon:
    """Words of the phrases, matched against message tokens exactly, by prefix or one typo away."""

    def __init__(self) -> None:
        self.exact: Set[str] = set()
        self.prefixes: Set[str] = set()
        self._fuzzy: Dict[str, Set[str]] = {}  # a word with one letter deleted -> words
        self.real_words: Set[str] = set()  # words that are never a typo of another ("gekomen")

    def add(self, word: str) -> None:
        if word.endswith("*"):
            self.prefixes.add(word[:-1])
            return
        self.exact.add(word)
        if len(word) >= FUZZY_MIN and not word.isdigit():
            for d in _deletes(word) | {word}:
                self._fuzzy.setdefault(d, set()).add(word)

    def matches(self, token: str) -> FrozenSet[str]:
        """The phrase words (prefixes with their *) this token stands for."""
        found = set()
        if token.isdigit():
            found.add("#")
            if 4 <= int(token) <= 17:
                found.add("#jong")
            if int(token) <= 6:  # a small child ("my son 4 years alone in apartment")
                found.add("#klein")
        elif _ORDINAL.fullmatch(token):  # "9e verdieping", "3rd floor"
            found.add("#")
        if token in self.exact:
            found.add(token)
        for stem in self.prefixes:
            if token.startswith(stem):
                found.add(stem + "*")
        if len(token) >= FUZZY_MIN - 1 and not token.isdigit() and token not in self.real_words:
            for d in _deletes(token) | {token}:
                for word in self._fuzzy.get(d, ()):
                    if _one_edit(word, token):
                        found.add(word)
        return frozenset(found)


def _one_edit(a: str, b: str) -> bool:
    """Levenshtein distance <= 1, or one swap of neighbouring letters."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


class Step(list):
    """A step's alternatives (word sequences), indexed by their first word."""

    def __init__(self, seqs: Iterable[Tuple[str, ...]]):
        super().__init__(seqs)
        self.by_first: Dict[str, List[Tuple[str, ...]]] = {}
        for seq in self:
            self.by_first.setdefault(seq[0], []).append(seq)
        self.firsts = frozenset(self.by_first)

    def ends_at(self, toks: Sequence[FrozenSet[str]], i: int) -> List[int]:
        """End indexes of the alternatives that match at token i."""
        out = []
        for w in toks[i] & self.firsts:
            for seq in self.by_first[w]:
                n = len(seq)
                if i + n <= len(toks) and all(seq[k] in toks[i + k] for k in range(1, n)):
                    out.append(i + n)
        return out


@dataclass
class Phrase:
    kind: str
    name: str
    steps: List[Step]
    strong: bool
    anywhere: bool  # "&": every step somewhere in the message, in any order


class CrisisDetector:
    def __init__(self, spec: Dict[str, Any]):
        self.max_gap = int(spec.get("max_gap", 4))
        self.window = int(spec.get("window", 8))
        self.lexicon = Lexicon()
        self.lexicon.real_words = {str(w).lower() for w in spec.get("echte_woorden") or []}
        self.phrases: List[Phrase] = []
        self.classes: Dict[str, List[str]] = {name: list(words) for name, words in (spec.get("words") or {}).items()}
        for kind, named in (spec.get("kinds") or {}).items():
            if kind not in KINDS:
                raise ValueError(f"unknown crisis kind {kind!r} in the phrases file")
            for name, patterns in (named or {}).items():
                for pattern in patterns:
                    strong = anywhere = False
                    while pattern and pattern[0] in ("!", "&"):
                        strong |= pattern[0] == "!"
                        anywhere |= pattern[0] == "&"
                        pattern = pattern[1:]
                    steps = [Step(self._words(alt) for alt in self._expand(step, kind, name)) for step in pattern]
                    if not steps or any(not step for step in steps):
                        raise ValueError(f"empty step in crisis phrase {kind}/{name}")
                    self.phrases.append(Phrase(kind, name, steps, strong, anywhere))
        context = spec.get("context") or {}
        self.negations = Step(self._words(w) for w in context.get("negation", []))
        self.frames = Step(self._words(w) for w in context.get("frames", []))
        self.habit = Step(self._words(w) for w in context.get("habit", []))
        self.now = Step(self._words(w) for w in context.get("now", []))
        self.escalate_now = Step(self._words(w) for w in context.get("escalate_now", []))
        self.escalate = dict(spec.get("escalate") or {})
        for low, high in self.escalate.items():
            if low not in KINDS or high not in KINDS:
                raise ValueError(f"unknown kind in escalate: {low} -> {high}")

    def _expand(self, step: Any, kind: str, name: str) -> List[str]:
        """A step's alternatives, with each @class replaced by the words of `words:`."""
        if isinstance(step, str):
            step = [step]
        out: List[str] = []
        for alt in step:
            if alt.startswith("@"):
                if alt[1:] not in self.classes:
                    raise ValueError(f"unknown word class {alt} in crisis phrase {kind}/{name}")
                out.extend(self.classes[alt[1:]])
            else:
                out.append(alt)
        return out

    def _words(self, alt: Any) -> Tuple[str, ...]:
        if alt in NUMBER_TAGS:
            return (alt,)
        # "#" (any number), "#jong" (4-17) and "#klein" (0-6) may stand inside a phrase: "al # minuten".
        words = tuple(
            w
            for part in str(alt).split()
            for w in ((part,) if part in NUMBER_TAGS else tokens(part.replace("*", "zqxstar")))
        )
        words = tuple(w.replace("zqxstar", "*") for w in words)
        for w in words:
            self.lexicon.add(w)
        return words

    @classmethod
    def from_file(cls, path: Path = DEFAULT_FILE) -> "CrisisDetector":
        with open(path, encoding="utf-8") as f:
            # BaseLoader: every value is text, so "no" and "on" stay words.
            return cls(yaml.load(f, Loader=yaml.BaseLoader) or {})

    # --- matching -------------------------------------------------------------------------
    def _rest(self, steps: List[Step], toks, step_idx: int, start: int) -> int:
        if step_idx == len(steps):
            return start
        for i in range(start, min(len(toks), start + self.max_gap + 1)):
            for end in steps[step_idx].ends_at(toks, i):
                done = self._rest(steps, toks, step_idx + 1, end)
                if done >= 0:
                    return done
        return -1

    def _where(self, step: Step, toks, present=None) -> List[int]:
        if present is not None and not (step.firsts & present):
            return []
        return [i for i in range(len(toks)) if step.ends_at(toks, i) and not self._any(self.negations, toks, i - 3, i)]

    def _near(self, steps: List[Step], toks, present, clause: Optional[List[int]] = None) -> int:
        """Start of a window of `window` words in one clause that holds every step, in any
        order; else -1. ("gisteren heeft hij haar geslagen, nu is hij weg": "nu" is another
        clause, so it does not make the blow happen now.)"""
        if not all(step.firsts & present for step in steps):
            return -1
        places = [self._where(step, toks) for step in steps]
        if not all(places):
            return -1
        same = (lambda i, j: clause[i] == clause[j]) if clause else (lambda i, j: True)
        for i in places[0]:
            if all(any(abs(j - i) <= self.window and same(i, j) for j in p) for p in places[1:]):
                return i
        return -1

    def _any(self, step: Step, toks, lo: int = 0, hi: Optional[int] = None) -> bool:
        hi = len(toks) if hi is None else hi
        return any(step.ends_at(toks, i) for i in range(max(0, lo), min(hi, len(toks))))

    def detect(self, text: str) -> Result:
        # "twice now", "for weeks now", "al drie keer nu": so far, not at this moment.
        raw = tokens(text)
        words = [SO_FAR_TOKEN if w in ("now", "nu", "nou") and i and raw[i - 1] in SO_FAR else w for i, w in enumerate(raw)]
        clause = clauses(text)
        result = self._detect(words, clause if len(clause) == len(words) else None)
        result.words = len(words)
        return result

    def _detect(self, words: List[str], clause: Optional[List[int]] = None) -> Result:
        toks = [self.lexicon.matches(w) for w in words]
        present = set().union(*toks) if toks else set()
        hits: List[Hit] = []
        negated = False
        for phrase in self.phrases:
            first = phrase.steps[0]
            if not (first.firsts & present):
                continue
            if phrase.anywhere:
                start = self._near(phrase.steps, toks, present, clause)
                if start >= 0:
                    hits.append(Hit(phrase.kind, phrase.name, phrase.strong, start))
                continue
            for i in range(len(toks)):
                ends = first.ends_at(toks, i)
                if not ends:
                    continue
                if not any(self._rest(phrase.steps, toks, 1, end) >= 0 for end in ends):
                    continue
                # A negation right before it, in the same clause ("nooit meer zie, hij ..."
                # does not negate "hij").
                lo = i - 3
                while clause and lo < i and (lo < 0 or clause[lo] != clause[i]):
                    lo += 1
                if self._any(self.negations, toks, lo, i):
                    # "geen mes": the model must not add what the phrase refused; "geen zin
                    # meer" in thoughts of suicide is no negation of danger.
                    negated |= FAMILY[phrase.kind] == "acute"
                    continue
                hits.append(Hit(phrase.kind, phrase.name, phrase.strong, i))
                break
        habit = self._any(self.habit, toks)
        if not hits:
            # For the classifier (bot/crisis.py): "every night" without "now" is a worry.
            habitual = habit and not self._where(self.escalate_now, toks, present)
            return Result(None, negated=negated, habitual=habitual)
        # A `now` word counts near a hit only: "vorig jaar ... nu gaat het beter" is the past.
        now_at = self._where(self.now, toks, present)
        escalate_at = self._where(self.escalate_now, toks, present)

        def now_near(hit: Hit, places: List[int] = now_at) -> bool:
            return any(abs(i - hit.start) <= self.window for i in places)

        frame = self._any(self.frames, toks)
        # A habit ("vaak", "elke avond") turns danger to body off unless a now-word stands near:
        # "hij slaat me vaak en nu staat hij voor de deur" is now. A frame needs a strict one.
        # The habit must stand near the phrase too: "hij is soms jaloers" early in a long story
        # does not make "ik kom hier niet meer uit" tonight a habit.
        habit_at = self._where(self.habit, toks, present) if habit else []

        def habit_near(hit: Hit) -> bool:
            return any(abs(i - hit.start) <= HABIT_REACH * self.window for i in habit_at)

        kept = [
            replace(h, now=now_near(h))
            for h in hits
            if h.strong
            or now_near(h)
            or not (frame or (habit_near(h) and FAMILY[h.kind] in ("acute", "assault") and not now_near(h, escalate_at)))
        ]
        if not kept:
            return Result(None, hits, framed=True)
        kinds = {h.kind for h in kept}
        kinds |= {self.escalate[h.kind] for h in kept if h.kind in self.escalate and now_near(h, escalate_at)}
        framed = frame
        kind = next(k for k in KINDS if k in kinds)
        return Result(kind, kept, framed)
