"""Results databases: read-only commands create nothing, bad URLs and damaged files teach,
a dead coordinator's rows read as interrupted, and `run` takes model options like `score`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dynamic_vision.cli import main
from dynamic_vision.core.errors import RepairedCacheWarning, ResultStoreError
from dynamic_vision.core.lease import Lease
from dynamic_vision.scale import score_many
from dynamic_vision.scale.plan import RowKey
from dynamic_vision.scale.store import ResultStore
from tests import scale_toys

REPOSITORY = Path(__file__).resolve().parents[1]


@pytest.fixture
def toys(tmp_path, monkeypatch):
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(tmp_path / "home"))
    paths = scale_toys.activate(tmp_path, monkeypatch)
    yield paths
    scale_toys.unregister()


def _grid(url, **options):
    with ResultStore(url) as store:
        return score_many(["scale-toy-a"], ["ScaleToy.MT-corr", "ScaleToy.V1-corr"], store=store,
                          progress=False, **options)


@pytest.mark.parametrize("command", ["status", "export", "leaderboard"])
def test_reading_commands_create_nothing(tmp_path, capsys, command):
    missing = tmp_path / "nowhere" / "results.sqlite"
    arguments = [command, "--store", f"sqlite:///{missing}"]
    if command == "leaderboard":
        arguments += ["--out", str(tmp_path / "site")]
    assert main(arguments) == 1
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert str(missing) in error and "dynamic-vision run" in error
    assert not missing.parent.exists() and not (tmp_path / "site").exists()


@pytest.mark.parametrize("url, says", [("results.sqlite", "not a database URL"),
                                       ("sqlite//x.db", "not a database URL"),
                                       ("nosuchdb://host/x", "not installed")])
def test_a_bad_store_url_is_named_with_examples(tmp_path, capsys, url, says):
    assert main(["status", "--store", url]) == 1
    error = capsys.readouterr().err
    assert url in error and says in error and "sqlite:///" in error
    with pytest.raises(ResultStoreError, match=says):
        ResultStore(url)


def test_a_damaged_sqlite_file_is_moved_aside_and_rebuilt_from_the_spool(tmp_path, toys):
    url = f"sqlite:///{tmp_path / 'results.sqlite'}"
    first = _grid(url)
    scored = scale_toys.log_lines(toys["log"], "score")
    assert first.summary()["status"] == {"done": 2}
    (tmp_path / "results.sqlite").write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp_path / 'results.sqlite'}{suffix}").unlink(missing_ok=True)
    with pytest.raises(ResultStoreError, match="not a SQLite database"):
        ResultStore(url, read_only=True)  # a reader says so and leaves the file alone
    with pytest.warns(RepairedCacheWarning, match=r"results\.sqlite.*moved it to "
                                                  r"results\.sqlite\.damaged"):
        again = _grid(url)
    assert (tmp_path / "results.sqlite.damaged").read_bytes().startswith(b"this is not")
    assert again.summary()["status"] == {"done": 2}
    assert again.summary()["ingested"] == 2  # adopted from the spool ...
    assert scale_toys.log_lines(toys["log"], "score") == scored  # ... not computed again
    assert [r["value"] for r in again.rows] == [r["value"] for r in first.rows]


def _hold(path: Path) -> subprocess.Popen:
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from dynamic_vision.core.lease import Lease; "
         "lease = Lease(sys.argv[1]); lease.acquire(); print('held', flush=True); time.sleep(120)", str(path)],
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)}, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    return child


def test_rows_of_a_dead_coordinator_read_as_interrupted_and_are_run_again(tmp_path, toys,
                                                                           capsys):
    url = f"sqlite:///{tmp_path / 'results.sqlite'}"
    key = RowKey("scale-toy-a", "1", "ScaleToy.MT-corr", "2")
    with ResultStore(url) as store:
        store.mark_running([key], attempt=1, coordinator="elsewhere:123:abcd")
        coordinator = _hold(store.coordinator_lease("elsewhere:123:abcd"))
        try:
            assert [r["status"] for r in store.rows()] == ["running"]  # its coordinator lives
            assert store.rows(status="interrupted") == []
        finally:
            os.kill(coordinator.pid, signal.SIGKILL)
            coordinator.wait()
        assert [r["status"] for r in store.rows()] == ["interrupted"]
        assert len(store.rows(status="interrupted")) == 1 and store.rows(status="running") == []
    assert main(["status", "--store", url]) == 0
    shown = capsys.readouterr().out
    assert "1 interrupted" in shown and "run the same `dynamic-vision run` again" in shown
    report = _grid(url)
    assert report.summary()["status"] == {"done": 2}
    assert [r["status"] for r in ResultStore(url, read_only=True).rows()] == ["done", "done"]


def test_a_live_coordinators_rows_stay_running(tmp_path, toys):
    url = f"sqlite:///{tmp_path / 'results.sqlite'}"
    key = RowKey("scale-toy-a", "1", "ScaleToy.MT-corr", "2")
    with ResultStore(url) as store:
        store.mark_running([key], attempt=1, coordinator="here")
        with Lease(store.coordinator_lease("here")):
            assert [r["status"] for r in store.rows()] == ["running"]
        assert [r["status"] for r in store.rows()] == ["interrupted"]


def test_run_takes_model_options_into_the_revision(tmp_path, toys, capsys):
    url = f"sqlite:///{tmp_path / 'results.sqlite'}"
    assert main(["run", "--models", "scale-toy-*", "--benchmarks", "ScaleToy.MT-corr",
                 "--model-option", "scale-toy-a:gain=0.0", "--store", url,
                 "--import", scale_toys.WORKER_SETUP]) == 0
    rows = {r["model"]: r for r in ResultStore(url, read_only=True).rows()}
    assert set(rows) == {"scale-toy-a", "scale-toy-b", "scale-toy-c"}
    assert rows["scale-toy-a"]["model_revision"].startswith("1+")
    assert rows["scale-toy-b"]["model_revision"] == "1"
    assert rows["scale-toy-a"]["provenance"]["model_options"] == {"gain": 0.0}
    plain = _grid(url)  # without options: other rows, another value
    value = {r["model_revision"]: r["value"] for r in plain.rows
             if r["benchmark"] == "ScaleToy.MT-corr"}
    assert value == {"1": pytest.approx(value["1"])} and value["1"] != rows["scale-toy-a"]["value"]
    capsys.readouterr()
    assert main(["run", "--models", "scale-toy-a", "--benchmarks", "ScaleToy.MT-corr",
                 "--model-option", "scale-toy-b:gain=1", "--store", url]) == 1
    assert "scale-toy-b" in capsys.readouterr().err
