"""data/intent_signs.yml: an intent NLU reads stands only with a sign of it in the message."""

from pathlib import Path

import pytest
import yaml

from bot.context import has_signs, intent_signs, read_reply

ROOT = Path(__file__).resolve().parents[2]


def examples(intent):
    out = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if item.get("intent") == intent:
                out += [ln.strip()[2:] for ln in item["examples"].splitlines() if ln.strip().startswith("- ")]
    return out


@pytest.mark.parametrize("intent", sorted(intent_signs()))
def test_every_training_example_of_a_gated_intent_has_its_signs(intent):
    found = examples(intent)
    assert found, f"{intent} has no training examples"
    missing = [e for e in found if not has_signs(intent, {}, e)]
    assert not missing, f"{intent}: examples without the signs of data/intent_signs.yml: {missing}"


def parse(intent, confidence, *others, entities=()):
    ranking = [{"name": intent, "confidence": confidence}] + [{"name": n, "confidence": c} for n, c in others]
    return {"intent": dict(ranking[0]), "intent_ranking": ranking, "entities": list(entities)}


@pytest.mark.parametrize(
    "text,parsed,expected",
    [
        # read as the youth worker's text on the police, from a widow and from a woman afraid of the police
        (
            "Good afternoon. I am a British widow living in Amersfoort.",
            parse("police_cooperation", 0.6, ("greet", 0.3)),
            "greet",
        ),
        (
            "met wie kan ik hierover praten zonder dat er meteen politie komt ofzo",
            parse("police_cooperation", 0.5, ("ask_police", 0.35)),
            "ask_police",
        ),
        # a minor is never elder abuse; a young worker's bank card is no older person's
        (
            "mn zoon van 14 heeft een dure jas en 2 oudere jongens wachten op hem",
            parse(
                "worry_elder_abuse",
                0.65,
                ("exploitation_criminal", 0.3),
                entities=[{"entity": "minderjarig", "value": "ja"}],
            ),
            "exploitation_criminal",
        ),
        (
            "a new girl on my line, a man has her bank card and she owes him 4000",
            parse("worry_elder_abuse", 0.84, ("human_trafficking", 0.1)),
            "nlu_fallback",
        ),
        # "nee, ik wil juist dat het ergens op papier komt" is no stop
        ("nee, ik wil juist dat het ergens op papier komt", parse("stop", 0.5, ("deny", 0.4)), "deny"),
        # with their signs they stand
        ("mijn oma wordt bestolen door mijn oom", parse("worry_elder_abuse", 0.9), "worry_elder_abuse"),
        ("hoe werk ik samen met de politie bij een vermissing", parse("police_cooperation", 0.9), "police_cooperation"),
        ("stop maar met die vragen", parse("stop", 0.9), "stop"),
        # a debt is a sign of the bot's own topics, not out of scope
        (
            "ik wil alleen weten hoe ik van die schuld af kom",
            parse("out_of_scope", 0.6, ("exploitation_criminal", 0.35)),
            "exploitation_criminal",
        ),
        ("hoe wordt het weer morgen", parse("out_of_scope", 0.9), "out_of_scope"),
    ],
)
def test_an_intent_without_its_signs_gives_way_to_the_next_guess(text, parsed, expected):
    assert read_reply(parsed, [], text)["intent"]["name"] == expected


def test_signs_said_earlier_in_the_conversation_count():
    """ "Ik ben bang dat haar zoon haar slecht behandelt" answers the worry question after an
    opening about a neighbour in her nineties: elder abuse, not the next guess."""
    events = [{"event": "user", "text": "ik maak mij zorgen om mijn buurvrouw, die al in de negentig is"}]
    parsed = parse("worry_elder_abuse", 0.5, ("exploitation_criminal", 0.3))
    text = "Ik ben bang dat haar zoon haar slecht behandelt en niet goed voor haar zorgt."
    assert read_reply(parsed, events, text, in_form=True, requested="zorg")["intent"]["name"] == "worry_elder_abuse"
    assert read_reply(parsed, [], text, in_form=True, requested="zorg")["intent"]["name"] == "exploitation_criminal"
    # Rasa's own events (objects) in bot/serve.py
    from rasa.shared.core.events import UserUttered

    told = [UserUttered("ik maak mij zorgen om mijn buurvrouw, die al in de negentig is")]
    assert read_reply(parsed, told, text, in_form=True, requested="zorg")["intent"]["name"] == "worry_elder_abuse"


def test_a_request_needs_its_signs_in_the_message_itself():
    """ "nee, ik wil juist dat het ergens op papier komt" ended the form: "terug" in the opening
    ("komt steeds heel stil terug") counted as the sign of "stop"."""
    events = [{"event": "user", "text": "Mijn zoontje komt na het omgangsweekend steeds heel stil terug"}]
    parsed = parse("stop", 0.39, ("deny", 0.19))
    text = "nee, ik wil juist dat het ergens op papier komt"
    assert read_reply(parsed, events, text, in_form=True, requested="anoniem")["intent"]["name"] == "deny"


def test_exploitation_at_work_needs_a_sign_of_work():
    story = "naast mij woont een oud vrouwtje van in de 80, haar zoon gaat vaak tegen haar tekeer"
    parsed = parse("exploitation_labour", 0.59, ("worry_child_abuse", 0.22), ("worry_elder_abuse", 0.16))
    # the next guess with its signs, under the fallback threshold: nlu_fallback (its guesses kept)
    got = read_reply(parsed, [], story)
    assert got["intent"]["name"] != "exploitation_labour"
    assert "worry_elder_abuse" in [r["name"] for r in got["intent_ranking"]]
