"""Allen Visual Coding Neuropixels benchmarks: per visual area, ridge per time bin.

Registration only; see ``benchmark.py``.
"""

from dynamic_vision.core.registry import benchmark_registry

_TARGET = "dynamic_vision.benchmarks.allen_neuropixels.benchmark"
AREAS = ("VISp", "VISl", "VISal", "VISam", "VISpm", "VISrl", "LGd", "LP")

for _area in AREAS:
    benchmark_registry.register(
        f"AllenNeuropixels.{_area}-ridge", f"{_TARGET}:{_area.lower()}_ridge", version=1,
        kind="neural", region=_area,
        metric="ridge", ceiling="split_half_ceiling", ceiling_convention="ratio",
        dataset="AllenNeuropixels.ses-715093703", stimulus_set="AllenNeuropixels.natural_movie_one",
        simulated=False, species="mouse", time_bins="5 x 100 ms per 0.5 s clip (frame-aligned)",
        split="half of the clips held out", requires={"pynwb": "dynamic-vision[nwb]"})
