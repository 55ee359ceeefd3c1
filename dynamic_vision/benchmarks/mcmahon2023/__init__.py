"""McMahon 2023 social-video fMRI benchmark (bring your own files); see ``benchmark.py``."""

from dynamic_vision.core.benchmark import BenchmarkSpec, register_benchmark

register_benchmark(BenchmarkSpec(
    "McMahon2023.cortex-ridge", kind="neural", version=2, region="cortex", metric="ridge",
    ceiling="split_half_ceiling", ceiling_convention="disattenuated",
    ceiling_convention_reason="per-voxel Pearson r with the repetition-averaged betas, ceiled "
    "by the Spearman-Brown split-half reliability c of that average: a noise-free model "
    "reaches sqrt(c), so raw / sqrt(c) puts the truth at 1", dataset="McMahon2023.fMRI",
    stimulus_set="McMahon2023", visual_degrees=8.0, simulated=False,
    time_bins="1 x 3000 ms (betas)", extra={"access": "request"}),
    "dynamic_vision.benchmarks.mcmahon2023.benchmark:cortex_ridge")
