"""The ``ridge`` metric: :class:`~dynamic_vision.metric_kinds.regression.RegressionMetric` around
:class:`~dynamic_vision.statistics.linear_models.RidgeCVRegression`."""

from __future__ import annotations

from collections.abc import Sequence

from dynamic_vision.statistics.linear_models.ridge import DEFAULT_ALPHAS, RidgeCVRegression
from dynamic_vision.metric_kinds.inputs import MIN_TEST_STIMULI
from dynamic_vision.metric_kinds.regression import RegressionMetric
from dynamic_vision.statistics.splits import Splitter

__all__ = ["build"]


def build(alphas: Sequence[float] = DEFAULT_ALPHAS, cv: str | int = "loo",
          splits: Splitter | None = None, stratify_coord: str | None = "category",
          dtype: str = "float32", device: str | None = None,
          progress: bool = False, n_bootstrap: int = 1000,
          min_test_stimuli: int = MIN_TEST_STIMULI) -> RegressionMetric:
    """Ridge predictivity metric.

    Parameters
    ----------
    alphas
        Candidate alphas; one is chosen per neuroid on the training stimuli of each split.
    cv
        Inner alpha selection: ``"loo"`` (efficient leave-one-out) or K folds.
    splits
        Outer splits; by default 10 shuffle splits, 90 % train, seed 0.
    stratify_coord
        Stratify the default splits by this target coordinate when present.
    dtype, device
        Precision and torch device of the solver.
    progress
        Progress bars over splits.
    n_bootstrap
        Resamples of the BCa bootstrap over neuroids (``detail["raw_ci"]``); 0 skips it.
    min_test_stimuli
        Guard: fewest test stimuli per split (lower it only knowingly).
    """
    regression = RidgeCVRegression(alphas=alphas, cv=cv, dtype=dtype, device=device)
    return RegressionMetric(regression, splits=splits, stratify_coord=stratify_coord,
                            progress=progress, n_bootstrap=n_bootstrap,
                            min_test_stimuli=min_test_stimuli)
