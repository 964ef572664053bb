"""The routing table of data/routes.yml gives what the domain brief's table requires, row by row.

Rows of "Routing: situation to organisation" (/work/shared/domain.md), as (situation, what the
route must name first, what it must name at all). The crisis rows (acute danger, suicide,
recent sexual assault) are answered by the crisis layer's responses, checked at the end.
"""

import itertools

import pytest

from actions import organisations as orgs
from actions.routing import EXPLOITATION, HOME_VIOLENCE, route, table
from bot.domain_files import domain_dict

ROLES = ["professional", "ouder", "omstander", "slachtoffer"]
AGES = ["ja", "nee", "onbekend"]


def first(r):
    return r.main[0][0]


def named(r):
    return set(r.keys)


@pytest.mark.parametrize("zorg,rol", itertools.product(sorted(HOME_VIOLENCE), ROLES))
def test_worry_about_violence_at_home(zorg, rol):
    # "Veilig Thuis 0800-2000 (advice or melding)" always; lokaal team and politie also.
    r = route(zorg, rol)
    assert first(r) == "veilig_thuis"
    assert {"lokaal_team", "politie"} <= {k for k, _ in r.also}


@pytest.mark.parametrize("zorg", sorted(HOME_VIOLENCE))
def test_professional_gets_the_meldcode_steps_and_advice(zorg):
    r = route(zorg, "professional")
    top = [t["tip"] for t in r.tips if t.get("boven")]
    assert top and "5 stappen" in top[0] and "aandachtsfunctionaris" in top[0] and "afwegingskader" in top[0]
    assert first(r) == "veilig_thuis" and "stap 2" in r.main[0][1]["waarom"]


@pytest.mark.parametrize("zorg,rol", itertools.product(sorted(EXPLOITATION), ROLES))
def test_exploitation_of_a_minor(zorg, rol):
    # Veilig Thuis and the regional zorgcoördinator; Meld Misdaad Anoniem; CoMensha for advice.
    r = route(zorg, rol, minderjarig="ja")
    assert [k for k, _ in r.main][:2] == ["veilig_thuis", "zorgcoordinator"]
    assert {"meld_misdaad_anoniem", "comensha"} <= named(r)


@pytest.mark.parametrize("zorg,rol", itertools.product(sorted(EXPLOITATION), ROLES))
def test_exploitation_of_an_adult(zorg, rol):
    # The regional zorgcoördinator and CoMensha; Meld Misdaad Anoniem and politie.
    r = route(zorg, rol, minderjarig="nee")
    assert {"zorgcoordinator", "comensha"} <= {k for k, _ in r.main}
    assert "veilig_thuis" not in named(r)
    assert {"meld_misdaad_anoniem", "politie"} <= named(r)


@pytest.mark.parametrize("zorg,rol", itertools.product(sorted(EXPLOITATION), ROLES))
def test_unknown_age_includes_veilig_thuis(zorg, rol):
    r = route(zorg, rol, minderjarig="onbekend")
    assert first(r) == "veilig_thuis" and "comensha" in {k for k, _ in r.main}


@pytest.mark.parametrize("zorg,age", itertools.product(sorted(EXPLOITATION), AGES))
def test_lvb_adds_koraal_to_the_routes_above(zorg, age):
    without, with_lvb = route(zorg, "ouder", age, "nee"), route(zorg, "ouder", age, "ja")
    assert "koraal" in {k for k, _ in with_lvb.main}
    assert named(without) <= named(with_lvb)


@pytest.mark.parametrize("zorg", sorted(EXPLOITATION | HOME_VIOLENCE))
def test_anonymous_gets_meld_misdaad_anoniem_and_the_anonymous_chat(zorg):
    r = route(zorg, "omstander", minderjarig="nee", anoniem="ja")
    assert "meld_misdaad_anoniem" in {k for k, _ in r.main}
    assert any("anoniem" in h and "chat" in h for h in r.hints)


def test_every_rule_names_a_known_organisation_and_says_why_in_dutch():
    for rule in table()["regels"]:
        if "tip" in rule:
            assert isinstance(rule["tip"], str) and rule["tip"].strip(), rule
            continue
        assert rule["organisatie"] in orgs.organisations(), rule
        assert rule["plek"] in ("hoofd", "ook") and rule["waarom"].strip(), rule


def test_a_changed_table_changes_the_route(monkeypatch):
    """The route comes from the data file: swap an organisation there and the route follows."""
    changed = {**table(), "regels": [dict(r) for r in table()["regels"]]}
    for rule in changed["regels"]:
        if rule.get("organisatie") == "lokaal_team":
            rule["organisatie"] = "lokale_alliantie"
    monkeypatch.setattr("actions.routing.table", lambda: changed)
    assert "lokaal_team" not in named(route("huiselijk_geweld", "ouder"))
    assert "lokale_alliantie" in named(route("huiselijk_geweld", "ouder"))


def _answer(intent):
    domain = domain_dict()
    rule_of = {"acute_danger": "utter_acute_danger", "suicide": "utter_suicide", "sexual_assault": "utter_sexual_assault"}
    return domain["responses"][rule_of[intent]][0]["text"]


def _first_two_sentences(text):
    return " ".join(text.replace("?", ".").replace("\n", " ").split(".")[:2])


def test_crisis_rows():
    # acute danger: 112 first, Veilig Thuis afterwards; suicide: 113; recent assault: CSG, VT.
    acute = _answer("acute_danger")
    assert acute.index("112") < acute.index(orgs.get("veilig_thuis")["telefoon"])
    assert "113" in _first_two_sentences(_answer("suicide")) or "0800-0113" in _first_two_sentences(_answer("suicide"))
    assault = _answer("sexual_assault")
    assert orgs.get("centrum_seksueel_geweld")["telefoon"] in _first_two_sentences(assault)
    assert "112" in assault and "Veilig Thuis" in assault
