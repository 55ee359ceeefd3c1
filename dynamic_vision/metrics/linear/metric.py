"""The ``linear`` metric: least-squares regression predictivity."""

from __future__ import annotations

from dynamic_vision.statistics.linear_models.least_squares import LeastSquaresRegression
from dynamic_vision.metric_kinds.inputs import MIN_TEST_STIMULI
from dynamic_vision.metric_kinds.regression import RegressionMetric
from dynamic_vision.statistics.splits import Splitter

__all__ = ["build"]


def build(splits: Splitter | None = None, stratify_coord: str | None = "category",
          dtype: str = "float64", device: str | None = None,
          progress: bool = False, n_bootstrap: int = 1000,
          min_test_stimuli: int = MIN_TEST_STIMULI) -> RegressionMetric:
    """Least-squares predictivity metric (see
    :class:`~dynamic_vision.metric_kinds.regression.RegressionMetric`)."""
    regression = LeastSquaresRegression(dtype=dtype, device=device)
    return RegressionMetric(regression, splits=splits, stratify_coord=stratify_coord,
                            progress=progress, n_bootstrap=n_bootstrap,
                            min_test_stimuli=min_test_stimuli)
