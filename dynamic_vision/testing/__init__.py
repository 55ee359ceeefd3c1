"""Executable plugin contracts, in the manner of scikit-learn's ``check_estimator``.

Each plugin kind has a list of small, named checks. ``check_model("r3d_18")`` runs every model
check on one registered model and raises on the first failure; :func:`parametrize_with_checks`
turns the same checks into pytest parameters so a test suite reports each check separately::

    from dynamic_vision.testing import parametrize_with_checks

    @parametrize_with_checks("model")
    def test_models(identifier, check):
        check(identifier)

Checks load plugins in their *test configuration*: models with random weights
(``pretrained=False``) and tiny inputs, benchmarks with a tiny model. A plugin that cannot pass a
check for a good reason declares it in its registration metadata as
``expected_failures={"check_name": "reason"}``; such checks are marked ``xfail`` with that reason.
"""

from __future__ import annotations

from dynamic_vision.testing.checks import (
    CHECKS,
    check,
    check_benchmark,
    check_dataset,
    check_metric,
    check_model,
    check_stimulus_set,
    parametrize_with_checks,
)

__all__ = [
    "CHECKS",
    "check",
    "check_model",
    "check_benchmark",
    "check_metric",
    "check_dataset",
    "check_stimulus_set",
    "parametrize_with_checks",
]
