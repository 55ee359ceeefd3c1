"""Berezutskaya 2021 movie fMRI benchmark (bring your own files); see ``benchmark.py``."""

from dynamic_vision.core.benchmark import BenchmarkSpec, register_benchmark

# The conformance suite's tiny model gives one feature vector per stimulus, constant over a
# whole movie: nothing for an HRF to follow. The planted-response tests score real features.
_TINY_MODEL_GAP = ("the tiny model's features do not vary within a movie; movie fMRI needs "
                   "time-varying features")

#: Why raw / sqrt(ceiling): see dynamic_vision.core.scores and docs/metrics.md.
_WHY = ("per-voxel Pearson r with the repetition-averaged time series, ceiled by the median "
        "Spearman-Brown odd/even reliability c of that average over the same reliable voxels as "
        "the median r: a noise-free model reaches sqrt(c), so raw / sqrt(c) puts the truth at 1")

register_benchmark(BenchmarkSpec(
    "Berezutskaya2021.cortex-ridge", kind="fmri", version=2, region="cortex", metric="ridge (HRF)",
    ceiling="split-half over subjects", ceiling_convention="disattenuated",
    ceiling_convention_reason=_WHY, dataset="Berezutskaya2021.fMRI",
    stimulus_set="Berezutskaya2021", visual_degrees=20.0, simulated=False,
    expected_failures={"check_benchmark_scores_tiny_model": _TINY_MODEL_GAP},
    extra={"access": "user-supplied"}), "dynamic_vision.benchmarks.berezutskaya2021.benchmark:cortex_ridge")
