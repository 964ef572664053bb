"""The crisis layer: which crisis a message is about, before and beside everything else.

Pure Python (no Rasa, no spaCy), so the same code runs
- in the NLU pipeline (bot/components/danger_detector.py, after the intent classifier: it overrides the intent),
- in the gate before NLU (bot/serve.py: a message too long for NLU is still scanned, so a long
  text about danger gets 112 and not "zeg het korter"),
- in the corpus evaluation (tests/corpus) and in `make bench`.

Two parts: the phrases of data/crisis.yml (Dutch, English and danger words in Polish, Romanian,
Bulgarian, Ukrainian, Arabic and Turkish; the engine is bot/crisis_phrases.py) and a
classifier trained on crisis and near-miss examples (bot/crisis_model.py). This module holds the
crisis intents, which answers put 112 first, and how the two parts decide together.

Kinds, strongest first: suicide_acute, acute, child_danger, assault_now, suicide,
assault_recent, unclear. `unclear` (fear, threats, "hij komt eraan") makes the bot ask
"Is er nu gevaar?" with a button for the 112 answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot import language
from bot.crisis_phrases import (  # noqa: F401  (re-exported: the crisis API is this module)
    DEFAULT_FILE,
    INTENT_OF_KIND,
    KINDS,
    ROOT,
    FAMILY,
    CrisisDetector,
    Hit,
    Result,
    normalise,
    tokens,
)

# Every crisis intent: its answer comes first in any state, forms included.
CRISIS_INTENTS = (
    "acute_danger",
    "suicide_acute",
    "sexual_assault_now",
    "suicide",
    "sexual_assault",
    "danger_unclear",
    "crisis_followup",
    "suicide_followup",
)
# Every form lets these through to their rules (bot/domain_files.py adds them to each form):
# the crisis intents, and "wat bedoel je?" (answered, then the form asks again).
FORM_IGNORED_INTENTS = CRISIS_INTENTS + ("stop", "too_long", "explain_last", "crisis_over")
# After a 112-first answer, the next message that is not clearly about something else gets
# this intent (bot/serve.py): "ik weet niet hoe je belt", "hij neemt niet op", "pillen van
# mn moeder" must not fall into a form or "ik begreep het niet".
FOLLOWUP_INTENT = "crisis_followup"
ANSWERS_112_FIRST = (
    "utter_acute_danger",
    "utter_bel_112_nu",
    "utter_suicide_acute",
    "utter_sexual_assault_now",
    "utter_crisis_followup",
)
# After a 112 answer, "de politie is er", "ik ben veilig" (data/context.yml, hulp_is_er) ends the
# follow-ups: the answer says so, without 112 in its first sentences.
CRISIS_OVER_INTENT = "crisis_over"
# Intents that do not show the person moved on: they get the follow-up instead.
FOLLOWUP_OVER = (
    "nlu_fallback",
    "out_of_scope",
    "dont_know",
    "worry_domestic_violence",
    "worry_child_abuse",
    "worry_elder_abuse",
    "role_victim",
    "talk_to_human",
    "exploitation_sexual",
    "exploitation_criminal",
    "exploitation_labour",
    "human_trafficking",
    "affirm",
    "too_long",
    "decline",
)
# After a 113 answer (thoughts of suicide), the next message that is not clearly about something
# else gets this intent (bot/serve.py): 113 first again, short ("ze is 13, wat zeg ik tegen haar?",
# "hij zit nu op zijn kamer"), also when the classifier alone read it as another crisis.
SUICIDE_FOLLOWUP_INTENT = "suicide_followup"
# Once: the follow-up itself does not start another (the 112 chain runs until help is there).
ANSWERS_113_FIRST = ("utter_suicide", "utter_suicide_nee")
# After utter_suicide, "ja" and "nee" answer its question (data/rules/crisis.yml).
SUICIDE_FOLLOWUP_OVER = tuple(i for i in FOLLOWUP_OVER if i not in ("affirm", "decline")) + (
    "ask_who_first",
    "ask_parent_steps",
)
# A few turns after the Centrum Seksueel Geweld answer (a recent sexual assault), a message about
# its care gets that answer again ("ze heeft al gedoucht, heeft het nog zin?", "kan dat onderzoek
# nog na 4 dagen?"), also when the classifier alone read another crisis in it ("ze wil alleen maar
# douchen en slapen" as suicide). The intent of that answer, not one of its own: an intent
# without NLU examples is still a label for the intent classifier, and one more label retrains it differently.
ASSAULT_FOLLOWUP_INTENT = "sexual_assault"
ANSWERS_CSG_FIRST = ("utter_sexual_assault",)
ASSAULT_FOLLOWUP_OVER = SUICIDE_FOLLOWUP_OVER
# Intents whose answer has 112 in its first two sentences.
INTENTS_112_FIRST = ("acute_danger", "suicide_acute", "sexual_assault_now", "crisis_followup")


@dataclass
class Thresholds:
    """How the phrases and the classifier (bot/crisis_model.py) are combined. Chosen on the
    dev sittings of tests/corpus only (see README, "Crisis layer")."""

    add: float = 0.25  # no phrase, the classifier's P(calm) below this: its crisis kind
    ask: float = 0.45  # P(calm) below this with an acute kind on top: ask "Is er nu gevaar?"
    veto: float = 0.65  # a weak phrase with P(calm) above this: no crisis
    add_suicide: float = 0.35  # or: no phrase, suicide on top with at least this probability
    min_words: int = 5  # the classifier alone decides only on messages this long
    veto_max_words: int = 60  # and vetoes phrases only in messages this short
    veto_max_names: int = 1  # when more phrases spoke ("mes" and "wacht buiten") ...
    veto_many: float = 0.8  # ... the classifier must be this sure to veto them
    # An answer to a form's question ("nee, ze zit op het vwo", "ja, ik wil mijn baan niet
    # kwijt") is short and about the question: the classifier alone needs P(calm) below this,
    # and never asks "Is er nu gevaar?". The phrases count as always.
    add_answering: float = 0.03
    # The model alone with P(calm) at least this (and below `add`): ask rather than tell.
    ask_not_tell: float = 0.15
    # The model's kind over a phrase's, within the suicide family or over a vague phrase.
    model_sure: float = 0.5
    # A long story with no crisis phrase in it: the model hears mostly the story, so alone it
    # must be this sure (P(calm) below long_calm) to answer with a crisis; else it may only ask.
    # Chosen on the dev sittings and the read routing scenarios: crises told at length that the
    # model alone found scored P(calm) <= 0.11 (one asked at 0.18), calm stories 0.18-0.44.
    long_words: int = 35
    long_calm: float = 0.12
    # ... except for suicide: a missed 113 does harm, so in a long story the model alone still
    # gives 113 when it is this sure of the suicide family (calm stories scored at most 0.53).
    long_suicide: float = 0.6


class CrisisLayer:
    """Phrases (CrisisDetector) and the classifier together: detect(text) -> Result."""

    def __init__(self, phrases: CrisisDetector, classifier: Any = None, thresholds: Thresholds = Thresholds()):
        self.phrases = phrases
        self.classifier = classifier
        self.t = thresholds

    def detect(self, text: str, answering: bool = False) -> Result:
        """The crisis in `text`; answering=True for a reply to a form's question."""
        found = self.phrases.detect(text)
        if self.classifier is None or not text.strip():
            return found
        if not found.kind and found.words < self.t.min_words:
            return found  # "nee", "hallo": the classifier alone never decides on so few words
        if phrases_only(text):
            return found
        p = self.classifier.probabilities(text)
        crisis = {k: v for k, v in p.items() if k != "calm"}
        top = max(crisis, key=crisis.get)
        calm = p.get("calm", 0.0)
        words = found.words
        if found.kind:
            # A phrase marked strong, or one with "op dit moment" / "al 10 minuten" beside it,
            # is never vetoed: the message says it is now.
            strong = any(h.strong or h.now for h in found.hits)
            # In a long text the model hears mostly the rest: only the phrases count there.
            names = {h.name for h in found.hits}
            veto = self.t.veto if len(names) <= self.t.veto_max_names else self.t.veto_many
            if not strong and calm > veto and words <= self.t.veto_max_words:
                return Result(None, found.hits, found.framed)
            kinds = {h.kind for h in found.hits} | {found.kind}
            if crisis[top] >= self.t.model_sure and (
                (found.kind == "suicide" and top == "suicide_acute")
                or (found.kind == "unclear" and FAMILY[top] == "suicide")
            ):
                # The phrase says suicide and the model is sure it is now ("staat op het station
                # ... voor de volgende trein"); or only a vague phrase spoke ("als hij me nog 1 keer
                # slaat") and the model is sure it is about suicide: 113 is not left out.
                return Result(top, found.hits, found.framed)
            if strong or top not in kinds:
                return found
            if FAMILY[found.kind] == "suicide" and FAMILY[top] == "assault":
                return found  # thoughts of suicide come first
            if FAMILY[top] == FAMILY[found.kind] and KINDS.index(found.kind) < KINDS.index(top):
                return found  # the more acute of the two ("vanavond" made it acute)
            # Among the kinds the phrases found, the model's: "niet meer wakker worden" is
            # suicide, not someone unconscious.
            return Result(top, found.hits, found.framed)
        if (
            (found.framed and FAMILY[top] != "suicide")
            or words < self.t.min_words
            or (found.negated and FAMILY[top] == "acute")
            or (found.habitual and FAMILY[top] in ("acute", "assault"))
        ):
            # "hij is 15" in a form, "geen mes", "elke avond" without "nu": no crisis, whatever
            # the model says (a habit is a worry, not danger now: the domain brief).
            return found
        if words > self.t.long_words and calm >= self.t.long_calm:
            # A story at length ("my wife has been hitting me for two years ..."): the model alone
            # at most asks "Is er nu gevaar?" (a neighbour's long story that ends "nu is het
            # ineens helemaal stil" is asked), never a danger answer, a 113 only when it is sure.
            if FAMILY[top] == "acute" and calm < self.t.ask and not answering:
                return Result("unclear", [Hit("unclear", "classifier", False, 0)])
            if FAMILY[top] == "suicide" and crisis[top] >= self.t.long_suicide:  # also as a form's answer
                return Result(top, [Hit(top, "classifier", False, 0)])
            return found
        if answering:
            return Result(top, [Hit(top, "classifier", False, 0)]) if calm < self.t.add_answering else found
        suicide = max(crisis.get("suicide", 0.0), crisis.get("suicide_acute", 0.0))
        if calm < self.t.add and FAMILY[top] == "acute" and calm >= self.t.ask_not_tell:
            # The model alone, not quite sure: ask "Is er nu gevaar? Bel dan meteen 112." (112
            # first all the same) instead of the full danger answer to a calm story. Asked once
            # already, the same doubt gets the danger answer (bot/context.read_reply).
            return Result("unclear", [Hit("unclear", MODEL_ACUTE, False, 0)])
        if calm < self.t.add or (FAMILY[top] == "suicide" and suicide > self.t.add_suicide):
            # A 113 answer to a sad message that was not about suicide does little harm; a
            # missed one can: the suicide family needs less evidence.
            return Result(top, [Hit(top, "classifier", False, 0)])
        if calm < self.t.ask and FAMILY[top] == "acute":
            return Result("unclear", [Hit("unclear", "classifier", False, 0)])
        return found


def phrases_only(text: str) -> bool:
    """A message clearly in one of the card languages (Polish, Romanian, ...): the classifier
    learnt Dutch and English, and in these languages it both missed crises ("iskam da umra"
    vetoed) and raised false ones ("is this chat safe?" as suicide). There the phrases alone
    decide; a calm message gets the safety card, whose first line asks about danger now.
    Unsure readings count too from three words on: Bulgarian or Ukrainian in Latin letters is
    often read as another card language ("ne khochu bilshe zhyty" as Romanian), never as Dutch,
    and the classifier vetoed its phrases there."""
    r = language.detect_more(text)
    sure = r.confidence >= language.SWITCH_CONFIDENCE or r.script in ("arabic", "cyrillic")
    return r.lang in language.CARD_LANGUAGES and (sure or r.script_words >= UNSURE_CARD_WORDS)


UNSURE_CARD_WORDS = 3


@lru_cache(maxsize=4)
def detector(path: str = str(DEFAULT_FILE)) -> CrisisDetector:
    """One phrase detector per phrases file, built once per process."""
    return CrisisDetector.from_file(Path(path))


@lru_cache(maxsize=1)
def layer() -> CrisisLayer:
    """The crisis layer with the default phrases and the classifier, built once per process."""
    from bot.crisis_model import Classifier

    return CrisisLayer(detector(), Classifier())


# A long message is read up to here (the gate in bot/serve.py, the rate limit in guard.py).
MAX_SCAN_CHARS = 20000


def detect(text: str, answering: bool = False) -> Result:
    return layer().detect(text[:MAX_SCAN_CHARS], answering)


CLASSIFIER_ONLY = ["classifier"]  # Result.names when no phrase spoke
MODEL_ACUTE = "classifier_acute"  # the model read danger, not sure enough to tell it: ask first


def recheck_answer(parsed: dict, text: str) -> dict:
    """A form's question was answered: a crisis found by the classifier alone is checked again
    as an answer (CrisisLayer.detect(answering=True)); if it does not hold, NLU's best other
    intent stands, as when the layer finds nothing (components/danger_detector.demote_crisis)."""
    crisis = parsed.get("crisis") or {}
    intent = (parsed.get("intent") or {}).get("name")
    if intent not in CRISIS_INTENTS or crisis.get("phrases") not in (CLASSIFIER_ONLY, [MODEL_ACUTE]):
        return parsed
    if detect(text, answering=True).intent:
        return parsed
    ranking = [r for r in parsed.get("intent_ranking") or [] if r.get("name") not in CRISIS_INTENTS]
    top = ranking[0] if ranking else {"name": "nlu_fallback", "confidence": 1.0}
    out = {k: v for k, v in parsed.items() if k != "crisis"}
    return {**out, "intent": dict(top), "intent_ranking": ranking}
