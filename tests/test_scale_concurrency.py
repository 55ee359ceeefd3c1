"""Two ``dynamic-vision run`` coordinators on one store, as real processes: every job is
computed once (the second waits for the first and takes its rows), and a job whose worker was
killed is taken over at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dynamic_vision.scale.store import RESULT_FIELDS, ResultStore
from tests import scale_toys

ROOT = Path(__file__).resolve().parents[1]
MODELS = ["scale-toy-a", "scale-toy-b"]
BENCHMARKS = ["ScaleToy.V1-slow", "ScaleToy.MT-slow", "ScaleToy.V1-corr"]


@pytest.fixture
def toys(tmp_path, monkeypatch):
    paths = scale_toys.activate(tmp_path, monkeypatch)
    yield paths
    scale_toys.unregister()


def _coordinator(url: str, sleep_s: float) -> subprocess.Popen:
    environment = {**os.environ, "DV_SCALE_TOY_SLEEP": str(sleep_s),
                   "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                               os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen(
        [sys.executable, "-m", "dynamic_vision.cli", "run", "--models", ",".join(MODELS),
         "--benchmarks", ",".join(BENCHMARKS), "--import", scale_toys.WORKER_SETUP,
         "--store", url], env=environment, cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)


def _rows(url):
    with ResultStore(url) as store:
        return sorted((r["model"], r["benchmark"], r["status"]) for r in store.rows())


@pytest.mark.slow
def test_two_coordinators_on_one_store_compute_each_job_once(tmp_path, toys):
    url = f"sqlite:///{tmp_path / 'grid.sqlite'}"
    first, second = _coordinator(url, 0.5), _coordinator(url, 0.5)
    for process in (first, second):
        _, errors = process.communicate(timeout=180)
        assert process.returncode == 0, errors[-2000:]
    scored = scale_toys.log_lines(toys["log"], "score")
    assert sorted(scored) == sorted((m, b) for m in MODELS for b in BENCHMARKS)  # once each
    extracted = scale_toys.log_lines(toys["log"], "extract")
    assert sorted(extracted) == sorted(set(extracted))  # one extraction per model and group
    assert _rows(url) == sorted((m, b, "done") for m in MODELS for b in BENCHMARKS)
    with ResultStore(f"sqlite:///{tmp_path / 'alone.sqlite'}") as store:
        from dynamic_vision.scale import score_many

        alone = score_many(MODELS, BENCHMARKS, store=store, imports=[scale_toys.WORKER_SETUP],
                           progress=False).rows
    with ResultStore(url) as store:
        together = store.rows()
    assert [{k: r[k] for k in RESULT_FIELDS} for r in together] == \
        [{k: r[k] for k in RESULT_FIELDS} for r in alone]


@pytest.mark.slow
def test_a_job_whose_worker_was_killed_is_taken_over(tmp_path, toys):
    url = f"sqlite:///{tmp_path / 'grid.sqlite'}"
    spool = tmp_path / "grid.spool"
    stuck = _coordinator(url, 600)  # its worker sleeps inside the first slow benchmark
    deadline = time.monotonic() + 120
    while not list(spool.glob("*.job.lease")):
        assert time.monotonic() < deadline and stuck.poll() is None, stuck.communicate()
        time.sleep(0.05)
    os.kill(stuck.pid, signal.SIGKILL)  # the local executor runs jobs in the coordinator
    stuck.wait(10)
    start = time.monotonic()
    second = _coordinator(url, 0)
    _, errors = second.communicate(timeout=120)
    assert second.returncode == 0, errors[-2000:]
    assert time.monotonic() - start < 60  # the dead worker's lease did not hold it up
    assert _rows(url) == sorted((m, b, "done") for m in MODELS for b in BENCHMARKS)
    assert sorted(scale_toys.log_lines(toys["log"], "score")) == \
        sorted((m, b) for m in MODELS for b in BENCHMARKS)
