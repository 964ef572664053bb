"""The routing table of ../shared/domain.md, checked on actions/routing.py."""

import pytest

from actions.routing import EXPLOITATION, render, route


def keys(items):
    return [k for k, _ in items]


@pytest.mark.parametrize("zorg", ["huiselijk_geweld", "kindermishandeling", "ouderenmishandeling"])
@pytest.mark.parametrize("rol", ["professional", "ouder", "omstander", "slachtoffer"])
def test_home_violence_goes_to_veilig_thuis_first(zorg, rol):
    r = route(zorg, rol)
    assert keys(r.main)[0] == "veilig_thuis"
    assert "lokaal_team" in keys(r.also) and "politie" in keys(r.also)
    assert "zorgcoordinator" not in keys(r.main) + keys(r.also)


def test_professional_gets_the_five_meldcode_steps():
    text = render(route("kindermishandeling", "professional"), "kindermishandeling", "professional")
    assert "Meldcode" in text and "aandachtsfunctionaris" in text and "afwegingskader" in text
    for step in ("1.", "2.", "3.", "4.", "5."):
        assert step in text


@pytest.mark.parametrize("zorg", sorted(EXPLOITATION))
def test_exploitation_of_a_minor(zorg):
    r = route(zorg, "professional", minderjarig="ja")
    assert keys(r.main)[:2] == ["veilig_thuis", "zorgcoordinator"]
    assert "meld_misdaad_anoniem" in keys(r.also) and "comensha" in keys(r.also)


@pytest.mark.parametrize("zorg", sorted(EXPLOITATION))
def test_exploitation_of_an_adult(zorg):
    r = route(zorg, "omstander", minderjarig="nee")
    assert keys(r.main)[:2] == ["zorgcoordinator", "comensha"]
    assert "veilig_thuis" not in keys(r.main)
    assert {"meld_misdaad_anoniem", "politie"} <= set(keys(r.also))


def test_unknown_age_gives_both_routes():
    r = route("mensenhandel", "omstander", minderjarig="onbekend")
    assert {"veilig_thuis", "zorgcoordinator", "comensha"} <= set(keys(r.main))


def test_lvb_adds_koraal_consultatielijn():
    r = route("criminele_uitbuiting", "ouder", minderjarig="ja", lvb="ja")
    assert "koraal" in keys(r.main)
    text = render(r, "criminele_uitbuiting", "ouder")
    assert "088-5057410" in text


def test_without_lvb_koraal_is_a_hint_only():
    r = route("criminele_uitbuiting", "professional", minderjarig="ja")
    assert "koraal" not in keys(r.main)
    assert any("Koraal" in h for h in r.hints)


def test_anonymous_adds_meld_misdaad_anoniem_first_line():
    r = route("huiselijk_geweld", "omstander", anoniem="ja")
    assert "meld_misdaad_anoniem" in keys(r.main)
    assert any("anoniem" in h for h in r.hints)


def test_zorgcoordinator_answer_links_the_regional_list():
    text = render(route("mensenhandel", "professional", minderjarig="ja"), "mensenhandel", "professional")
    assert "wegwijzermensenhandel.nl/zorgcoördinatoren" in text
    assert "0800-2000" in text


def test_every_route_ends_with_112_and_no_claim_to_report():
    for zorg in ["huiselijk_geweld", "seksuele_uitbuiting", None]:
        text = render(route(zorg, "slachtoffer"), zorg, "slachtoffer")
        assert "112" in text.splitlines()[-1]
        assert "Ik meld zelf niets" in text


def test_sexual_exploitation_mentions_csg():
    r = route("seksuele_uitbuiting", "ouder", minderjarig="ja")
    assert "centrum_seksueel_geweld" in keys(r.also)
