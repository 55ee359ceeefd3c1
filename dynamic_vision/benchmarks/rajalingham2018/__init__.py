"""Rajalingham2018 benchmark: image-level object-discrimination behaviour (I2n).

Registration only; see ``benchmark.py``. Unlike Brain-Score's ``Rajalingham2018public-i2n``,
which fits the model's read-out and tests it on the same 2,160 public images, this benchmark
fits on one half of the public images and tests on the other half (stratified by object).
"""

from dynamic_vision.core.registry import benchmark_registry

benchmark_registry.register(
    "Rajalingham2018.objects-i2n", "dynamic_vision.benchmarks.rajalingham2018.benchmark:i2n",
    version=1, kind="behaviour", metric="i2n", ceiling="behavioral_ceiling (I2n, split-half within images)",
    ceiling_convention="ratio", dataset="Rajalingham2018.public",
    stimulus_set="objectome.public", visual_degrees=8,
    split="fitting and test images disjoint: half of objectome.public each, by object")
