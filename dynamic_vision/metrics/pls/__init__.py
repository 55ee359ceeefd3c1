"""PLS regression predictivity, and the Brain-Score-compatible configuration."""

from dynamic_vision.metric_kinds.spec import MetricSpec, register_metric

register_metric(MetricSpec(
    "pls", version=1, family="regression", ceiling="split_half_ceiling",
    extra={"mapping": "PLS regression, 25 components",
           "splits": "10 shuffle splits, 90% train, seed 0, stratified by category when present",
           "aggregation": "median over neuroids, mean over time bins and splits",
           "reference": "scikit-learn PLSRegression(scale=False)"}),
    "dynamic_vision.metrics.pls.metric:build")
register_metric(MetricSpec(
    "pls-brainscore", version=1, family="regression", ceiling="split_half_ceiling", ceiling_convention="explained_variance",
    extra={"mapping": "PLS regression, 25 components, scale=False",
           "splits": "10 stratified shuffle splits (object_name), 90% train, seed 1",
           "aggregation": "per-neuroid Pearson r, median over neuroids, mean over splits; "
                "error std/sqrt(n_splits)",
           "reference": "Brain-Score neural predictivity (pls_regression + CrossRegressedCorrelation)"}),
    "dynamic_vision.metrics.pls.metric:build_brainscore")
