"""Scoring at scale: grids of models × benchmarks on distributed engines, a results database,
and a static leaderboard.

>>> from dynamic_vision import score_many
>>> report = score_many(["r3d_18", "x3d_s"], "SimMotion.*", executor="dask")  # doctest: +SKIP
>>> report.table()  # doctest: +SKIP

Importing this package is cheap; SQLAlchemy and the engines are imported when used.
"""

from __future__ import annotations

from typing import Any

from dynamic_vision.scale.grid import GridReport, score_many

__all__ = ["score_many", "GridReport", "ResultStore", "RetryPolicy", "FailureKind",
           "SharedCache", "make_executor", "build_leaderboard"]

_LAZY = {
    "ResultStore": "dynamic_vision.scale.store",
    "RetryPolicy": "dynamic_vision.scale.failures",
    "FailureKind": "dynamic_vision.scale.failures",
    "SharedCache": "dynamic_vision.scale.shared_cache",
    "make_executor": "dynamic_vision.scale.executors",
    "build_leaderboard": "dynamic_vision.scale.leaderboard",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'dynamic_vision.scale' has no attribute {name!r}")
