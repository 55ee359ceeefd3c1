"""Ordinary least-squares predictivity (minimum-norm solution when features exceed stimuli)."""

from dynamic_vision.core.registry import metric_registry

metric_registry.register(
    "linear", "dynamic_vision.metrics.linear.metric:build",
    version=1, family="regression", mapping="least squares (minimum norm)",
    splits="10 shuffle splits, 90% train, stratified by category when present",
    aggregation="median over neuroids, mean over time bins and splits",
    ceiling="split_half_ceiling", reference="scikit-learn LinearRegression",
)
