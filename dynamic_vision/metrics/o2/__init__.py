"""Object-level behavioural consistency (O2, Rajalingham et al., 2018)."""

from dynamic_vision.core.registry import metric_registry

metric_registry.register(
    "o2", "dynamic_vision.metrics.o2.metric:build",
    version=1, family="behavior", input_kind="behavior", signature="o2",
    procedure="object-by-object d' of model and humans, Pearson r; error: bootstrap over images",
    ceiling="behavioral_ceiling", reference="Rajalingham et al. 2018",
)
