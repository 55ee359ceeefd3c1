"""RandomDots: direction discrimination of random-dot kinematograms (simulated stimuli).

The declaration and its registration; see ``benchmark.py``.
"""

from dynamic_vision.core.benchmark import BenchmarkSpec, register_benchmark

register_benchmark(BenchmarkSpec(
    "RandomDots.direction-logistic", kind="task", version=2, region="MT",
    stimulus_set="RandomDots", simulated=True, ceiling_convention="none",
    ceiling_convention_reason="decoding accuracy has no data ceiling; it is reported raw, "
    "beside chance, and never averaged with ceiled neural scores", visual_degrees=8.0,
    split="half of the clips held out, by direction and coherence",
    extra={"task": "classification", "label": "direction (8 classes)",
           "probe": "logistic regression, 5 stratified folds", "condition": "coherence",
           "chance": 0.125}), "dynamic_vision.benchmarks.randomdots.benchmark:build")
