"""A folder of JSON results that many processes on many machines share safely.

Correctness never depends on a lock, because locks on network file systems (NFS, Lustre, GPFS)
are unreliable:

- keys are content hashes, so two writers of one key write the same content;
- every write goes to a unique temporary file beside the target, is fsync'ed and then renamed
  over it (:func:`dynamic_vision.core.storage.atomic_write`); a reader sees the old file or the new
  one, never a mixture;
- a lock file (``O_CREAT | O_EXCL``) only spares duplicate work: a stale lock (its holder died, or
  it outlived its lease) is broken, and a writer that waited long enough writes anyway.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dynamic_vision.core import storage

__all__ = ["SharedCache"]


class SharedCache:
    """JSON documents under content-hashed keys in one folder.

    Parameters
    ----------
    root
        The folder (created on first write). Put it on storage every worker can reach.
    lock_lease_s
        A lock older than this is considered abandoned and broken.
    """

    def __init__(self, root: str | os.PathLike[str], lock_lease_s: float = 3600.0):
        self.root = Path(root)
        self.lock_lease_s = lock_lease_s

    @staticmethod
    def key(*parts: Any) -> str:
        """The content hash of JSON-serialisable ``parts``."""
        return storage.stable_hash(*parts, length=24)

    def path(self, key: str) -> Path:
        if not key or not all(c.isalnum() or c in "._-" for c in key):
            raise ValueError(f"Shared-cache key {key!r} must be a hash or a plain file name.")
        return self.root / f"{key}.json"

    def read(self, key: str) -> Any | None:
        """The document stored under ``key``, or None."""
        try:
            with open(self.path(key)) as handle:
                return json.load(handle)
        except FileNotFoundError:
            return None

    def write(self, key: str, document: Any) -> Path:
        """Store ``document`` under ``key`` atomically; returns the file's path."""
        path = self.path(key)
        storage.atomic_write_json(path, document)
        return path

    def keys(self) -> list[str]:
        """Every stored key (temporary files and locks excluded)."""
        if not self.root.is_dir():
            return []
        return sorted(p.name[:-len(".json")] for p in self.root.glob("*.json")
                      if not p.name.startswith("."))

    # -- duplicate-work avoidance -------------------------------------------------------------
    def _lock_path(self, key: str) -> Path:
        return self.root / f"{key}.lock"

    def _is_stale(self, lock: Path) -> bool:
        try:
            age = time.time() - lock.stat().st_mtime
            holder = json.loads(lock.read_text() or "{}")
        except (FileNotFoundError, json.JSONDecodeError):
            return True
        if age > self.lock_lease_s:
            return True
        if holder.get("host") == socket.gethostname():
            try:
                os.kill(int(holder.get("pid", 0)), 0)
            except ProcessLookupError:
                return True
            except (PermissionError, ValueError):
                return False
        return False

    def _try_lock(self, key: str) -> bool:
        lock = self._lock_path(key)
        lock.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            if not self._is_stale(lock):
                return False
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()
            return self._try_lock(key)
        with os.fdopen(fd, "w") as handle:
            json.dump({"host": socket.gethostname(), "pid": os.getpid(), "time": time.time()},
                      handle)
        return True

    @contextlib.contextmanager
    def claim(self, key: str, wait_s: float = 0.0, poll_s: float = 0.2) -> Iterator[bool]:
        """Try to become the one process computing ``key``.

        Yields True when this process holds the lock. While another live process holds it,
        waits up to ``wait_s`` for it to finish (check :meth:`read` afterwards) and yields
        False. Either way the caller may compute and :meth:`write`: the result is the same.
        """
        deadline = time.monotonic() + wait_s
        acquired = self._try_lock(key)
        while not acquired and time.monotonic() < deadline and self.read(key) is None:
            time.sleep(poll_s)
            acquired = self._try_lock(key)
        try:
            yield acquired
        finally:
            if acquired:
                with contextlib.suppress(FileNotFoundError):
                    self._lock_path(key).unlink()
