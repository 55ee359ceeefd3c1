"""Every result of a grid, kept in a real database through SQLAlchemy Core.

SQLite is the default (one file on *local* disk, WAL journal, every transaction ``BEGIN
IMMEDIATE``); PostgreSQL is used by passing its URL (``postgresql+psycopg://user@host/db``).
Only the coordinator writes: workers write per-row JSON files into the *spool* (a
:class:`~dynamic_vision.scale.shared_cache.SharedCache`), and :meth:`ResultStore.ingest` adopts
them, so a coordinator that died loses nothing.

One row per (model, model revision, benchmark, benchmark version). A finished row (status
``done``) is never overwritten: a new model revision or benchmark version makes new rows.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dynamic_vision.core import storage
from dynamic_vision.core.errors import ResultStoreError
from dynamic_vision.scale.plan import KEY_FIELDS, RowKey
from dynamic_vision.scale.shared_cache import SharedCache

__all__ = ["ResultStore", "default_store_url", "STATUSES", "RESULT_FIELDS", "KEY_FIELDS"]

#: Row statuses: submitted and unanswered, finished, failed (with a failure kind). Readers show
#: a ``running`` row whose coordinator is gone as ``interrupted`` (see
#: :meth:`ResultStore.rows`); it is never stored.
STATUSES = ("running", "done", "failed")
_COORDINATOR = "coordinator "  # prefix of ``worker`` while a coordinator has a row in flight
_URL_EXAMPLES = ("sqlite:////absolute/path/results.sqlite, sqlite:///relative/results.sqlite or "
                 "postgresql+psycopg://user@host/database")
#: The fields that say *what* was measured (not when or where): equal for equal computations.
RESULT_FIELDS = (*KEY_FIELDS, "status", "value", "raw", "ceiling", "error", "raw_error",
                 "convention", "detail", "failure_kind")
_TIME_FIELDS = ("started_at", "finished_at", "updated_at")


def default_store_url() -> str:
    """``sqlite:///$DYNAMIC_VISION_HOME/scale/results.sqlite``."""
    return f"sqlite:///{storage.home('scale', 'results.sqlite')}"


def _table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "results", metadata,
        sa.Column("model", sa.String(255), primary_key=True),
        sa.Column("model_revision", sa.String(64), primary_key=True),
        sa.Column("benchmark", sa.String(255), primary_key=True),
        sa.Column("benchmark_version", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("value", sa.Float), sa.Column("raw", sa.Float), sa.Column("ceiling", sa.Float),
        sa.Column("error", sa.Float), sa.Column("raw_error", sa.Float),
        sa.Column("convention", sa.String(32)),
        sa.Column("detail", sa.JSON(none_as_null=True)),
        sa.Column("provenance", sa.JSON(none_as_null=True)),
        sa.Column("failure_kind", sa.String(32)), sa.Column("failure_message", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False, default=0),
        sa.Column("stimulus_group", sa.String(255)), sa.Column("worker", sa.String(255)),
        sa.Column("duration_s", sa.Float),
        sa.Column("started_at", sa.DateTime), sa.Column("finished_at", sa.DateTime),
        sa.Column("updated_at", sa.DateTime),
    )


def _parse_url(url: str) -> sa.engine.URL:
    try:
        parsed = sa.engine.make_url(url)
        parsed.get_dialect()
    except sa.exc.NoSuchModuleError:  # an ArgumentError too: first
        raise ResultStoreError(
            f"The store URL {url!r} names a database driver that is not installed; use "
            f"{_URL_EXAMPLES} (PostgreSQL needs `pip install 'dynamic-vision[scale]'`).") from None
    except sa.exc.ArgumentError:
        raise ResultStoreError(f"The store URL {url!r} is not a database URL; give one like "
                               f"{_URL_EXAMPLES}.") from None
    return parsed


def _sqlite_file(url: sa.engine.URL) -> Path | None:
    if url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).expanduser()


def _sqlite_engine(url: sa.engine.URL, read_only: bool) -> sa.Engine:
    path = _sqlite_file(url)
    if read_only:
        if path is not None and not path.is_file():
            raise ResultStoreError(
                f"There is no results database at {path}: check --store, or create it with "
                f"`dynamic-vision run --models ... --benchmarks ... --store {url}`.")
    elif path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": 60})

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun explicitly, below
        cursor = dbapi_connection.cursor()
        if not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        # Take the write lock up front: no deferred-lock upgrade failures under contention.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _to_time(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        moment = value
    else:
        moment = dt.datetime.fromisoformat(str(value))
    if moment is not None and moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment


def _from_time(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.timezone.utc).isoformat()


class ResultStore:
    """The results database of a grid.

    Parameters
    ----------
    url
        A SQLAlchemy URL; default :func:`default_store_url`. SQLite files belong on local disk
        (network file systems break its locking); use PostgreSQL to share a store.
    schema
        A database schema to keep the table in (PostgreSQL; created if missing).
    spool
        Folder where workers drop per-row JSON results; default: beside a SQLite file, or
        ``$DYNAMIC_VISION_HOME/scale/spool/<hash of the URL>``. It must be reachable by every
        worker.
    read_only
        Open an existing database to read it (``status``, ``export``, ``leaderboard``): nothing
        is created, and a missing SQLite file is an error naming it.

    Raises
    ------
    ResultStoreError
        The URL does not parse or names no installed driver; with ``read_only``, the database
        does not exist or is not a results database. A SQLite file that is not a database is
        moved aside (``<name>.damaged``) when the store is opened for writing, and the rows the
        workers left in the spool are adopted again by the next :meth:`ingest`.
    """

    def __init__(self, url: str | None = None, *, schema: str | None = None,
                 spool: str | os.PathLike[str] | None = None, read_only: bool = False):
        self.url = url or default_store_url()
        self.read_only = read_only
        parsed = _parse_url(self.url)
        self.dialect = parsed.get_backend_name()
        self.schema = schema
        self._native_upsert = self.dialect == "postgresql" or (
            self.dialect == "sqlite" and sqlite3.sqlite_version_info >= (3, 35))
        metadata = sa.MetaData(schema=schema)
        self.table = _table(metadata)
        self.engine = self._open(parsed, metadata)
        if spool is None:
            if self.dialect == "sqlite" and parsed.database not in (None, "", ":memory:"):
                spool = Path(parsed.database).expanduser().with_suffix(".spool")
            else:
                safe = parsed.render_as_string(hide_password=True)
                spool = storage.home("scale", "spool", storage.stable_hash(safe, schema))
        self.spool = SharedCache(Path(spool).expanduser().absolute())  # workers may run elsewhere

    def _open(self, parsed: sa.engine.URL, metadata: sa.MetaData) -> sa.Engine:
        shown = parsed.render_as_string(hide_password=True)
        for attempt in range(2):
            engine = _sqlite_engine(parsed, self.read_only) if self.dialect == "sqlite" else \
                sa.create_engine(parsed, pool_pre_ping=True)
            try:
                with engine.begin() as connection:
                    if self.read_only:
                        if not sa.inspect(connection).has_table("results", schema=self.schema):
                            raise ResultStoreError(
                                f"{shown} holds no results table: check --store (it names a "
                                f"database `dynamic-vision run` has not written to).")
                    else:
                        if self.schema:
                            connection.execute(sa.schema.CreateSchema(self.schema,
                                                                      if_not_exists=True))
                        metadata.create_all(connection)
                return engine
            except sa.exc.DatabaseError as error:
                engine.dispose()
                path = _sqlite_file(parsed) if self.dialect == "sqlite" else None
                damaged = "not a database" in str(error) or "malformed" in str(error)
                if path is None or not damaged or self.read_only or attempt:
                    hint = (" (not a SQLite database; `dynamic-vision run` moves it aside and "
                            "starts a new one from the workers' spooled results)"
                            if damaged and path is not None else "")
                    raise ResultStoreError(f"Cannot open the results database {shown}"
                                           f"{hint}: {str(error).splitlines()[0]}") from None
                self._move_aside(path, str(error.orig or error).splitlines()[0])
        raise AssertionError("unreachable")

    @staticmethod
    def _move_aside(path: Path, reason: str) -> None:
        storage.quarantine(path, f"{reason}; a new database is started and the rows the "
                                 f"workers finished are adopted again from the spool")
        for suffix in ("-wal", "-shm"):  # the old journal belongs to the old file
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def __repr__(self) -> str:
        shown = sa.engine.make_url(self.url).render_as_string(hide_password=True)
        return f"ResultStore({shown!r})"

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------------
    def _values(self, row: dict[str, Any]) -> dict[str, Any]:
        columns = {c.name for c in self.table.columns}
        values = {name: row[name] for name in columns if name in row}
        for name in _TIME_FIELDS:
            if name in values:
                values[name] = _to_time(values[name])
        values["updated_at"] = _to_time(dt.datetime.now(dt.timezone.utc))
        values.setdefault("attempts", 0)
        return values

    def record(self, row: dict[str, Any], *, replace_done: bool = False) -> bool:
        """Insert or update one row; returns whether it was written.

        A row whose stored status is ``done`` is kept as it is unless ``replace_done``.
        """
        return self.record_many([row], replace_done=replace_done) == 1

    def record_many(self, rows: Iterable[dict[str, Any]], *, replace_done: bool = False) -> int:
        """:meth:`record` for several rows in one transaction; returns how many were written."""
        written = 0
        with self.engine.begin() as connection:
            for row in rows:
                written += self._upsert(connection, self._values(row), replace_done)
        return written

    def _upsert(self, connection: sa.Connection, values: dict[str, Any],
                replace_done: bool) -> int:
        table = self.table
        changes = {k: v for k, v in values.items() if k not in KEY_FIELDS}
        if self._native_upsert:  # one statement: INSERT ... ON CONFLICT ... RETURNING
            if self.dialect == "sqlite":
                from sqlalchemy.dialects.sqlite import insert
            else:
                from sqlalchemy.dialects.postgresql import insert
            statement = insert(table).values(**values)
            statement = statement.on_conflict_do_update(
                index_elements=list(KEY_FIELDS),
                set_={k: statement.excluded[k] for k in changes},
                where=None if replace_done else table.c.status != "done")
            # rowcount is not reliable for upserts across drivers; RETURNING is
            return len(connection.execute(statement.returning(table.c.status)).fetchall())
        return self._portable_upsert(connection, values, replace_done)

    def _portable_upsert(self, connection: sa.Connection, values: dict[str, Any],
                         replace_done: bool) -> int:
        table = self.table
        where = sa.and_(*(table.c[name] == values[name] for name in KEY_FIELDS))
        if not replace_done:
            where = sa.and_(where, table.c.status != "done")
        changes = {k: v for k, v in values.items() if k not in KEY_FIELDS}
        updated = connection.execute(sa.update(table).where(where).values(**changes)).rowcount
        if updated:
            return 1
        exists = connection.execute(sa.select(sa.func.count()).select_from(table).where(
            sa.and_(*(table.c[name] == values[name] for name in KEY_FIELDS)))).scalar()
        if exists:
            return 0  # a finished row: kept
        connection.execute(sa.insert(table).values(**values))
        return 1

    def mark_running(self, keys: Iterable[RowKey], attempt: int,
                     coordinator: str | None = None) -> None:
        """Record that ``keys`` were submitted (their ``attempt``-th try), by the coordinator
        holding the lease :meth:`coordinator_lease` of ``coordinator`` (if given)."""
        now = dt.datetime.now(dt.timezone.utc).isoformat()
        self.record_many({**key.as_dict(), "status": "running", "attempts": attempt,
                          "started_at": now, "failure_kind": None, "failure_message": None,
                          "worker": None if coordinator is None else _COORDINATOR + coordinator}
                         for key in keys)

    def coordinator_lease(self, coordinator: str) -> Path:
        """The lease file a live coordinator named ``coordinator`` holds (in the spool, which
        every machine of the grid reaches)."""
        return self.spool.root / "coordinators" / f"{storage.stable_hash(coordinator)}.lease"

    def _interrupted(self, rows: list[dict[str, Any]]) -> None:
        from dynamic_vision.core.lease import is_held

        live: dict[str, bool] = {}
        for row in rows:
            worker = row.get("worker") or ""
            if row["status"] != "running" or not worker.startswith(_COORDINATOR):
                continue
            name = worker.removeprefix(_COORDINATOR)
            if name not in live:
                live[name] = is_held(self.coordinator_lease(name))
            if not live[name]:
                row["status"] = "interrupted"

    def ingest(self) -> int:
        """Adopt the rows workers left in the spool; returns how many rows changed.

        Finished rows always win over stored unfinished ones; a spooled failure is adopted only
        where the store has nothing better (no row, or one still marked running).
        """
        stored = {RowKey(**{k: r[k] for k in KEY_FIELDS}): r["status"] for r in self.rows()}
        settled = {key.digest for key, status in stored.items() if status == "done"}
        adopted = []
        for name in self.spool.keys():
            if name.removesuffix("-failed") in settled:
                continue  # nothing in this file can change a finished row: do not even read it
            document = self.spool.read(name)
            if not isinstance(document, dict) or not all(k in document for k in KEY_FIELDS):
                continue
            key = RowKey(**{k: str(document[k]) for k in KEY_FIELDS})
            status = stored.get(key)
            if document.get("status") == "done" and status != "done":
                adopted.append(document)
                stored[key] = "done"
            elif document.get("status") == "failed" and status in (None, "running",
                                                                         "interrupted"):
                adopted.append(document)
                stored[key] = "failed"
        return self.record_many(adopted)

    # -- reading ------------------------------------------------------------------------------
    def _query(self, models: Sequence[str] | None, benchmarks: Sequence[str] | None,
               status: str | None) -> sa.Select:
        query = sa.select(self.table)
        if models is not None:
            query = query.where(self.table.c.model.in_(list(models)))
        if benchmarks is not None:
            query = query.where(self.table.c.benchmark.in_(list(benchmarks)))
        if status is not None:
            query = query.where(self.table.c.status == status)
        return query.order_by(*(self.table.c[name] for name in KEY_FIELDS))

    def rows(self, models: Sequence[str] | None = None, benchmarks: Sequence[str] | None = None,
             status: str | None = None) -> list[dict[str, Any]]:
        """Stored rows as dicts, ordered by key; optionally filtered.

        A ``running`` row whose coordinator is gone (its lease no longer held: killed, or its
        machine lost) reads as ``interrupted``; the next ``run`` of the grid computes it.
        """
        with self.engine.connect() as connection:
            stored = "running" if status == "interrupted" else status
            result = connection.execute(self._query(models, benchmarks, stored))
            out = []
            for mapping in result.mappings():
                row = dict(mapping)
                for name in _TIME_FIELDS:
                    row[name] = _from_time(row[name])
                out.append(row)
        self._interrupted(out)
        return out if status is None else [row for row in out if row["status"] == status]

    def get(self, key: RowKey) -> dict[str, Any] | None:
        """The row of ``key``, or None."""
        found = self.rows(models=[key.model], benchmarks=[key.benchmark])
        return next((r for r in found if r["model_revision"] == key.model_revision
                     and r["benchmark_version"] == key.benchmark_version), None)

    def frame(self, **filters: Any) -> Any:
        """:meth:`rows` as a pandas DataFrame (without the bulky ``detail``)."""
        import pandas as pd

        rows = [{k: v for k, v in row.items() if k != "detail"} for row in self.rows(**filters)]
        return pd.DataFrame(rows, columns=[c.name for c in self.table.columns
                                           if c.name != "detail"])

    def counts(self) -> dict[str, int]:
        """Number of rows per status."""
        with self.engine.connect() as connection:
            result = connection.execute(sa.select(self.table.c.status, sa.func.count())
                                        .group_by(self.table.c.status))
            return {status: int(n) for status, n in result}
