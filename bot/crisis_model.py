"""The crisis classifier: the second half of the crisis layer (bot/crisis.py).

A linear model on character n-grams (3-5, inside words, so misspellings and inflections share
features) and word pairs, trained on data/crisis_training*.yml (crisis kinds and many near
misses, written apart from the evaluation corpus) and the crisis examples of
data/nlu/crisis.yml, with every other example of data/nlu as `calm`. It learns how danger
is described that no phrase list spells out; the phrases keep the cases that must never
depend on a model (data/crisis.yml).

Trained when first needed, in about two seconds, and cached in build/crisis_model.pkl keyed by
a hash of its training files and this file, so `make train` and every server start reuse it.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[1]
TRAINING = sorted((ROOT / "data").glob("crisis_training*.yml"))
NLU_DIR = ROOT / "data" / "nlu"
CACHE = ROOT / "build" / "crisis_model.pkl"
# data/nlu intents that are crisis kinds; every other intent there is `calm`.
NLU_KIND = {
    "acute_danger": "acute",
    "suicide": "suicide",
    "suicide_acute": "suicide_acute",
    "sexual_assault": "assault_recent",
    "sexual_assault_now": "assault_now",
    "danger_unclear": None,
}


def _lines(block: str) -> List[str]:
    return [
        ln.strip()[2:].strip() for ln in (block or "").splitlines() if ln.strip().startswith("- ") and ln.strip()[2:].strip()
    ]


def training_data() -> Tuple[List[str], List[str]]:
    texts, labels = [], []
    for path in TRAINING:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        for kind, block in spec["examples"].items():
            for t in _lines(block):
                texts.append(t)
                labels.append(kind)
    for path in sorted(NLU_DIR.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" not in item:
                continue
            kind = NLU_KIND.get(item["intent"], "calm")
            if kind is None:
                continue
            for t in _lines(item.get("examples", "")):
                if not t.startswith("/"):
                    texts.append(t)
                    labels.append(kind)
    return texts, labels


def _key() -> str:
    h = hashlib.sha256(Path(__file__).read_bytes())
    for path in [*TRAINING, *sorted(NLU_DIR.glob("*.yml"))]:
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def train():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    from bot.crisis import normalise

    texts, labels = training_data()
    features = FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True, preprocessor=normalise),
            ),
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    min_df=1,
                    sublinear_tf=True,
                    preprocessor=normalise,
                    token_pattern=r"(?u)\b\w+\b",
                ),
            ),
        ]
    )
    model = make_pipeline(features, LogisticRegression(C=8.0, max_iter=2000, class_weight="balanced"))
    model.fit(texts, labels)
    return model


def load():
    key = _key()
    try:
        with open(CACHE, "rb") as f:
            cached_key, model = pickle.load(f)
        if cached_key == key:
            return model
    except (OSError, EOFError, pickle.UnpicklingError, ValueError):
        pass
    model = train()
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    tmp = CACHE.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        pickle.dump((key, model), f)
    tmp.replace(CACHE)
    return model


class Classifier:
    def __init__(self, model=None):
        self.model = model if model is not None else load()
        self.classes = list(self.model.classes_)

    def probabilities(self, text: str) -> Dict[str, float]:
        p = self.model.predict_proba([text])[0]
        return dict(zip(self.classes, (float(x) for x in p)))
