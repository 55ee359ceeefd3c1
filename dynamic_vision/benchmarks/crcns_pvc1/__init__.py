"""CRCNS pvc-1 V1 benchmark (bring your own files); see ``benchmark.py``."""

from dynamic_vision.core.registry import benchmark_registry

benchmark_registry.register(
    "CRCNS.pvc1.V1-ridge", "dynamic_vision.benchmarks.crcns_pvc1.benchmark:v1_ridge",
    version=1, kind="neural", region="V1", metric="ridge", ceiling="split_half_ceiling",
    ceiling_convention="ratio", dataset="CRCNS.pvc1.V1", stimulus_set="CRCNS.pvc1",
    simulated=False, access="registration", time_bins="those of the prepared recordings")
