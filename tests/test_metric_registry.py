"""Every built-in metric is registered lazily, described, and listing them imports no torch."""

import subprocess
import sys

from dynamic_vision.core.registry import metric_registry

BUILT_IN = {"ridge", "pls", "linear", "rsa", "cka", "cka-debiased",
            "logistic", "i2n", "i1n", "o2",
            *(f"brainscore.{name}" for name in ("pls", "ridge", "linear_predictivity", "ridgecv",
                                                "rdm", "rdm_cv", "cka", "cka_biased", "cka_cv",
                                                "i2n", "i1n", "i1"))}


def test_built_in_metrics_are_registered_and_described():
    assert BUILT_IN <= set(metric_registry.list())
    for identifier in BUILT_IN:
        info = metric_registry.info(identifier)
        assert info["kind"] == "metric"
        assert info["family"] in {"regression", "representational", "decoding", "behavior"}
        assert isinstance(info["target"], str) and ":" in info["target"]


def test_listing_metrics_imports_no_torch_or_sklearn():
    code = ("import sys; from dynamic_vision.core.registry import metric_registry; "
            "metric_registry.list(); print('torch' in sys.modules, 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]
