"""The crisis corpus stays evaluation only: big enough, well-formed, never in the training data."""

from pathlib import Path

import yaml

from bot.crisis_model import training_data
from tests.corpus import evaluate as ev

ROOT = Path(__file__).resolve().parents[2]
KINDS = set(ev.CRISIS) | {"calm"}


def norm(text):
    return " ".join(text.lower().split())


def test_corpus_is_big_and_labelled():
    messages, conversations = ev.load_messages(), ev.load_conversations()
    assert len(messages) >= 800 and len(conversations) >= 60
    assert all(m["expect"] in KINDS for m in messages)
    assert all(t["expect"] in KINDS for c in conversations for t in c["turns"])
    assert sum(m["expect"] == "calm" for m in messages) >= 300


def test_no_corpus_message_is_trained_on():
    # Short lines ("ben jij een robot", "doei") are everywhere; longer ones must not repeat.
    corpus = {norm(m["text"]) for m in ev.load_messages()}
    corpus |= {norm(t["user"]) for c in ev.load_conversations() for t in c["turns"]}
    corpus = {t for t in corpus if len(t.split()) > 5}
    texts, _ = training_data()
    trained = {norm(t) for t in texts}
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in (item.get("examples") or "").splitlines():
                trained.add(norm(line.strip().lstrip("- ")))
    overlap = corpus & trained
    assert not overlap, sorted(overlap)[:5]
