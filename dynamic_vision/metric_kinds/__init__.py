"""Metric kinds: what metric plugins instantiate (regression, representational and behavioural
comparisons) and how they read their inputs. The metric-authoring API (names below) is imported on
first use.
"""

from dynamic_vision.core.exports import lazy_exports

_NAMES = {
    "MetricSpec": "dynamic_vision.metric_kinds.spec",
    "register_metric": "dynamic_vision.metric_kinds.spec",
    "RegressionMetric": "dynamic_vision.metric_kinds.regression",
    "RepresentationalMetric": "dynamic_vision.metric_kinds.representational",
    "BehavioralMetric": "dynamic_vision.metric_kinds.behavior",
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
