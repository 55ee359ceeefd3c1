"""score_many: the same grid on every engine gives the same rows; jobs share extractions."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing

import pytest

from dynamic_vision.scale import score_many
from dynamic_vision.scale.store import RESULT_FIELDS, ResultStore
from tests import scale_toys

MODELS = ["scale-toy-a", "scale-toy-b"]
BENCHMARKS = ["ScaleToy.MT-corr", "ScaleToy.MST-corr", "ScaleToy.V1-corr",
              "ScaleToy.V1-broken"]


@pytest.fixture
def toys(tmp_path, monkeypatch):
    paths = scale_toys.activate(tmp_path, monkeypatch)
    yield paths
    scale_toys.unregister()


def _results(rows):
    return [{k: row[k] for k in RESULT_FIELDS} for row in rows]


def _run(tmp_path, name, executor, models=MODELS, benchmarks=BENCHMARKS, **options):
    store = ResultStore(f"sqlite:///{tmp_path / name}.sqlite")
    with store:
        report = score_many(models, benchmarks, executor=executor, store=store,
                            imports=[scale_toys.WORKER_SETUP], progress=False, **options)
    return report


@pytest.fixture
def reference(tmp_path, toys):
    report = _run(tmp_path, "inline", None)
    assert report.summary()["status"] == {"done": 6, "failed": 2}
    return _results(report.rows)


def test_inline_grid_groups_benchmarks_by_stimuli(tmp_path, toys, reference):
    # motion (MT, MST) share one extraction per model; gratings (V1) another; broken fails first
    extractions = scale_toys.log_lines(toys["log"], "extract")
    assert sorted(extractions) == sorted([(m, g) for m in MODELS for g in ("motion", "gratings")])
    assert len(scale_toys.log_lines(toys["log"], "score")) == 6
    broken = [r for r in reference if r["benchmark"] == "ScaleToy.V1-broken"]
    assert {r["failure_kind"] for r in broken} == {"deterministic"}
    done = {(r["model"], r["benchmark"]): r for r in reference if r["status"] == "done"}
    # values are ceiled by the toy ceiling 0.9 and carry per-layer/time detail
    row = done[("scale-toy-a", "ScaleToy.MT-corr")]
    assert row["value"] == pytest.approx(row["raw"] / 0.9 ** 0.5)
    assert row["detail"]["data_vars"]["raw"]["dims"] == ["layer", "time_bin"]
    assert [r["model_revision"] for r in reference] == ["1"] * 8
    assert {r["benchmark_version"] for r in reference} == {"2"}


def test_rerun_recomputes_nothing(tmp_path, toys, reference):
    before = len(scale_toys.log_lines(toys["log"], "score"))
    report = _run(tmp_path, "inline", None)
    assert report.jobs == [] and report.skipped == 8
    assert len(scale_toys.log_lines(toys["log"], "score")) == before
    assert _results(report.rows) == reference


def test_process_pool_gives_identical_rows(tmp_path, toys, reference):
    pool = cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
    with pool:
        report = _run(tmp_path, "process", pool)
    assert _results(report.rows) == reference
    workers = {line.split()[-1] for line in toys["log"].read_text().splitlines()}
    assert len(workers) >= 2  # the inline reference's pid plus pool workers


def test_dask_local_cluster_gives_identical_rows(tmp_path, toys, reference):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        report = _run(tmp_path, "dask", client)
    assert _results(report.rows) == reference


def test_submitit_local_executor_gives_identical_rows(tmp_path, toys, reference):
    submitit = pytest.importorskip("submitit")
    executor = submitit.LocalExecutor(folder=str(tmp_path / "submitit"))
    # two jobs (shared motion stimuli; a failure): each submitit job is a fresh Python process
    benchmarks = ["ScaleToy.MT-corr", "ScaleToy.MST-corr", "ScaleToy.V1-broken"]
    report = _run(tmp_path, "submitit", executor, models=MODELS[:1], benchmarks=benchmarks,
                  time_limit_s=600)
    assert _results(report.rows) == [r for r in reference if r["model"] == MODELS[0]
                                     and r["benchmark"] in benchmarks]
    assert report.summary()["status"] == {"done": 2, "failed": 1}
    assert list((tmp_path / "submitit").glob("*_log.out"))  # really ran as submitit jobs


def test_dry_run_plans_without_running(tmp_path, toys):
    report = _run(tmp_path, "dry", None, dry_run=True)
    assert report.rows == [] and not toys["log"].exists()
    groups = sorted((job.model, job.stimulus_group, len(job.benchmarks)) for job in report.jobs)
    assert groups == sorted([(m, g, n) for m in MODELS
                             for g, n in (("motion", 2), ("gratings", 1),
                                          ("broken", 1))])


def test_table_leaves_failed_cells_missing(tmp_path, toys, reference):
    report = _run(tmp_path, "inline", None)
    table = report.table()
    assert table.shape == (2, 4)
    assert table["ScaleToy.V1-broken"].isna().all()
    assert table.loc["scale-toy-a", "ScaleToy.V1-corr"] == pytest.approx(
        next(r["value"] for r in reference if r["model"] == "scale-toy-a"
             and r["benchmark"] == "ScaleToy.V1-corr"))


def test_adapt_picks_an_adapter_per_engine():
    from dynamic_vision.scale.executors import (
        GenericAdapter,
        InlineExecutor,
        ProcessPoolAdapter,
        adapt,
        make_executor,
    )

    assert isinstance(adapt(None), InlineExecutor)
    assert isinstance(adapt("local"), InlineExecutor)
    pool = cf.ProcessPoolExecutor(1)
    try:
        adapted = adapt(pool)
        assert isinstance(adapted, ProcessPoolAdapter) and adapted.max_in_flight == 1
        adapted.shutdown()  # a pool passed in is the caller's: left running
        assert pool.submit(abs, -3).result() == 3
    finally:
        pool.shutdown()
    with cf.ThreadPoolExecutor(3) as threads:
        assert isinstance(adapt(threads), GenericAdapter) and adapt(threads).max_in_flight == 3
    with pytest.raises(TypeError, match="submit"):
        adapt(object())
    with pytest.raises(ValueError, match="Unknown executor 'slurm'"):
        make_executor("slurm")


class _CountingEngine:
    """Threads that remember how many jobs were in flight at once."""

    def __init__(self):
        import threading

        self.pool = cf.ThreadPoolExecutor(4)
        self.lock = threading.Lock()
        self.running = self.most = 0

    def _run(self, fn, *args):
        import time

        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.1)  # long enough for the coordinator to submit all it may
        try:
            return fn(*args)
        finally:
            with self.lock:
                self.running -= 1

    def submit(self, fn, *args):
        return self.pool.submit(self._run, fn, *args)


def test_jobs_in_flight_are_capped(tmp_path, toys, reference):
    engine = _CountingEngine()
    try:
        report = _run(tmp_path, "capped", engine, max_in_flight=2)
    finally:
        engine.pool.shutdown()
    assert engine.most == 2  # 6 jobs, never more than 2 at once
    assert _results(report.rows) == reference
