"""FreemanZiemba2013 benchmarks: macaque V1 and V2 responses to textures and noise (50-200 ms).

The declarations and their registration; see ``benchmark.py``. ``-pls`` follows Brain-Score's
public benchmarks; ``-ridge`` is this library's default (ridge, held-out images, 50 ms bins).
"""

from dynamic_vision.core.benchmark import BenchmarkSpec, register_benchmark

_TARGET = "dynamic_vision.benchmarks.freemanziemba2013.benchmark"
_COMMON = dict(kind="neural", version=1, dataset="FreemanZiemba2013.public",
               stimulus_set="FreemanZiemba2013.aperture-public", visual_degrees=4.0,
               ceiling="split_half_ceiling")

for _region in ("V1", "V2"):
    register_benchmark(BenchmarkSpec(
        f"FreemanZiemba2013.{_region}-pls", region=_region, metric="pls-brainscore",
        ceiling_convention="explained_variance", time_bins="50-200 ms (mean of 1 ms bins)",
        split="none: 10 shuffle splits of all 135 images inside the metric, by texture_type",
        extra={"brainscore_equivalent": f"FreemanZiemba2013public.{_region}-pls"}, **_COMMON),
        f"{_TARGET}:pls")
    register_benchmark(BenchmarkSpec(
        f"FreemanZiemba2013.{_region}-ridge", region=_region, metric="ridge",
        ceiling_convention="ratio", time_bins="3 x 50 ms, 50-200 ms",
        split="half of the images held out, stratified by texture_type", **_COMMON),
        f"{_TARGET}:ridge")
