"""SimMotion benchmarks: simulated V1 and MT recordings to gratings, plaids and random dots.

The declarations and their registration; see ``benchmark.py``. The data are SIMULATED
(the ``SimMotion`` data plugin): these benchmarks test the pipeline and rank models by how well
they recover a known motion-energy ground truth, not by how brain-like they are.
"""

from dynamic_vision.core.benchmark import BenchmarkSpec, register_benchmark

_TARGET = "dynamic_vision.benchmarks.simmotion.benchmark"
# SimMotion clips span 8 degrees of visual angle (a typical receptive-field mapping screen).
_COMMON = dict(kind="neural", version=3, stimulus_set="SimMotion", simulated=True,
               ceiling_convention="disattenuated", visual_degrees=8.0,
               time_bins="20 x 50 ms, 0-1000 ms", split="3/4 of the clips held out, by category")

for _region in ("V1", "MT"):
    register_benchmark(BenchmarkSpec(
        f"SimMotion.{_region}-ridge", region=_region, metric="ridge",
        dataset=f"SimMotion.{_region}", ceiling="split_half_ceiling on each test split",
        ceiling_convention_reason="per-unit Pearson r with the trial-averaged simulated rates, "
        "ceiled by the Spearman-Brown split-half reliability c of that average on the same "
        "test splits: the noise-free generator reaches sqrt(c), so raw / sqrt(c) puts it at 1",
        **_COMMON), f"{_TARGET}:ridge")
register_benchmark(BenchmarkSpec(
    "SimMotion.MT-rdm", region="MT", metric="rsa", dataset="SimMotion.MT",
    ceiling="rsa_ceiling",
    ceiling_convention_reason="RDM correlation with the RDM of the trial-averaged rates, ceiled "
    "by the Spearman-Brown split-half reliability c of that RDM: the noise-free generator's "
    "RDM reaches about sqrt(c), so raw / sqrt(c) puts it near 1", **_COMMON), f"{_TARGET}:rdm")
