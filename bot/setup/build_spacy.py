"""Build the Dutch spaCy pipeline that config.yml points at (build/spacy_nl).

Uses nl_core_news_sm when it is installed (the full model, with a tagger and a rule
lemmatizer). Otherwise, offline, a blank Dutch pipeline with the lookup lemmatizer from
spacy-lookups-data. Idempotent: does nothing when the pipeline is already there.
"""

import sys
from pathlib import Path

import spacy

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "build" / "spacy_nl"


def build(target: Path = TARGET) -> str:
    if (target / "config.cfg").exists():
        return "exists"
    try:
        nlp = spacy.load("nl_core_news_sm")
        kind = "nl_core_news_sm"
    except OSError:
        nlp = spacy.blank("nl")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
        kind = "blank nl + lookup lemmatizer"
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    return kind


if __name__ == "__main__":
    result = build()
    if result == "exists":
        print(f"[setup] Dutch spaCy pipeline already at {TARGET.relative_to(ROOT)}")
    else:
        print(f"[setup] built Dutch spaCy pipeline ({result}) at {TARGET.relative_to(ROOT)}")
    sys.exit(0)
