"""Berezutskaya 2021 movie fMRI benchmark (bring your own files); see ``benchmark.py``."""

from dynamic_vision.core.registry import benchmark_registry

# The conformance suite's tiny model gives one feature vector per stimulus, constant over a
# whole movie: nothing for an HRF to follow. The planted-response tests score real features.
_TINY_MODEL_GAP = ("the tiny model's features do not vary within a movie; movie fMRI needs "
                   "time-varying features")

benchmark_registry.register(
    "Berezutskaya2021.cortex-ridge",
    "dynamic_vision.benchmarks.berezutskaya2021.benchmark:cortex_ridge",
    version=1, kind="fmri", region="cortex", metric="ridge (HRF)",
    ceiling="split-half over subjects", ceiling_convention="ratio", dataset="Berezutskaya2021.fMRI",
    stimulus_set="Berezutskaya2021", simulated=False, access="user-supplied",
    expected_failures={"check_benchmark_scores_tiny_model": _TINY_MODEL_GAP})
