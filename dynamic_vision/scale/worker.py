"""What runs on a worker: one :class:`~dynamic_vision.scale.plan.Job`, start to finish.

The worker loads the model once and scores it on every benchmark of the job, so benchmarks that
share stimuli share one activation extraction. Each finished row is written to the shared spool
*before* the worker answers, so a coordinator that dies meanwhile loses nothing
(:meth:`~dynamic_vision.scale.store.ResultStore.ingest` picks the rows up). Failures become rows
too, classified by :func:`~dynamic_vision.scale.failures.classify`; the coordinator decides on
retries.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import json
import os
import signal
import socket
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dynamic_vision.core import storage
from dynamic_vision.core.lease import Lease
from dynamic_vision.scale.failures import BATCH_SIZE_VARIABLE, FailureKind, JobTimeout, classify
from dynamic_vision.scale.plan import Job, RowKey
from dynamic_vision.scale.shared_cache import SharedCache

__all__ = ["run_job", "job_lease", "run_setup", "failed_row", "failed_spool_key",
           "describe_failure"]


def run_setup(name: str) -> None:
    """Import ``"package.module"``, or import it and call ``"package.module:function"``.

    Workers run these before scoring, for plugins registered in code rather than through
    entry points or plugin folders.
    """
    module_name, _, function = name.partition(":")
    module = importlib.import_module(module_name)
    if function:
        getattr(module, function)()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


def failed_spool_key(key: RowKey) -> str:
    """Spool key of the latest failure of a row (finished rows use ``key.digest``)."""
    return f"{key.digest}-failed"


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`JobTimeout` in this thread after ``seconds``, where signals allow it.

    Only a process's main thread receives signals; elsewhere (dask worker threads) the engine's
    and the coordinator's limits apply.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal,
                                                                                  "setitimer"):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise JobTimeout(f"the job ran past its time limit of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _batch_size(batch_size: int | None) -> Iterator[None]:
    if batch_size is None:
        yield
        return
    previous = os.environ.get(BATCH_SIZE_VARIABLE)
    os.environ[BATCH_SIZE_VARIABLE] = str(batch_size)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(BATCH_SIZE_VARIABLE, None)
        else:
            os.environ[BATCH_SIZE_VARIABLE] = previous


def _base_row(job: Job, key: RowKey) -> dict[str, Any]:
    return {**key.as_dict(), "attempts": job.attempt, "stimulus_group": job.stimulus_group,
            "worker": f"{socket.gethostname()}:{os.getpid()}"}


def failed_row(job: Job, key: RowKey, kind: FailureKind | str, message: str,
               started_at: str | None = None) -> dict[str, Any]:
    """The row recorded for ``key`` when its job failed."""
    return {**_base_row(job, key), "status": "failed", "failure_kind": FailureKind(kind).value,
            "failure_message": message, "started_at": started_at, "finished_at": _now()}


def describe_failure(error: BaseException) -> str:
    """The error's type and message, then the last frames of its traceback."""
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    return f"{type(error).__name__}: {error}\n" + "".join(lines[-6:])


def _score_one(job: Job, model: Any, key: RowKey) -> dict[str, Any]:
    from dynamic_vision._version import __version__
    from dynamic_vision.core.registry import benchmark_registry
    from dynamic_vision.scoring import score

    started, clock = _now(), time.perf_counter()
    benchmark = benchmark_registry.load(key.benchmark)
    result = score(model, benchmark, cache=False)
    data = result.to_dict(detail=True)
    provenance = {**data["provenance"], "model": key.model, "benchmark": key.benchmark,
                  "model_revision": key.model_revision,
                  "benchmark_version": key.benchmark_version,
                  "dynamic_vision_version": __version__, "batch_size": job.batch_size,
                  **({"model_options": json.loads(job.model_options)} if job.model_options
                     else {})}
    return {**_base_row(job, key), "status": "done", "value": data["value"], "raw": data["raw"],
            "ceiling": data["ceiling"], "error": data["error"], "raw_error": data["raw_error"],
            "convention": data["convention"], "detail": data.get("detail") or {},
            "provenance": provenance, "failure_kind": None, "failure_message": None,
            "started_at": started, "finished_at": _now(),
            "duration_s": time.perf_counter() - clock}


def job_lease(job: Job) -> Lease:
    """The lease on a job's work: one (model, revision, stimulus group) at a time.

    Jobs of the same model and stimulus group share one activation extraction, so a second
    coordinator's worker waits for the first rather than extracting again, then takes the
    rows it finds finished in the spool and computes only what is left.
    """
    digest = storage.stable_hash(job.model, job.model_revision, job.stimulus_group, length=24)
    return Lease(Path(job.spool) / f"{digest}.job.lease",
                 what=f"{job.model} on the '{job.stimulus_group}' stimuli (another worker)")


def run_job(job: Job) -> list[dict[str, Any]]:
    """Score ``job.model`` on each of ``job.benchmarks``; one row per benchmark.

    Rows already finished in the spool (by an earlier attempt whose answer was lost, or by a
    worker of another coordinator) are returned as they are, not recomputed: the job's work is
    leased (:func:`job_lease`), and the spool is read again once the lease is held. Never
    raises for a failing benchmark: failures are rows with ``status="failed"`` and a
    ``failure_kind``.
    """
    spool = SharedCache(job.spool)
    rows: dict[RowKey, dict[str, Any]] = {}

    def finished(key: RowKey) -> dict[str, Any] | None:
        row = spool.read(key.digest)
        return row if row is not None and row.get("status") == "done" else None

    with _batch_size(job.batch_size):
        for key in job.keys:
            if (row := finished(key)) is not None:
                rows[key] = row
        todo = [key for key in job.keys if key not in rows]
        started = _now()
        try:
            with _time_limit(job.time_limit_s):
                if todo:
                    with job_lease(job):
                        _run_rows(job, todo, rows, spool, finished)
        except Exception as error:  # model failed to load, an import failed, or time ran out
            kind, message = classify(error), describe_failure(error)
            for key in todo:
                if key not in rows:
                    rows[key] = failed_row(job, key, kind, message, started)
                    spool.write(failed_spool_key(key), rows[key])
    return [rows[key] for key in job.keys]


def _run_rows(job: Job, todo: list[RowKey], rows: dict[RowKey, dict[str, Any]],
              spool: SharedCache, finished: Any) -> None:
    """Compute the rows of ``todo`` not finished meanwhile (under the job's lease)."""
    model = None
    for key in todo:
        if (row := finished(key)) is not None:  # a worker we waited for computed it
            rows[key] = row
            continue
        if model is None:
            for name in job.imports:
                run_setup(name)
            from dynamic_vision.scoring import build_model

            model = build_model(job.model, json.loads(job.model_options or "{}"))
        try:
            row = _score_one(job, model, key)
        except JobTimeout:
            raise
        except Exception as error:  # classified and recorded, never lost
            row = failed_row(job, key, classify(error), describe_failure(error))
            spool.write(failed_spool_key(key), row)
        else:
            spool.write(key.digest, row)
        rows[key] = row
