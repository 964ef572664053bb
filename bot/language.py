"""Which language a message is in, and which language a conversation goes on in (issue 14).

Offline: the model is the n-gram table of `eld` (Efficient Language Detector), which ships inside
its wheel; nothing is downloaded, ever. Loaded once per process, on the first call (about 0.2 s and
45 MiB), then about 0.05 ms a message. bench/langdetect.md says why this package and how the
others compared.

- `detect(text)`: (language or None, confidence 0..1), over the bot's 8 languages only. Cheap rules
  come first: Arabic script is Arabic; Cyrillic with a Ukrainian letter (і ї є ґ, or an apostrophe
  inside a word) is Ukrainian, with ъ Bulgarian, else the model chooses between the two; letters
  that only Turkish (ğ ı), Polish (ą ę ł ń ś ź ż ć) or Romanian (ă ș ț) have decide between those.
  Names of organisations and places ("veilig thuis", "comensha", "rotterdam") are left out before
  the model reads the text.
- `explicit_choice(text)`: the language the user asks for ("english please", "spreek je engels",
  "po polsku", "türkçe"), or None.
- `conversation_language(current, text)`: the language the conversation goes on in after this
  message. It keeps its language unless the user asks for another or the message is clearly in
  another: at least 3 words and a confidence of at least SWITCH_CONFIDENCE; in Arabic or Cyrillic
  script 2 words are enough to leave a Latin-script language. A short reply ("ok", "ja", "yes",
  "1", a "/payload") never switches.

Nothing here logs or keeps the user's text.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from pathlib import Path
from typing import Dict, Iterable, NamedTuple, Optional, Tuple

import yaml

# Languages the bot speaks throughout, and those it has a safety card in.
FULL_LANGUAGES = ("nl", "en")
CARD_LANGUAGES = ("pl", "ro", "bg", "uk", "ar", "tr")
LANGUAGES = FULL_LANGUAGES + CARD_LANGUAGES
RTL = frozenset({"ar"})
DEFAULT = "nl"

# A message switches the conversation only with at least this many content words (letters only:
# "112", emoji, payloads, names and CHAT_WORDS do not count) and this confidence. The confidence of
# the model is 0.5 plus its margin (see _confidence): 0.7 means the second-best language scores at
# most 80% of the best. eld's best guess is right for 99% of the test set's messages of 3 words or
# more, but its margins on short English are small ("i am scared": 0.75), so 0.7 and not 0.9;
# tests/unit/test_language.py and bench/langdetect.md show what switches at this value.
SWITCH_WORDS = 3
SWITCH_WORDS_CLEAR_SCRIPT = 2  # Arabic or Cyrillic script: no Latin-script language of the bot looks like it
# A short message with two of the conversation's own little words in it stays in that language
# unless the model is very sure: "no im in 5 vwo lol" in an English conversation was read as
# Polish (0.81) and the next question came in Dutch (held-out routing set 7).
OWN_WORDS = {  # none that a card language shares ("de", "te", "ben", "i", "to", "no", "a", "me", ...)
    "en": {
        "im",
        "i'm",
        "my",
        "he",
        "hes",
        "he's",
        "she",
        "shes",
        "she's",
        "it",
        "its",
        "the",
        "and",
        "not",
        "dont",
        "don't",
        "you",
        "they",
        "was",
        "have",
        "has",
        "yes",
        "at",
        "of",
        "lol",
    },
    "nl": {
        "ik",
        "het",
        "een",
        "niet",
        "van",
        "mijn",
        "mn",
        "hij",
        "zij",
        "dat",
        "wat",
        "nee",
        "ja",
        "op",
        "er",
        "bij",
        "met",
        "ook",
        "maar",
        "wel",
        "zit",
        "heb",
    },
}
OWN_WORDS_MAX = 8  # ... in a message of at most this many words
OWN_WORDS_SURE = 0.95
SWITCH_CONFIDENCE = 0.7

# Confidence given by a rule that needs no model (a script or letters of one language only).
RULE_CONFIDENCE = 0.99
# Confidence when the script is the bot's but the letters say the language is not (Persian or Urdu
# in Arabic script, Russian or Belarusian in Cyrillic): the nearest language, but never a switch.
UNSURE_CONFIDENCE = 0.5

_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*")

_LATIN = ("nl", "en", "pl", "ro", "tr")
_CYRILLIC = ("bg", "uk")
_SCRIPT_OF = {**{c: "latin" for c in _LATIN}, **{c: "cyrillic" for c in _CYRILLIC}, "ar": "arabic"}

# Letters that, of the bot's Latin-script languages, only one uses. (ş with a cedilla is left out:
# Turkish, and Romanian typed on many keyboards.)
_ONLY_LETTERS = {
    "tr": frozenset("ğı"),
    "pl": frozenset("ąęłńśźżć"),
    "ro": frozenset("ășțţ"),
}
_UK_LETTERS = frozenset("іїєґ")
_BG_LETTERS = frozenset("ъ")
_RU_BE_LETTERS = frozenset("ыэёў")
_PERSIAN_URDU_LETTERS = frozenset("پچژگکیٹڈڑںےہ")

# Word lists (names that read the same in every language, chat words, language names, filler
# and negation words) are data: data/languages.yml.
WORDS_FILE = Path(__file__).resolve().parents[1] / "data" / "languages.yml"
with open(WORDS_FILE, encoding="utf-8") as _f:
    _WORDS = yaml.load(_f, Loader=yaml.BaseLoader)  # every word a string
NEUTRAL_NAMES = tuple(_WORDS["neutral_names"])
CHAT_WORDS = frozenset(_WORDS["chat_words"].split())
_NEUTRAL = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(n) for n in sorted(NEUTRAL_NAMES, key=len, reverse=True)) + r")(?!\w)"
)

_ARABIC_RANGES = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def _script(ch: str) -> str:
    o = ord(ch)
    if o < 0x0250 or 0x1E00 <= o <= 0x1EFF:
        return "latin"
    if 0x0400 <= o <= 0x052F:
        return "cyrillic"
    if any(a <= o <= b for a, b in _ARABIC_RANGES):
        return "arabic"
    return "other"


def words(text: str) -> list:
    """The words of a message: runs of letters (an apostrophe inside a word keeps it whole)."""
    return _WORD.findall(text or "")


def _main_script(ws: Iterable[str]) -> str:
    counts: Dict[str, int] = {}
    for w in ws:
        for ch in w:
            s = _script(ch)
            counts[s] = counts.get(s, 0) + 1
    return max(counts, key=counts.get) if counts else "none"


# The model, loaded once per process on first use.
_detector = None
_lock = threading.Lock()


def _load():
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from eld import LanguageDetector

                # The n-gram table inside the wheel (eld/resources/ngrams), all of its 60 languages:
                # detect restricts the answer to the bot's, but sees when another fits much better.
                _detector = LanguageDetector()
    return _detector


# When a language the bot does not have (Spanish, German, Russian...) scores this much better than
# the best of the bot's, the message is not in one of the bot's languages: the confidence is at
# most UNSURE_CONFIDENCE. (Ratio of the bot's best score to eld's best over all its languages.)
FOREIGN_RATIO = 0.8


def _model_scores(text: str, candidates: Tuple[str, ...]) -> Tuple[Dict[str, float], bool]:
    """eld's scores for the candidate languages (0 for those it does not name), and whether the
    answer can be trusted: eld calls it reliable, and no other language of eld's fits much better."""
    result = _load().detect(text)
    raw = result.scores() or {}
    scores = {c: max(float(raw.get(c, 0.0)), 0.0) for c in candidates}
    best_all = max(raw.values(), default=0.0)
    foreign = best_all > 0 and max(scores.values()) < FOREIGN_RATIO * best_all
    return scores, bool(result.is_reliable()) and not foreign


def _confidence(scores: Dict[str, float], trusted: bool) -> Tuple[Optional[str], float]:
    """The best candidate and a confidence 0..1 from eld's scores: 0.5 plus the margin over the
    second best (1 - second/best), at most 1; at most UNSURE_CONFIDENCE when not trusted."""
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    if not ranked or ranked[0][1] <= 0:
        return None, 0.0
    best, s1 = ranked[0]
    s2 = ranked[1][1] if len(ranked) > 1 else 0.0
    conf = min(1.0, 0.5 + (1.0 - s2 / s1))
    return best, (conf if trusted else min(conf, UNSURE_CONFIDENCE))


def content_words(text: str) -> list:
    """The words of a message without neutral names and chat words: those that say its language."""
    return [w for w in words(_NEUTRAL.sub(" ", (text or "").lower())) if w not in CHAT_WORDS]


def _for_model(text: str) -> str:
    """What the model reads: the content words when at least two are left, else all the words."""
    content = content_words(text)
    return " ".join(content) if len(content) >= 2 else " ".join(words(text.lower()))


class Reading(NamedTuple):
    """What detect_more finds in one message."""

    lang: Optional[str]  # one of LANGUAGES, or None
    confidence: float  # 0..1 that the message is in lang rather than another of LANGUAGES
    script: str  # the script most of its letters are in: latin, cyrillic, arabic, other, none
    script_words: int  # words written in that script
    script_sure: bool  # False when its letters show a language the bot does not have (Persian, Russian)


_NOTHING = Reading(None, 0.0, "none", 0, False)


def detect_more(text: str) -> Reading:
    """detect, with the script it is written in (conversation_language needs that)."""
    if not text or text.lstrip().startswith("/"):
        return _NOTHING
    ws = words(text.lower())
    if not ws:
        return _NOTHING
    script = _main_script(ws)
    n = sum(1 for w in content_words(text) if _main_script([w]) == script)
    letters = set("".join(ws))

    if script == "arabic":
        if letters & _PERSIAN_URDU_LETTERS:
            return Reading("ar", UNSURE_CONFIDENCE, script, n, False)
        return Reading("ar", RULE_CONFIDENCE, script, n, True)

    if script == "cyrillic":
        if letters & _UK_LETTERS or any(("'" in w or "’" in w or "ʼ" in w) and _main_script([w]) == script for w in ws):
            return Reading("uk", RULE_CONFIDENCE, script, n, True)
        if letters & _RU_BE_LETTERS:
            lang, conf = _confidence(*_model_scores(_for_model(text), _CYRILLIC))
            return Reading(lang or "uk", min(conf, UNSURE_CONFIDENCE), script, n, False)
        if letters & _BG_LETTERS:
            return Reading("bg", RULE_CONFIDENCE, script, n, True)
        lang, conf = _confidence(*_model_scores(_for_model(text), _CYRILLIC))
        return Reading(lang, conf, script, n, True)

    if script == "latin":
        hits = tuple(lang for lang, only in _ONLY_LETTERS.items() if letters & only)
        if len(hits) == 1:
            return Reading(hits[0], RULE_CONFIDENCE, script, n, True)
        marked = _latin_markers(text)
        if marked:
            return Reading(marked, MARKER_CONFIDENCE, script, n, True)
        lang, conf = _confidence(*_model_scores(_for_model(text), hits or _LATIN))
        return Reading(lang, conf, script, n, True)

    return Reading(None, 0.0, script, n, False)


MARKER_CONFIDENCE = 0.9  # above SWITCH_CONFIDENCE: two marker words switch the conversation
_LATIN_MARKERS = {lang: frozenset(ws.split()) for lang, ws in _WORDS["latin_markers"].items()}
# An Arabizi word: letters with 2, 3, 5, 7 or 9 inside ("wa7ed", "3al", "tabi3i", "5ad"), not a
# unit or an ordinal ("3e", "5th", "2x", "9am", "7jr").
_ARABIZI = re.compile(r"^(?=.*[a-z])(?=.*[23579])[a-z23579']{2,}$")
_NOT_ARABIZI = re.compile(r"^\d+(e|de|ste|th|st|nd|rd|x|am|pm|km|kg|jr|j|u|uur|min|mb|gb)?$")


def _latin_markers(text: str) -> Optional[str]:
    """bg or uk when two marker words of one list stand in the message, ar for two Arabizi
    words; else None (the model decides)."""
    tokens = set(re.findall(r"[a-z0-9']+", text.lower()))
    arabizi = {t for t in tokens if _ARABIZI.match(t) and not _NOT_ARABIZI.match(t) and not t.isdigit()}
    counts = {lang: len(tokens & ws) for lang, ws in _LATIN_MARKERS.items()}
    counts["ar"] = len(arabizi)
    best = max(counts, key=counts.get)
    others = max(v for k, v in counts.items() if k != best)
    return best if counts[best] >= 2 and counts[best] > others else None


def detect(text: str) -> Tuple[Optional[str], float]:
    """(one of LANGUAGES or None, confidence 0..1) for one message. None: no letters, a button
    payload, or a script none of the bot's languages is written in."""
    r = detect_more(text)
    return r.lang, r.confidence


# --- Explicit choice ---------------------------------------------------------------------------

_NAMES = dict(_WORDS["names"])
_NAME_TO_LANG = {name: lang for lang, names in _NAMES.items() for name in names.split()}

_FILLER = frozenset(_WORDS["filler"].split())
# Words that deny what follows them ("i don't speak dutch", "ik spreek geen nederlands", "nie mówię
# po polsku", "لا أتكلم الهولندية") or what stands before them ("hollandaca bilmiyorum").
_NEGATION_BEFORE = frozenset(_WORDS["negation_before"].split())
_NEGATION_AFTER = re.compile(r"(miyorum|muyorum|mıyorum|müyorum|miyor|muyor|mıyor|müyor|mez|maz|meyiz|mayiz)$")


def _norm(word: str) -> str:
    """Lower case, Latin diacritics off (ü -> u, ș -> s), Arabic alef forms and diacritics unified."""
    out = []
    for ch in word.lower():
        if _script(ch) == "latin":
            ch = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            ch = ch.replace("ı", "i").replace("ł", "l")
        elif _script(ch) == "arabic":
            if unicodedata.combining(ch) or ch == "ـ":  # harakat, tatweel
                continue
            ch = {"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي"}.get(ch, ch)
        out.append(ch)
    return "".join(out)


_NAME_TO_LANG = {**{_norm(n): lang for n, lang in _NAME_TO_LANG.items()}, **_NAME_TO_LANG}
_FILLER = frozenset(_norm(w) for w in _FILLER) | _FILLER
_NEGATION_BEFORE = frozenset(_norm(w) for w in _NEGATION_BEFORE) | _NEGATION_BEFORE


def explicit_choice(text: str) -> Optional[str]:
    """The language the user asks for in this message, or None.

    A request is a short message (at most 10 words) made of one language name and words that may
    stand around it ("do you speak english", "in English please", "spreek je engels", "po polsku",
    "is english ok here?"). A name after a negation ("i don't speak dutch") is not a choice; two
    different names ("english or dutch?") are none either."""
    if not text or text.lstrip().startswith("/"):
        return None
    raw = re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", text.lower())
    if not raw or len(raw) > 10:
        return None
    toks = [_norm(w) for w in raw]
    chosen, denied = set(), set()
    negated_until = -1  # a negation denies the first name within the next 3 words
    for i, tok in enumerate(toks):
        lang = _NAME_TO_LANG.get(tok)
        if lang is None:
            if tok in _NEGATION_BEFORE:
                negated_until = i + 3
            elif not (tok in _FILLER or _NEGATION_AFTER.search(tok)):
                return None  # a word that is neither a name nor around one: not a request
            continue
        after = toks[i + 1 : i + 2]
        if i <= negated_until or any(_NEGATION_AFTER.search(t) for t in after):
            denied.add(lang)
            negated_until = -1
        else:
            chosen.add(lang)
    chosen -= denied
    return chosen.pop() if len(chosen) == 1 else None


# --- The conversation's language ----------------------------------------------------------------


def conversation_language(current: Optional[str], text: str) -> str:
    """The language the conversation goes on in after this user message.

    current: the conversation's language so far, None before its first message (then DEFAULT is kept
    unless the message is clearly in another language). An explicit request switches; otherwise only
    a message that is clearly in another language does: SWITCH_WORDS words and SWITCH_CONFIDENCE,
    or, written in Arabic or Cyrillic script while the conversation is in a Latin-script language,
    SWITCH_WORDS_CLEAR_SCRIPT words in that script. A button payload ("/...") never switches."""
    base = current if current in LANGUAGES else DEFAULT
    if not text or text.lstrip().startswith("/"):
        return base
    choice = explicit_choice(text)
    if choice is not None:
        return choice
    r = detect_more(text)
    if r.lang is None or r.lang == base:
        return base
    if r.script in ("arabic", "cyrillic"):
        if r.script_words < SWITCH_WORDS_CLEAR_SCRIPT or not r.script_sure:
            return base
        if _SCRIPT_OF[base] != r.script:  # the script alone says it is not the conversation's language
            return r.lang
    elif r.script_words < SWITCH_WORDS:
        return base
    own = OWN_WORDS.get(base)
    if own and r.confidence < OWN_WORDS_SURE:
        ws = [w.lower() for w in words(text)]
        if len(ws) <= OWN_WORDS_MAX and len(own.intersection(ws)) >= 2:
            return base
    return r.lang if r.confidence >= SWITCH_CONFIDENCE else base
