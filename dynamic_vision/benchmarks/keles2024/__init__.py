"""Keles 2024 movie fMRI benchmark (bring your own files); see ``benchmark.py``."""

from dynamic_vision.core.benchmark import BenchmarkSpec, register_benchmark

# The conformance suite's tiny model gives one feature vector per stimulus, constant over a
# whole movie: nothing for an HRF to follow. The planted-response tests score real features.
_TINY_MODEL_GAP = ("the tiny model's features do not vary within a movie; movie fMRI needs "
                   "time-varying features")

register_benchmark(BenchmarkSpec(
    "Keles2024.cortex-ridge", kind="fmri", version=1, region="cortex", metric="ridge (HRF)",
    ceiling="split-half over runs", ceiling_convention="ratio", dataset="Keles2024.fMRI",
    stimulus_set="Keles2024", visual_degrees=20.0, simulated=False,
    expected_failures={"check_benchmark_scores_tiny_model": _TINY_MODEL_GAP},
    extra={"access": "user-supplied"}), "dynamic_vision.benchmarks.keles2024.benchmark:cortex_ridge")
