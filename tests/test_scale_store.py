"""The result store on SQLite and on a real PostgreSQL server.

PostgreSQL tests use ``DYNAMIC_VISION_TEST_POSTGRES_URL`` (default: the server that
``.ci/services.sh`` starts). With ``CI`` set they fail when the server cannot be reached;
elsewhere they are skipped.
"""

from __future__ import annotations

import os
import sqlite3
import uuid

import pytest
import sqlalchemy as sa

from dynamic_vision.scale import score_many
from dynamic_vision.scale.plan import RowKey
from dynamic_vision.scale.store import RESULT_FIELDS, ResultStore
from tests import scale_toys

POSTGRES_URL = os.environ.get(
    "DYNAMIC_VISION_TEST_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:54329/dynamic_vision_test")


def _postgres_or_fail():
    try:
        engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 5})
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as error:
        message = (f"No PostgreSQL server at {POSTGRES_URL} ({type(error).__name__}: "
                   f"{str(error).splitlines()[0]}). Start one with .ci/services.sh or set "
                   f"DYNAMIC_VISION_TEST_POSTGRES_URL.")
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        with ResultStore(f"sqlite:///{tmp_path / 'results.sqlite'}") as opened:
            yield opened
        return
    _postgres_or_fail()
    schema = f"test_{uuid.uuid4().hex[:12]}"  # concurrent test runs never share a table
    opened = ResultStore(POSTGRES_URL, schema=schema, spool=tmp_path / "spool")
    try:
        yield opened
    finally:
        with opened.engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        opened.close()


KEY = RowKey("model-x", "1", "Bench.V1-ridge", "2")


def _done(key=KEY, value=0.5, **extra):
    return {**key.as_dict(), "status": "done", "value": value, "raw": value * 0.9,
            "ceiling": 0.9, "error": 0.01, "raw_error": 0.009, "convention": "disattenuated",
            "detail": {"data_vars": {"raw": {"dims": ["layer"], "data": [0.1, None]}}},
            "provenance": {"seed": 0}, "attempts": 1, "started_at": "2024-05-01T10:00:00+00:00",
            "finished_at": "2024-05-01T10:00:05+00:00", **extra}


def test_round_trip(store):
    assert store.record(_done())
    row = store.get(KEY)
    assert {k: row[k] for k in ("value", "raw", "ceiling", "error", "convention")} == {
        "value": 0.5, "raw": 0.45, "ceiling": 0.9, "error": 0.01, "convention": "disattenuated"}
    assert row["detail"]["data_vars"]["raw"]["data"] == [0.1, None]
    assert row["provenance"] == {"seed": 0}
    assert row["finished_at"] == "2024-05-01T10:00:05+00:00"
    assert row["updated_at"] is not None
    assert store.counts() == {"done": 1}
    assert list(store.frame()["model"]) == ["model-x"]


def test_finished_rows_are_never_overwritten(store):
    store.record({**KEY.as_dict(), "status": "failed", "failure_kind": "transient",
                  "attempts": 1})
    assert store.record(_done(value=0.5))  # a failure is replaced by a success
    assert not store.record(_done(value=0.7))
    store.mark_running([KEY], attempt=2)
    assert store.get(KEY)["value"] == 0.5 and store.get(KEY)["status"] == "done"
    assert store.record(_done(value=0.7), replace_done=True)
    assert store.get(KEY)["value"] == 0.7


def test_versions_are_separate_rows(store):
    store.record(_done())
    store.record(_done(RowKey("model-x", "1", "Bench.V1-ridge", "3"), value=0.6))
    store.record(_done(RowKey("model-x", "2", "Bench.V1-ridge", "2"), value=0.4))
    assert [(r["model_revision"], r["benchmark_version"], r["value"]) for r in store.rows()] == [
        ("1", "2", 0.5), ("1", "3", 0.6), ("2", "2", 0.4)]
    assert store.rows(models=["nobody"]) == []


def test_ingest_adopts_spooled_rows(store):
    other = RowKey("model-y", "1", "Bench.V1-ridge", "2")
    store.mark_running([KEY, other], attempt=1)
    store.spool.write(KEY.digest, _done())
    store.spool.write(other.digest + "-failed", {**other.as_dict(), "status": "failed",
                                                 "failure_kind": "deterministic", "attempts": 1})
    assert store.ingest() == 2
    assert store.get(KEY)["status"] == "done" and store.get(other)["status"] == "failed"
    assert store.ingest() == 0  # idempotent
    # a spooled failure never replaces a stored success
    store.spool.write(KEY.digest + "-failed", {**KEY.as_dict(), "status": "failed",
                                               "failure_kind": "transient", "attempts": 2})
    assert store.ingest() == 0 and store.get(KEY)["status"] == "done"


def test_grid_rows_match_between_sqlite_and_this_store(store, tmp_path, monkeypatch):
    scale_toys.activate(tmp_path, monkeypatch)
    try:
        models, benchmarks = ["scale-toy-a", "scale-toy-c"], ["ScaleToy.MT-corr",
                                                              "ScaleToy.V1-broken"]
        setup = [scale_toys.WORKER_SETUP]
        ours = score_many(models, benchmarks, store=store, imports=setup, progress=False)
        with ResultStore(f"sqlite:///{tmp_path / 'reference.sqlite'}") as reference_store:
            reference = score_many(models, benchmarks, store=reference_store, imports=setup,
                                   progress=False)
    finally:
        scale_toys.unregister()
    assert [{k: r[k] for k in RESULT_FIELDS} for r in ours.rows] == \
        [{k: r[k] for k in RESULT_FIELDS} for r in reference.rows]


def test_sqlite_uses_wal_and_takes_the_write_lock_at_begin(tmp_path):
    path = tmp_path / "locks.sqlite"
    with ResultStore(f"sqlite:///{path}") as store:
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        with store.engine.begin() as connection:
            connection.execute(sa.select(store.table))  # only reads, yet holds the write lock
            other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()


def test_default_url_lives_under_the_library_home(tmp_path, monkeypatch):
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(tmp_path / "home"))
    with ResultStore() as store:
        assert store.url == f"sqlite:///{tmp_path / 'home' / 'scale' / 'results.sqlite'}"
        assert store.spool.root == tmp_path / "home" / "scale" / "results.spool"
        assert "postgres" not in repr(store)
