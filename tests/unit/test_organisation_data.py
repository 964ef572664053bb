"""data/organisaties.yml: the one source of names, numbers and URLs."""

import re

import yaml

from actions.organisations import ORG_FILE, organisations

ALLOWED_SOORT = {"nood", "hulp", "kennis", "training", "sociale_kaart"}
PHONE_FORMAT = re.compile(r"^(112|0\d{2,3}-\d{4,7})$")


def test_every_entry_is_complete():
    for key, org in organisations().items():
        for field in ("naam", "soort", "beschrijving", "bron", "aliassen"):
            assert org.get(field), f"{key} has no {field}"
        assert org["soort"] in ALLOWED_SOORT, key
        if "telefoon" in org:
            assert PHONE_FORMAT.match(org["telefoon"]), f"{key}: {org['telefoon']}"
        if "url" in org:
            assert org["url"].startswith("https://") and "utm_" not in org["url"], key


def test_core_numbers_are_the_known_ones():
    orgs = organisations()
    expected = {
        "alarmnummer_112": "112",
        "veilig_thuis": "0800-2000",
        "politie": "0900-8844",
        "meld_misdaad_anoniem": "0800-7000",
        "koraal": "088-5057410",
        "centrum_seksueel_geweld": "0800-0188",
        "zelfmoordpreventie_113": "0800-0113",
    }
    for key, number in expected.items():
        assert orgs[key]["telefoon"] == number


def test_sociale_kaart_has_32_organisations():
    assert sum(1 for o in organisations().values() if o.get("sociale_kaart")) == 32


def test_aliases_are_unique():
    seen = {}
    for key, org in organisations().items():
        for alias in org["aliassen"]:
            assert str(alias).lower() not in seen, f"{alias} in {key} and {seen.get(alias)}"
            seen[str(alias).lower()] = key


def test_each_number_is_kept_once():
    numbers = [o["telefoon"] for o in organisations().values() if o.get("telefoon")]
    assert len(numbers) == len(set(numbers))
    raw = ORG_FILE.read_text(encoding="utf-8")
    assert yaml.safe_load(raw)["version"] == 1
