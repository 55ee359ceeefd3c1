"""Leases on work in progress: one live process computes a thing, the others wait and reuse it.

A :class:`Lease` is an exclusive advisory lock (``flock``) on a small file beside the work's
result. The operating system releases it whenever its holder exits — normally, on an
exception, on ``kill -9`` or by the out-of-memory killer — so the lease of a dead holder is
reclaimed at once, with no timeout to tune; the next process that asks gets it and finds the
result still missing. On Linux, ``flock`` on NFS is mapped to NFS byte-range locks, so leases
also hold between machines that share a network file system.

Correctness never depends on a lease: results are still written atomically
(:mod:`dynamic_vision.core.storage`), so where locks are not available (no ``fcntl``, a file
system without locks) a lease is granted at once and the worst case is duplicated work.

Typical use::

    with Lease(result.with_name(result.name + ".lease"), what=f"building {result.name}"):
        if not result.exists():  # the process we waited for may have built it
            build(result)

and, for many items that several processes may share, :func:`claim_each`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["Lease", "claim_each", "is_held"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class Lease:
    """An exclusive claim on one piece of work, held by at most one live process.

    Parameters
    ----------
    path
        The lease file (created while held, removed on release).
    what
        What the work is, for the log line shown while waiting.
    poll_s
        Longest pause between two attempts while waiting.

    The lease is re-entrant neither across threads nor within one: take it once per task.
    """

    def __init__(self, path: str | os.PathLike[str], *, what: str | None = None,
                 poll_s: float = 0.2):
        self.path = Path(path)
        self.what = what or self.path.name
        self.poll_s = poll_s
        self._fd: int | None = None
        self._unlocked = False  # held without a lock (no locking available)

    @property
    def held(self) -> bool:
        return self._fd is not None or self._unlocked

    def holder(self) -> dict[str, Any] | None:
        """Who holds the lease (``host``, ``pid``, ``since``), as its holder wrote it; None if
        nobody does or it cannot be read."""
        try:
            return json.loads(self.path.read_text() or "null")
        except (OSError, ValueError):
            return None

    def acquire(self, blocking: bool = True, timeout_s: float | None = None) -> bool:
        """Take the lease; returns whether it is held.

        With ``blocking``, waits (polling) while another live process holds it, up to
        ``timeout_s`` seconds (forever by default).
        """
        if self.held:
            raise RuntimeError(f"The lease {self.path} is already held by this object.")
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        pause, announced = 0.01, False
        while True:
            if self._try():
                return True
            if not blocking or (deadline is not None and time.monotonic() >= deadline):
                return False
            if not announced:
                holder = self.holder() or {}
                logger.info("Waiting for %s (in progress in process %s on %s).", self.what,
                            holder.get("pid", "?"), holder.get("host", "?"))
                announced = True
            time.sleep(pause)
            pause = min(self.poll_s, pause * 2)

    def _try(self) -> bool:
        if fcntl is None:
            self._unlocked = True
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            except OSError as error:  # a file system without locks: proceed unprotected
                os.close(fd)
                logger.debug("No lock on %s (%s); duplicate work is possible.", self.path,
                             error)
                self._unlocked = True
                return True
            # The holder we raced with may have removed the file after we opened it: a lock
            # on that orphaned inode protects nothing, so open the path again.
            try:
                current = os.stat(self.path)
            except FileNotFoundError:
                os.close(fd)
                continue
            opened = os.fstat(fd)
            if (current.st_ino, current.st_dev) != (opened.st_ino, opened.st_dev):
                os.close(fd)
                continue
            self._fd = fd
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
                os.write(fd, json.dumps({"host": socket.gethostname(), "pid": os.getpid(),
                                         "since": time.time()}).encode())
            return True

    def release(self) -> None:
        """Give the lease up (removing its file first, so that no waiter locks an orphan)."""
        if self._fd is not None:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            os.close(self._fd)
            self._fd = None
        self._unlocked = False

    def __enter__(self) -> Lease:
        self.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()

    def __del__(self) -> None:  # a forgotten lease must not outlive its object
        with contextlib.suppress(Exception):
            self.release()


def is_held(path: str | os.PathLike[str]) -> bool:
    """Whether a live process holds the lease file ``path``, found out without taking the
    lease or creating anything (a read-only probe). Without ``fcntl`` nothing can be known and
    every existing lease file counts as held."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False  # released (its holder removes the file) or never taken
    try:
        if fcntl is None:
            return True
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:
            return True  # no locks on this file system: assume the holder lives
        return False  # a lock the kernel dropped: its holder died
    finally:
        os.close(fd)


def claim_each(items: Iterable[T], lease_of: Callable[[T], Lease], done: Callable[[T], bool],
               work: Callable[[T], Any], *, progress: Callable[[T], Any] | None = None) -> int:
    """Make sure ``work(item)`` has been done, by exactly one process, for every item.

    Processes that share items split them: each first works on every item nobody holds, then
    waits for the items others hold and takes over those whose holder died. An item is
    skipped whenever ``done(item)`` is already true, checked again under its lease.

    Parameters
    ----------
    items
        What to do, in order.
    lease_of
        The lease of an item.
    done
        Whether an item's result exists.
    work
        Produce an item's result (atomically).
    progress
        Called once per item when it is settled (by anyone).

    Returns
    -------
    int
        How many items this process worked on.
    """
    worked = 0
    waiting = []
    for item in items:
        if done(item):
            if progress:
                progress(item)
            continue
        lease = lease_of(item)
        if not lease.acquire(blocking=False):
            waiting.append((item, lease))
            continue
        try:
            if not done(item):
                work(item)
                worked += 1
        finally:
            lease.release()
        if progress:
            progress(item)
    for item, lease in waiting:
        if not done(item):
            with lease:
                if not done(item):  # its holder died before finishing: ours now
                    work(item)
                    worked += 1
        if progress:
            progress(item)
    return worked
