"""What ``score_many`` costs and saves against a plain loop of ``score()`` calls.

The named peer is the loop that ``dynamic-vision score`` and most analysis scripts run::

    for model in models:
        for benchmark in benchmarks:
            score(model, benchmark, cache=False)

which loads the model and extracts its activations once per (model, benchmark) pair.
``score_many`` (in this process, SQLite store, spool) loads each model once per group of
benchmarks that share stimuli and extracts once for the group, and pays for bookkeeping: one
database transaction and one fsync'ed spool file per row.

Two measurements, each in this process, on the same synthetic grid:

- ``bookkeeping``: benchmarks and models that cost nothing, so the time per row is the
  coordinator's own (planning, store writes, spool writes);
- ``sharing``: each model's extraction costs ``--extract-ms`` of CPU work per stimulus set and
  ``--per-group`` benchmarks share each stimulus set, so the ratio shows what grouping saves.

Usage::

    python perf/scale_grid.py [--models 3] [--groups 2] [--per-group 3] [--extract-ms 250]
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np

from dynamic_vision.core.benchmark import Benchmark
from dynamic_vision.core.registry import benchmark_registry, model_registry
from dynamic_vision.core.scores import Score

EXTRACT_S = 0.0


class _Model:
    def __init__(self, identifier: str):
        self.identifier = identifier
        self._seen: dict[tuple[str, ...], np.ndarray] = {}

    def visual_degrees(self) -> float:
        return 8.0

    def start_recording(self, region, time_bins):
        pass

    def look_at(self, stimuli, number_of_trials=1):
        key = tuple(stimuli)
        if key not in self._seen:
            deadline = time.perf_counter() + EXTRACT_S
            matrix = np.random.default_rng(0).normal(size=(64, 64))
            while time.perf_counter() < deadline:  # CPU work standing in for a forward pass
                matrix = np.tanh(matrix @ matrix.T / 64)
            self._seen[key] = np.arange(len(key), dtype=float)
        return self._seen[key]


class _Benchmark(Benchmark):
    def __init__(self, identifier: str, group: str):
        self.identifier, self.group = identifier, group

    def __call__(self, candidate) -> Score:
        values = candidate.look_at([f"{self.group}-{i}" for i in range(16)])
        return Score.from_raw(float(values.mean()))


def _register(models: int, groups: int, per_group: int) -> tuple[list[str], list[str]]:
    model_ids = [f"bench-model-{m}" for m in range(models)]
    benchmark_ids = []
    for m in model_ids:
        model_registry.register(m, lambda m=m, **kw: _Model(m), version=1)
    for g in range(groups):
        for b in range(per_group):
            identifier = f"BenchGrid{g}.R{b}-metric"
            benchmark_registry.register(identifier, lambda i=identifier, g=g, **kw:
                                        _Benchmark(i, f"set{g}"), version=1, stimuli=f"set{g}")
            benchmark_ids.append(identifier)
    return model_ids, benchmark_ids


def _plain(models: list[str], benchmarks: list[str]) -> float:
    from dynamic_vision import score

    started = time.perf_counter()
    for model in models:
        for benchmark in benchmarks:
            score(model, benchmark, cache=False)
    return time.perf_counter() - started


def _grid(models: list[str], benchmarks: list[str]) -> float:
    from dynamic_vision import score_many
    from dynamic_vision.scale.store import ResultStore

    with tempfile.TemporaryDirectory() as folder, \
            ResultStore(f"sqlite:///{folder}/results.sqlite") as store:
        started = time.perf_counter()
        report = score_many(models, benchmarks, store=store, progress=False)
        elapsed = time.perf_counter() - started
    assert report.summary()["status"] == {"done": len(models) * len(benchmarks)}
    return elapsed


def main() -> None:
    global EXTRACT_S
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=3)
    parser.add_argument("--groups", type=int, default=2)
    parser.add_argument("--per-group", type=int, default=3)
    parser.add_argument("--extract-ms", type=float, default=250.0)
    args = parser.parse_args()
    models, benchmarks = _register(args.models, args.groups, args.per_group)
    rows = len(models) * len(benchmarks)
    _grid(models[:1], benchmarks[:1])  # warm imports (SQLAlchemy, tqdm) outside the timings

    EXTRACT_S = 0.0
    plain, grid = _plain(models, benchmarks), _grid(models, benchmarks)
    print(f"bookkeeping ({rows} rows, free benchmarks): plain loop {1e3 * plain / rows:.2f} "
          f"ms/row, score_many {1e3 * grid / rows:.2f} ms/row "
          f"(+{1e3 * (grid - plain) / rows:.2f} ms/row)")

    EXTRACT_S = args.extract_ms / 1e3
    plain, grid = _plain(models, benchmarks), _grid(models, benchmarks)
    print(f"sharing ({rows} rows, {args.per_group} benchmarks per stimulus set, "
          f"{args.extract_ms:g} ms per extraction): plain loop {plain:.2f} s, score_many "
          f"{grid:.2f} s, ratio plain/score_many = {plain / grid:.2f}x "
          f"(ideal {args.per_group}x)")


if __name__ == "__main__":
    main()
