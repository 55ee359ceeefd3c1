"""Image-level behavioural consistency (Rajalingham et al., 2018): I2n and I1n."""

from dynamic_vision.metric_kinds.spec import MetricSpec, register_metric

for _signature in ("i2n", "i1n"):
    register_metric(MetricSpec(
        _signature, version=2, family="behavior", input_kind="behavior", ceiling="behavioral_ceiling",
        extra={"signature": _signature,
               "procedure": "normalised d' signature of model and humans, Pearson r; "
                  "error: BCa bootstrap over images (scipy); p-value: permutation test (scipy)",
               "reference": "Rajalingham et al. 2018"}),
        f"dynamic_vision.metrics.i2n.metric:build_{_signature}")
