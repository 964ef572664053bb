"""Entities from word lists: role, minor, LVB, anonymity and organisation names.

With little training data, the intent classifier would guess these; word lists are exact and can be
reviewed by the content team. Sources:
- data/lexicon.yml: patterns for `rol`, `lvb`, `anoniem`, `zorg`, `gids` (see its header);
- `minderjarig` from the ages in the message (`ages_in`: "ze is 15", "(14)", "14-jarige",
  "vijftien jaar", "nog geen 18") and the people in it (`personen` in data/lexicon.yml), for the
  person the worry is about: not a companion ("een leerling (14) met een vriend van 22"), the
  writer only when it happens to the writer ("ik ben 9"); a minor wins, adult only when nobody
  in the message might be under 18, else nothing (the form asks);
- data/organisaties.yml: every organisation's `aliassen` give the `organisatie` entity,
  whose value is the organisation's key in that file (longest alias wins).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

import yaml

from bot.components.danger_detector import ROOT
from bot.components.phrase_matcher import OrganisationFinder, PhraseMatcher
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components.base import StatelessComponent, register

DEFAULT_LEXICON = "data/lexicon.yml"
DEFAULT_ORGANISATIONS = "data/organisaties.yml"
NAME = "LexiconEntityExtractor"

WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        "twee drie vier vijf zes zeven acht negen tien elf twaalf dertien veertien vijftien "
        "zestien zeventien achttien negentien".split(),
        start=2,
    )
}
TENS = {w: 10 * i for i, w in enumerate("twintig dertig veertig vijftig zestig zeventig tachtig negentig".split(), start=2)}
WORD_NUMBERS.update(TENS)
for _tens, _tv in TENS.items():
    for _unit, _uv in {"een": 1, "één": 1, **{w: v for w, v in WORD_NUMBERS.items() if v < 10}}.items():
        WORD_NUMBERS.update({_unit + "en" + _tens: _tv + _uv, _unit + "ën" + _tens: _tv + _uv})
NUM = r"(?P<n>\d{1,3}|" + "|".join(sorted(WORD_NUMBERS, key=len, reverse=True)) + ")"
UNIT = r"(?:jaar|jr\.?|j|years? old|yrs? old|yo|y/o)\b"
# Not an age: "3 uur", "5 kinderen", "12,50 euro", "al 3 jaar geleden", "2 jaar lang".
DURATION = (
    r"\s*(?:geleden|lang|getrouwd|samen|bezig|terug|in dienst|werkzaam|ervaring|cel|celstraf|gevangenisstraf|zo\b|"
    r"aan de gang|gaande)"
)
NOT_AGE = (
    r"(?!\s*(?:uur|u\b|min|seconden|euro|€|keer|x\b|dag|weken|week|maand|procent|%|:|[.,]\d|kinderen|kids|mensen|"
    r"personen|leerlingen|jongeren|cliënten|vrouwen|mannen|man\b|meter|km|kilo|kg|stuks|punten|vragen|stappen|e\b|"
    r"ste\b|de\b|tot\b|-?\s*jarig))(?!\s*" + UNIT + DURATION + ")"
)
LESS = "nog geen|nog niet|nog net geen|jonger dan|onder de|onder|beneden de|minder dan"
MORE = "ouder dan|boven de|boven|meer dan|over de"
AGES = [  # in this order; a later match inside an earlier one is skipped
    ("jarig", re.compile(r"\b" + NUM + r"\s*-?\s*jarige?n?\b", re.I)),
    # "(14)", "(20, from Spain)", "(16 jaar)"
    ("haakjes", re.compile(r"\(\s*" + NUM + r"\s*(?:" + UNIT + r")?\s*(?:\)|,)", re.I)),
    (
        "na",
        re.compile(
            r"\b(?P<pre>ik ben|ben ik|en ik|maar ik|ikzelf|i'm|i’m|im|i am|and i'm|and im|she's|he's|she is|he is|"
            r"ben|word|is|was|wordt|werd|zijn|van|bijna|(?P<cmp>" + LESS + "|" + MORE + r"))\s+"
            r"(?P<fill>(?:(?:nu|pas|net|nog maar|maar|inmiddels|ongeveer|rond de|rond|zo'n|circa|ook|toen|bijna)\s+)*)"
            r"\b" + NUM + r"\b" + NOT_AGE + r"(?P<unit>\s*" + UNIT + r")?",
            re.I,
        ),
    ),
    ("jaar", re.compile(r"\b" + NUM + r"\s*" + UNIT + r"(?:\s+oud\b)?(?!" + DURATION + ")", re.I)),
    ("plus", re.compile(r"(?<![\w+])(?P<n>18)\s*\+|\+\s*(?P<m>18)\b")),
]
NOT_AGE_BEFORE = re.compile(r"\b(?:iq|score|cijfer|groep|klas|nummer|huisnummer|bus|lijn|stap|artikel|kamer)\s*$", re.I)
DURATION_BEFORE = re.compile(
    r"\b(?:al|sinds|ruim|afgelopen|laatste|binnen|na|over|voor|paar|elke|elk|om de|per|tot|vanaf|tussen)\s+$", re.I
)
PAST_BEFORE = re.compile(
    r"\b(?:toen|when|sinds|since|vanaf|from)\s+(?:ik|ze|zij|hij|i|she|he|we|wij)\s*(?:was|were)?\s*$", re.I
)
# "ik ben 1 jaar hier", "we zijn 3 jaar getrouwd", "i've been here 5 years": a time, not an age
DURATION_AFTER = re.compile(
    r"^\s*(?:hier|in (?:nederland|nl|holland|the netherlands|dit land|this country)|here|"
    r"getrouwd|samen|married|together|bezig|in dienst|aan het werk|werkzaam|working|"
    r"bij (?:hem|haar|ons|hen|dit|deze)|with (?:him|her|them|this))\b",
    re.I,
)
# "he said he was 19", "hij zei dat hij 19 was": a claim about someone's age (often of the one
# who harms), no age to route by
CLAIM_BEFORE = re.compile(
    r"\b(?:said|says|told me|claimed|claims|pretended|zei|zegt|zeggen|zeiden|beweerde|beweert|deed alsof)\s+"
    r"(?:that\s+|dat\s+)?(?:he|she|they|hij|ze|zij|ie)\s*(?:was|is|were|would be)?\s*$",
    re.I,
)
YEAR_UNIT_END = re.compile(r"\b(?:jaar|jr|years?)\s*$", re.I)  # an age said with its unit ("1 jaar")
IT_BEFORE = re.compile(r"\b(?:het|dat|dit|'t|er|alles|even)\s+$", re.I)
IT_IS_BEFORE = re.compile(
    r"\b(?:het|dat|dit|'t|er|alles|even)\s+(?:is|was)\s+(?:(?:nu|al|inmiddels|alweer|ruim)\s+)*$", re.I
)
SELF_BEFORE = re.compile(r"\bik\s*,?\s*$", re.I)
PRONOUN_BEFORE = re.compile(r"\b(?P<p>ze|zij|hij|ie|die)\s+$", re.I)
PRONOUN_GENDER = {"ze": "v", "zij": "v", "hij": "m", "ie": "m", "die": ""}


@dataclass
class Age:
    lo: float
    hi: float
    start: int
    end: int
    kind: str
    pre: str = ""

    @property
    def status(self) -> Optional[str]:
        return "ja" if self.hi < 18 else "nee" if self.lo >= 18 else None


def ages_in(text: str) -> List[Age]:
    """Every age in the text, in order; "nog geen 18" is below 18, "boven de 18" above it."""
    found: List[Age] = []
    for kind, regex in AGES:
        for m in regex.finditer(text):
            if any(a.start < m.end() and m.start() < a.end for a in found):
                continue
            groups = m.groupdict()
            word = (groups.get("n") or groups.get("m") or "").lower()
            n = int(word) if word.isdigit() else WORD_NUMBERS.get(word, 0)
            pre, cmp = (groups.get("pre") or "").lower(), (groups.get("cmp") or "").lower()
            before = text[: m.start()]
            not_age = NOT_AGE_BEFORE.search(before) and kind != "haakjes"  # "groep 7" is no age, "klas (16)" is
            if not 0 < n < 110 or not_age or (kind == "jaar" and DURATION_BEFORE.search(before)):
                continue
            if kind == "na" and pre == "van" and n < 10 and not word.isdigit() and not groups.get("unit"):
                continue  # "een moeder van twee"
            if (kind == "na" and pre in ("is", "was") and IT_BEFORE.search(before)) or IT_IS_BEFORE.search(before):
                continue  # "dat even is nu vijf jaar", "het is 3 jaar geleden": a time, not an age
            if _just_before(PAST_BEFORE, text, m.start(), pre, 20):
                continue  # "toen ik 17 was", "when she was 15": an age then, not now
            unit = YEAR_UNIT_END.search(text[m.start() : m.end()])
            if unit and pre != "van" and DURATION_AFTER.match(text[m.end() : m.end() + 30]):
                continue  # "ik ben 1 jaar hier": how long, not how old ("een meisje van 15 bij hem" is an age)
            if n >= 18 and _just_before(CLAIM_BEFORE, text, m.start(), pre, 40):
                continue  # "he said he was 19": what he said of himself (a minor's age said is kept)
            lo = hi = float(n)
            if cmp in LESS.split("|"):
                lo, hi = 0.0, n - 0.5
            elif cmp or kind == "plus":
                lo, hi = n + (0.5 if cmp else 0.0), 200.0
            elif pre == "bijna" or "bijna" in (groups.get("fill") or "").lower():
                lo, hi = n - 1.0, n - 0.5
            found.append(Age(lo, hi, m.start(), m.end(), kind, pre))
    return sorted(found, key=lambda a: a.start)


def _just_before(regex: "re.Pattern[str]", text: str, start: int, pre: str, reach: int) -> bool:
    """`regex` (anchored at its end) right before the age at `start`: in the `reach` characters
    before it with the age's own first word (`pre`: "she was 15"), or ending where the age begins."""
    return bool(regex.search(text[max(0, start - reach) : start + len(pre)]) or regex.search(text[:start]))


def age_in(text: str) -> Optional[int]:
    """The first exact age in the text (for callers that want a number)."""
    for a in ages_in(text):
        if a.lo == a.hi:
            return int(a.lo)
    return None


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


def _resolve(path: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else ROOT / p


SELF_MENTION = re.compile(r"\b(?:ik ben|ik als|^als|[,.] als)\s+(?:een|de|het|zijn|haar|z'n|zn|d'r|hun|zelf)?\s*$", re.I)
# A partner or friend is somebody else than the person when it is "haar vriend", "heeft een vriend"
# or "met een vriend"; any person after the first is when it is "met/door/voor/van een ..." or
# "haar zoon". Such a companion's age never makes the person an adult (a minor always counts).
ARTICLES = (
    r"(?:(?:een|de|die|dat|deze|haar|zijn|z'n|zn|d'r|hun|mijn|mn|m'n|onze|je|jouw|nieuwe|oudere|volwassen|oude|jonge|"
    r"andere|veel)\s+){0,2}$"
)
PARTNER_BEFORE = re.compile(r"\b(?:haar|zijn|z'n|zn|d'r|hun|heeft|had|hebben|krijgt|kreeg|met)\s+" + ARTICLES, re.I)
MY_BEFORE = re.compile(r"\b(?:mijn|mn|m'n|my|onze|our)\s+(?:[\w'-]+\s+)?$", re.I)
PARTNER_AFTER = re.compile(r"\s+(?:heeft|had|hebben|hadden)\b", re.I)  # "die sinds de zomer een vriend heeft"
POSSESSIVE_BEFORE = re.compile(r"\b(?:haar|zijn|z'n|zn|d'r|hun)\s+" + ARTICLES, re.I)
COMPANION_BEFORE = re.compile(r"\b(?:met|door|voor|van|bij|tegen|aan|haar|zijn|z'n|zn|d'r|hun)\s+" + ARTICLES, re.I)
PARTNER_WORDS = {"man", "vrouw", "echtgenoot", "echtgenote"}
NOT_PERSON_BEFORE_OF = {"kind", "kinds"}
ENGLISH_OF = re.compile(r"\s+of\b", re.I)
# "mij en mijn zusje van 8", "ik en mijn broertje": a child harmed with the writer.
WITH_THE_WRITER = re.compile(r"\b(?:mij|me|mezelf|ik)\s+(?:en|and|&)\s+" + ARTICLES, re.I)


@dataclass
class Person:
    kind: str  # kind | volwassen | open | partner | ander
    gender: str  # v | m | x
    start: int
    end: int
    word: str
    role: str = "persoon"  # persoon (counted) | zelf (the writer) | ander (somebody else)
    ages: List[Age] = field(default_factory=list)

    @property
    def status(self) -> Optional[str]:
        if self.ages:
            found = {a.status for a in self.ages}
            return "ja" if "ja" in found else "nee" if found == {"nee"} else None
        return {"kind": "ja", "volwassen": "nee"}.get(self.kind)


class People:
    """Who a message is about, and the age of each (pure Python, on the character offsets)."""

    def __init__(self, spec: Dict[str, Dict[str, List[str]]], negations: Sequence[str]):
        categories = {kind: {g: [[words]] for g, words in genders.items()} for kind, genders in spec.items()}
        self.matcher = PhraseMatcher({"max_gap": 0, "negaties": list(negations), "categorieen": categories})
        self.partners = {str(w).lower() for w in (spec.get("partner") or {}).get("x", [])} | PARTNER_WORDS
        for words in (spec.get("partner") or {}).values():
            self.partners |= {str(w).lower() for w in words}

    def find(self, text: str, tokens: Sequence[Tuple[str, str, int, int]], ages: List[Age]) -> List[Person]:
        people = [
            Person(m.category, m.name, tokens[i][2], tokens[e - 1][3], text[tokens[i][2] : tokens[e - 1][3]].lower())
            for m, i, e in self.matcher.spans([(lemma, word) for lemma, word, _, _ in tokens], every=True)
        ]
        # English "some kind of", "what kind of": a sort, not a child.
        people = [p for p in people if not (p.word in NOT_PERSON_BEFORE_OF and ENGLISH_OF.match(text[p.end :]))]
        people.sort(key=lambda p: p.start)
        merged: List[Person] = []
        for p in people:  # "een oudere vrouw", "een volwassen dochter": one person
            if merged and not text[merged[-1].end : p.start].strip():
                adjective = merged.pop()
                if p.kind == "open" and adjective.kind in ("kind", "volwassen"):
                    p.kind = adjective.kind
                p.start = adjective.start
            merged.append(p)
        for a in ages:  # "een 14-jarige": a person; "een 14-jarige dochter": her age
            if a.kind == "jarig" and not any(p.start >= a.end and not text[a.end : p.start].strip() for p in merged):
                merged.append(Person("open", "x", a.start, a.end, text[a.start : a.end].lower()))
        merged.sort(key=lambda p: p.start)
        counted, unnamed = False, []
        for p in merged:
            before = text[: p.start]
            if SELF_MENTION.search(before):
                p.role = "zelf"
            elif p.kind == "ander" or (
                p.word in self.partners and (PARTNER_BEFORE.search(before) or PARTNER_AFTER.match(text[p.end :]))
            ):
                p.role = "ander"
            elif counted and COMPANION_BEFORE.search(before):
                p.role = "ander"
            else:
                if not counted and POSSESSIVE_BEFORE.search(before):  # "d'r vader slaat haar": and her?
                    unnamed.append(Person("open", "-", p.start, p.start, ""))
                counted = True
        return sorted(merged + unnamed, key=lambda p: p.start)

    @staticmethod
    def holder(text: str, a: Age, people: List[Person]) -> Optional[Person]:
        """The person an age belongs to; None: nobody named (the person the worry is about)."""
        if a.kind == "jarig":
            return next((p for p in people if p.start >= a.start and not text[a.end : p.start].strip()), None)
        before, people = text[: a.start], [p for p in people if p.word]
        pronoun = PRONOUN_BEFORE.search(before)
        if pronoun:
            gender = PRONOUN_GENDER[pronoun.group("p").lower()]
            earlier = [p for p in people if p.end <= a.start and (not gender or p.gender in (gender, "x"))]
            return earlier[-1] if earlier else None
        sentence = re.split(r"[.!?;]", before)[-1]
        earlier = [p for p in people if len(before) - len(sentence) <= p.start and p.end <= a.start]
        return earlier[-1] if earlier else None


SELF_PRE = ("ik ben", "ben ik", "en ik", "maar ik", "ikzelf", "ben", "word", "i'm", "i’m", "im", "i am", "and i'm", "and im")


OLDER_AGE = 65  # a writer this old who is harmed: elder abuse (ouderenmishandeling)
# "Ik ben 79 ... mijn kleinzoon ... mijn pinpas": the older writer's own money, not a relative's worry.
OWN_MONEY = re.compile(
    r"\b(?:mijn|mn|m'n|my)\s+(?:geld|rekening|bankrekening|spaarrekening|pinpas|bankpas|spaargeld|pensioen|money|card|"
    r"account|savings|pension)",
    re.I,
)
# Money, work, clients or drugs in a victim's message about a partner: maybe exploitation (NLU decides).
EXPLOITATION_HINT = re.compile(
    r"geld|betaal|verdien|mannen|klanten|werken|drugs|schuld|money|paid|pay\b|earn|\bmen\b|clients|customers|work|debt|sex|seks",
    re.I,
)
MONEY = re.compile(r"pas\b|rekening|geld|card|account|money", re.I)
EXPLOITATION = {"seksuele_uitbuiting", "criminele_uitbuiting", "arbeidsuitbuiting", "mensenhandel"}


def _is_self(text: str, a: Age) -> bool:
    return a.pre in SELF_PRE or bool(SELF_BEFORE.search(text[: a.start]))


class Lexicon:
    """Pure-Python extraction over text plus (lemma, text, start, end) tokens."""

    ORDER = {
        "rol": ["professional", "slachtoffer", "ouder", "omstander"],
        "lvb": ["nee", "onbekend", "ja"],
        "anoniem": ["ja", "nee"],
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

    def __init__(self, matcher: PhraseMatcher, organisations: OrganisationFinder, people: Optional[People] = None):
        self.matcher = matcher
        self.organisations = organisations
        self.people = people or People({}, [])

    @classmethod
    def from_files(cls, lexicon: str = DEFAULT_LEXICON, organisations: str = DEFAULT_ORGANISATIONS) -> "Lexicon":
        with open(_resolve(lexicon), encoding="utf-8") as f:
            spec = yaml.safe_load(f) or {}
        people = People(spec.get("personen") or {}, spec.get("negaties") or [])
        return cls(PhraseMatcher(spec), OrganisationFinder.from_file(_resolve(organisations)), people)

    def minor(self, text: str, tokens, rol: Optional[str], thuis: bool) -> Tuple[Optional[str], Optional[str], int, int]:
        """(rol, minderjarig, start, end) from the ages and the people in the message."""
        ages = ages_in(text)
        people = self.people.find(text, tokens, ages)
        writer: List[Tuple[Optional[str], int, int]] = []  # the writer's own age: "ik ben 9"
        # The person the worry is about: (status, start, end, said as an age, someone named)
        about: List[Tuple[Optional[str], int, int, bool, Optional[Person]]] = []
        for a in ages:
            holder = None if _is_self(text, a) else self.people.holder(text, a, people)
            if _is_self(text, a) or (holder and holder.role == "zelf"):
                writer.append((a.status, a.start, a.end))
            elif holder is None:
                about.append((a.status, a.start, a.end, True, None))
            else:
                holder.ages.append(a)
        writer += [(p.status, p.start, p.end) for p in people if p.role == "zelf" and p.kind in ("kind", "volwassen")]
        about += [(p.status, p.start, p.end, bool(p.ages), p) for p in people if p.role == "persoon"]
        others = [(p.status, p.start, p.end, bool(p.ages), p) for p in people if p.role == "ander"]
        # A minor anywhere in the message counts (when unsure, the route includes Veilig Thuis);
        # the age of a companion ("met een vriend van 22") never makes the person an adult. But a
        # child word without an age ("kinderen", "the kids") does not outweigh an adult's age
        # said in so many words ("mijn nichtje van 19 moet op drie kinderen passen").
        # Only the writer's own relation ("mijn nichtje van 19", "my flatmate (20)") or an age said on
        # its own: "een man van 40 laat kinderen drugs verkopen" is about the children.
        said_adult = any(x[0] == "nee" and x[3] and (x[4] is None or MY_BEFORE.search(text[: x[4].start])) for x in about)
        minors = [x for x in about + others if x[0] == "ja" and (x[3] or not said_adult)]
        writer_minor = next((w for w in writer if w[0] == "ja"), None)
        if writer_minor and rol not in ("professional", "ouder") and (rol in (None, "slachtoffer") or thuis):
            rol = "slachtoffer"  # "ik ben 9 en mijn vader slaat mama"
        if rol == "slachtoffer":
            # About the writer: the writer's own age; a child harmed with the writer counts ("mij en
            # mijn zusje van 8"), another person's age does not ("mijn broertje is 15": ask).
            with_writer = [
                x for x in minors if x[4] is None or WITH_THE_WRITER.search(text[max(0, x[4].start - 40) : x[4].start])
            ]
            found = writer_minor or (with_writer[0][:3] if with_writer else None)
            found = found or next((w for w in writer if w[0] == "nee"), None)
        else:
            found = minors[0][:3] if minors else None
            # adult only when nobody in it might be under 18; a child word beside an adult's age
            # leaves it open (the form asks: "mijn collega van 30 ... zijn zoontje")
            child_word = any(x[0] == "ja" for x in about + others)
            if not found and about and not child_word and all(x[0] == "nee" for x in about):
                found = next(x for x in about if x[0] == "nee")[:3]
        if not found:
            return rol, None, 0, 0
        return rol, found[0], found[1], found[2]

    def older_writer(self, text: str, tokens) -> Optional[Age]:
        """The writer's own age when it is OLDER_AGE or more: "ik ben 81", "ik ben een weduwe van 80"."""
        older = [a for a in ages_in(text) if a.lo >= OLDER_AGE]
        if not older:
            return None
        people = self.people.find(text, tokens, older)
        for a in older:
            holder = None if _is_self(text, a) else self.people.holder(text, a, people)
            if _is_self(text, a) or (holder and holder.role == "zelf"):
                return a
        return None

    def extract(self, text: str, tokens: Sequence[Tuple[str, str, int, int]]) -> List[Dict[str, Any]]:
        entities: List[Dict[str, Any]] = []
        spans = self.matcher.spans([(lemma, word) for lemma, word, _, _ in tokens])
        by_entity: Dict[str, Dict[str, Tuple[int, int]]] = {}
        for match, start, end in spans:
            by_entity.setdefault(match.category, {}).setdefault(match.name, (tokens[start][2], tokens[end - 1][3]))
        for values in by_entity.values():
            # One reading inside a longer one of the same entity: the longer says more ("niet
            # anoniem", "I don't want to be anonymous" hold "anoniem" / "anonymous").
            inner = [
                v
                for v, (s, e) in values.items()
                if any((s2, e2) != (s, e) and s2 <= s and e <= e2 for s2, e2 in values.values())
            ]
            for v in inner:
                del values[v]
        rol = next((v for v in self.ORDER["rol"] if v in by_entity.get("rol", {})), None)
        new_rol, minor, start, end = self.minor(text, tokens, rol, "_thuis" in by_entity)
        if new_rol != rol and new_rol:
            by_entity["rol"] = {new_rol: (start, end)}
        if minor and not (minor == "nee" and "ja" in by_entity.get("minderjarig", {})):  # a minor anywhere counts
            by_entity["minderjarig"] = {minor: (start, end)}
        harmed_child = by_entity.get("minderjarig", {}).get("ja") and "_schade" in by_entity
        at_home = "_thuis" in by_entity and (new_rol or rol) != "ouder"  # a parent's "papa" is the other parent
        if not by_entity.get("zorg") and harmed_child and not at_home:
            # "het jongetje staat vaak buiten in de kou zonder jas", "mijn zoontje komt bij zijn
            # vader vandaan met blauwe plekken": harm to a child is child abuse.
            by_entity["zorg"] = {"kindermishandeling": by_entity["_schade"]["ja"]}
        elif (
            not by_entity.get("zorg")
            and "_schade" in by_entity
            and (new_rol or rol) == "ouder"
            and not by_entity.get("minderjarig", {}).get("nee")
        ):
            # "My ex has our son every other weekend ... he hits him with a belt": a parent's child harmed.
            by_entity["zorg"] = {"kindermishandeling": by_entity["_schade"]["ja"]}
        elif not by_entity.get("zorg") and "_schade" in by_entity and at_home:
            # "mama haar vriend schreeuwt tegen mama en heeft haar geduwd": the writer's own home.
            by_entity["zorg"] = {"huiselijk_geweld": by_entity["_schade"]["ja"]}
        partner = "_partner" in by_entity and (new_rol or rol) == "slachtoffer" and not EXPLOITATION_HINT.search(text)
        if not by_entity.get("zorg") and partner:
            # "my husband ... pushed me down the stairs", "mn vrouw ... slaat mij": partner violence.
            by_entity["zorg"] = {"huiselijk_geweld": by_entity["_partner"]["ja"]}
        if "_financieel" in by_entity and not by_entity.get("minderjarig", {}).get("ja"):
            # "mijn dochter zegt dat het financiële uitbuiting heet": elder abuse, not trafficking.
            if not set(by_entity.get("zorg", {})) & (EXPLOITATION - {"mensenhandel"}):
                by_entity["zorg"] = {"ouderenmishandeling": by_entity["_financieel"]["ja"]}
        older_self = self.older_writer(text, tokens)
        own_money = (new_rol or rol) == "omstander" and OWN_MONEY.search(text)
        if older_self and ((new_rol or rol) == "ouder" or own_money) and "ouderenmishandeling" in by_entity.get("zorg", {}):
            # "Ik ben 81 ... mijn dochter zegt ...": an older writer's grown child is not a parent's
            # worry about a child; the money taken is the writer's own.
            by_entity["rol"] = {"slachtoffer": (older_self.start, older_self.end)}
            new_rol = "slachtoffer"
        mule = by_entity.get("zorg", {}).get("criminele_uitbuiting")
        if older_self and (new_rol or rol) in (None, "slachtoffer") and mule and MONEY.search(text[mule[0] : mule[1]]):
            # "Ik ben 79 ... ik heb hem mijn pinpas gegeven en nu is er 8000 euro weg": an older
            # person's own money taken is elder abuse, not a money mule's exploitation.
            by_entity["zorg"] = {"ouderenmishandeling": mule}
        if (new_rol or rol) == "slachtoffer" and not set(by_entity.get("zorg", {})) & EXPLOITATION:
            if older_self:  # "ik ben 78 ... mijn zoon neemt geld van mijn rekening": an older person
                by_entity["zorg"] = {"ouderenmishandeling": (older_self.start, older_self.end)}
        for entity, values in by_entity.items():
            if entity.startswith("_"):
                continue
            for value in self.ORDER.get(entity, list(values)):
                if value in values:
                    entities.append(self._entity(entity, value, values[value][0], values[value][1], text))
                    break
        step = step_in(text)
        if step:
            entities.append(self._entity("stap", str(step[0]), step[1], step[2], text))
        orgs: Dict[str, List[int]] = {}
        for key, start, end in self.organisations.find(text):
            if key not in orgs:
                orgs[key] = [start, end]
            elif JOINER.match(text[orgs[key][1] : start]):
                orgs[key][1] = end  # "RIEC's en LIEC", "OGGZ / bemoeizorg": one mention
        for key, (start, end) in orgs.items():
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
