"""The probe's logistic engine reaches scikit-learn's LogisticRegression optimum."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from dynamic_vision.statistics.linear_models.logistic_newton import (
    LogisticNewton,
    class_basis,
    cross_validated_logistic,
)


def _problem(n: int, p: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % k
    rng.shuffle(labels)
    centres = rng.standard_normal((k, p)) * 0.6
    mixing = rng.standard_normal((5, p))
    X = rng.standard_normal((n, p)) + rng.standard_normal((n, 5)) @ mixing + centres[labels]
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    test = rng.standard_normal((25, p)) + centres[rng.integers(0, k, 25)]
    return X, np.array([f"class{label}" for label in labels]), test


def _objective(model, X: np.ndarray, labels: np.ndarray, C: float) -> float:
    probabilities = model.predict_proba(X)
    picked = probabilities[np.arange(len(labels)), np.searchsorted(model.classes_, labels)]
    return -C * float(np.sum(np.log(picked))) + 0.5 * float(np.sum(model.coef_ ** 2))


def _tight_scikit_learn(X, labels, C):
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LogisticRegression(C=C, tol=1e-10, max_iter=100_000).fit(X, labels)


@pytest.mark.parametrize("n, p, k, C, seed", [
    (40, 150, 2, 10.0, 0),    # features outnumber samples: sample space
    (40, 150, 8, 1.0, 1),
    (48, 150, 8, 0.01, 2),
    (90, 12, 2, 1.0, 3),      # samples outnumber features: primal
    (90, 12, 8, 10.0, 4),
])
def test_same_optimum_as_scikit_learn(n, p, k, C, seed):
    X, labels, test = _problem(n, p, k, seed)
    ours = LogisticNewton(C=C).fit(X, labels)
    theirs = _tight_scikit_learn(X, labels, C)
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    assert ours.coef_.shape == theirs.coef_.shape and ours.intercept_.shape == theirs.intercept_.shape
    # Ours is at least as low as scikit-learn's own optimum (to rounding) ...
    value = _objective(ours, X, labels, C)
    assert value <= _objective(theirs, X, labels, C) + 1e-10 * abs(value)
    # ... and the same function: decision values, probabilities, predictions.
    for data in (X, test):
        expected = theirs.decision_function(data)
        np.testing.assert_allclose(ours.decision_function(data), expected,
                                   atol=1e-4 * np.abs(expected).max())
        np.testing.assert_allclose(ours.predict_proba(data), theirs.predict_proba(data),
                                   atol=1e-5)
        np.testing.assert_array_equal(ours.predict(data), theirs.predict(data))
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-4 * np.abs(theirs.coef_).max())


def _reference_selection(X, labels, X_test, Cs, folds):
    accuracy = [np.mean([np.mean(_tight_scikit_learn(X[fit], labels[fit], C)
                                 .predict(X[check]) == labels[check])
                         for fit, check in folds]) for C in Cs]
    best = Cs[int(np.argmax(accuracy))]
    return _tight_scikit_learn(X, labels, best).predict(X_test), best


@pytest.mark.parametrize("n, p, k, seed", [(57, 300, 8, 5), (60, 20, 3, 6), (45, 200, 2, 7)])
def test_cross_validated_choice_and_predictions_match(n, p, k, seed):
    X, labels, test = _problem(n, p, k, seed)
    Cs = (0.01, 0.1, 1.0, 10.0)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, labels))
    predictions, C = cross_validated_logistic(X, labels, test, Cs, folds)
    expected, expected_C = _reference_selection(X, labels, test, Cs, folds)
    assert C == expected_C
    np.testing.assert_array_equal(predictions, expected)


def test_first_of_equally_accurate_penalties_wins():
    rng = np.random.default_rng(8)
    labels = np.repeat(["a", "b", "c"], 12)
    X = rng.standard_normal((36, 50)) + 20.0 * (labels[:, None] == np.array(["a", "b", "c"])
                                                 ).repeat(50 // 3 + 1, axis=1)[:, :50]
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, labels))
    predictions, C = cross_validated_logistic(X, labels, X[:5], (1.0, 0.01, 10.0), folds)
    assert C == 1.0  # every C classifies the check folds perfectly: the first listed wins
    np.testing.assert_array_equal(predictions, labels[:5])


def test_fold_lacking_a_class_is_fitted_on_the_classes_it_has():
    X, labels, test = _problem(30, 80, 3, 9)
    rare = np.flatnonzero(labels == "class2")
    others = np.setdiff1d(np.arange(30), rare)
    # Second fold's fitting part has no class2 (as scikit-learn, it then predicts 2 classes).
    folds = [(np.arange(0, 30, 2), np.arange(1, 30, 2)), (others, rare)]
    Cs = (0.1, 1.0)
    predictions, C = cross_validated_logistic(X, labels, test, Cs, folds)
    expected, expected_C = _reference_selection(X, labels, test, Cs, folds)
    assert C == expected_C
    np.testing.assert_array_equal(predictions, expected)


def test_class_basis_spans_the_sum_zero_space():
    for k in (3, 8):
        basis = class_basis(k)
        np.testing.assert_allclose(basis.T @ basis, np.eye(k - 1), atol=1e-12)
        np.testing.assert_allclose(basis.sum(axis=0), 0.0, atol=1e-12)
    with pytest.raises(ValueError, match="at least 2 classes"):
        class_basis(1)


def test_non_finite_features_are_refused_with_a_count():
    X, labels, test = _problem(30, 10, 2, 10)
    X[3, 2] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinite values \(1 of 30 samples\)"):
        LogisticNewton().fit(X, labels)
    with pytest.raises(ValueError, match="training features contain NaN"):
        cross_validated_logistic(X, labels, test, (1.0,), [])
