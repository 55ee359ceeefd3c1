"""McMahon 2023 social-video fMRI benchmark (bring your own files); see ``benchmark.py``."""

from dynamic_vision.core.registry import benchmark_registry

benchmark_registry.register(
    "McMahon2023.cortex-ridge", "dynamic_vision.benchmarks.mcmahon2023.benchmark:cortex_ridge",
    version=1, kind="neural", region="cortex", metric="ridge",
    ceiling="split_half_ceiling", ceiling_convention="ratio", dataset="McMahon2023.fMRI",
    stimulus_set="McMahon2023", simulated=False, access="request",
    time_bins="1 x 3000 ms (betas)")
