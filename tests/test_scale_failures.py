"""Failures at scale: classification, retries, time limits, killed workers and coordinators."""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import errno
import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import psutil
import pytest

from dynamic_vision.core.registry import benchmark_registry
from dynamic_vision.scale import score_many
from dynamic_vision.scale.executors import ProcessPoolAdapter
from dynamic_vision.scale.failures import FailureKind, JobTimeout, RetryPolicy, classify
from dynamic_vision.scale.plan import RowKey, plan_jobs
from dynamic_vision.scale.store import RESULT_FIELDS, ResultStore
from dynamic_vision.scale.worker import run_job
from tests import scale_toys

SETUP = [scale_toys.WORKER_SETUP]
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def toys(tmp_path, monkeypatch):
    paths = scale_toys.activate(tmp_path, monkeypatch)
    yield paths
    scale_toys.unregister()


def _results(rows):
    return [{k: row[k] for k in RESULT_FIELDS} for row in rows]


def _store(tmp_path, name):
    return ResultStore(f"sqlite:///{tmp_path / name}.sqlite")


def _scored(log):
    return scale_toys.log_lines(log, "score")


class KilledWorker(Exception):
    """Named like dask's, which this module does not import."""


@pytest.mark.parametrize("error, kind", [
    (MemoryError(), FailureKind.OUT_OF_MEMORY),
    (RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB"), FailureKind.OUT_OF_MEMORY),
    (BrokenProcessPool("A process in the process pool was terminated abruptly"),
     FailureKind.TRANSIENT),
    (ConnectionResetError(), FailureKind.TRANSIENT),
    (OSError(errno.ESTALE, "Stale file handle"), FailureKind.TRANSIENT),
    (KilledWorker("worker died 3 times"), FailureKind.TRANSIENT),
    (JobTimeout("too slow"), FailureKind.TIMEOUT),
    (ValueError("bad input"), FailureKind.DETERMINISTIC),
    (FileNotFoundError(errno.ENOENT, "no such file"), FailureKind.DETERMINISTIC),
])
def test_classify(error, kind):
    assert classify(error) is kind


def test_retry_policy_caps():
    policy = RetryPolicy(max_transient_retries=2, max_oom_retries=1)
    assert [policy.should_retry("transient", n, 0) for n in (1, 2, 3)] == [True, True, False]
    assert [policy.should_retry("out_of_memory", 0, n) for n in (1, 2)] == [True, False]
    assert not policy.should_retry("deterministic", 0, 0)
    assert not policy.should_retry("timeout", 0, 0)


def test_out_of_memory_retried_once_with_half_the_batch(tmp_path, toys):
    with _store(tmp_path, "oom") as store:
        report = score_many("scale-toy-a", "ScaleToy.V1-oom", store=store, imports=SETUP,
                            progress=False)
        row, = report.rows
        assert (row["status"], row["attempts"]) == ("done", 2)
        assert row["provenance"]["batch_size"] == 8  # half the assumed default of 16
        no_retry = score_many("scale-toy-b", "ScaleToy.V1-oom", store=store, imports=SETUP,
                              retry=RetryPolicy(max_oom_retries=0), progress=False)
        row, = no_retry.rows
        assert (row["status"], row["failure_kind"], row["attempts"]) == (
            "failed", "out_of_memory", 1)
        assert "CUDA out of memory" in row["failure_message"]


def test_activation_engine_honours_the_batch_size_ceiling(monkeypatch):
    torch = pytest.importorskip("torch")
    from types import SimpleNamespace

    from dynamic_vision.modeling.activations.engine import _default_batch_size

    video, cpu = SimpleNamespace(kind="video"), torch.device("cpu")
    default = _default_batch_size(video, cpu)
    monkeypatch.setenv("DYNAMIC_VISION_BATCH_SIZE", "1")
    assert _default_batch_size(video, cpu) == 1
    monkeypatch.setenv("DYNAMIC_VISION_BATCH_SIZE", "1000")  # a ceiling, never a raise
    assert _default_batch_size(video, cpu) == default


def test_deterministic_failures_are_not_retried_unless_asked(tmp_path, toys):
    with _store(tmp_path, "broken") as store:
        first = score_many("scale-toy-a", "ScaleToy.V1-broken", store=store, imports=SETUP,
                           progress=False)
        row, = first.rows
        assert (row["failure_kind"], row["attempts"]) == ("deterministic", 1)
        assert first.table().isna().all().all()  # a failed cell is missing, not 0
        again = score_many("scale-toy-a", "ScaleToy.V1-broken", store=store, imports=SETUP,
                           progress=False)
        assert again.jobs == [] and again.rows[0]["attempts"] == 1
        retried = score_many("scale-toy-a", "ScaleToy.V1-broken", store=store, imports=SETUP,
                             retry_failed=True, progress=False)
        assert len(retried.jobs) == 1 and retried.rows[0]["attempts"] == 2


def test_time_limit_stops_a_job_and_is_not_retried(tmp_path, toys, monkeypatch):
    monkeypatch.setenv("DV_SCALE_TOY_SLEEP", "5")
    started = time.monotonic()
    with _store(tmp_path, "timeout") as store:
        report = score_many("scale-toy-a", ["ScaleToy.V1-slow", "ScaleToy.MT-slow"],
                            store=store, imports=SETUP, time_limit_s=0.5, progress=False)
    assert time.monotonic() - started < 4
    assert {(r["status"], r["failure_kind"], r["attempts"]) for r in report.rows} == {
        ("failed", "timeout", 1)}


def test_coordinator_abandons_jobs_past_their_limit(tmp_path, toys, monkeypatch):
    # In a thread the worker cannot stop itself (no SIGALRM): the coordinator's deadline must.
    from dynamic_vision.scale import grid

    monkeypatch.setattr(grid, "GRACE_S", 0.2)
    monkeypatch.setenv("DV_SCALE_TOY_SLEEP", "1.5")
    started = time.monotonic()
    with cf.ThreadPoolExecutor(1) as threads, _store(tmp_path, "deadline") as store:
        row, = score_many("scale-toy-a", "ScaleToy.V1-slow", executor=threads, store=store,
                          imports=SETUP, time_limit_s=0.2, progress=False).rows
        assert time.monotonic() - started < 1.4
    assert (row["status"], row["failure_kind"], row["attempts"]) == ("failed", "timeout", 1)
    assert "time limit" in row["failure_message"]


class _AlwaysLost:
    """An engine whose workers always vanish."""

    def __init__(self):
        self.submitted = 0

    def submit(self, fn, *args):
        self.submitted += 1
        future = cf.Future()
        future.set_exception(ConnectionResetError("worker connection lost"))
        return future


def test_transient_failures_retried_up_to_the_cap(tmp_path, toys):
    engine = _AlwaysLost()
    with _store(tmp_path, "lost") as store:
        report = score_many("scale-toy-a", ["ScaleToy.MT-corr", "ScaleToy.MST-corr"],
                            executor=engine, store=store, imports=SETUP, progress=False,
                            retry=RetryPolicy(max_transient_retries=2))
    assert engine.submitted == 3  # one job (shared stimuli), tried 1 + 2 times
    assert {(r["failure_kind"], r["attempts"]) for r in report.rows} == {("transient", 3)}


def test_version_bump_makes_new_rows_and_keeps_old_ones(tmp_path, toys):
    with _store(tmp_path, "versions") as store:
        score_many("scale-toy-a", "ScaleToy.V1-corr", store=store, imports=SETUP,
                   progress=False)
        entry = benchmark_registry.entry("ScaleToy.V1-corr")
        benchmark_registry.unregister("ScaleToy.V1-corr")
        benchmark_registry.register("ScaleToy.V1-corr", entry.target, origin=entry.origin,
                                    **{**entry.metadata, "version": 3})
        report = score_many("scale-toy-a", "ScaleToy.V1-corr", store=store, imports=SETUP,
                            progress=False)
        assert len(report.jobs) == 1 and report.rows[0]["benchmark_version"] == "3"
        assert [r["benchmark_version"] for r in store.rows()] == ["2", "3"]
    scale_toys.unregister()
    scale_toys.register()


def test_dead_coordinator_loses_nothing_spooled(tmp_path, toys):
    """Rows a worker finished are adopted from the spool, not recomputed."""
    with _store(tmp_path, "spool") as store:
        keys = [RowKey("scale-toy-a", "1", b, "2") for b in ("ScaleToy.MT-corr",
                                                             "ScaleToy.MST-corr")]
        job, = plan_jobs(keys, spool=str(store.spool.root), imports=SETUP, time_limit_s=60)
        run_job(job)  # a worker answered a coordinator that is gone
        assert len(_scored(toys["log"])) == 2 and store.rows() == []
        report = score_many("scale-toy-a", ["ScaleToy.MT-corr", "ScaleToy.MST-corr"],
                            store=store, imports=SETUP, progress=False)
        assert report.ingested == 2 and report.jobs == []
        assert len(_scored(toys["log"])) == 2
        assert {r["status"] for r in report.rows} == {"done"}


def test_worker_killed_mid_job_is_retried_and_loses_nothing(tmp_path, toys):
    models, benchmarks = ["scale-toy-a", "scale-toy-b"], ["ScaleToy.V1-dies", "ScaleToy.MT-corr"]
    for model in models:  # the reference run must not die: its markers exist already
        scale_toys._first_time(f"dies-{model}")
    with _store(tmp_path, "reference") as store:
        reference = _results(score_many(models, benchmarks, store=store, imports=SETUP,
                                        progress=False).rows)
    for marker in Path(toys["markers"]).iterdir():
        marker.unlink()
    toys["log"].unlink()

    # one worker, one job in flight: each "dies" job SIGKILLs its worker on its first attempt
    adapter = ProcessPoolAdapter(max_workers=1)
    try:
        with _store(tmp_path, "killed") as store:
            report = score_many(models, benchmarks, executor=adapter, store=store,
                                imports=SETUP, progress=False)
    finally:
        adapter.shutdown()
    assert _results(report.rows) == reference
    attempts = {(r["model"], r["benchmark"]): r["attempts"] for r in report.rows}
    assert attempts == {(m, b): 2 if b.endswith("dies") else 1 for m in models
                        for b in benchmarks}
    scored = _scored(toys["log"])
    assert sorted(scored) == sorted((m, b) for m in models for b in benchmarks)  # each once


def _wait_for(predicate, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def _wait_until_quiet(path, quiet_s, timeout):
    """Wait until ``path`` stopped growing for ``quiet_s`` seconds."""
    deadline, last, since = time.monotonic() + timeout, -1, time.monotonic()
    while time.monotonic() < deadline:
        size = path.stat().st_size if path.exists() else 0
        if size != last:
            last, since = size, time.monotonic()
        elif time.monotonic() - since > quiet_s:
            return
        time.sleep(0.1)


def test_coordinator_killed_mid_grid_resumes(tmp_path, toys, monkeypatch):
    models = ["scale-toy-a", "scale-toy-b", "scale-toy-c"]
    benchmarks = ["ScaleToy.V1-slow", "ScaleToy.MT-slow", "ScaleToy.V1-corr"]
    with _store(tmp_path, "reference") as store:
        reference = _results(score_many(models, benchmarks, store=store, imports=SETUP,
                                        progress=False).rows)
    toys["log"].unlink()

    url = f"sqlite:///{tmp_path / 'grid.sqlite'}"
    environment = {**os.environ, "DV_SCALE_TOY_SLEEP": "0.6",
                   "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                               os.environ.get("PYTHONPATH")]))}
    coordinator = subprocess.Popen(
        [sys.executable, "-m", "dynamic_vision.cli", "run", "--models", ",".join(models),
         "--benchmarks", ",".join(benchmarks), "--executor", "process", "--workers", "2",
         "--import", scale_toys.WORKER_SETUP, "--store", url],
        env=environment, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers: list[psutil.Process] = []
    try:
        assert _wait_for(lambda: len(_scored(toys["log"])) >= 1, 90), \
            coordinator.communicate(timeout=5)
        workers = psutil.Process(coordinator.pid).children(recursive=True)
        os.kill(coordinator.pid, signal.SIGKILL)
        coordinator.wait(10)
        # orphaned workers finish the job they hold, write it to the spool, then idle
        _wait_until_quiet(toys["log"], quiet_s=1.5, timeout=30)
    finally:
        for process in workers:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        if coordinator.poll() is None:
            coordinator.kill()
    scored_before = set(_scored(toys["log"]))
    assert 0 < len(scored_before) < len(reference)

    with ResultStore(url) as store:
        finished = {(r["model"], r["benchmark"]) for r in store.rows(status="done")}
        spooled = {(d["model"], d["benchmark"]) for d in map(store.spool.read, store.spool.keys())
                   if d.get("status") == "done"}
    assert finished | spooled == scored_before  # everything computed was kept somewhere
    toys["log"].unlink()
    with ResultStore(url) as store:
        report = score_many(models, benchmarks, store=store, imports=SETUP, progress=False)
    rescored = set(_scored(toys["log"]))
    assert not rescored & scored_before  # nothing finished is computed again
    assert rescored | scored_before == {(m, b) for m in models for b in benchmarks}
    assert report.ingested == len(spooled - finished)
    assert _results(report.rows) == reference
