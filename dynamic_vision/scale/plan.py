"""The grid as jobs: which (model, benchmark) rows exist, and how they are grouped.

A *row* is one (model, model revision, benchmark, benchmark version): bumping either version
makes new rows, so old results stay in the store next to new ones. A *job* is one model and a
group of benchmarks that show it the same stimuli, so that one activation extraction serves
every benchmark of the group; each benchmark still gets its own row.

Benchmarks say which stimuli they show through registry metadata (``stimuli="SimMotion"`` or
``stimulus_set="SimMotion"``) or a ``stimulus_set_identifier`` attribute on their class;
benchmarks that say nothing run one per job.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from dynamic_vision.core import storage
from dynamic_vision.core.registry import Registry, benchmark_registry

__all__ = ["KEY_FIELDS", "RowKey", "Job", "revision_of", "revision_with_options", "options_json",
           "stimulus_group_of", "plan_jobs"]


#: The columns that identify a result row.
KEY_FIELDS = ("model", "model_revision", "benchmark", "benchmark_version")


@dataclass(frozen=True, order=True)
class RowKey:
    """The identity of one result row."""

    model: str
    model_revision: str
    benchmark: str
    benchmark_version: str

    @property
    def digest(self) -> str:
        """A content hash of the key: file names in the spool, lock names."""
        return storage.stable_hash(self.model, self.model_revision, self.benchmark,
                                   self.benchmark_version, length=24)

    def as_dict(self) -> dict[str, str]:
        return {"model": self.model, "model_revision": self.model_revision,
                "benchmark": self.benchmark, "benchmark_version": self.benchmark_version}


@dataclass(frozen=True)
class Job:
    """One model scored on a group of benchmarks that share stimuli, in one process.

    Attributes
    ----------
    model, model_revision
        The model and the revision its rows are recorded under.
    benchmarks
        ``(benchmark, benchmark_version)`` pairs, in order.
    stimulus_group
        What the benchmarks share (for logs and the dry-run plan).
    spool
        Folder where the worker writes each finished row as JSON before answering.
    imports
        Set-up the worker runs first: ``"module"`` or ``"module:function"`` (see
        :func:`~dynamic_vision.scale.worker.run_setup`).
    attempt
        1 for the first try, then 2, 3, ... (retries).
    batch_size
        Batch-size ceiling exported to the worker after an out-of-memory failure.
    time_limit_s
        Wall-clock limit of the whole job.
    model_options
        Keywords the model is built with, as canonical JSON (``""``: none); they are part of
        the model revision (see :func:`revision_with_options`).
    """

    model: str
    model_revision: str
    benchmarks: tuple[tuple[str, str], ...]
    stimulus_group: str
    spool: str
    imports: tuple[str, ...] = ()
    attempt: int = 1
    batch_size: int | None = None
    time_limit_s: float = 6 * 3600.0
    transient_failures: int = field(default=0, compare=False)
    oom_failures: int = field(default=0, compare=False)
    model_options: str = ""

    @property
    def keys(self) -> list[RowKey]:
        return [RowKey(self.model, self.model_revision, b, v) for b, v in self.benchmarks]

    @property
    def name(self) -> str:
        names = ",".join(b for b, _ in self.benchmarks)
        return f"{self.model} × [{names}] (attempt {self.attempt})"

    def only(self, keys: Iterable[RowKey]) -> Job:
        """This job restricted to ``keys`` (what is left to retry)."""
        wanted = {(k.benchmark, k.benchmark_version) for k in keys}
        return replace(self, benchmarks=tuple(b for b in self.benchmarks if b in wanted))


def _class_attribute(registry: Registry[Any], identifier: str, name: str) -> Any:
    """A class attribute of a lazily registered class, without calling the factory."""
    try:
        target = registry.entry(identifier).resolve()
    except Exception:  # an import problem surfaces, classified, when the job runs
        return None
    return getattr(target, name, None) if isinstance(target, type) else None


def revision_of(registry: Registry[Any], identifier: str) -> str:
    """The revision rows of ``identifier`` are recorded under.

    Registry metadata ``revision`` or ``version`` wins; then a ``version`` attribute of the
    registered class; ``"0"`` when the plugin declares none.
    """
    metadata = registry.entry(identifier).metadata
    for name in ("revision", "version"):
        if metadata.get(name) is not None:
            return str(metadata[name])
    version = _class_attribute(registry, identifier, "version")
    return "0" if version is None else str(version)


def options_json(options: Mapping[str, Any] | None) -> str:
    """Model options as canonical JSON (sorted keys), ``""`` for none."""
    return json.dumps(dict(options), sort_keys=True, separators=(",", ":")) if options else ""


def revision_with_options(revision: str, options: Mapping[str, Any] | None) -> str:
    """The revision of a model built with ``options``: its own, plus a hash of the options,
    so a grid run with other options makes other rows rather than mixing them up."""
    return f"{revision}+{storage.stable_hash(options_json(options), length=8)}" if options \
        else revision


def stimulus_group_of(benchmark: str) -> str:
    """What a benchmark shows the model: benchmarks with the same answer share one job."""
    metadata = benchmark_registry.entry(benchmark).metadata
    for name in ("stimuli", "stimulus_set", "stimulus_set_identifier"):
        if metadata.get(name):
            return str(metadata[name])
    declared = _class_attribute(benchmark_registry, benchmark, "stimulus_set_identifier")
    return str(declared) if declared else f"benchmark:{benchmark}"


def plan_jobs(keys: Iterable[RowKey], *, spool: str, imports: Sequence[str] = (),
              time_limit_s: float, groups: dict[str, str] | None = None,
              model_options: Mapping[str, Mapping[str, Any]] | None = None) -> list[Job]:
    """Group the rows to compute into jobs: one per (model, revision, stimulus group)."""
    model_options = model_options or {}
    groups = dict(groups or {})
    grouped: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for key in keys:
        group = groups.get(key.benchmark) or stimulus_group_of(key.benchmark)
        groups[key.benchmark] = group
        grouped.setdefault((key.model, key.model_revision, group), []).append(
            (key.benchmark, key.benchmark_version))
    return [Job(model, revision, tuple(benchmarks), group, spool=spool, imports=tuple(imports),
                time_limit_s=time_limit_s, model_options=options_json(model_options.get(model)))
            for (model, revision, group), benchmarks in grouped.items()]
