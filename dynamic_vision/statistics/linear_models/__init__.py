"""Linear mappings from model features to recordings, in torch: ridge, PLS, least squares,
and logistic regression for decoding. Each is a scikit-learn-style estimator
(``fit``/``predict``, learned attributes ending in ``_``). The names below are imported on
first use, so that the numpy-only modules (e.g. ``logistic_newton``) load without torch."""

from dynamic_vision.core.exports import lazy_exports

_NAMES = {
    "RidgeCVRegression": "dynamic_vision.statistics.linear_models.ridge",
    "DEFAULT_ALPHAS": "dynamic_vision.statistics.linear_models.ridge",
    "cross_predict": "dynamic_vision.statistics.linear_models.kernel",
}
__all__ = ["RidgeCVRegression", "DEFAULT_ALPHAS", "cross_predict"]
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
