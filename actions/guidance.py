"""Meldcode and exploitation guidance: step plans, the afwegingskader, the melding draft,
and lists of organisations. Content lives in data/stappen.yml and data/organisaties.yml."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import organisations as orgs

STEPS_FILE = Path(__file__).resolve().parent.parent / "data" / "stappen.yml"
AFWEGING = [f"afweging_{n}" for n in range(1, 6)]
# The answer that ends the afwegingskader at each question (domain.md); question 5 always ends.
DECISIVE = {"afweging_1": "nee", "afweging_2": "ja", "afweging_3": "nee", "afweging_4": "nee"}
MELDING = ["melding_signalen", "melding_overleg", "melding_gesprek", "melding_afweging", "melding_besluit"]


@lru_cache(maxsize=1)
def content() -> Dict[str, Any]:
    with open(STEPS_FILE, encoding="utf-8") as f:
        return yaml.safe_load(f)


def steps(gids: str) -> List[Dict[str, str]]:
    return content()[gids]["stappen"]


def nav_buttons(gids: str, n: int) -> List[Dict[str, str]]:
    buttons = []
    if n > 1:
        buttons.append({"title": "Vorige stap", "payload": "/previous_step"})
    if n < len(steps(gids)):
        buttons.append({"title": "Volgende stap", "payload": "/next_step"})
    else:
        buttons.append(
            {
                "title": "Moet ik melden?" if gids == "meldcode" else "Naar wie bel ik?",
                "payload": "/afwegingskader_start" if gids == "meldcode" else "/human_trafficking",
            }
        )
    buttons.append({"title": "Stoppen", "payload": "/stop"})
    return buttons


def step_text(gids: str, n: int) -> str:
    step = steps(gids)[n - 1]
    return f"{step['titel']}\n{step['uitleg'].strip()}"


def latest_entity(tracker: Tracker, name: str) -> Optional[str]:
    return next(tracker.get_latest_entity_values(name), None)


def current_gids(tracker: Tracker) -> str:
    return latest_entity(tracker, "gids") or tracker.get_slot("gids") or "meldcode"


def current_step(tracker: Tracker) -> Optional[int]:
    value = latest_entity(tracker, "stap")
    if value is None:
        value = tracker.get_slot("stap")
    try:
        return int(float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


def show_step(dispatcher: CollectingDispatcher, gids: str, n: int) -> List[EventType]:
    n = max(1, min(n, len(steps(gids))))
    dispatcher.utter_message(text=step_text(gids, n), buttons=nav_buttons(gids, n))
    return [SlotSet("gids", gids), SlotSet("stap", float(n))]


class ActionOverzicht(Action):
    """Overview of a step plan (meldcode_overview, exploitation_plan)."""

    def name(self) -> Text:
        return "action_overzicht"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        gids = "uitbuiting" if intent == "exploitation_plan" else "meldcode"
        lines = [f"Dit zijn de stappen van {content()[gids]['naam']}:"]
        lines += [s["titel"] for s in steps(gids)]
        if gids == "meldcode":
            lines.append("Bij stap 4 gebruik je het afwegingskader van je beroepsgroep.")
        else:
            lines.append(content()[gids]["ouders"].strip())
        lines.append("Wil je een stap uitgelegd, of de stappen samen doorlopen?")
        dispatcher.utter_message(
            text="\n".join(lines),
            buttons=[
                {"title": "Samen doorlopen", "payload": f'/walkthrough{{"gids": "{gids}"}}'},
                {"title": "Stap 3 uitgelegd", "payload": f'/step_info{{"stap": "3", "gids": "{gids}"}}'},
            ],
        )
        return [SlotSet("gids", gids)]


class ActionGidsStart(Action):
    def name(self) -> Text:
        return "action_gids_start"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        gids = current_gids(tracker)
        dispatcher.utter_message(
            text=f"We lopen {content()[gids]['naam']} stap voor stap door. " "Je kunt altijd terug of stoppen."
        )
        return show_step(dispatcher, gids, 1)


class ActionStap(Action):
    def name(self) -> Text:
        return "action_stap"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        gids = current_gids(tracker)
        n = current_step(tracker)
        if n is None:
            dispatcher.utter_message(
                text="Over welke stap gaat je vraag?",
                buttons=[
                    {"title": f"Stap {i}", "payload": f'/step_info{{"stap": "{i}", "gids": "{gids}"}}'}
                    for i in range(1, len(steps(gids)) + 1)
                ],
            )
            return [SlotSet("gids", gids)]
        return show_step(dispatcher, gids, n)


class ActionStapOverslaan(Action):
    def name(self) -> Text:
        return "action_stap_overslaan"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        gids = current_gids(tracker)
        n = current_step(tracker) or 3
        n = max(1, min(n, len(steps(gids))))
        step = steps(gids)[n - 1]
        dispatcher.utter_message(
            text=f"Mag je {step['titel'].split(':')[0].lower()} overslaan?\n" f"{step['overslaan'].strip()}",
            buttons=nav_buttons(gids, n),
        )
        return [SlotSet("gids", gids), SlotSet("stap", float(n))]


class ActionStapVolgende(Action):
    def name(self) -> Text:
        return "action_stap_volgende"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        gids = tracker.get_slot("gids") or "meldcode"
        n = current_step(tracker)
        if n is None:
            return show_step(dispatcher, gids, 1)
        if n >= len(steps(gids)):
            dispatcher.utter_message(text="Dit was de laatste stap.", buttons=nav_buttons(gids, n))
            return []
        return show_step(dispatcher, gids, n + 1)


class ActionStapVorige(Action):
    def name(self) -> Text:
        return "action_stap_vorige"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        gids = tracker.get_slot("gids") or "meldcode"
        n = current_step(tracker) or 1
        if n <= 1:
            dispatcher.utter_message(text="Dit is de eerste stap.")
        return show_step(dispatcher, gids, n - 1 if n > 1 else 1)


def afweging_needed(values: Dict[str, Optional[str]]) -> List[str]:
    """The questions to ask: in order, up to the first decisive answer or an open one."""
    needed = []
    for slot in AFWEGING:
        needed.append(slot)
        value = values.get(slot)
        if value is None or value == "weetniet" or DECISIVE.get(slot) == value:
            break
    return needed


OUTCOMES = {
    "afweging_1": (
        "Je ziet geen signalen. Sluit af en leg vast dat je dit hebt gewogen en waarom. "
        "Blijf opletten: zie je later wel signalen, begin dan opnieuw bij stap 1.",
        False,
    ),
    "afweging_2": ("Er is acute en/of structurele onveiligheid. Dan meld je bij Veilig Thuis.", True),
    "afweging_3": ("Je kunt geen hulp regelen die echt werkt. Dan meld je bij Veilig Thuis.", True),
    "afweging_4": ("De betrokkenen werken niet mee aan de hulp. Dan meld je bij Veilig Thuis.", True),
    "afweging_5_nee": ("De hulp zorgt niet voor veiligheid die blijft. Dan meld je bij Veilig Thuis.", True),
    "afweging_5_ja": (
        "Je kunt zelf hulp regelen. Doe dat, en maak afspraken over hoe je de veiligheid "
        "blijft volgen: wie kijkt wat, en wanneer. Leg alles vast. Wordt het niet beter, "
        "weeg dan opnieuw. Twijfel je? Vraag Veilig Thuis om advies.",
        False,
    ),
}


def afweging_outcome(values: Dict[str, Optional[str]]) -> tuple:
    """(text, melden) for complete answers, following the afwegingskader of domain.md."""
    for slot in AFWEGING[:4]:
        if values.get(slot) == DECISIVE[slot]:
            return OUTCOMES[slot]
    return OUTCOMES["afweging_5_ja" if values.get("afweging_5") == "ja" else "afweging_5_nee"]


class ValidateAfwegingForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_afweging_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[Text]:
        return afweging_needed({s: tracker.get_slot(s) for s in AFWEGING})

    def _check(self, slot: str, value: Any, dispatcher: CollectingDispatcher) -> Dict[str, Any]:
        if value == "weetniet":
            n = int(slot[-1])
            uitleg = content()["afwegingskader"][n - 1]["uitleg"].strip()
            dispatcher.utter_message(
                text=f"{uitleg}\nBlijf je twijfelen? Vraag Veilig Thuis om advies. "
                f"{orgs.contact('veilig_thuis')}\nIk stel de vraag nog een keer."
            )
            return {slot: None}
        return {slot: value}

    def validate_afweging_1(self, value, dispatcher, tracker, domain):
        return self._check("afweging_1", value, dispatcher)

    def validate_afweging_2(self, value, dispatcher, tracker, domain):
        return self._check("afweging_2", value, dispatcher)

    def validate_afweging_3(self, value, dispatcher, tracker, domain):
        return self._check("afweging_3", value, dispatcher)

    def validate_afweging_4(self, value, dispatcher, tracker, domain):
        return self._check("afweging_4", value, dispatcher)

    def validate_afweging_5(self, value, dispatcher, tracker, domain):
        return self._check("afweging_5", value, dispatcher)


class ActionAfwegingUitkomst(Action):
    def name(self) -> Text:
        return "action_afweging_uitkomst"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        values = {s: tracker.get_slot(s) for s in AFWEGING}
        text, melden = afweging_outcome(values)
        summary = "; ".join(f"afweging {s[-1]}: {values[s]}" for s in AFWEGING if values.get(s))
        lines = [f"Uitkomst: {text}"]
        buttons = []
        if melden:
            lines.append(
                f"Veilig Thuis: {orgs.contact('veilig_thuis')} Noem de gemeente waar het "
                "gezin woont. Is er nu direct gevaar? Bel 112."
            )
            buttons.append({"title": "Help me de melding voorbereiden", "payload": "/prepare_melding"})
        lines.append(f"Jouw antwoorden: {summary}. Ik heb niets gemeld; jij beslist.")
        buttons.append({"title": "Wat gebeurt er na een melding?", "payload": "/after_melding"})
        dispatcher.utter_message(text="\n".join(lines), buttons=buttons)
        conclusion = "melden bij Veilig Thuis" if melden else "geen melding nodig"
        return [SlotSet(s, None) for s in AFWEGING] + [SlotSet("melding_afweging", f"{summary} (uitkomst: {conclusion})")]


NAME_LIKE = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][a-zà-ÿ]{2,}\b")
NOT_NAMES = {
    "Veilig",
    "Thuis",
    "Meldcode",
    "Ik",
    "Hij",
    "Zij",
    "Ze",
    "De",
    "Het",
    "Een",
    "Stap",
    "Afweging",
    "Raad",
    "Kinderbescherming",
    "Politie",
    "Koraal",
    "CoMensha",
    "School",
    "Jeugdzorg",
    "Nederland",
    "Maandag",
    "Dinsdag",
    "Woensdag",
    "Donderdag",
    "Vrijdag",
    "Zaterdag",
    "Zondag",
    "Januari",
    "Februari",
    "Maart",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Augustus",
    "September",
    "Oktober",
    "November",
    "December",
}


def looks_like_a_name(text: str) -> bool:
    return any(m.group(0) not in NOT_NAMES for m in NAME_LIKE.finditer(text or ""))


class ValidateMeldingForm(FormValidationAction):
    """Keeps every answer, but warns once per answer when it seems to contain a name."""

    def name(self) -> Text:
        return "validate_melding_form"

    def _check(self, slot, value, dispatcher):
        if looks_like_a_name(value):
            dispatcher.utter_message(
                text="Het lijkt erop dat je een naam typte. Gebruik liever "
                'initialen, zoals "leerling A.". Je kunt het concept '
                "straks aanpassen."
            )
        return {slot: value}

    def validate_melding_signalen(self, value, dispatcher, tracker, domain):
        return self._check("melding_signalen", value, dispatcher)

    def validate_melding_overleg(self, value, dispatcher, tracker, domain):
        return self._check("melding_overleg", value, dispatcher)

    def validate_melding_gesprek(self, value, dispatcher, tracker, domain):
        return self._check("melding_gesprek", value, dispatcher)

    def validate_melding_afweging(self, value, dispatcher, tracker, domain):
        return self._check("melding_afweging", value, dispatcher)

    def validate_melding_besluit(self, value, dispatcher, tracker, domain):
        return self._check("melding_besluit", value, dispatcher)


def melding_draft(values: Dict[str, Optional[str]]) -> str:
    def v(slot):
        # One line per answer: what the user wrote can never look like a line of the bot's.
        return " ".join((values.get(slot) or "").split()) or "(nog invullen)"

    return "\n".join(
        [
            "CONCEPT MELDING VEILIG THUIS",
            "(Controleer en vul aan voor je het in het meldformulier zet. Gebruik geen namen in dit gesprek.)",
            "",
            "Gemeente waar het gezin woont: (invullen bij de melding)",
            f"Stap 1. Signalen die ik in kaart heb gebracht: {v('melding_signalen')}",
            f"Stap 2. Overleg (met wie, en de uitkomst): {v('melding_overleg')}",
            f"Stap 3. Gesprek met betrokkenen (met wie, en de uitkomst): {v('melding_gesprek')}",
            f"Stap 4. Afwegingen 1 tot en met 5: {v('melding_afweging')}",
            f"Stap 5. Besluit: {v('melding_besluit')}",
            "",
            "Let op bij het schrijven:",
            "- wees feitelijk, zonder oordelen of interpretaties;",
            "- noem de bron als informatie van een ander komt;",
            "- onderbouw een vermoeden met feiten;",
            "- noem een medische diagnose alleen als een deskundige die heeft gesteld.",
        ]
    )


class ActionMeldingConcept(Action):
    def name(self) -> Text:
        return "action_melding_concept"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        draft = melding_draft({s: tracker.get_slot(s) for s in MELDING})
        dispatcher.utter_message(text=draft)
        dispatcher.utter_message(
            text="Meld bij Veilig Thuis: " + orgs.contact("veilig_thuis") + " Ik heb niets gemeld "
            "en ik bewaar dit concept niet: kopieer het nu. Laat het eventueel meelezen door je "
            "aandachtsfunctionaris.",
            buttons=[
                {"title": "Wie kan meelezen?", "payload": "/read_along"},
                {"title": "Moet ik het de ouders vertellen?", "payload": "/tell_involved"},
            ],
        )
        return [SlotSet(s, None) for s in MELDING]


class ActionOrganisatiesLijst(Action):
    """Knowledge organisations, trainings, or the sociale kaart (optionally by topic)."""

    def name(self) -> Text:
        return "action_organisaties_lijst"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        all_orgs = orgs.organisations()
        if intent in ("knowledge_organisations", "trainings"):
            soort = "kennis" if intent == "knowledge_organisations" else "training"
            title = (
                "Organisaties met kennis over (criminele) uitbuiting:"
                if soort == "kennis"
                else "Trainingen voor professionals over uitbuiting en straatcultuur:"
            )
            lines = [title] + [
                f"- {o['naam']}: {o['beschrijving'].strip()} {orgs.contact(k)}"
                for k, o in all_orgs.items()
                if o["soort"] == soort
            ]
            if soort == "kennis":
                lines.append(
                    "Voor advies over een situatie: de zorgcoördinator in je regio of "
                    "CoMensha. " + orgs.contact("zorgcoordinator")
                )
            dispatcher.utter_message(text="\n".join(lines))
            return []
        key = next(
            (orgs.key_for(str(v)) for v in tracker.get_latest_entity_values("organisatie")), None
        ) or orgs.find_by_topic(tracker.latest_message.get("text") or "")
        if key:
            dispatcher.utter_message(text=orgs.describe(key))
            return []
        names = [o["naam"] for o in all_orgs.values() if o.get("sociale_kaart")]
        dispatcher.utter_message(
            text="Op de sociale kaart staan organisaties die helpen bij huiselijk geweld, "
            "kindermishandeling, ouderenmishandeling en schadelijke traditionele praktijken:\n"
            + ", ".join(sorted(names))
            + ".\nVraag me naar een van hen, bijvoorbeeld "
            '"wat doet Mendoo?", of vertel waarmee je hulp zoekt.'
        )
        return []
