"""Berezutskaya 2021 movie fMRI benchmark (bring your own files); see ``benchmark.py``."""

from dynamic_vision.registry import benchmark_registry

benchmark_registry.register(
    "Berezutskaya2021.cortex-ridge",
    "dynamic_vision.benchmarks.berezutskaya2021.benchmark:cortex_ridge",
    version=1, kind="fmri", region="cortex", metric="ridge (HRF)",
    ceiling="split-half over subjects", ceiling_convention="ratio", dataset="Berezutskaya2021.fMRI",
    stimulus_set="Berezutskaya2021", simulated=False, access="user-supplied")
