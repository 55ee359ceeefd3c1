"""The conformance machinery itself: failures are reported, declared gaps become xfail."""

import pytest

from dynamic_vision.core.registry import REGISTRIES
from dynamic_vision.testing import CHECKS, check_metric, parametrize_with_checks
from dynamic_vision.testing.checks import checks_for


def broken_metric():
    raise RuntimeError("cannot build")


def test_failing_check_names_the_plugin_and_the_check(temporary_entries):
    REGISTRIES["metric"].register("broken-metric", "tests.test_testing:NOT_THERE", origin="tests")
    temporary_entries.append(("metric", "broken-metric"))
    with pytest.raises(AssertionError, match="metric 'broken-metric' failed check_registration_is_described"):
        check_metric("broken-metric")


def test_declared_expected_failures_become_strict_xfail(temporary_entries):
    every_check = {func.__name__: "demo" for func in checks_for("metric")}
    REGISTRIES["metric"].register("gap-metric", "tests.test_testing:broken_metric", origin="tests",
                                  expected_failures=every_check)
    temporary_entries.append(("metric", "gap-metric"))
    check_metric("gap-metric")  # skipped, not raised
    mark = parametrize_with_checks("metric", ["gap-metric"])
    params = mark.args[1]
    declared = [p for p in params if p.id == "gap-metric-check_registration_is_described"]
    assert declared and declared[0].marks[0].name == "xfail"
    assert declared[0].marks[0].kwargs == {"reason": "demo", "strict": True}


def test_every_kind_has_at_least_the_generic_check():
    for kind in REGISTRIES:
        names = [f.__name__ for f in checks_for(kind)]
        assert "check_registration_is_described" in names
    assert set(CHECKS) == set(REGISTRIES)
