"""Allen Neuropixels natural-movie benchmarks, one per visual area (mouse, one session).

The declarations and their registration; see ``benchmark.py``.
"""

from dynamic_vision.core.benchmark import BenchmarkSpec, register_benchmark

#: Why raw / sqrt(ceiling): see dynamic_vision.core.scores and docs/metrics.md.
_WHY = ("per-unit Pearson r with the trial-averaged firing rates, ceiled by the Spearman-Brown "
        "split-half reliability c of that average: a noise-free model reaches sqrt(c), so "
        "raw / sqrt(c) puts the truth at 1")

AREAS = ("VISp", "VISl", "VISal", "VISam", "VISpm", "VISrl", "LGd", "LP")

for _area in AREAS:
    # The monitor spanned about 120 x 95 degrees of the mouse's visual field; the movie filled it.
    register_benchmark(BenchmarkSpec(
        f"AllenNeuropixels.{_area}-ridge", kind="neural", version=2, region=_area,
        metric="ridge", ceiling="split_half_ceiling", ceiling_convention="disattenuated",
        ceiling_convention_reason=_WHY,
        dataset="AllenNeuropixels.ses-715093703",
        stimulus_set="AllenNeuropixels.natural_movie_one", visual_degrees=120.0,
        simulated=False, time_bins="5 x 100 ms per 0.5 s clip (frame-aligned)",
        split="half of the clips held out; 3-fold ridge over the 30 held-out clips", extra={"species": "mouse"}),
        "dynamic_vision.benchmarks.allen_neuropixels.benchmark:build",
        requires={"pynwb": "dynamic-vision[nwb]"})
