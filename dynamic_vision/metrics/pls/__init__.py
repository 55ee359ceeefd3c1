"""PLS regression predictivity, and the Brain-Score-compatible configuration."""

from dynamic_vision.core.registry import metric_registry

metric_registry.register(
    "pls", "dynamic_vision.metrics.pls.metric:build",
    version=1, family="regression", mapping="PLS regression, 25 components",
    splits="10 shuffle splits, 90% train, seed 0, stratified by category when present",
    aggregation="median over neuroids, mean over time bins and splits",
    ceiling="split_half_ceiling", reference="scikit-learn PLSRegression(scale=False)",
)
metric_registry.register(
    "pls-brainscore", "dynamic_vision.metrics.pls.metric:build_brainscore",
    version=1, family="regression", mapping="PLS regression, 25 components, scale=False",
    splits="10 stratified shuffle splits (object_name), 90% train, seed 1",
    aggregation="per-neuroid Pearson r, median over neuroids, mean over splits; "
                "error std/sqrt(n_splits)",
    ceiling="split_half_ceiling", ceiling_convention="explained_variance",
    reference="Brain-Score neural predictivity (pls_regression + CrossRegressedCorrelation)",
)
