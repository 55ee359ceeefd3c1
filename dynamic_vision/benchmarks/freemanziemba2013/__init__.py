"""FreemanZiemba2013 benchmarks: macaque V1 and V2 single units responding to textures.

Registration only; see ``benchmark.py``. ``-pls`` follows Brain-Score's public benchmarks
(one 50-200 ms bin, PLS stratified by texture type, explained-variance ceiling); ``-ridge`` is
this library's default (three 50 ms bins over 50-200 ms, held-out images, layer selection).
"""

from dynamic_vision.core.registry import benchmark_registry

_TARGET = "dynamic_vision.benchmarks.freemanziemba2013.benchmark"

for _region in ("V1", "V2"):
    benchmark_registry.register(
        f"FreemanZiemba2013.{_region}-pls", f"{_TARGET}:{_region.lower()}_pls", version=1,
        kind="neural", region=_region, metric="pls-brainscore", ceiling="split_half_ceiling",
        ceiling_convention="explained_variance", dataset="FreemanZiemba2013.public",
        stimulus_set="FreemanZiemba2013.aperture-public", visual_degrees=4,
        time_bins="50-200 ms (mean of 1 ms bins)",
        split="none: 10 shuffle splits of all 135 images inside the metric, by texture_type",
        brainscore_equivalent=f"FreemanZiemba2013public.{_region}-pls")
    benchmark_registry.register(
        f"FreemanZiemba2013.{_region}-ridge", f"{_TARGET}:{_region.lower()}_ridge", version=1,
        kind="neural", region=_region, metric="ridge", ceiling="split_half_ceiling",
        ceiling_convention="ratio", dataset="FreemanZiemba2013.public",
        stimulus_set="FreemanZiemba2013.aperture-public", visual_degrees=4,
        time_bins="3 x 50 ms, 50-200 ms",
        split="half of the images held out, stratified by texture_type")
