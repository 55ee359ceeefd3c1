"""Leases on work in progress: two processes never compute the same stimulus at once.

A lease is an exclusive ``flock`` on a small file named after the work's key. The kernel drops
the lock when its holder exits, however it exits (``kill -9`` included), so a lease is never
left behind by a dead process; a live holder's lease is simply busy. Leases only spare
duplicate work: correctness never depends on them (results are written atomically under
content keys), so on a system without ``fcntl`` every lease is granted.

The holder removes the file before unlocking it; a process that locked a file which was removed
meanwhile notices (its inode is no longer the path's) and tries again.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: leases are advisory only
    fcntl = None  # type: ignore[assignment]

__all__ = ["Lease", "try_lease", "holder_of"]


class Lease:
    """An exclusive lease on ``path`` held by this process; :meth:`release` ends it."""

    def __init__(self, path: Path, fd: int | None):
        self.path = path
        self._fd = fd

    @property
    def held(self) -> bool:
        return self._fd is not None or fcntl is None

    def release(self) -> None:
        """Remove the lease file and unlock it (idempotent)."""
        if self._fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        os.close(self._fd)  # closing drops the flock
        self._fd = None

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()

    def __del__(self) -> None:  # a forgotten lease must not outlive its owner object
        with contextlib.suppress(Exception):
            self.release()


def try_lease(path: str | os.PathLike[str]) -> Lease | None:
    """The lease on ``path`` if no live process holds it, else ``None`` (never waits)."""
    path = Path(path)
    if fcntl is None:
        return Lease(path, None)
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(16):  # a holder may remove the file between our open and lock: retry
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            note = json.dumps({"host": socket.gethostname(), "pid": os.getpid(),
                               "since": time.time()}).encode()
            os.ftruncate(fd, 0)
            os.pwrite(fd, note, 0)
            return Lease(path, fd)
        os.close(fd)
    return None


def holder_of(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Who holds the lease on ``path`` (host, pid, since), as far as the file says."""
    try:
        return json.loads(Path(path).read_text() or "{}")
    except (OSError, ValueError):
        return {}
