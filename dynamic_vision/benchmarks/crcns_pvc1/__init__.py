"""CRCNS pvc-1 V1 benchmark (bring your own files); see ``benchmark.py``."""

from dynamic_vision.core.benchmark import BenchmarkSpec, register_benchmark

register_benchmark(BenchmarkSpec(
    "CRCNS.pvc1.V1-ridge", kind="neural", version=2, region="V1", metric="ridge",
    ceiling="split_half_ceiling", ceiling_convention="disattenuated",
    ceiling_convention_reason="per-unit Pearson r with the trial-averaged spike counts, ceiled "
    "by the Spearman-Brown split-half reliability c of that average: a noise-free model "
    "reaches sqrt(c), so raw / sqrt(c) puts the truth at 1", dataset="CRCNS.pvc1.V1",
    stimulus_set="CRCNS.pvc1", visual_degrees=20.0, simulated=False,
    time_bins="those of the prepared recordings", extra={"access": "registration"}),
    "dynamic_vision.benchmarks.crcns_pvc1.benchmark:v1_ridge")
