"""Where the library keeps files, and how it writes them without leaving partial files behind.

All data, caches and results live under ``DYNAMIC_VISION_HOME`` (default: the user's cache
directory, e.g. ``~/.cache/dynamic_vision``). Setting ``DYNAMIC_VISION_NO_CACHE=1`` disables
every cache (scores, activations); downloaded data are still kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = [
    "home",
    "cache_enabled",
    "safe_name",
    "current_umask",
    "scratch_dir",
    "atomic_path",
    "atomic_write",
    "atomic_write_json",
    "read_json",
    "read_json_cache",
    "quarantine",
    "writer_tag",
    "remove_dead_scratch",
    "writer_alive",
    "remove_dead_temporaries",
    "stable_hash",
    "sha256_file",
]

HOME_VARIABLE = "DYNAMIC_VISION_HOME"
NO_CACHE_VARIABLE = "DYNAMIC_VISION_NO_CACHE"


def home(*parts: str) -> Path:
    """The library's data directory (``$DYNAMIC_VISION_HOME``), or a sub-path of it.

    Raises
    ------
    ValueError
        A part would lead outside the directory (absolute, or climbing with ``..``).
    """
    root = os.environ.get(HOME_VARIABLE)
    if root:
        base = Path(root).expanduser()
    else:
        import platformdirs

        base = Path(platformdirs.user_cache_dir("dynamic_vision", appauthor=False))
    relative = os.path.normpath(os.path.join(*parts)) if parts else "."
    if os.path.isabs(relative) or relative == ".." or relative.startswith(".." + os.sep):
        raise ValueError(f"{os.path.join(*parts)!r} leads outside {base}; paths under "
                         f"DYNAMIC_VISION_HOME are built from safe names (see safe_name).")
    return base.joinpath(*parts)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def safe_name(identifier: str) -> str:
    """A file name for ``identifier``: itself when it is made of letters, digits, ``.``, ``_``
    and ``-`` only (and is not ``.``/``..``); otherwise the unsafe characters replaced by ``_``
    plus a short hash of the original, so that two identifiers never share a name."""
    text = str(identifier)
    if text and not _UNSAFE.search(text) and text not in (".", "..") and \
            not text.startswith("."):
        return text
    cleaned = _UNSAFE.sub("_", text).lstrip(".") or "_"
    return f"{cleaned[:80]}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"


def cache_enabled() -> bool:
    """False when ``DYNAMIC_VISION_NO_CACHE`` is set to a true value (1, true, yes)."""
    return os.environ.get(NO_CACHE_VARIABLE, "").strip().lower() not in {"1", "true", "yes", "on"}


_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux)."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _UMASK_LOCK:  # elsewhere: set and restore, the only portable way to read it
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def scratch_dir(parent: str | os.PathLike[str], prefix: str) -> Path:
    """A new, uniquely named folder in ``parent`` with the permissions the umask gives (not
    the 0700 of :func:`tempfile.mkdtemp`), for work that is renamed into place when done.

    Its name is ``prefix``, the writer's :func:`writer_tag` and a random part; the folders of
    ``prefix`` that writers on this host left when they were killed are removed first.
    """
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    remove_dead_scratch(parent, prefix)
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}{writer_tag()}-", dir=parent))
    os.chmod(folder, 0o777 & ~current_umask())
    return folder


def remove_dead_scratch(parent: str | os.PathLike[str], prefix: str) -> int:
    """Remove the :func:`scratch_dir` folders named ``prefix…`` in ``parent`` whose writer (on
    this host) no longer runs; returns how many were removed."""
    removed = 0
    for entry in _dead_writers(parent, prefix):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed += 1
    return removed


def writer_tag() -> str:
    """This process's mark in the names of its temporary files: ``w<pid>h<host hash>``.

    A process that finds the temporary file of a writer on its own host that no longer runs
    (killed with SIGKILL, out of memory) removes it at once (:func:`writer_alive`).
    """
    return f"w{os.getpid()}h{_host_id()}"


_TAG = re.compile(r"w(\d+)h([0-9a-f]{8})")


def _host_id() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def writer_alive(name: str) -> bool | None:
    """Whether the writer whose :func:`writer_tag` is in ``name`` still runs: ``None`` when
    that cannot be told here (no tag, or another host's), else True or False."""
    tags = _TAG.findall(name)  # the last one: a file's own name may look like a tag
    if not tags or tags[-1][1] != _host_id():
        return None
    try:
        os.kill(int(tags[-1][0]), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # alive under another user (or not a pid we may ask about)
    return True


def remove_dead_temporaries(folder: str | os.PathLike[str], target: str | None = None) -> int:
    """Remove the temporary files that :func:`atomic_path` writers in ``folder`` (for the file
    ``target`` only, when given) left when they died; returns how many were removed."""
    removed = 0
    for entry in _dead_writers(folder, f".{target}." if target is not None else "."):
        if entry.name.endswith(".tmp"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed += 1
    return removed


def _dead_writers(folder: str | os.PathLike[str], prefix: str) -> list[os.DirEntry]:
    """The entries of ``folder`` named ``prefix…`` whose writer's tag (after the prefix) names
    a process of this host that no longer runs."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []
    return [entry for entry in entries if entry.name.startswith(prefix)
            and writer_alive(entry.name[len(prefix):]) is False]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A unique temporary path beside ``path`` for a writer that needs a file name (netCDF,
    archives); on success it is renamed into place, on any error removed.

    Readers only ever see complete files, even on network file systems where several
    processes write the same key. The file gets the permissions the umask gives. Its name
    carries the writer's :func:`writer_tag`: the temporary files of writers on this host that
    were killed before they could clean up are removed by the next writer of ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_dead_temporaries(path.parent, path.name)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{writer_tag()}-", suffix=".tmp",
                               dir=path.parent)
    try:
        # mkstemp makes 0600 files; the finished file gets what the umask gives (0644 under 022)
        # so that a shared cache stays readable by colleagues.
        os.fchmod(fd, 0o666 & ~current_umask())
    finally:
        os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "wb") -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` (see :func:`atomic_path`); on success fsync it
    and rename it into place."""
    with atomic_path(path) as tmp, open(tmp, mode) as handle:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())


def atomic_write_json(path: str | os.PathLike[str], data: Any) -> None:
    """Write ``data`` as JSON, atomically."""
    with atomic_write(path, "w") as handle:
        json.dump(data, handle, indent=1, sort_keys=True, allow_nan=False)


def read_json(path: str | os.PathLike[str]) -> Any:
    with open(path) as handle:
        return json.load(handle)


def stable_hash(*parts: Any, length: int = 16) -> str:
    """A short, stable content hash of JSON-serialisable parts (cache keys)."""
    payload = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(payload).hexdigest()[:length]


def sha256_file(path: str | os.PathLike[str], chunk_size: int = 1 << 20) -> str:
    """The sha256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def quarantine(path: str | os.PathLike[str], reason: str) -> Path:
    """Move a damaged cache file aside (``<name>.damaged``, replacing an older one) and warn,
    naming it, so that the caller computes it again instead of failing on it forever."""
    import warnings

    from dynamic_vision.core.errors import RepairedCacheWarning

    path = Path(path)
    aside = path.with_name(path.name + ".damaged")
    try:
        os.replace(path, aside)
    except FileNotFoundError:  # another process moved it first
        pass
    warnings.warn(f"{path} was damaged ({reason}); moved it to {aside.name} and computing it "
                  f"again.", RepairedCacheWarning, stacklevel=3)
    return aside


def read_json_cache(path: str | os.PathLike[str]) -> Any | None:
    """The JSON cached at ``path``; ``None`` when there is none, or when it is damaged (then
    it is moved aside by :func:`quarantine`)."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None
    except (ValueError, OSError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        quarantine(path, f"{type(error).__name__}: {error}")
        return None
