"""Sava-Segal 2023 movie fMRI benchmark (bring your own files); see ``benchmark.py``."""

from dynamic_vision.registry import benchmark_registry

benchmark_registry.register(
    "Savasegal2023.cortex-ridge",
    "dynamic_vision.benchmarks.savasegal2023.benchmark:cortex_ridge",
    version=1, kind="fmri", region="cortex", metric="ridge (HRF)",
    ceiling="split-half over subjects", ceiling_convention="ratio",
    dataset="Savasegal2023.fMRI",
    stimulus_set="Savasegal2023", simulated=False, access="request")
