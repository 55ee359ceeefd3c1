"""Ordinary least-squares predictivity (minimum-norm solution when features exceed stimuli)."""

from dynamic_vision.metric_kinds.spec import MetricSpec, register_metric

register_metric(MetricSpec(
    "linear", version=1, family="regression", ceiling="split_half_ceiling",
    extra={"mapping": "least squares (minimum norm)",
           "splits": "10 shuffle splits, 90% train, stratified by category when present",
           "aggregation": "median over neuroids, mean over time bins and splits",
           "reference": "scikit-learn LinearRegression"}),
    "dynamic_vision.metrics.linear.metric:build")
