"""Rajalingham2018: humans' object-discrimination behaviour on the objectome images (I2n).

The declaration and its registration; see ``benchmark.py``.
"""

from dynamic_vision.core.benchmark import BenchmarkSpec, register_benchmark

register_benchmark(BenchmarkSpec(
    "Rajalingham2018.objects-i2n", kind="behaviour", version=2, metric="i2n",
    ceiling="behavioral_ceiling (I2n, split-half within images)",
    ceiling_convention="disattenuated",
    ceiling_convention_reason="Pearson r between the model's I2n signature and that of all "
    "the trials, ceiled by the Spearman-Brown split-half reliability c of the trials' "
    "signature: a noise-free model reaches sqrt(c), so raw / sqrt(c) puts the truth at 1",
    dataset="Rajalingham2018.public", stimulus_set="objectome.public", visual_degrees=8.0,
    split="fitting and test images disjoint: half of objectome.public each, by object"),
    "dynamic_vision.benchmarks.rajalingham2018.benchmark:i2n")
