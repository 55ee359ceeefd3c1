"""Kinetics-400 subset action decoding (bring your own files); see ``benchmark.py``."""

from dynamic_vision.core.registry import benchmark_registry

benchmark_registry.register(
    "Kinetics400Subset.action-logistic",
    "dynamic_vision.benchmarks.kinetics400_subset.benchmark:action_logistic", version=1,
    kind="task", region="IT", metric="logistic probe accuracy", ceiling="none",
    stimulus_set="Kinetics400Subset", simulated=False, access="user-supplied")
