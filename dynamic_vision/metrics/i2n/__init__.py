"""Image-level behavioural consistency (Rajalingham et al., 2018): I2n and I1n."""

from dynamic_vision.core.registry import metric_registry

for _signature in ("i2n", "i1n"):
    metric_registry.register(
        _signature, f"dynamic_vision.metrics.i2n.metric:build_{_signature}",
        version=1, family="behavior", input_kind="behavior", signature=_signature,
        procedure="normalised d' signature of model and humans, Pearson r; "
                  "error: bootstrap over images",
        ceiling="behavioral_ceiling", reference="Rajalingham et al. 2018",
    )
