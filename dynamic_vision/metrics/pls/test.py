"""The pls metric (its solver is cross-checked against scikit-learn in tests/test_pls.py;
Brain-Score's exact PLS, ``brainscore.pls``, against Brain-Score's own numbers in
tests/test_brainscore_exact.py)."""

from dynamic_vision.testing import check_metric


def test_conformance():
    check_metric("pls")
