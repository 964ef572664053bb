"""The intent classifier: Rasa's LogisticRegressionClassifier, with its prediction done by numpy.

sklearn's `predict_proba` validates its input on every call and cost about 4 ms per message
here (bench/profile.md, 2026-12-03), more than the classifier's arithmetic. The weights are read
out into arrays once per loaded model; a message is then one sparse product and a softmax. The
probabilities are the same as sklearn's (tests/unit/test_intent_classifier.py). Training,
saving and loading are Rasa's own.

Rasa's `_create_X` builds the message's row by deep-copying and stacking every featurizer's
features (sequence features too, which it then drops) into scipy matrices: 2 ms per message
under load (py-spy, 2026-12-04), more than everything else the classifier does. `scores` reads
the same row without building it: each featurizer's sentence features times its own rows of the
weights, in the order `_create_X` stacks them (sparse ones in the message's order, then dense).
The products are einsum's own loops, not BLAS: OpenBLAS runs a product this size on every core
and its threads then spin, which cost more CPU than the whole turn saved (bench/profile.py).
"""

from __future__ import annotations

from typing import Any, List, Optional

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message

RANKING_LENGTH = "ranking_length"


def multinomial(clf: Any) -> bool:
    """Whether predict_proba is the softmax of the linear scores (sklearn's rule for 'auto')."""
    mode = getattr(clf, "multi_class", "auto")
    if mode == "auto":
        return getattr(clf, "solver", "lbfgs") != "liblinear" and len(clf.classes_) > 2
    return mode == "multinomial"


def probabilities(X: Any, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Softmax of X @ weights + bias, row by row (X sparse or dense)."""
    return softmax(np.asarray(X @ weights) + bias)


def scores(message: Message, weights: np.ndarray, bias: np.ndarray) -> Optional[np.ndarray]:
    """The message's row of X @ weights + bias, X as LogisticRegressionClassifier._create_X builds
    it (its sparse sentence features, then its dense ones, side by side), without building X.
    None when the features do not fill the weights' rows exactly (then _create_X decides)."""
    z = bias.copy()
    offset = 0
    sentence = [f for f in message.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE]
    for f in [f for f in sentence if f.is_sparse()] + [f for f in sentence if f.is_dense()]:
        m = f.features
        if m.ndim != 2 or m.shape[0] != 1 or offset + m.shape[1] > len(weights):
            return None
        if f.is_sparse():
            row = m if m.format == "coo" else m.tocoo()
            if row.nnz:
                z += np.einsum("i,ij->j", np.asarray(row.data, dtype=np.float64), weights[offset + row.col])
        else:
            z += np.einsum("i,ij->j", np.asarray(m[0], dtype=np.float64), weights[offset : offset + m.shape[1]])
        offset += m.shape[1]
    return z if offset == len(weights) else None


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax, in place."""
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FastLogisticRegressionClassifier(LogisticRegressionClassifier):
    """LogisticRegressionClassifier whose `process` does not call sklearn per message."""

    _weights_of: Any = None

    def _read_weights(self) -> bool:
        """The weights as arrays, once per fitted model; False when sklearn must predict."""
        clf = self.clf
        if not multinomial(clf):
            return False
        if self._weights_of is not clf:
            self._weights = np.ascontiguousarray(clf.coef_.T, dtype=np.float64)
            self._bias = np.asarray(clf.intercept_, dtype=np.float64)
            self._weights_of = clf
        return True

    def _probabilities(self, messages: List[Message]) -> np.ndarray:
        if not self._read_weights():
            return self.clf.predict_proba(self._create_X(messages))
        rows = [scores(m, self._weights, self._bias) for m in messages]
        if any(r is None for r in rows):
            return probabilities(self._create_X(messages), self._weights, self._bias)
        return softmax(np.vstack(rows))

    def process(self, messages: List[Message]) -> List[Message]:
        """The most likely intent and the ranking, as LogisticRegressionClassifier.process."""
        if not messages:
            return messages
        probas = self._probabilities(messages)
        intents = self.clf.classes_
        for idx, message in enumerate(messages):
            ranking = sorted(
                ({"name": k, "confidence": float(v)} for k, v in zip(intents, probas[idx])),
                key=lambda e: -e["confidence"],
            )
            intent = ranking[0]
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set("intent", intent, add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages
