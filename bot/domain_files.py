"""The domain in several files: domain.yml (intents, entities, slots, forms, actions, the
session) and the responses per topic in domain/*.yml.

Rasa reads one domain file. config.yml names DomainFilesImporter as its importer, so
`rasa train` and `rasa data validate` get the domain from load() here: domain.yml and every
file in domain/, merged (a name defined twice is an error). Two things are written out here,
so that they are defined once:

- every form ignores bot.crisis.FORM_IGNORED_INTENTS (the crisis answer always comes first)
  and bot.context.QUESTIONS_ON_THE_WAY (answered, then the form asks again);
- the safety card in the card languages (bot/language.py, CARD_LANGUAGES): utter_language_card
  and every crisis answer get a variation per card language (slot taal), with the texts
  kaart.tekst / kaart.gevaar of data/texts/<lang>.yml, numbers filled in from the
  organisation data;
- a form with `answers:` gets a slot per required slot that is not defined in slots:, filled
  only while the form asks it. `answers: {affirm: ja, deny: nee}` maps intents to values (a
  categorical slot); `answers: text` takes the message's text.

Everything else in the project that reads the domain (tests, the launcher) uses domain_dict().
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa.shared.importers.rasa import RasaFileImporter

from bot.context import QUESTIONS_ON_THE_WAY
from bot.crisis import FORM_IGNORED_INTENTS

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_FILE = ROOT / "domain.yml"
DOMAIN_DIR = ROOT / "domain"
_LISTS = ("intents", "entities", "actions")
_MAPS = ("slots", "forms", "responses")


def files(domain_file: Path = DOMAIN_FILE) -> List[Path]:
    folder = domain_file.parent / "domain"
    return [domain_file, *sorted(folder.glob("*.yml"))]


def _merge(into: Dict[str, Any], part: Dict[str, Any], source: Path) -> None:
    for key, value in part.items():
        if key in _LISTS:
            into.setdefault(key, []).extend(value or [])
        elif key in _MAPS:
            target = into.setdefault(key, {})
            for name, item in (value or {}).items():
                if name in target:
                    raise ValueError(f"{name} is defined twice in the domain (again in {source.name})")
                target[name] = item
        elif key != "version":
            if key in into:
                raise ValueError(f"{key} is set twice in the domain (again in {source.name})")
            into[key] = value


def _form_slots(domain: Dict[str, Any]) -> None:
    slots = domain.setdefault("slots", {})
    for form, spec in (domain.get("forms") or {}).items():
        # A form of free-text answers keeps every answer (its validation answers a typed question:
        # actions/melding.py); the other forms let the questions on the way through to their rules.
        questions = () if spec.get("answers") == "text" else QUESTIONS_ON_THE_WAY
        let_through = [*(spec.get("ignored_intents") or []), *FORM_IGNORED_INTENTS, *questions]
        spec["ignored_intents"] = list(dict.fromkeys(let_through))
        answers = spec.pop("answers", None)
        if answers is None:
            continue
        for slot in spec["required_slots"]:
            if slot in slots:
                continue
            when = [{"active_loop": form, "requested_slot": slot}]
            if answers == "text":
                mapping = {"type": "from_text", "not_intent": list(spec["ignored_intents"]), "conditions": when}
                slots[slot] = {"type": "text", "influence_conversation": False, "mappings": [mapping]}
            else:
                slots[slot] = {
                    "type": "categorical",
                    "values": list(dict.fromkeys(answers.values())),
                    "influence_conversation": False,
                    "mappings": [
                        {"type": "from_intent", "intent": intent, "value": value, "conditions": copy.deepcopy(when)}
                        for intent, value in answers.items()
                    ],
                }


CARD_RESPONSE = "utter_language_card"
# The crisis answers (data/rules/crisis.yml) in a card language: the texts, in this order. The
# danger card (112 first), with the line for suicide (113) or sexual violence (Centrum Seksueel
# Geweld) under it; thoughts of suicide (not now) get the 113 line first, as in Dutch.
DANGER_RESPONSES = {
    "utter_acute_danger": ("kaart.gevaar",),
    "utter_bel_112_nu": ("kaart.gevaar",),
    "utter_crisis_followup": ("kaart.gevaar",),
    "utter_danger_unclear": ("kaart.gevaar",),
    # Suicide: first a line of numbers only, 112 and 113, in every language.
    "utter_suicide_acute": ("kaart.nummers_zelfmoord", "kaart.gevaar", "kaart.gevaar_zelfmoord"),
    "utter_suicide": ("kaart.nummers_zelfmoord", "kaart.gevaar_zelfmoord", "kaart.gevaar"),
    "utter_suicide_followup": ("kaart.nummers_zelfmoord", "kaart.gevaar_zelfmoord", "kaart.gevaar"),
    "utter_sexual_assault_now": ("kaart.gevaar", "kaart.gevaar_seksueel"),
    "utter_sexual_assault": ("kaart.gevaar", "kaart.gevaar_seksueel"),
}


NUMBERS_LINE = "112 · {naam} {telefoon}"


def _org_numbers() -> Dict[str, str]:
    from actions import organisations

    org = organisations.get("zelfmoordpreventie_113")
    return {"naam": org["naam"], "telefoon": org["telefoon"]}


def _card_variations(domain: Dict[str, Any]) -> None:
    from actions import texts
    from bot.language import CARD_LANGUAGES

    responses = domain.setdefault("responses", {})
    for lang in CARD_LANGUAGES:
        if "kaart.tekst" not in texts.table(lang):
            continue
        when = [{"type": "slot", "name": "taal", "value": lang}]
        buttons = [
            {"title": texts.text("kaart.knop_engels", lang), "payload": '/choose_language{"taal": "en"}'},
            {"title": texts.text("kaart.knop_nederlands", lang), "payload": '/choose_language{"taal": "nl"}'},
        ]
        card = {"condition": when, "text": texts.text("kaart.tekst", lang), "buttons": buttons}
        responses.setdefault(CARD_RESPONSE, []).append(card)
        for name, extra in DANGER_RESPONSES.items():
            if name in responses:
                lines = [
                    NUMBERS_LINE.format(**_org_numbers()) if key == "kaart.nummers_zelfmoord" else texts.text(key, lang)
                    for key in extra
                ]
                responses[name].append({"condition": copy.deepcopy(when), "text": "\n".join(lines)})


@lru_cache(maxsize=4)
def _cached(domain_file: Path) -> Dict[str, Any]:
    merged: Dict[str, Any] = {"version": "3.1"}
    for path in files(domain_file):
        with open(path, encoding="utf-8") as f:
            _merge(merged, yaml.safe_load(f) or {}, path)
    _form_slots(merged)
    _card_variations(merged)
    return merged


def domain_dict(domain_file: Path = DOMAIN_FILE) -> Dict[str, Any]:
    """The whole domain as one dict (a copy: change it freely)."""
    return copy.deepcopy(_cached(Path(domain_file).resolve()))


def write_merged(path: Path, domain_file: Path = DOMAIN_FILE) -> Path:
    """The whole domain as one Rasa domain file, for Rasa commands that read a single file
    (`rasa test nlu --domain`, `rasa shell --domain`): `python -m bot.domain_files OUT.yml`."""
    path = Path(path)
    path.write_text(yaml.safe_dump(domain_dict(domain_file), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def load(domain_file: Path = DOMAIN_FILE):
    from rasa.shared.core.domain import Domain

    return Domain.from_dict(domain_dict(domain_file))


class DomainFilesImporter(RasaFileImporter):
    """Rasa's file importer with the domain of domain.yml + domain/*.yml (config.yml, importers)."""

    def __init__(
        self,
        config_file: Optional[Text] = None,
        domain_path: Optional[Text] = None,
        training_data_paths: Optional[List[Text]] = None,
    ) -> None:
        super().__init__(config_file, domain_path, training_data_paths)
        path = Path(domain_path) if domain_path else DOMAIN_FILE
        self._domain_file = path if path.is_file() else DOMAIN_FILE

    def get_domain(self):
        return load(self._domain_file)


if __name__ == "__main__":
    import sys

    print(write_merged(Path(sys.argv[1] if len(sys.argv) > 1 else "build/domain.yml")))
