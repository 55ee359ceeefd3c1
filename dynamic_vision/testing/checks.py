"""The check registry and the per-kind runners (see :mod:`dynamic_vision.testing`).

Kind-specific checks live in modules beside this one (``model_checks.py``,
``benchmark_checks.py``, ...) and register themselves with the :func:`check` decorator; they are
imported lazily by :func:`checks_for`, so importing this module stays cheap.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any

from dynamic_vision.core.registry import REGISTRIES

__all__ = ["CHECKS", "check", "checks_for", "run_checks", "parametrize_with_checks",
           "check_model", "check_benchmark", "check_metric", "check_dataset",
           "check_stimulus_set"]

CheckFunction = Callable[[str], None]

#: kind → ordered list of check functions (each takes a registered identifier).
CHECKS: dict[str, list[CheckFunction]] = {kind: [] for kind in REGISTRIES}

#: kind → module that defines that kind's checks (imported on first use).
_CHECK_MODULES = {
    "model": "dynamic_vision.testing.model_checks",
    "benchmark": "dynamic_vision.testing.benchmark_checks",
    "metric": "dynamic_vision.testing.metric_checks",
    "dataset": "dynamic_vision.testing.data_checks",
    "stimulus_set": "dynamic_vision.testing.data_checks",
}


def check(kind: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check function for plugins of ``kind``."""
    if kind not in CHECKS:
        raise ValueError(f"Unknown plugin kind {kind!r}; use one of {sorted(CHECKS)}.")

    def decorator(func: CheckFunction) -> CheckFunction:
        if func not in CHECKS[kind]:
            CHECKS[kind].append(func)
        return func

    return decorator


@check("model")
@check("benchmark")
@check("metric")
@check("dataset")
@check("stimulus_set")
def check_registration_is_described(identifier: str) -> None:
    """Every entry resolves to an importable factory and its info is JSON-friendly."""
    for registry in REGISTRIES.values():
        if identifier in registry:
            info = registry.info(identifier)
            assert info["identifier"] == identifier
            factory = registry.entry(identifier).resolve()
            assert callable(factory), f"{registry.kind} '{identifier}' does not resolve to a callable"
            return
    raise AssertionError(f"'{identifier}' is not registered in any registry")


def checks_for(kind: str) -> list[CheckFunction]:
    """All checks for ``kind``, importing that kind's check module if it exists."""
    module = _CHECK_MODULES.get(kind)
    if module is not None:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise
    return list(CHECKS[kind])


def _expected_failures(kind: str, identifier: str) -> dict[str, str]:
    return dict(REGISTRIES[kind].entry(identifier).metadata.get("expected_failures", {}))


def run_checks(kind: str, identifier: str) -> None:
    """Run every check of ``kind`` on ``identifier``; raise the first unexpected failure."""
    expected = _expected_failures(kind, identifier)
    for func in checks_for(kind):
        if func.__name__ in expected:
            continue
        try:
            func(identifier)
        except Exception as error:
            raise AssertionError(f"{kind} '{identifier}' failed {func.__name__}: "
                                 f"{type(error).__name__}: {error}") from error


def check_model(identifier: str) -> None:
    """Run the model conformance checks on a registered model."""
    run_checks("model", identifier)


def check_benchmark(identifier: str) -> None:
    """Run the benchmark conformance checks on a registered benchmark."""
    run_checks("benchmark", identifier)


def check_metric(identifier: str) -> None:
    """Run the metric conformance checks on a registered metric."""
    run_checks("metric", identifier)


def check_dataset(identifier: str) -> None:
    """Run the dataset conformance checks on a registered dataset."""
    run_checks("dataset", identifier)


def check_stimulus_set(identifier: str) -> None:
    """Run the stimulus-set conformance checks on a registered stimulus set."""
    run_checks("stimulus_set", identifier)


def parametrize_with_checks(kind: str, identifiers: Iterable[str] | None = None) -> Any:
    """A ``pytest.mark.parametrize`` over (identifier, check) for every plugin of ``kind``.

    Declared expected failures become ``xfail`` marks with their reason.
    """
    import pytest

    names = list(identifiers) if identifiers is not None else REGISTRIES[kind].list()
    params = []
    for identifier in names:
        expected = _expected_failures(kind, identifier)
        for func in checks_for(kind):
            marks = [pytest.mark.xfail(reason=expected[func.__name__], strict=True)] \
                if func.__name__ in expected else []
            params.append(pytest.param(identifier, func, marks=marks,
                                       id=f"{identifier}-{func.__name__}"))
    return pytest.mark.parametrize(("identifier", "check"), params)
