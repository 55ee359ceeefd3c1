"""The content-addressed activation store: each stimulus's activations of one layer, once.

Layout under one extraction (model fingerprint, preprocessing, window rule, reduction, autocast;
see :mod:`.cache_key`)::

    <extraction>/manifest.json            what the extraction is (for people; rewritten if damaged)
    <extraction>/leases/<stimulus>.lock   work in progress (see :mod:`dynamic_vision.core.lease`)
    <extraction>/<layer>-<hash>/<chunk>.npy    float32 (rows, k): the steps of several stimuli
    <extraction>/<layer>-<hash>/<chunk>.json   the chunk's commit record

A chunk holds the reduced time steps of the stimuli computed together, one after the other
(``rows = sum of their steps``); its JSON record lists, per stimulus key (a hash of the file's
content, see :func:`.cache_key.stimulus_key`), the first row and the number of rows, plus the
array's shape and CRC-32. Stimuli are looked up by key, so any subset, order, layer subset or
other stimulus set holding the same files is served from what was computed before.

Guarantees
----------
- **Atomic**: the array is written (temporary file, fsync, rename) before its record; a record
  exists only for a complete array, so a killed writer leaves no chunk readers would use (only
  an orphan array or temporary file, removed by the next process that lists the layer: at once
  when the writer ran on the same host, after :data:`ORPHAN_AGE_S` otherwise).
- **Concurrent writers**: chunk names are unique per writer, so writers never overwrite each
  other; if two computed the same stimulus, either copy serves.
- **Validated reads**: arrays are memory-mapped and checked against their record (shape, dtype,
  CRC-32) once per process. A damaged or unreadable chunk is named in a warning
  (:class:`~dynamic_vision.core.errors.RepairedCacheWarning`), removed and its stimuli
  computed again: a damaged file is never a dead end.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import socket
import threading
import time
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dynamic_vision.core import storage

__all__ = ["ActivationStore", "LayerStore", "StoredEntry", "DamagedChunkError", "FORMAT"]

logger = logging.getLogger(__name__)

#: Version of the chunk record layout (records of another format are ignored).
FORMAT = 1
#: Orphan arrays and temporary files older than this (seconds) belong to dead writers.
ORPHAN_AGE_S = 600.0
#: Layer stores kept per process, so that records are parsed and chunks validated once.
_OPEN_LAYERS: OrderedDict[tuple[str, str], LayerStore] = OrderedDict()
_OPEN_LAYERS_MAX = 256
_OPEN_LAYERS_LOCK = threading.Lock()


class DamagedChunkError(OSError):
    """A chunk of the activation store failed validation (the message names its file)."""


@dataclass(frozen=True)
class StoredEntry:
    """Where one stimulus's steps of one layer live."""

    chunk: str
    row: int
    n_rows: int
    step_ms: float


def _safe(name: str, length: int = 60) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)[:length] or "_"


class LayerStore:
    """The chunks of one layer of one extraction.

    Parameters
    ----------
    directory
        The layer's folder (created on first write).
    layer
        The layer's name (recorded in every chunk).
    """

    def __init__(self, directory: str | os.PathLike[str], layer: str):
        self.directory = Path(directory)
        self.layer = layer
        self._records: dict[str, dict[str, Any]] = {}  # chunk name -> parsed record
        self._index: dict[str, StoredEntry] = {}
        self._verified: dict[str, tuple[int, int, int]] = {}  # chunk -> (inode, size, mtime)
        self._listed: tuple[int, int] | None = None  # the folder's (inode, mtime) when listed
        self._record_stat: dict[str, tuple[int, int, int]] = {}  # chunk -> its record's stat
        self._lock = threading.RLock()  # threads of one process share this object

    @classmethod
    def open(cls, directory: str | os.PathLike[str], layer: str) -> LayerStore:
        """The process's store of ``directory`` (created on first use, then shared)."""
        key = (str(Path(directory).resolve()), layer)
        with _OPEN_LAYERS_LOCK:
            found = _OPEN_LAYERS.get(key)
            if found is None:
                found = _OPEN_LAYERS[key] = cls(directory, layer)
                while len(_OPEN_LAYERS) > _OPEN_LAYERS_MAX:
                    _OPEN_LAYERS.popitem(last=False)
            _OPEN_LAYERS.move_to_end(key)
            return found

    # -- index --------------------------------------------------------------------------------
    def refresh(self) -> dict[str, StoredEntry]:
        """Read the records written since the last call; returns key → entry."""
        with self._lock:
            return self._refresh()

    def _refresh(self) -> dict[str, StoredEntry]:
        try:
            stat = os.stat(self.directory)
        except FileNotFoundError:
            return self._index
        # An unchanged folder has no new records; a folder changed within the last second is
        # listed again whatever its time stamp says (coarse file-system clocks).
        stamp = (stat.st_ino, stat.st_mtime_ns)
        if stamp == self._listed and time.time() - stat.st_mtime > 1.0:
            return self._index
        names = os.listdir(self.directory)
        self._listed = stamp
        records = {name[:-5] for name in names if name.endswith(".json") and name[0] != "."}
        for chunk in sorted(records - set(self._records)):
            self._add(chunk)
        for chunk in set(self._records) - records:  # removed by another process
            self._forget(chunk)
        self._sweep(names, records)
        return self._index

    def _add(self, chunk: str) -> bool:
        """Parse a chunk's record and index its stimuli; False when it cannot serve."""
        record = self._load_record(chunk)
        if record is None:
            return False
        self._records[chunk] = record
        for key, row, n_rows in record["entries"]:
            self._index.setdefault(key, StoredEntry(chunk, int(row), int(n_rows),
                                                    float(record["step_ms"])))
        return True

    def _load_record(self, chunk: str) -> dict[str, Any] | None:
        path = self.directory / f"{chunk}.json"
        try:
            stat = os.stat(path)
            record = json.loads(path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            self._discard(chunk, f"unreadable: {error}", ".json")
            return None
        problem = _record_problem(record)
        if problem == "format":
            return None  # written by another engine version: not ours to judge
        if problem:
            self._discard(chunk, problem, ".json")
            return None
        self._record_stat[chunk] = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        return record

    def _sweep(self, names: Iterable[str], records: set[str]) -> None:
        """Remove orphan arrays and temporary files of dead writers: at once for writers on
        this host (their names carry :func:`~dynamic_vision.core.storage.writer_tag`), after
        :data:`ORPHAN_AGE_S` for others."""
        now = time.time()
        for name in names:
            orphan = (name.endswith(".npy") and name[:-4] not in records) or name.endswith(".tmp")
            if not orphan:
                continue
            path = self.directory / name
            alive = storage.writer_alive(name)
            with contextlib.suppress(OSError):
                if alive is False or (alive is None and now - path.stat().st_mtime > ORPHAN_AGE_S):
                    path.unlink()

    def _forget(self, chunk: str) -> None:
        self._records.pop(chunk, None)
        self._verified.pop(chunk, None)
        self._record_stat.pop(chunk, None)
        for key in [k for k, entry in self._index.items() if entry.chunk == chunk]:
            del self._index[key]
            for other, record in self._records.items():  # another copy may serve the key
                for stored_key, row, n_rows in record["entries"]:
                    if stored_key == key:
                        self._index[key] = StoredEntry(other, int(row), int(n_rows),
                                                       float(record["step_ms"]))
                        break
                if key in self._index:
                    break

    def _discard(self, chunk: str, reason: str, suffix: str = ".npy") -> None:
        import warnings

        from dynamic_vision.core.errors import RepairedCacheWarning

        path = self.directory / f"{chunk}{suffix}"
        warnings.warn(f"Activation store: {path} is damaged ({reason}); removed it, its stimuli "
                      f"are computed again.", RepairedCacheWarning, stacklevel=2)
        for suffix in (".json", ".npy"):
            with contextlib.suppress(FileNotFoundError):
                (self.directory / f"{chunk}{suffix}").unlink()
        self._forget(chunk)

    def missing(self, keys: Iterable[str]) -> list[str]:
        """The keys among ``keys`` with no valid chunk (chunks holding the others are
        validated now, and damaged ones removed)."""
        keys = list(dict.fromkeys(keys))
        with self._lock:
            return self._missing(keys)

    def _missing(self, keys: list[str]) -> list[str]:
        damaged = True
        while damaged:  # a removed chunk may leave its keys to another copy: check that too
            index = self._refresh()
            damaged = False
            for chunk in sorted({index[k].chunk for k in keys if k in index}):
                try:
                    self._mapped(chunk)
                except DamagedChunkError:
                    damaged = True
        return [key for key in keys if key not in self._index]

    # -- reading ------------------------------------------------------------------------------
    def _mapped(self, chunk: str) -> np.ndarray:
        """The chunk's array, memory-mapped and validated (once per file per process)."""
        path = self.directory / f"{chunk}.npy"
        record_path = self.directory / f"{chunk}.json"
        try:
            stat = os.stat(record_path)
            same = self._record_stat.get(chunk) == (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        except FileNotFoundError:
            same = False
        if not same:  # the record changed (or vanished) since it was parsed: read it again
            self._forget(chunk)
            if not self._add(chunk):
                raise DamagedChunkError(f"Activation chunk record {record_path} is gone or "
                                        f"damaged; its stimuli will be computed again.")
        record = self._records[chunk]
        try:
            values = np.load(path, mmap_mode="r", allow_pickle=False)
            stat = os.stat(path)
        except (OSError, ValueError) as error:
            self._discard(chunk, f"unreadable: {error}")
            raise DamagedChunkError(f"Activation chunk {path} is unreadable ({error}); it was "
                                    f"removed and will be computed again.") from error
        identity = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if self._verified.get(chunk) == identity:
            return values
        problem = None
        if values.dtype != np.float32 or list(values.shape) != list(record["shape"]):
            problem = (f"holds {values.dtype} {list(values.shape)}, its record says float32 "
                       f"{record['shape']}")
        elif zlib.crc32(memoryview(np.ascontiguousarray(values)).cast("B")) != record["crc32"]:
            problem = "its content does not match its checksum"
        if problem:
            self._discard(chunk, problem)
            raise DamagedChunkError(f"Activation chunk {path} is damaged ({problem}); it was "
                                    f"removed and will be computed again.")
        self._verified[chunk] = identity
        return values

    def read(self, keys: Sequence[str]) -> tuple[list[np.ndarray], float]:
        """Each key's ``(steps, k)`` rows (read-only views of the memory-mapped chunks) and the
        layer's step duration (ms).

        Raises :class:`KeyError` for a key not stored and :class:`DamagedChunkError` (naming the
        file, which is removed) for a chunk that fails validation.
        """
        with self._lock:
            return self._read(keys)

    def _read(self, keys: Sequence[str]) -> tuple[list[np.ndarray], float]:
        index = self._refresh()
        out: list[np.ndarray] = []
        step_ms: set[float] = set()
        mapped: dict[str, np.ndarray] = {}
        for key in keys:
            entry = index.get(key)
            if entry is None:
                raise KeyError(key)
            if entry.chunk not in mapped:
                mapped[entry.chunk] = self._mapped(entry.chunk)
            out.append(mapped[entry.chunk][entry.row:entry.row + entry.n_rows])
            step_ms.add(entry.step_ms)
        if len(step_ms) > 1:
            raise DamagedChunkError(f"Activation chunks of layer '{self.layer}' in "
                                    f"{self.directory} disagree on the step duration "
                                    f"({sorted(step_ms)} ms); delete that folder.")
        return out, (step_ms.pop() if step_ms else float("nan"))

    # -- writing ------------------------------------------------------------------------------
    def write(self, entries: Sequence[tuple[str, np.ndarray]], step_ms: float) -> Path:
        """Store ``(key, (steps, k) rows)`` of several stimuli as one chunk; returns its array."""
        if not entries:
            raise ValueError("A chunk needs at least one stimulus.")
        values = np.ascontiguousarray(np.concatenate([rows for _, rows in entries]),
                                      dtype=np.float32)
        table, row = [], 0
        for key, rows in entries:
            table.append([key, row, int(rows.shape[0])])
            row += int(rows.shape[0])
        chunk = f"{time.strftime('%Y%m%d%H%M%S')}-{storage.writer_tag()}-{uuid.uuid4().hex[:8]}"
        path = self.directory / f"{chunk}.npy"
        with storage.atomic_write(path) as handle:
            np.save(handle, values, allow_pickle=False)
        record = {"format": FORMAT, "layer": self.layer, "step_ms": float(step_ms),
                  "shape": list(values.shape), "dtype": "float32",
                  "crc32": zlib.crc32(memoryview(values).cast("B")), "entries": table,
                  "written_by": {"host": socket.gethostname(), "pid": os.getpid(),
                                 "time": time.time()}}
        storage.atomic_write_json(self.directory / f"{chunk}.json", record)
        return path

    def chunks(self) -> list[dict[str, Any]]:
        """The parsed records of every chunk (e.g. to see which process wrote what)."""
        with self._lock:
            self._refresh()
            return [self._records[name] for name in sorted(self._records)]


def _record_problem(record: Any) -> str | None:
    """Why a chunk record cannot be used (``"format"``: another layout version), or None."""
    if not isinstance(record, dict):
        return "its record is not a JSON object"
    if record.get("format") != FORMAT:
        return "format"
    try:
        rows, width = (int(v) for v in record["shape"])
        float(record["step_ms"])
        int(record["crc32"])
        end = 0
        for key, row, n_rows in record["entries"]:
            if not isinstance(key, str) or int(row) != end or int(n_rows) < 1:
                return "its record's entries do not tile the array"
            end += int(n_rows)
    except (KeyError, TypeError, ValueError):
        return "its record lacks fields or has malformed ones"
    if end != rows or width < 1:
        return "its record's entries do not match its shape"
    return None


class ActivationStore:
    """All layers of one extraction (see the module docstring for the layout).

    Parameters
    ----------
    directory
        The extraction's folder.
    manifest
        JSON-friendly description written once beside the layers (for people).
    """

    def __init__(self, directory: str | os.PathLike[str], manifest: dict[str, Any] | None = None):
        self.directory = Path(directory)
        self.manifest = dict(manifest or {})
        self._layers: dict[str, LayerStore] = {}

    def layer(self, layer: str, key: str) -> LayerStore:
        """The store of ``layer`` (``key`` distinguishes per-layer settings such as a
        ``time_axis`` override)."""
        if key not in self._layers:
            self._layers[key] = LayerStore.open(self.directory / f"{_safe(layer)}-{key}", layer)
        return self._layers[key]

    def lease_path(self, stimulus_key: str) -> Path:
        return self.directory / "leases" / f"{stimulus_key}.lock"

    def write_manifest(self) -> None:
        """Write the manifest where it is missing; a damaged one (unreadable, or describing
        another extraction) is moved aside, named, and written again."""
        if not self.manifest:
            return
        path = self.directory / "manifest.json"
        expected = json.loads(json.dumps(self.manifest))
        found = storage.read_json_cache(path)  # moves an unreadable one aside, naming it
        if found == expected:
            return
        if found is not None:
            storage.quarantine(path, "it describes another extraction")
        storage.atomic_write_json(path, self.manifest)
