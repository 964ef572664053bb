"""The afwegingskader (Meldcode step 4) as a form: five questions, stopping at the first
answer that decides, and its outcome. Questions: utter_ask_afweging_* in the domain; the
explanations in data/stappen.yml; the outcomes in data/texts/nl.yml (afweging.*)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import OneCheckForm
from actions.stappen import content
from actions.texts import lang_of, text, translated

AFWEGING = [f"afweging_{n}" for n in range(1, 6)]
# The answer that ends the afwegingskader at each question (domain.md); question 5 always ends.
DECISIVE = {"afweging_1": "nee", "afweging_2": "ja", "afweging_3": "nee", "afweging_4": "nee"}
# Whether an outcome means "meld bij Veilig Thuis"; its text is afweging.uitkomst.<key>.
MELDEN = {"afweging_1": False, "afweging_2": True, "afweging_3": True, "afweging_4": True}
MELDEN.update({"afweging_5_nee": True, "afweging_5_ja": False})


def afweging_needed(values: Dict[str, Optional[str]]) -> List[str]:
    """The questions to ask: in order, up to the first decisive answer or an open one."""
    needed = []
    for slot in AFWEGING:
        needed.append(slot)
        value = values.get(slot)
        if value is None or value == "weetniet" or DECISIVE.get(slot) == value:
            break
    return needed


def outcome_key(values: Dict[str, Optional[str]]) -> str:
    for slot in AFWEGING[:4]:
        if values.get(slot) == DECISIVE[slot]:
            return slot
    return "afweging_5_ja" if values.get("afweging_5") == "ja" else "afweging_5_nee"


def afweging_outcome(values: Dict[str, Optional[str]], lang: str = "nl") -> Tuple[str, bool]:
    """(text, melden) for complete answers, following the afwegingskader of domain.md."""
    key = outcome_key(values)
    return text(f"afweging.uitkomst.{key}", lang), MELDEN[key]


class ValidateAfwegingForm(OneCheckForm):
    SLOTS = AFWEGING

    def name(self) -> Text:
        return "validate_afweging_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[Text]:
        return afweging_needed({s: tracker.get_slot(s) for s in AFWEGING})

    def check(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker, domain=None) -> Dict[str, Any]:
        if value == "weetniet":
            lang = lang_of(tracker)
            uitleg = translated(content()["afwegingskader"][int(slot[-1]) - 1], "uitleg", lang).strip()
            dispatcher.utter_message(text=text("afweging.weet_niet", lang, uitleg=uitleg))
            return {slot: None}
        return {slot: value}


class ActionAfwegingUitkomst(Action):
    def name(self) -> Text:
        return "action_afweging_uitkomst"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        lang = lang_of(tracker)
        values = {s: tracker.get_slot(s) for s in AFWEGING}
        outcome, melden = afweging_outcome(values, lang)
        summary = "; ".join(text("afweging.antwoord", lang, n=s[-1], waarde=values[s]) for s in AFWEGING if values.get(s))
        lines = [text("afweging.uitkomst_kop", lang, tekst=outcome)]
        buttons = []
        if melden:
            lines.append(text("afweging.melden_bij", lang))
            buttons.append({"title": text("afweging.voorbereiden", lang), "payload": "/prepare_melding"})
        lines.append(text("afweging.jouw_antwoorden", lang, samenvatting=summary))
        buttons.append({"title": text("afweging.na_melding", lang), "payload": "/after_melding"})
        dispatcher.utter_message(text="\n".join(lines), buttons=buttons)
        conclusion = text("afweging.conclusie_melden", lang if melden else "afweging.conclusie_niet")
        kept = text("afweging.met_conclusie", lang, samenvatting=summary, conclusie=conclusion)
        return [SlotSet(s, None) for s in AFWEGING] + [SlotSet("melding_afweging", kept)]
