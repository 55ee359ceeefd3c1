"""Brain-Score's regression predictivity: fit on the training stimuli, Pearson r per neuroid on
the test stimuli, median over neuroids, mean over splits.

The estimators are scikit-learn's, with the settings Brain-Score gives them (brainscore-vision
2.4.2, ``metrics/regression_correlation``):

=========================  ==================================================================
``pls``                    ``PLSRegression(n_components=25, scale=False)``: NIPALS with its
                           defaults ``max_iter=500, tol=1e-06``. It stops before convergence;
                           a fully converged PLS differs by up to 1e-2 per neuroid.
``ridge``                  ``Ridge(alpha=1)``
``linear_predictivity``    ``LinearRegression()``
``ridgecv``                ``RidgeCV(alphas=ALPHA_LIST)``: efficient leave-one-out, **one
                           alpha shared by all neuroids** (the lowest mean error over samples
                           and neuroids; the first on ties)
=========================  ==================================================================

All fit an intercept. Inputs here are stimulus-aligned matrices whose rows are sorted by
``stimulus_id``; each split fits on its (sorted) training rows and predicts its test rows.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from dynamic_vision.statistics.brainscore.splits import ALPHA_LIST

__all__ = ["ESTIMATORS", "CrossRegressed", "cross_regressed_correlation", "pearson_per_column",
           "standard_error"]


def _pls() -> Any:
    from sklearn.cross_decomposition import PLSRegression

    return PLSRegression(n_components=25, scale=False)


def _ridge() -> Any:
    from sklearn.linear_model import Ridge

    return Ridge(alpha=1)


def _linear() -> Any:
    from sklearn.linear_model import LinearRegression

    return LinearRegression()


def _ridgecv() -> Any:
    from sklearn.linear_model import RidgeCV

    return RidgeCV(alphas=ALPHA_LIST)


#: Brain-Score's mapping name → a factory of the unfitted scikit-learn estimator.
ESTIMATORS: dict[str, Callable[[], Any]] = {
    "pls": _pls, "ridge": _ridge, "linear_predictivity": _linear, "ridgecv": _ridgecv}


def pearson_per_column(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``scipy.stats.pearsonr`` of every column pair (NaN where a column is constant)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant columns: NaN, as Brain-Score gets
        return np.atleast_1d(np.asarray(stats.pearsonr(a, b, axis=0).statistic, dtype=float))


def standard_error(values: np.ndarray) -> float:
    """Brain-Score's ``standard_error_of_the_mean``: ``std(ddof=0) / sqrt(n)``."""
    values = np.asarray(values, dtype=np.float64)
    return float(values.std() / np.sqrt(values.size))


@dataclass(frozen=True)
class CrossRegressed:
    """What :func:`cross_regressed_correlation` computed.

    Attributes
    ----------
    value, error
        Mean over splits of the median over neuroids; ``std(ddof=0) / sqrt(n_splits)``.
    per_split_per_neuroid
        ``(split, neuroid)`` Pearson r.
    per_split
        ``(split,)`` medians over neuroids.
    alphas
        ``(split,)`` penalty RidgeCV chose (NaN for other estimators).
    """

    value: float
    error: float
    per_split_per_neuroid: np.ndarray
    per_split: np.ndarray
    alphas: np.ndarray


def cross_regressed_correlation(source: np.ndarray, target: np.ndarray,
                                splits: Sequence[tuple[np.ndarray, np.ndarray]],
                                estimator: str | Callable[[], Any] = "pls") -> CrossRegressed:
    """Brain-Score's ``CrossRegressedCorrelation`` on stimulus-aligned matrices.

    Parameters
    ----------
    source, target
        ``stimulus × feature`` and ``stimulus × neuroid``, rows aligned and sorted by
        ``stimulus_id``.
    splits
        ``(train, test)`` row positions (e.g. :func:`~dynamic_vision.statistics.brainscore.
        splits.stimulus_splits`).
    estimator
        A name of :data:`ESTIMATORS` or a factory of an unfitted estimator.
    """
    factory = ESTIMATORS[estimator] if isinstance(estimator, str) else estimator
    source = np.asarray(source, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    per_neuroid, alphas = [], []
    for train, test in splits:
        train, test = np.sort(np.asarray(train)), np.sort(np.asarray(test))
        fitted = factory().fit(source[train], target[train])
        predicted = np.asarray(fitted.predict(source[test]), dtype=np.float64)
        per_neuroid.append(pearson_per_column(predicted.reshape(len(test), -1), target[test]))
        alphas.append(float(getattr(fitted, "alpha_", np.nan)))
    per_split_per_neuroid = np.stack(per_neuroid)
    per_split = np.median(per_split_per_neuroid, axis=1)
    return CrossRegressed(float(per_split.mean()), standard_error(per_split),
                          per_split_per_neuroid, per_split, np.asarray(alphas))
