"""Role, age, LVB, anonymity and organisation entities from the word lists."""

from pathlib import Path

import pytest
import spacy

from bot.components.lexicon_extractor import Lexicon, OrganisationFinder, age_in

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def extract():
    nlp = spacy.load(ROOT / "build" / "spacy_nl")
    lexicon = Lexicon.from_files()

    def run(text):
        doc = nlp(text)
        toks = [(t.lemma_ or t.text, t.text, t.idx, t.idx + len(t)) for t in doc]
        return {e["entity"]: e["value"] for e in lexicon.extract(text, toks)}

    return run


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "ik ben leerkracht, een leerling van 15 wordt volgens mij uitgebuit",
            {"rol": "professional", "minderjarig": "ja", "gids": "uitbuiting"},
        ),
        ("Mijn dochter van 14 heeft ineens dure spullen en een oudere vriend", {"rol": "ouder", "minderjarig": "ja"}),
        ("mijn vriend slaat me", {"rol": "slachtoffer"}),
        ("ik hoor de buren elke avond schreeuwen", {"rol": "omstander"}),
        (
            "mijn cliënt van 23 heeft een lvb en moet drugs rondbrengen",
            {"rol": "professional", "minderjarig": "nee", "lvb": "ja"},
        ),
        ("kan ik anoniem melden bij veilig thuis?", {"anoniem": "ja", "organisatie": "veilig_thuis"}),
        ("ik wil niet anoniem blijven", {}),
        ("wat doet het OM bij huiselijk geweld", {"organisatie": "openbaar_ministerie"}),
        ("we spreken om 8 uur af", {}),
        ("wat is het CIT", {"organisatie": "crisis_interventie_team"}),
        ("wat doet de zorgcoördinator", {"organisatie": "zorgcoordinator"}),
    ],
)
def test_entities(extract, text, expected):
    got = extract(text)
    got.pop("zorg", None)  # test_topic_words_give_the_worry
    assert got == expected


def test_age_parsing():
    assert age_in("een meisje van 15") == 15
    assert age_in("hij is 19 jaar") == 19
    assert age_in("een 16-jarige jongen") == 16
    assert age_in("ik werk al 20 uur") is None
    assert age_in("om 8 uur") is None


def test_longest_alias_wins():
    finder = OrganisationFinder(
        {
            "a": {"naam": "Cursus Straatcultuur", "aliassen": []},
            "b": {"naam": "Cursus Straatcultuur in de klas", "aliassen": []},
        }
    )
    assert [k for k, _, _ in finder.find("ik zoek cursus straatcultuur in de klas")] == ["b"]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("wat houdt stap 3 in?", {"stap": "3"}),
        ("mag ik de derde stap overslaan", {"stap": "3"}),
        ("wat is stap twee van het stappenplan uitbuiting", {"stap": "2", "gids": "uitbuiting"}),
        ("leg stap 1 van de meldcode uit", {"stap": "1", "gids": "meldcode"}),
    ],
)
def test_step_and_plan(extract, text, expected):
    got = extract(text)
    got.pop("zorg", None)
    assert got == expected


@pytest.mark.parametrize(
    "text,zorg",
    [
        ("ik ben leerkracht, een leerling van 15 wordt volgens mij uitgebuit", "mensenhandel"),
        ("ik ben jeugdwerker, een jongen moet drugs rondbrengen", "criminele_uitbuiting"),
        ("ik ben mentor en denk dat een leerling een pooierboy heeft", "seksuele_uitbuiting"),
        ("ik ben buurvrouw, is dit huiselijk geweld?", "huiselijk_geweld"),
        ("ik ben leerkracht en heb een vraag over stap 2", None),
    ],
)
def test_topic_words_give_the_worry(extract, text, zorg):
    assert extract(text).get("zorg") == zorg


def test_two_names_of_one_organisation_are_one_mention():
    lexicon = Lexicon.from_files()
    text = "wat doet RIEC's en LIEC?"
    found = [e for e in lexicon.extract(text, []) if e["entity"] == "organisatie"]
    assert [(e["value"], text[e["start"] : e["end"]]) for e in found] == [("riec_liec", "RIEC's en LIEC")]
