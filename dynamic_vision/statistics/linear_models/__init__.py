"""Linear mappings from model features to recordings, in torch: ridge, PLS, least squares,
and logistic regression for decoding. Each is a scikit-learn-style estimator
(``fit``/``predict``, learned attributes ending in ``_``)."""

from dynamic_vision.statistics.linear_models.kernel import cross_predict
from dynamic_vision.statistics.linear_models.ridge import DEFAULT_ALPHAS, RidgeCVRegression

__all__ = ["RidgeCVRegression", "DEFAULT_ALPHAS", "cross_predict"]
