"""Something-Something v2 subset action decoding (bring your own files); see ``benchmark.py``."""

from dynamic_vision.core.benchmark import BenchmarkSpec, register_benchmark

register_benchmark(BenchmarkSpec(
    "SSv2Subset.action-logistic", kind="task", version=2, region="IT",
    metric="logistic probe accuracy", ceiling="none", stimulus_set="SSv2Subset",
    ceiling_convention="none",
    ceiling_convention_reason="decoding accuracy has no data ceiling; it is reported raw, "
    "beside chance, and never averaged with ceiled neural scores",
    visual_degrees=8.0, simulated=False, extra={"access": "registration"}),
    "dynamic_vision.benchmarks.ssv2_subset.benchmark:action_logistic")
