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
    """The trained pipeline, read out once into plain arrays: per message, the n-grams are
    looked up in the vocabularies and the few weights they select are summed (what sklearn's
    predict_proba computes, with the same numbers, without its sparse-matrix checks: about a
    tenth of the time; tests/unit/test_crisis_layer.py compares the two)."""

    def __init__(self, model=None):
        import numpy as np

        self.model = model if model is not None else load()
        self.classes = list(self.model.classes_)
        union, logistic = self.model.steps[0][1], self.model.steps[-1][1]
        self.parts = []  # (analyzer, vocabulary, idf, sublinear, offset) per vectorizer
        offset = 0
        for _, vec in union.transformer_list:
            self.parts.append((vec.build_analyzer(), vec.vocabulary_, vec.idf_, vec.sublinear_tf, offset))
            offset += len(vec.vocabulary_)
        # Weights per feature (rows), classes in columns; a binary model has one column.
        self.coef = np.ascontiguousarray(logistic.coef_.T)
        self.intercept = logistic.intercept_
        self.np = np

    def _features(self, text: str):
        np = self.np
        index, values = [], []
        for analyze, vocab, idf, sublinear, offset in self.parts:
            counts: Dict[int, int] = {}
            for gram in analyze(text):
                j = vocab.get(gram)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if not counts:
                continue
            cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            if sublinear:
                tf = np.log(tf) + 1.0
            w = tf * idf[cols]
            w /= np.sqrt(np.dot(w, w))  # each vectorizer's rows are l2-normalised
            index.append(cols + offset)
            values.append(w)
        if not index:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(index), np.concatenate(values)

    def probabilities(self, text: str) -> Dict[str, float]:
        np = self.np
        cols, vals = self._features(text)
        logits = vals @ self.coef[cols] + self.intercept
        if logits.shape[0] == 1:  # binary: sklearn's logistic of the one score
            p1 = 1.0 / (1.0 + np.exp(-logits[0]))
            p = np.array([1.0 - p1, p1])
        else:
            e = np.exp(logits - logits.max())
            p = e / e.sum()
        return dict(zip(self.classes, (float(x) for x in p)))

    def sklearn_probabilities(self, text: str) -> Dict[str, float]:
        """The same through sklearn's own predict_proba (for the test that compares them)."""
        p = self.model.predict_proba([text])[0]
        return dict(zip(self.classes, (float(x) for x in p)))
