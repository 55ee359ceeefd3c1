"""MajajHong2015 benchmarks: macaque V4 and IT multi-unit responses to HvM images (70-170 ms).

Registration only; see ``benchmark.py``. ``-pls`` follows Brain-Score's public benchmarks
(PLS, 10 stratified splits, explained-variance ceiling, every public image scored);
``-ridge`` is this library's default (ridge, a held-out half of the images, layer selection on
the public half).
"""

from dynamic_vision.core.registry import benchmark_registry

_TARGET = "dynamic_vision.benchmarks.majajhong2015.benchmark"

for _region in ("V4", "IT"):
    benchmark_registry.register(
        f"MajajHong2015.{_region}-pls", f"{_TARGET}:{_region.lower()}_pls", version=1,
        kind="neural", region=_region, metric="pls-brainscore", ceiling="split_half_ceiling",
        ceiling_convention="explained_variance", dataset="MajajHong2015.public",
        stimulus_set="hvm-public", visual_degrees=8, time_bins="70-170 ms",
        split="none: 10 shuffle splits of all 3,200 images inside the metric",
        brainscore_equivalent=f"MajajHong2015public.{_region}-pls")
    benchmark_registry.register(
        f"MajajHong2015.{_region}-ridge", f"{_TARGET}:{_region.lower()}_ridge", version=1,
        kind="neural", region=_region, metric="ridge", ceiling="split_half_ceiling",
        ceiling_convention="ratio", dataset="MajajHong2015.public", stimulus_set="hvm-public",
        visual_degrees=8, time_bins="70-170 ms",
        split="half of the images held out, stratified by object_name")
