"""Multinomial logistic regression for decoding, regularisation chosen by inner CV.

The engine is scikit-learn's ``LogisticRegressionCV`` (lbfgs, multinomial loss) on standardised
features; this class fixes the choices that make decoding accuracies comparable: standardised
features, a log-spaced grid of inverse regularisation strengths ``Cs`` chosen by stratified
inner K-fold accuracy, and a fixed seed.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence

import numpy as np

__all__ = ["LogisticRegression", "DEFAULT_CS"]

#: Inverse regularisation strengths searched by default.
DEFAULT_CS = tuple(float(c) for c in np.logspace(-3, 3, 7))

# Below this many matrix entries the solver runs on one BLAS thread: thread synchronisation
# costs more than it saves on small problems and is ruinous on a busy machine.
_SMALL_PROBLEM = 1_000_000

# Settings newer scikit-learn versions ask for explicitly (pure L2 penalty, non-legacy
# attributes); passed only where the installed version knows them.
_QUIET_OPTIONS = {"l1_ratios": (0.0,), "use_legacy_attributes": False}


class LogisticRegression:
    """Standardise, then multinomial logistic regression with ``C`` chosen by inner CV.

    Parameters
    ----------
    Cs
        Candidate inverse regularisation strengths.
    inner_splits
        Stratified inner folds used to choose ``C`` (reduced to the smallest class size when
        a class is rarer).
    max_iter
        lbfgs iterations.
    seed
        Seed of the inner fold shuffling.

    Attributes
    ----------
    classes_ : numpy.ndarray
    C_ : float
        The chosen inverse regularisation strength.
    """

    def __init__(self, Cs: Sequence[float] = DEFAULT_CS, inner_splits: int = 3,
                 max_iter: int = 1000, seed: int = 0):
        self.Cs = Cs
        self.inner_splits = inner_splits
        self.max_iter = max_iter
        self.seed = seed

    def fit(self, X: np.ndarray, labels: np.ndarray) -> LogisticRegression:
        """Fit on samples × features ``X`` and one class label per sample."""
        from sklearn.linear_model import LogisticRegressionCV
        from sklearn.model_selection import StratifiedKFold
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from threadpoolctl import threadpool_limits

        labels = np.asarray(labels)
        classes, counts = np.unique(labels, return_counts=True)
        if len(classes) < 2:
            raise ValueError(f"Decoding needs at least 2 classes; the training labels are all "
                             f"'{classes[0]}'.")
        folds = min(self.inner_splits, int(counts.min()))
        if folds < 2:
            rare = classes[np.argmin(counts)]
            raise ValueError(f"Too few samples to choose the regularisation: class '{rare}' "
                             f"has {counts.min()} training sample(s); at least 2 per class are "
                             f"needed.")
        inner = StratifiedKFold(folds, shuffle=True, random_state=self.seed)
        options = {name: value for name, value in _QUIET_OPTIONS.items()
                   if name in inspect.signature(LogisticRegressionCV).parameters}
        self._pipeline = make_pipeline(
            StandardScaler(),
            LogisticRegressionCV(Cs=list(self.Cs), cv=inner, max_iter=self.max_iter,
                                 scoring="accuracy", **options))
        X = np.asarray(X, dtype=np.float64)
        with threadpool_limits(1 if X.size < _SMALL_PROBLEM else None):
            self._pipeline.fit(X, labels)
        estimator = self._pipeline[-1]
        self.classes_ = estimator.classes_
        self.C_ = float(np.ravel(estimator.C_)[0])
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted class per sample."""
        return self._pipeline.predict(np.asarray(X, dtype=np.float64))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities per sample (columns ordered as ``classes_``)."""
        return self._pipeline.predict_proba(np.asarray(X, dtype=np.float64))
