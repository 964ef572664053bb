"""The intent classifier: Rasa's LogisticRegressionClassifier, with its prediction done by numpy.

sklearn's `predict_proba` validates its input on every call and cost about 4 ms per message
here (bench/profile.md, 2026-12-03), more than the classifier's arithmetic. The weights are read
out into arrays once per loaded model; a message is then one sparse product and a softmax. The
probabilities are the same as sklearn's (tests/unit/test_intent_classifier.py). Training,
saving and loading are Rasa's own.
"""

from __future__ import annotations

from typing import Any, List

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
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
    z = np.asarray(X @ weights) + bias
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FastLogisticRegressionClassifier(LogisticRegressionClassifier):
    """LogisticRegressionClassifier whose `process` does not call sklearn per message."""

    _weights_of: Any = None

    def _probabilities(self, X: Any) -> np.ndarray:
        clf = self.clf
        if not multinomial(clf):
            return clf.predict_proba(X)
        if self._weights_of is not clf:
            self._weights = np.ascontiguousarray(clf.coef_.T, dtype=np.float64)
            self._bias = np.asarray(clf.intercept_, dtype=np.float64)
            self._weights_of = clf
        return probabilities(X, self._weights, self._bias)

    def process(self, messages: List[Message]) -> List[Message]:
        """The most likely intent and the ranking, as LogisticRegressionClassifier.process."""
        if not messages:
            return messages
        probas = self._probabilities(self._create_X(messages))
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
