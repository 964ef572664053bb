"""The intent classifier's own prediction gives sklearn's probabilities (bot/components/intent_classifier.py)."""

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from bot.components.intent_classifier import multinomial, probabilities


def test_the_same_probabilities_as_sklearn():
    rng = np.random.default_rng(7)
    X = csr_matrix((rng.random((120, 300)) > 0.95).astype(float))
    y = rng.integers(0, 6, 120)
    clf = LogisticRegression(max_iter=2000).fit(X, y)
    assert multinomial(clf)
    ours = probabilities(X[:20], np.ascontiguousarray(clf.coef_.T), clf.intercept_)
    assert np.allclose(ours, clf.predict_proba(X[:20]), atol=1e-9)
    assert np.allclose(ours.sum(axis=1), 1.0)


def test_two_classes_or_liblinear_are_left_to_sklearn():
    rng = np.random.default_rng(3)
    X = rng.random((40, 5))
    assert not multinomial(LogisticRegression().fit(X, rng.integers(0, 2, 40)))
    assert not multinomial(LogisticRegression(solver="liblinear").fit(X, rng.integers(0, 3, 40)))
