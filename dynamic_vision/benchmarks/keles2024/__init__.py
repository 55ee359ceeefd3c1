"""Keles 2024 movie fMRI benchmark (bring your own files); see ``benchmark.py``."""

from dynamic_vision.registry import benchmark_registry

benchmark_registry.register(
    "Keles2024.cortex-ridge", "dynamic_vision.benchmarks.keles2024.benchmark:cortex_ridge",
    version=1, kind="fmri", region="cortex", metric="ridge (HRF)",
    ceiling="split-half over runs", ceiling_convention="ratio", dataset="Keles2024.fMRI",
    stimulus_set="Keles2024", simulated=False, access="user-supplied")
