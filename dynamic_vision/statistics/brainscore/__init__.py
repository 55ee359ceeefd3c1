"""Brain-Score's exact arithmetic (brainscore-vision 2.4.2), on numpy arrays.

These modules compute what Brain-Score computes, to 1e-9 on the same inputs and splits (the
test ``tests/test_brainscore_exact.py`` compares every item with values written by Brain-Score's
own code, ``tests/reference/brainscore_vision/``). The facts were taken from Brain-Score; the
code is this library's, with scikit-learn's estimators run at Brain-Score's settings (which is
what Brain-Score runs).

- :mod:`~dynamic_vision.statistics.brainscore.splits` — the cross-validation splits, repetition
  halves and trial halves Brain-Score draws, and its ridge alpha list;
- :mod:`~dynamic_vision.statistics.brainscore.regression` — PLS / ridge / least squares / RidgeCV
  predictivity with per-neuroid Pearson r, median over neuroids, mean over splits;
- :mod:`~dynamic_vision.statistics.brainscore.ceilings` — the internal-consistency ceiling;
- :mod:`~dynamic_vision.statistics.brainscore.similarity` — RDM and CKA (both estimators), on all
  stimuli or on the test parts of Brain-Score's test-only splits;
- :mod:`~dynamic_vision.statistics.brainscore.behavior` — I2n, I1n and I1 with their trial halves
  and ceilings.

The metrics that read assemblies are :mod:`dynamic_vision.metric_kinds.brainscore`; the
``brainscore.*`` metric plugins register them (``docs/metrics.md`` maps Brain-Score's names).
"""

from dynamic_vision.core.exports import lazy_exports

_NAMES = {
    "ALPHA_LIST": "dynamic_vision.statistics.brainscore.splits",
    "stimulus_splits": "dynamic_vision.statistics.brainscore.splits",
    "repetition_halves": "dynamic_vision.statistics.brainscore.splits",
    "trial_halves": "dynamic_vision.statistics.brainscore.splits",
    "ESTIMATORS": "dynamic_vision.statistics.brainscore.regression",
    "cross_regressed_correlation": "dynamic_vision.statistics.brainscore.regression",
    "internal_consistency": "dynamic_vision.statistics.brainscore.ceilings",
    "rdm_similarity": "dynamic_vision.statistics.brainscore.similarity",
    "cka_unbiased": "dynamic_vision.statistics.brainscore.similarity",
    "cka_biased": "dynamic_vision.statistics.brainscore.similarity",
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
