"""PLS regression predictivity (Brain-Score's exact configuration is ``brainscore.pls``)."""

from dynamic_vision.metric_kinds.spec import MetricSpec, register_metric

register_metric(MetricSpec(
    "pls", version=1, family="regression", ceiling="split_half_ceiling",
    extra={"mapping": "PLS regression, 25 components",
           "splits": "10 shuffle splits, 90% train, seed 0, stratified by category when present",
           "aggregation": "median over neuroids, mean over time bins and splits",
           "reference": "scikit-learn PLSRegression(scale=False)"}),
    "dynamic_vision.metrics.pls.metric:build")
