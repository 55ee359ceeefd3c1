"""Ridge regression predictivity: per-target alpha by efficient leave-one-out, per-neuroid r."""

from dynamic_vision.metric_kinds.spec import MetricSpec, register_metric

register_metric(MetricSpec(
    "ridge", version=1, family="regression", ceiling="split_half_ceiling",
    extra={"mapping": "ridge (per-neuroid alpha, leave-one-out)",
           "splits": "10 shuffle splits, 90% train, stratified by category when present",
           "aggregation": "median over neuroids, mean over time bins and splits",
           "reference": "scikit-learn RidgeCV(alpha_per_target=True)"}),
    "dynamic_vision.metrics.ridge.metric:build")
