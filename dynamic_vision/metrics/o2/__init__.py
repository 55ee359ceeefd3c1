"""Object-level behavioural consistency (O2, Rajalingham et al., 2018)."""

from dynamic_vision.metric_kinds.spec import MetricSpec, register_metric

register_metric(MetricSpec(
    "o2", version=2, family="behavior", input_kind="behavior", ceiling="behavioral_ceiling",
    extra={"signature": "o2",
           "procedure": "object-by-object d' of model and humans, Pearson r; error: BCa bootstrap over images (scipy); p-value: permutation test (scipy)",
           "reference": "Rajalingham et al. 2018"}),
    "dynamic_vision.metrics.o2.metric:build")
