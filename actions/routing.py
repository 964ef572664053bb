"""The route: which organisations fit the situation (data/routes.yml), and the answer text.

route(...) reads the routing table of data/routes.yml; render(...) writes the answer with the
texts of data/texts/<lang>.yml. Names, numbers and URLs come from data/organisaties.yml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from actions import organisations as orgs
from actions import texts

ROUTES_FILE = Path(__file__).resolve().parent.parent / "data" / "routes.yml"
UNKNOWN = "onbekend"


@lru_cache(maxsize=1)
def table() -> Dict[str, Any]:
    with open(ROUTES_FILE, encoding="utf-8") as f:
        return yaml.safe_load(f)


def group_of(zorg: Optional[str]) -> str:
    return table()["zorgen"].get(zorg or UNKNOWN, "thuis")


EXPLOITATION = {z for z, g in table()["zorgen"].items() if g == "uitbuiting" and z != UNKNOWN}
HOME_VIOLENCE = {z for z, g in table()["zorgen"].items() if g == "thuis"}


@dataclass
class Route:
    # (org key, its rule in data/routes.yml: "waarom", "waarom_en", ...)
    main: List[Tuple[str, Dict[str, Any]]] = field(default_factory=list)
    also: List[Tuple[str, Dict[str, Any]]] = field(default_factory=list)
    tips: List[Dict[str, Any]] = field(default_factory=list)  # rules with "tip", "tip_en", "boven"

    @property
    def keys(self) -> List[str]:
        return [k for k, _ in self.main] + [k for k, _ in self.also]

    @property
    def hints(self) -> List[str]:
        """The tips in Dutch, filled in."""
        return [_tip(t, texts.DEFAULT) for t in self.tips]


def facts(
    zorg: Optional[str],
    rol: Optional[str] = None,
    minderjarig: Optional[str] = None,
    lvb: Optional[str] = None,
    anoniem: Optional[str] = None,
) -> Dict[str, str]:
    """What the routing table's conditions can ask, from the routing form's slots."""
    age = {"ja": "onder_18", "nee": "volwassen"}.get(minderjarig or "", UNKNOWN)
    return {
        "groep": group_of(zorg),
        "zorg": zorg or UNKNOWN,
        "rol": rol or UNKNOWN,
        "leeftijd": age,
        "lvb": lvb if lvb in ("ja", "nee") else UNKNOWN,
        "anoniem": anoniem if anoniem in ("ja", "nee") else UNKNOWN,
    }


def _holds(conditions: Dict[str, Any], known: Dict[str, str]) -> bool:
    for name, wanted in (conditions or {}).items():
        if name == "niet":
            if any(_holds({n: w}, known) for n, w in wanted.items()):
                return False
            continue
        options = wanted if isinstance(wanted, list) else [wanted]
        if known.get(name) not in [str(o) for o in options]:
            return False
    return True


def route(
    zorg: Optional[str],
    rol: Optional[str] = None,
    minderjarig: Optional[str] = None,
    lvb: Optional[str] = None,
    anoniem: Optional[str] = None,
) -> Route:
    known = facts(zorg, rol, minderjarig, lvb, anoniem)
    r = Route()
    for rule in table()["regels"]:
        if not _holds(rule.get("als"), known):
            continue
        if "tip" in rule:
            r.tips.append(rule)
            continue
        items = r.main if rule["plek"] == "hoofd" else r.also
        if rule["organisatie"] not in [k for k, _ in items]:
            items.append((rule["organisatie"], rule))
    main = {k for k, _ in r.main}
    r.also = [(k, w) for k, w in r.also if k not in main]
    return r


def _tip(rule: Dict[str, Any], lang: str) -> str:
    return texts.fill(texts.translated(rule, "tip", lang), lang)


def _org_line(key: str, rule: Dict[str, Any], lang: str) -> str:
    why = texts.fill(texts.translated(rule, "waarom", lang), lang)
    return texts.text(
        "route.organisatie",
        lang,
        naam=texts.translated(orgs.get(key), "naam", lang),
        waarom=why,
        contact=texts.contact(key, lang),
    )


def messages(r: Route, zorg: Optional[str], rol: Optional[str], lang: str = texts.DEFAULT) -> List[str]:
    """The route as short messages: first the one organisation to contact first and how, then
    (for professionals) the step plan, then the other organisations and tips, then the footer."""
    about = texts.text(f"zorg.{zorg}", lang) if zorg else texts.text("zorg.onbekend", lang)
    opener = f"route.opener.{rol}" if rol in ("professional", "ouder", "omstander", "slachtoffer") else "route.opener.anders"
    first = [texts.text(opener, lang, zorg=about), texts.text("route.kop_hulp", lang)]
    first += [_org_line(k, w, lang) for k, w in r.main[:1]]
    blocks: List[List[str]] = [[_tip(t, lang)] for t in r.tips if t.get("boven")]
    if r.main[1:]:
        blocks.append([texts.text("route.kop_meer", lang), *[_org_line(k, w, lang) for k, w in r.main[1:]]])
    if r.also:
        blocks.append([texts.text("route.kop_ook", lang), *[_org_line(k, w, lang) for k, w in r.also]])
    blocks += [[_tip(t, lang)] for t in r.tips if not t.get("boven")]
    blocks.append([texts.text("route.slot", lang)])
    return ["\n".join(first), *texts.packed(blocks)]


def render(r: Route, zorg: Optional[str], rol: Optional[str], lang: str = texts.DEFAULT) -> str:
    """The whole route as one text (the messages, a line apart)."""
    return "\n".join(messages(r, zorg, rol, lang))
