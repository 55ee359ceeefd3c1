"""SimMotion benchmarks: simulated V1 and MT recordings to gratings, plaids and random dots.

Registration only; see ``benchmark.py``. The data are SIMULATED (``dynamic_vision.data.simmotion``):
these benchmarks test the pipeline and rank models by how well they recover a known motion-energy
ground truth, not by how brain-like they are.
"""

from dynamic_vision.core.registry import benchmark_registry

_TARGET = "dynamic_vision.benchmarks.simmotion.benchmark"

benchmark_registry.register(
    "SimMotion.V1-ridge", f"{_TARGET}:v1_ridge", version=2, kind="neural", region="V1",
    metric="ridge", ceiling="split_half_ceiling on each test split", ceiling_convention="ratio",
    dataset="SimMotion.V1", stimulus_set="SimMotion", simulated=True,
    time_bins="20 x 50 ms, 0-1000 ms", split="3/4 of the clips held out, by category")
benchmark_registry.register(
    "SimMotion.MT-ridge", f"{_TARGET}:mt_ridge", version=2, kind="neural", region="MT",
    metric="ridge", ceiling="split_half_ceiling on each test split", ceiling_convention="ratio",
    dataset="SimMotion.MT", stimulus_set="SimMotion", simulated=True,
    time_bins="20 x 50 ms, 0-1000 ms", split="3/4 of the clips held out, by category")
benchmark_registry.register(
    "SimMotion.MT-rdm", f"{_TARGET}:mt_rdm", version=2, kind="neural", region="MT",
    metric="rsa", ceiling="rsa_ceiling", ceiling_convention="ratio",
    dataset="SimMotion.MT", stimulus_set="SimMotion", simulated=True,
    time_bins="20 x 50 ms, 0-1000 ms", split="3/4 of the clips held out, by category")
