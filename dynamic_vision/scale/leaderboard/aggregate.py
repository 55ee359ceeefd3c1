"""From stored rows to leaderboard cells: latest versions, benchmark groups and aggregates.

Two aggregations are offered, both over the cells that exist (a missing or failed cell is
*never* counted as 0; instead every aggregate carries its coverage, "4/5"):

``flat``
    The mean over every finished benchmark of a group.
``brain-score``
    Brain-Score's hierarchy: benchmarks are averaged within a region, regions within a group
    (neural, behaviour), and the groups into the average.

The ``average`` covers **ceiled** scores only. A benchmark without a data ceiling (convention
``"none"``: task accuracies) is put in the ``task`` group, shown in its own column and never
averaged with ceiled neural or behavioural scores: an accuracy and a fraction of the
explainable correlation are not on one scale.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["AGGREGATIONS", "BenchmarkInfo", "Cell", "Board", "benchmark_info", "build_board",
           "COLUMN_TITLES"]

#: How aggregate columns are titled on the pages.
COLUMN_TITLES = {"average": "average (ceiled scores)", "task": "task (accuracy, not ceiled)"}

AGGREGATIONS = ("flat", "brain-score")
GROUP_ORDER = ("neural", "behaviour", "task", "other")
_BEHAVIOUR_WORDS = {"behaviour", "behavior", "choice", "psychophysics"}
_TASK_WORDS = {"task", "action", "decoding", "engineering"}


@dataclass(frozen=True)
class BenchmarkInfo:
    """Where a benchmark sits in the aggregate columns."""

    identifier: str
    group: str
    region: str
    ceiled: bool = True


def _version_key(text: str) -> tuple[int, Any]:
    try:
        return (0, float(text))
    except (TypeError, ValueError):
        return (1, str(text))


def benchmark_info(identifier: str, convention: str | None = None) -> BenchmarkInfo:
    """A benchmark's group and region: registry metadata ``group``/``region`` when declared,
    else read from the identifier grammar ``<Dataset>.<region>-<metric>``. Whether it is
    ceiled comes from its declared ceiling convention, else from ``convention`` (what its
    stored scores say), else from its group."""
    metadata: dict[str, Any] = {}
    try:
        from dynamic_vision.core.registry import benchmark_registry

        if identifier in benchmark_registry:
            metadata = dict(benchmark_registry.entry(identifier).metadata)
    except Exception:  # a leaderboard can be built from a store alone
        metadata = {}
    match = re.match(r"^[^.]+\.([^-]+)-", identifier)
    region = str(metadata.get("region") or (match.group(1) if match else "all"))
    group = metadata.get("group") or metadata.get("benchmark_kind")
    if not group:
        words = {w.lower() for w in re.split(r"[^A-Za-z]+", identifier) if w}
        group = "behaviour" if words & _BEHAVIOUR_WORDS or region.lower() in _BEHAVIOUR_WORDS \
            else "task" if words & _TASK_WORDS else "neural" if match else "other"
    group = {"behavior": "behaviour"}.get(str(group), str(group))
    convention = metadata.get("ceiling_convention") or convention
    ceiled = convention != "none" if convention else group != "task"
    return BenchmarkInfo(identifier, group if ceiled else "task", region, ceiled)


@dataclass
class Cell:
    """One aggregate: the mean of what exists, and how much of the whole that is."""

    value: float | None
    present: int
    total: int

    @property
    def coverage(self) -> str:
        return f"{self.present}/{self.total}"

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "present": self.present, "total": self.total}


def _mean(values: Iterable[float | None]) -> float | None:
    found = [v for v in values if v is not None and math.isfinite(v)]
    return sum(found) / len(found) if found else None


@dataclass
class Board:
    """Everything the pages show.

    Attributes
    ----------
    models, benchmarks
        Sorted identifiers.
    info
        Group and region of each benchmark.
    cells
        ``(model, benchmark) → row`` of the latest model revision and benchmark version.
    aggregates
        ``aggregation → model → column → Cell``; columns are ``"average"``, each group, and
        ``"<group>: <region>"``.
    columns
        Aggregate column names in display order (``"average"``: of ceiled scores only).
    """

    models: list[str]
    benchmarks: list[str]
    info: dict[str, BenchmarkInfo]
    cells: dict[tuple[str, str], dict[str, Any]]
    aggregates: dict[str, dict[str, dict[str, Cell]]] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)

    def value(self, model: str, benchmark: str) -> float | None:
        row = self.cells.get((model, benchmark))
        return row["value"] if row is not None and row["status"] == "done" else None


def _latest(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (model, benchmark): the row of the newest benchmark version, then model revision."""
    newest_version: dict[str, tuple[int, Any]] = {}
    newest_revision: dict[str, tuple[int, Any]] = {}
    rows = list(rows)
    for row in rows:
        b, m = row["benchmark"], row["model"]
        newest_version[b] = max(newest_version.get(b, (-1, 0)),
                                _version_key(row["benchmark_version"]))
        newest_revision[m] = max(newest_revision.get(m, (-1, 0)),
                                 _version_key(row["model_revision"]))
    return {(r["model"], r["benchmark"]): r for r in rows
            if _version_key(r["benchmark_version"]) == newest_version[r["benchmark"]]
            and _version_key(r["model_revision"]) == newest_revision[r["model"]]}


def build_board(rows: Iterable[dict[str, Any]]) -> Board:
    """Aggregate stored rows into a :class:`Board`."""
    cells = _latest(rows)
    models = sorted({m for m, _ in cells})
    benchmarks = sorted({b for _, b in cells})
    stored = {b: r.get("convention") for (_, b), r in cells.items() if r.get("convention")}
    info = {b: benchmark_info(b, stored.get(b)) for b in benchmarks}
    groups = [g for g in GROUP_ORDER if any(i.group == g for i in info.values())] + sorted(
        {i.group for i in info.values()} - set(GROUP_ORDER))
    regions = {g: sorted({i.region for i in info.values() if i.group == g}) for g in groups}
    columns = ["average", *groups, *(f"{g}: {r}" for g in groups for r in regions[g]
                                     if len(regions[g]) > 1)]
    board = Board(models, benchmarks, info, cells, columns=columns)
    for aggregation in AGGREGATIONS:
        board.aggregates[aggregation] = {}
        for model in models:
            def value(b: str, model: str = model) -> float | None:
                return board.value(model, b)

            per: dict[str, Cell] = {}
            for group in groups:
                members = [b for b in benchmarks if info[b].group == group]
                region_cells = {}
                for region in regions[group]:
                    inside = [b for b in members if info[b].region == region]
                    region_cells[region] = Cell(_mean(value(b) for b in inside),
                                                sum(value(b) is not None for b in inside),
                                                len(inside))
                    if len(regions[group]) > 1:
                        per[f"{group}: {region}"] = region_cells[region]
                present = sum(value(b) is not None for b in members)
                if aggregation == "flat":
                    mean = _mean(value(b) for b in members)
                else:
                    mean = _mean(c.value for c in region_cells.values())
                per[group] = Cell(mean, present, len(members))
            ceiled_groups = [g for g in groups
                             if any(info[b].ceiled for b in benchmarks if info[b].group == g)]
            ceiled = [b for b in benchmarks if info[b].ceiled]
            present = sum(value(b) is not None for b in ceiled)
            if aggregation == "flat":
                mean = _mean(value(b) for b in ceiled)
            else:
                mean = _mean(per[g].value for g in ceiled_groups)
            per["average"] = Cell(mean, present, len(ceiled))
            board.aggregates[aggregation][model] = per
    return board
