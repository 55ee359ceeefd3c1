"""RandomDots direction discrimination: an engineering task on synthetic random-dot clips.

Registration only; see ``benchmark.py``.
"""

from dynamic_vision.core.registry import benchmark_registry

benchmark_registry.register(
    "RandomDots.direction-logistic", "dynamic_vision.benchmarks.randomdots.benchmark:build",
    version=1, kind="task", task="classification", label="direction (8 classes)",
    probe="logistic regression, 5 stratified folds", condition="coherence", region="MT",
    stimulus_set="RandomDots", ceiling_convention="none", chance=0.125, simulated=True,
    split="half of the clips held out, by direction and coherence")
