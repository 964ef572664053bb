"""The routing table of the domain brief as a pure function, and the answer text.

route(...) decides which organisations fit the situation; render(...) writes the answer.
Both read names, numbers and URLs only from data/organisaties.yml (actions/organisations.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from actions import organisations as orgs

EXPLOITATION = {"seksuele_uitbuiting", "criminele_uitbuiting", "arbeidsuitbuiting", "mensenhandel"}
HOME_VIOLENCE = {"huiselijk_geweld", "kindermishandeling", "ouderenmishandeling"}

ZORG_TEXT = {
    "huiselijk_geweld": "geweld thuis",
    "kindermishandeling": "kindermishandeling",
    "ouderenmishandeling": "ouderenmishandeling",
    "seksuele_uitbuiting": "seksuele uitbuiting",
    "criminele_uitbuiting": "criminele uitbuiting",
    "arbeidsuitbuiting": "uitbuiting in werk",
    "mensenhandel": "mensenhandel of uitbuiting",
}


@dataclass
class Route:
    main: List[Tuple[str, str]] = field(default_factory=list)  # (org key, why for this user)
    also: List[Tuple[str, str]] = field(default_factory=list)
    hints: List[str] = field(default_factory=list)


def _add(items: List[Tuple[str, str]], key: str, why: str) -> None:
    if key not in [k for k, _ in items]:
        items.append((key, why))


def route(
    zorg: Optional[str],
    rol: Optional[str] = None,
    minderjarig: Optional[str] = None,
    lvb: Optional[str] = None,
    anoniem: Optional[str] = None,
) -> Route:
    r = Route()
    prof = rol == "professional"
    if zorg in EXPLOITATION or zorg is None:
        minor = minderjarig == "ja" or (minderjarig in (None, "onbekend") and zorg is None)
        unknown_age = minderjarig in (None, "onbekend")
        if minor or unknown_age:
            _add(r.main, "veilig_thuis", "meld of vraag advies over uitbuiting van iemand onder de 18.")
        _add(
            r.main,
            "zorgcoordinator",
            "het eerste aanspreekpunt in je regio bij (vermoeden van) uitbuiting. "
            "Regelt de hulp van begin tot eind en geeft professionals advies. "
            "Zoek de zorgcoördinator van jouw regio op de lijst.",
        )
        if not minor:
            _add(r.main, "comensha", "coördineert de hulp aan volwassen slachtoffers van mensenhandel en geeft advies.")
        else:
            _add(r.also, "comensha", "geeft ook advies bij vermoedens over minderjarigen.")
        if lvb == "ja":
            _add(r.main, "koraal", "bel de consultatielijn voor advies over uitbuiting bij iemand met een LVB.")
        else:
            r.hints.append(
                "Denk je dat de persoon een lichte verstandelijke beperking (LVB) heeft? "
                "Vraag dan ook advies bij Koraal. " + orgs.contact("koraal")
            )
        _add(r.also, "meld_misdaad_anoniem", "geef informatie over de daders door zonder je naam te noemen.")
        if not minor:
            _add(r.also, "politie", "doe aangifte of stel een vraag (geen spoed).")
        if zorg == "seksuele_uitbuiting":
            _add(
                r.also,
                "centrum_seksueel_geweld",
                "bij seksueel geweld in de afgelopen 7 dagen: medische hulp, sporenonderzoek en steun.",
            )
        if prof:
            r.hints.insert(
                0,
                "Werk met het stappenplan bij uitbuiting: breng risico's en signalen "
                "in kaart, bespreek ze met een deskundige collega, praat met de jongere "
                "(vraag toestemming om informatie te delen, onder de 16 ook de ouders), "
                "weeg alles samen met Veilig Thuis en de zorgcoördinator, en beslis "
                "welke hulp nodig is.",
            )
        elif rol == "ouder":
            r.hints.insert(
                0,
                "Bespreek je zorgen ook met een leerkracht of een andere professional. "
                "Samen kunnen jullie stap voor stap bekijken wat er nodig is.",
            )
    else:
        if prof:
            _add(
                r.main,
                "veilig_thuis",
                "vraag advies (stap 2 van de Meldcode) of doe een melding. Advies kan zonder "
                "namen of gegevens van je cliënt.",
            )
            r.hints.insert(
                0,
                "Volg de Meldcode in 5 stappen: 1. breng de signalen in kaart. "
                "2. overleg met een collega of je aandachtsfunctionaris en/of Veilig Thuis. "
                "3. praat met de betrokkenen, als dat veilig is. 4. weeg de zorgen met het "
                "afwegingskader van je beroepsgroep. 5. organiseer hulp en/of meld bij "
                "Veilig Thuis.",
            )
        elif rol == "slachtoffer":
            _add(
                r.main,
                "veilig_thuis",
                "praat met iemand over wat er gebeurt en bekijk samen wat je kunt doen. " "Dat mag ook anoniem.",
            )
            if minderjarig != "nee":  # children and teenagers write too (domain brief)
                _add(r.main, "kindertelefoon", "ben je jonger dan 18? Praat met iemand, zonder je naam te zeggen.")
        else:
            _add(
                r.main,
                "veilig_thuis",
                "vraag advies of doe een melding. Je hoeft het niet zeker te weten: " "ook bij twijfel kun je bellen.",
            )
        _add(r.also, "lokaal_team", "hulp en ondersteuning dichtbij, in je eigen gemeente.")
        if zorg == "ouderenmishandeling":
            _add(r.also, "lokale_alliantie", "bij geldzaken: samenwerking tegen financieel misbruik van ouderen.")
        _add(r.also, "politie", "aangifte doen of een vraag stellen (geen spoed).")
    if anoniem == "ja":
        _add(r.main, "meld_misdaad_anoniem", "gaat het om een misdrijf? Geef het door zonder je naam te noemen.")
        r.hints.append("Veilig Thuis kun je ook anoniem om advies vragen, via de chat op de website.")
    r.also = [(k, w) for k, w in r.also if k not in [m for m, _ in r.main]]
    return r


OPENERS = {
    "professional": "Dank je. Dit zijn je volgende stappen als professional bij {zorg}.",
    "ouder": "Goed dat je je zorgen serieus neemt. Zo kun je verder bij {zorg}.",
    "omstander": "Goed dat je iets wilt doen. Je hoeft het niet zeker te weten om advies te vragen. "
    "Zo kun je verder bij {zorg}.",
    "slachtoffer": "Wat naar dat je dit meemaakt. Het is niet jouw schuld. Jij bepaalt wat je doet. " "Hier kun je terecht.",
}


def _org_line(key: str, why: str) -> str:
    org = orgs.get(key)
    return f"- {org['naam']}: {why} {orgs.contact(key)}"


def render(r: Route, zorg: Optional[str], rol: Optional[str]) -> str:
    lines = [
        OPENERS.get(rol or "", "Dit zijn de plekken waar je terecht kunt bij {zorg}.").format(
            zorg=ZORG_TEXT.get(zorg or "", "je zorgen")
        )
    ]
    if r.hints and rol == "professional":
        lines.append(r.hints[0])
        hints = r.hints[1:]
    else:
        hints = r.hints
    lines.append("Wie kan je helpen:")
    lines += [_org_line(k, w) for k, w in r.main]
    if r.also:
        lines.append("Ook handig:")
        lines += [_org_line(k, w) for k, w in r.also]
    lines += hints
    lines.append("Ik meld zelf niets; jij beslist wat je doet. Is er nu gevaar? Bel 112.")
    return "\n".join(lines)
