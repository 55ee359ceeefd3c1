"""Kinetics-400 subset action decoding (bring your own files); see ``benchmark.py``."""

from dynamic_vision.core.benchmark import BenchmarkSpec, register_benchmark

register_benchmark(BenchmarkSpec(
    "Kinetics400Subset.action-logistic", kind="task", version=2, region="IT",
    metric="logistic probe accuracy", ceiling="none", stimulus_set="Kinetics400Subset",
    ceiling_convention="none",
    ceiling_convention_reason="decoding accuracy has no data ceiling; it is reported raw, "
    "beside chance, and never averaged with ceiled neural scores",
    visual_degrees=8.0, simulated=False, extra={"access": "user-supplied"}),
    "dynamic_vision.benchmarks.kinetics400_subset.benchmark:action_logistic")
