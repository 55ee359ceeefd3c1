"""Something-Something v2 subset action decoding (bring your own files); see ``benchmark.py``."""

from dynamic_vision.core.registry import benchmark_registry

benchmark_registry.register(
    "SSv2Subset.action-logistic",
    "dynamic_vision.benchmarks.ssv2_subset.benchmark:action_logistic", version=1,
    kind="task", region="IT", metric="logistic probe accuracy", ceiling="none",
    stimulus_set="SSv2Subset", simulated=False, access="registration")
