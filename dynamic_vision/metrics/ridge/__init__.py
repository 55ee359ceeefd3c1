"""Ridge regression predictivity: per-target alpha by efficient leave-one-out, per-neuroid r."""

from dynamic_vision.core.registry import metric_registry

metric_registry.register(
    "ridge", "dynamic_vision.metrics.ridge.metric:build",
    version=1, family="regression", mapping="ridge (per-neuroid alpha, leave-one-out)",
    splits="10 shuffle splits, 90% train, stratified by category when present",
    aggregation="median over neuroids, mean over time bins and splits",
    ceiling="split_half_ceiling", reference="scikit-learn RidgeCV(alpha_per_target=True)",
)
