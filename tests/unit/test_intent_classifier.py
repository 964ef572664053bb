"""The intent classifier's own prediction gives sklearn's probabilities (bot/components/intent_classifier.py)."""

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from bot.components.intent_classifier import multinomial, probabilities, scores, softmax


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


def _message(rng, sizes, dense_size):
    """A message with the feature kinds Rasa's featurizers give: per featurizer sparse sequence
    and sentence features (coo, as CountVectorsFeaturizer, or csr), then dense ones."""
    from scipy.sparse import coo_matrix

    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    message = Message(data={TEXT: "x"})
    for i, size in enumerate(sizes):
        seq = coo_matrix((rng.random((3, size)) > 0.7).astype(np.float32))
        cols = rng.integers(0, size, 6)  # with repeats: a coo matrix sums them
        sentence = coo_matrix((rng.random(6).astype(np.float32), (np.zeros(6, int), cols)), shape=(1, size))
        if i % 2:
            sentence = sentence.tocsr()
        message.features.append(Features(seq, FEATURE_TYPE_SEQUENCE, TEXT, f"f{i}"))
        message.features.append(Features(sentence, FEATURE_TYPE_SENTENCE, TEXT, f"f{i}"))
    if dense_size:
        message.features.append(Features(rng.random((1, dense_size)), FEATURE_TYPE_SENTENCE, TEXT, "dense"))
    return message


def test_scores_read_the_row_create_x_builds():
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

    rng = np.random.default_rng(11)
    for sizes, dense in (([40, 7, 25], 0), ([12], 5), ([30, 30], 3)):
        weights = rng.normal(size=(sum(sizes) + dense, 9))
        bias = rng.normal(size=9)
        messages = [_message(rng, sizes, dense) for _ in range(4)]
        X = LogisticRegressionClassifier._create_X(None, messages)  # Rasa's own row building
        expected = probabilities(X, weights, bias)
        ours = softmax(np.vstack([scores(m, weights, bias) for m in messages]))
        assert np.allclose(ours, expected, atol=1e-12)
        # Features that do not fill the weights' rows: no guess, _create_X decides.
        assert scores(messages[0], weights[:-1], bias) is None
        assert scores(messages[0], np.vstack([weights, weights[:1]]), bias) is None
