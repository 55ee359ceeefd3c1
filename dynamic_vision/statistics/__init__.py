"""Statistics the metrics and benchmarks stand on: linear models, cross-validation splits,
correlations, noise ceilings, RSA arithmetic, inference (scipy's BCa bootstrap and permutation
tests) and Brain-Score's exact arithmetic (``statistics.brainscore``). The names below (ceilings,
splits and inference for plugin authors) are imported on first use.
"""

from dynamic_vision.core.exports import lazy_exports

_NAMES = {
    "split_half_ceiling": "dynamic_vision.statistics.ceilings",
    "rsa_ceiling": "dynamic_vision.statistics.ceilings",
    "behavioral_ceiling": "dynamic_vision.statistics.ceilings",
    "ShuffleSplits": "dynamic_vision.statistics.splits",
    "KFoldSplits": "dynamic_vision.statistics.splits",
    "ContiguousSplits": "dynamic_vision.statistics.splits",
    "ExplicitSplits": "dynamic_vision.statistics.splits",
    "bootstrap_interval": "dynamic_vision.statistics.inference",
    "permutation_p_value": "dynamic_vision.statistics.inference",
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
