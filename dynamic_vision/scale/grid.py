"""``score_many``: a grid of models × benchmarks on any engine, resumable, every row kept.

The coordinator (this process) plans jobs, submits at most ``max_in_flight`` at a time, and is
the only writer of the :class:`~dynamic_vision.scale.store.ResultStore`. It

1. adopts rows that workers of an earlier, dead coordinator left in the spool;
2. skips every row already finished (and, unless ``retry_failed``, every failed one);
3. groups the rest into jobs (one model × benchmarks sharing stimuli);
4. retries transient failures up to a cap and out-of-memory failures once with half the batch;
5. stops jobs that outrun their time limit (where the engine does not enforce it itself).
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from dynamic_vision.core.registry import benchmark_registry, model_registry
from dynamic_vision.scale.executors import ExecutorAdapter, adapt
from dynamic_vision.scale.failures import (
    FailureKind,
    JobTimeout,
    RetryPolicy,
    classify,
    smaller_batch,
)
from dynamic_vision.scale.plan import (
    KEY_FIELDS,
    Job,
    RowKey,
    plan_jobs,
    revision_of,
    revision_with_options,
)
from dynamic_vision.scale.worker import describe_failure, failed_row, run_job, run_setup

if TYPE_CHECKING:  # the store imports SQLAlchemy: only when a grid runs
    from dynamic_vision.scale.store import ResultStore

__all__ = ["score_many", "GridReport", "DEFAULT_TIME_LIMIT_S"]

logger = logging.getLogger(__name__)

#: Time limit of one job when none is given; every job has one.
DEFAULT_TIME_LIMIT_S = 6 * 3600.0
#: Seconds the coordinator waits past a job's limit before abandoning it (plus 10 % of the
#: limit): where the worker can stop itself, its own, more precise limit fires first.
GRACE_S = 30.0


@dataclass
class GridReport:
    """What a :func:`score_many` call planned and found.

    Attributes
    ----------
    keys
        Every row of the requested grid.
    jobs
        The jobs planned for the rows that were not finished (first attempts).
    skipped
        Rows already finished (or failed, without ``retry_failed``) before this call.
    ingested
        Rows adopted from the spool of an earlier run.
    rows
        The stored rows of the grid after this call (empty for a dry run).
    """

    keys: list[RowKey]
    jobs: list[Job]
    skipped: int
    ingested: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False

    def frame(self) -> Any:
        """The rows as a pandas DataFrame (without ``detail``)."""
        import pandas as pd

        return pd.DataFrame([{k: v for k, v in r.items() if k != "detail"} for r in self.rows])

    def table(self) -> Any:
        """Ceiled values as a model × benchmark DataFrame; missing and failed cells are NaN."""
        import pandas as pd

        table = pd.DataFrame(float("nan"), index=sorted({k.model for k in self.keys}),
                             columns=sorted({k.benchmark for k in self.keys}))
        table.index.name, table.columns.name = "model", "benchmark"
        for row in self.rows:
            if row["status"] == "done" and row["value"] is not None:
                table.loc[row["model"], row["benchmark"]] = row["value"]
        return table

    def summary(self) -> dict[str, Any]:
        """Counts for logs and ``--json``."""
        status: dict[str, int] = {}
        for row in self.rows:
            status[row["status"]] = status.get(row["status"], 0) + 1
        return {"rows": len(self.keys), "jobs": len(self.jobs), "skipped": self.skipped,
                "ingested": self.ingested, "status": status, "dry_run": self.dry_run}


def _grid_keys(models: Sequence[str], benchmarks: Sequence[str],
               model_options: Mapping[str, Mapping[str, Any]]) -> list[RowKey]:
    model_revisions = {m: revision_with_options(revision_of(model_registry, m),
                                                model_options.get(m)) for m in models}
    benchmark_versions = {b: revision_of(benchmark_registry, b) for b in benchmarks}
    return [RowKey(m, model_revisions[m], b, benchmark_versions[b])
            for m in models for b in benchmarks]


def _as_list(items: str | Sequence[str]) -> list[str]:
    return [items] if isinstance(items, str) else list(items)


def score_many(models: str | Sequence[str], benchmarks: str | Sequence[str],
               executor: Any = None, store: ResultStore | str | None = None, *,
               retry_failed: bool = False, dry_run: bool = False,
               time_limit_s: float = DEFAULT_TIME_LIMIT_S, max_in_flight: int | None = None,
               retry: RetryPolicy = RetryPolicy(), imports: Sequence[str] = (),
               model_options: Mapping[str, Mapping[str, Any]] | None = None,
               progress: bool = True, poll_s: float = 0.05) -> GridReport:
    """Score every model on every benchmark, keeping each result in a store.

    Parameters
    ----------
    models, benchmarks
        Registered identifiers; wildcards (``"SimMotion.*"``) are expanded.
    executor
        Where jobs run: None (in this process), ``"process"``, ``"dask"``, ``"submitit"``,
        or an engine object (``ProcessPoolExecutor``, ``distributed.Client``, a submitit
        executor, any ``submit()``-er; see :mod:`dynamic_vision.scale.executors`).
    store
        A :class:`ResultStore` or its URL; default: SQLite under ``DYNAMIC_VISION_HOME``.
    retry_failed
        Run rows that failed before again (finished rows are never recomputed).
    dry_run
        Plan only: report the jobs that would run.
    time_limit_s
        Wall-clock limit of one job.
    max_in_flight
        Jobs submitted and unanswered at once (default: the engine's worker slots).
    retry
        How often transient and out-of-memory failures are retried.
    imports
        What each worker runs before scoring: ``"package.module"`` (imported) or
        ``"package.module:function"`` (imported and called), for plugins registered in code
        rather than through entry points or plugin folders.
    model_options
        Keywords to build a model with, per model identifier (``{"r3d_18-random":
        {"input_size": 64}}``). They are part of the rows' model revision
        (``<revision>+<hash of the options>``), and each row's provenance records them.
    progress
        Show a progress bar over rows.
    poll_s
        How often in-flight jobs are polled.

    Returns
    -------
    GridReport
        The plan and the stored rows of the grid; ``.table()`` gives a model × benchmark frame.
    """
    from dynamic_vision.scale.store import ResultStore

    for name in imports:
        run_setup(name)
    model_ids = model_registry.expand(_as_list(models))
    benchmark_ids = benchmark_registry.expand(_as_list(benchmarks))
    owns_store = not isinstance(store, ResultStore)
    store = store if isinstance(store, ResultStore) else ResultStore(store)
    try:
        ingested = store.ingest()
        model_options = {m: dict(o) for m, o in (model_options or {}).items() if o}
        unknown = sorted(set(model_options) - set(model_ids))
        if unknown:
            raise ValueError(f"model_options name {', '.join(unknown)}, which are not among the "
                             f"grid's models ({', '.join(model_ids)}).")
        keys = _grid_keys(model_ids, benchmark_ids, model_options)
        stored = {RowKey(**{k: r[k] for k in KEY_FIELDS}): r
                  for r in store.rows(models=model_ids, benchmarks=benchmark_ids)}
        wanted = {"running", "interrupted", None} | ({"failed"} if retry_failed else set())
        todo = [k for k in keys if (stored.get(k) or {}).get("status") in wanted]
        jobs = plan_jobs(todo, spool=str(store.spool.root), imports=imports,
                         time_limit_s=time_limit_s, model_options=model_options)
        jobs = [replace(job, attempt=1 + max((stored.get(k) or {}).get("attempts") or 0
                                             for k in job.keys)) for job in jobs]
        report = GridReport(keys, jobs, len(keys) - len(todo), ingested, dry_run=dry_run)
        if dry_run:
            return report
        if jobs:
            adapter = adapt(executor)
            try:
                _Coordinator(adapter, store, retry, max_in_flight, time_limit_s, poll_s,
                             progress).run(jobs, total=len(todo))
            finally:
                if not isinstance(executor, ExecutorAdapter):
                    adapter.shutdown()  # only what adapt() created; a passed engine stays up
        report.rows = store.rows(models=model_ids, benchmarks=benchmark_ids)
        wanted_keys = set(keys)
        report.rows = [r for r in report.rows
                       if RowKey(**{k: r[k] for k in KEY_FIELDS}) in wanted_keys]
        return report
    finally:
        if owns_store:
            store.close()


class _Coordinator:
    """Submits jobs, collects rows, retries what is worth retrying."""

    def __init__(self, adapter: ExecutorAdapter, store: ResultStore, retry: RetryPolicy,
                 max_in_flight: int | None, time_limit_s: float, poll_s: float, progress: bool):
        self.adapter, self.store, self.retry = adapter, store, retry
        self.cap = max(1, max_in_flight or adapter.max_in_flight)
        self.grace_s = GRACE_S + 0.1 * time_limit_s  # the worker's own limit should fire first
        self.poll_s, self.progress = poll_s, progress
        adapter.configure(time_limit_s=time_limit_s)

    def run(self, jobs: list[Job], total: int) -> None:
        import secrets
        import socket

        from dynamic_vision.core.lease import Lease

        # Held while this coordinator lives; readers show its running rows as interrupted
        # once the kernel has dropped it (kill -9, a lost machine).
        name = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        lease = Lease(self.store.coordinator_lease(name), what=f"coordinator {name}")
        lease.acquire(blocking=False)
        try:
            self._run(jobs, total, name)
        finally:
            lease.release()

    def _run(self, jobs: list[Job], total: int, name: str) -> None:
        from tqdm.auto import tqdm

        queue: deque[Job] = deque(jobs)
        in_flight: dict[Any, tuple[Job, float]] = {}
        with tqdm(total=total, desc="score_many", unit="row",
                  disable=not self.progress) as bar:
            while queue or in_flight:
                while queue and len(in_flight) < self.cap:
                    job = queue.popleft()
                    self.store.mark_running(job.keys, job.attempt, coordinator=name)
                    future = self.adapter.submit(run_job, job)
                    in_flight[future] = (job, time.monotonic() + job.time_limit_s
                                         + self.grace_s)
                finished = [(f, False) for f in in_flight if f.done()]
                if not finished:
                    finished = [(f, True) for f in self._expired(in_flight)]
                if not finished:
                    time.sleep(self.poll_s)
                    continue
                for future, timed_out in finished:
                    job, _ = in_flight.pop(future)
                    rows = self._collect(future, job, timed_out)
                    self.store.record_many(rows)
                    retried = self._retry(job, rows)
                    if retried is not None:
                        queue.append(retried)
                    bar.update(len(rows) - (len(retried.benchmarks) if retried else 0))

    def _expired(self, in_flight: dict[Any, tuple[Job, float]]) -> list[Any]:
        if self.adapter.enforces_time_limit:
            return []
        now = time.monotonic()
        expired = [f for f, (_, deadline) in in_flight.items() if now > deadline]
        for future in expired:
            self.adapter.abandon(future)
        return expired

    def _collect(self, future: Any, job: Job, timed_out: bool) -> list[dict[str, Any]]:
        if timed_out:  # abandoned after its deadline
            error: BaseException = JobTimeout(
                f"no answer within the time limit of {job.time_limit_s:g} s (+ grace)")
        else:
            try:
                return list(future.result())
            except Exception as caught:  # the engine lost the worker, or could not run it
                error = caught
        kind = classify(error)
        logger.warning("Job %s failed (%s): %s", job.name, kind.value, error)
        if kind is FailureKind.TRANSIENT:
            self.adapter.recover()
        return [failed_row(job, key, kind, describe_failure(error)) for key in job.keys]

    def _retry(self, job: Job, rows: list[dict[str, Any]]) -> Job | None:
        retriable = {FailureKind.TRANSIENT.value, FailureKind.OUT_OF_MEMORY.value}
        failed = [r for r in rows if r["status"] == "failed" and r["failure_kind"] in retriable]
        if not failed:
            return None
        kinds = {FailureKind(r["failure_kind"]) for r in failed}
        again = job.only(RowKey(**{k: r[k] for k in KEY_FIELDS}) for r in failed)
        if FailureKind.OUT_OF_MEMORY in kinds:
            again = replace(again, oom_failures=job.oom_failures + 1,
                            batch_size=smaller_batch(job.batch_size))
            allowed = self.retry.should_retry(FailureKind.OUT_OF_MEMORY, again.transient_failures,
                                              again.oom_failures)
        else:
            again = replace(again, transient_failures=job.transient_failures + 1)
            allowed = self.retry.should_retry(FailureKind.TRANSIENT, again.transient_failures,
                                              again.oom_failures)
        if not allowed:
            return None
        logger.info("Retrying %s", again.name)
        return replace(again, attempt=job.attempt + 1)
