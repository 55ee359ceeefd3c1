"""The ``pls`` metric (Brain-Score's exact PLS is ``brainscore.pls``, in ``metrics/brainscore``)."""

from __future__ import annotations

from dynamic_vision.statistics.linear_models.pls import PLSRegression
from dynamic_vision.metric_kinds.inputs import MIN_TEST_STIMULI
from dynamic_vision.metric_kinds.regression import RegressionMetric
from dynamic_vision.statistics.splits import Splitter

__all__ = ["build"]


def build(n_components: int = 25, scale: bool = False, splits: Splitter | None = None,
          stratify_coord: str | None = "category", dtype: str = "float64",
          device: str | None = None, progress: bool = False, n_bootstrap: int = 1000,
          min_test_stimuli: int = MIN_TEST_STIMULI) -> RegressionMetric:
    """PLS predictivity metric (see :class:`~dynamic_vision.metric_kinds.regression.RegressionMetric`).

    Parameters
    ----------
    n_components
        PLS components.
    scale
        Standardise features and targets inside PLS.
    splits, stratify_coord
        Outer splits (default: 10 shuffle splits, 90 % train, seed 0, stratified when the
        target has ``stratify_coord``).
    dtype, device, progress
        Solver precision and device; progress bars.
    n_bootstrap, min_test_stimuli
        BCa bootstrap resamples over neuroids (0 skips it); the guard on test split sizes.
    """
    regression = PLSRegression(n_components=n_components, scale=scale, dtype=dtype,
                               device=device)
    return RegressionMetric(regression, splits=splits, stratify_coord=stratify_coord,
                            progress=progress, n_bootstrap=n_bootstrap,
                            min_test_stimuli=min_test_stimuli)
