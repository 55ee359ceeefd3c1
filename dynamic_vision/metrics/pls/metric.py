"""The ``pls`` and ``pls-brainscore`` metrics."""

from __future__ import annotations

from dynamic_vision.statistics.linear_models.pls import PLSRegression
from dynamic_vision.metric_kinds.regression import RegressionMetric
from dynamic_vision.statistics.splits import ShuffleSplits, Splitter

__all__ = ["build", "build_brainscore"]


def build(n_components: int = 25, scale: bool = False, splits: Splitter | None = None,
          stratify_coord: str | None = "category", dtype: str = "float64",
          device: str | None = None, progress: bool = False) -> RegressionMetric:
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
    """
    regression = PLSRegression(n_components=n_components, scale=scale, dtype=dtype,
                               device=device)
    return RegressionMetric(regression, splits=splits, stratify_coord=stratify_coord,
                            progress=progress)


def build_brainscore(progress: bool = False, device: str | None = None) -> RegressionMetric:
    """Brain-Score's neural predictivity: PLS (25 components, ``scale=False``), 10 shuffle
    splits with 90 % training stimuli stratified by ``object_name`` (when present) and seed 1,
    per-neuroid Pearson r, median over neuroids, mean over splits, error std / √n.

    Benchmarks using it ceil with the ``"explained_variance"`` convention (``(raw / ceiling)²``).
    """
    splits_by_object = "object_name"
    regression = PLSRegression(n_components=25, scale=False, dtype="float64", device=device)
    return _BrainScoreRegression(regression, splits_seed=1, stratify_coord=splits_by_object,
                                 progress=progress)


class _BrainScoreRegression(RegressionMetric):
    """RegressionMetric whose default splits stratify by object_name only when present."""

    def __init__(self, regression, splits_seed: int, stratify_coord: str, progress: bool):
        super().__init__(regression, splits=None, stratify_coord=stratify_coord,
                         progress=progress)
        self.splits_seed = splits_seed

    def _splitter(self, target) -> Splitter:
        stratify = self.stratify_coord if self.stratify_coord in target.coords else None
        return ShuffleSplits(n_splits=10, train_size=0.9, seed=self.splits_seed,
                             stratify_coord=stratify)
