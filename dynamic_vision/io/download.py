"""Verified, atomic, resumable downloads and safe archive extraction.

:func:`download` streams into ``<path>.part``, resumes an interrupted transfer with an HTTP
``Range`` request, checks size and hashes, and only then renames the file into place: a file at
``path`` is always complete and verified. :func:`extract_archive` refuses archive members that
would land outside the destination and unpacks into a temporary folder that is renamed into place.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import shutil
import socket
import stat
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath
from dynamic_vision.core.errors import DownloadError, HashMismatchError, UnsafeArchiveError
from dynamic_vision.core.storage import scratch_dir

__all__ = [
    "download",
    "extract_archive",
    "verify_file",
    "DownloadError",
    "HashMismatchError",
    "UnsafeArchiveError",
]

_CHUNK = 1 << 20
#: Seconds to wait before retry ``k`` (0-based) is ``RETRY_BACKOFF_S * 2**k``, at most 30 s.
RETRY_BACKOFF_S = 1.0
_USER_AGENT = "dynamic-vision (https://pypi.org/project/dynamic-vision)"


def _file_digests(path: Path, algorithms: list[str]) -> dict[str, str]:
    """Hex digests of ``path`` for each algorithm, in one pass over the file."""
    digests = {name: hashlib.new(name) for name in algorithms}
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            for digest in digests.values():
                digest.update(chunk)
    return {name: digest.hexdigest() for name, digest in digests.items()}


def verify_file(path: str | os.PathLike[str], *, sha256: str | None = None,
                size: int | None = None, sha1: str | None = None) -> str | None:
    """``None`` when ``path`` has the declared size and hashes, else what is wrong."""
    path = Path(path)
    if not path.is_file():
        return "missing"
    actual_size = path.stat().st_size
    if size is not None and actual_size != size:
        return f"size {actual_size} bytes, expected {size}"
    expected = {name: value.lower() for name, value in (("sha256", sha256), ("sha1", sha1))
                if value is not None}
    if expected:
        actual = _file_digests(path, list(expected))
        for name, value in expected.items():
            if actual[name] != value:
                return f"{name} {actual[name]}, expected {value}"
    return None


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """An advisory lock so two processes never append to the same ``.part`` at once."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover (Windows: no advisory locks)
        yield
        return
    while True:
        handle = open(lock_path, "a")
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            same = os.stat(lock_path).st_ino == os.fstat(handle.fileno()).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        # The holder removed the lock file after we opened it: lock the current one instead.
        handle.close()
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock_path.unlink()
        handle.close()


class _Interrupted(Exception):
    """The connection ended before the whole body arrived; worth a retry with Range."""


def _open(url: str, offset: int, timeout: float) -> http.client.HTTPResponse:
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 (http/https/file)


def _stream(response: http.client.HTTPResponse, expected: int | None) -> Iterator[bytes]:
    received = 0
    while True:
        try:
            chunk = response.read(_CHUNK)
        except (http.client.IncompleteRead, ConnectionError, socket.timeout, TimeoutError) as error:
            raise _Interrupted(str(error)) from error
        if not chunk:
            break
        received += len(chunk)
        yield chunk
    if expected is not None and received < expected:
        raise _Interrupted(f"connection closed after {received} of {expected} bytes")


def _transfer(url: str, part: Path, timeout: float, bar: object) -> None:
    """Fetch the rest of ``url`` into ``part`` (resuming from its current size)."""
    offset = part.stat().st_size if part.exists() else 0
    try:
        response = _open(url, offset, timeout)
    except urllib.error.HTTPError as error:
        if error.code == 416 and offset:  # the part already holds the whole file
            return
        raise
    with response:
        status = getattr(response, "status", 200)
        if offset and status != 206:  # the server ignored Range: start over
            offset = 0
        length = response.headers.get("Content-Length")
        expected = int(length) if length is not None and length.isdigit() else None
        if hasattr(bar, "reset"):
            total = None if expected is None else expected + offset
            bar.reset(total=total)  # type: ignore[attr-defined]
            bar.update(offset)  # type: ignore[attr-defined]
        with open(part, "ab" if offset else "wb") as handle:
            for chunk in _stream(response, expected):
                handle.write(chunk)
                if hasattr(bar, "update"):
                    bar.update(len(chunk))  # type: ignore[attr-defined]
            handle.flush()
            os.fsync(handle.fileno())


def download(url: str, path: str | os.PathLike[str], *, sha256: str | None = None,
             size: int | None = None, retries: int = 3, progress: bool = True,
             timeout: float = 30, sha1: str | None = None) -> Path:
    """Download ``url`` to ``path``, verified and atomically.

    A ``path`` that already exists and verifies is returned at once. Bytes arrive in
    ``path.part``; an interrupted transfer (dropped connection, timeout, server error) is
    resumed from where it stopped with an HTTP ``Range`` request, up to ``retries`` times.
    The finished file's size and hashes are checked before it is renamed to ``path``.

    Parameters
    ----------
    url
        ``http(s)://`` or ``file://`` address.
    path
        Destination file.
    sha256, sha1
        Expected hex digests (either or both); checked when given.
    size
        Expected size in bytes; checked when given.
    retries
        How many times an interrupted transfer is resumed.
    progress
        Show a progress bar.
    timeout
        Seconds to wait for the server on connect and on each read.

    Raises
    ------
    HashMismatchError
        The finished file has another size or hash; it is deleted and nothing is left at
        ``path`` or ``path.part``.
    DownloadError
        The server refused (4xx) or the retries ran out; the ``.part`` file is kept so a later
        call resumes.
    """
    path = Path(path)
    if path.exists() and verify_file(path, sha256=sha256, size=size, sha1=sha1) is None:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(path.with_name(path.name + ".lock")):
        # Another process may have finished the same file while this one waited.
        if path.exists() and verify_file(path, sha256=sha256, size=size, sha1=sha1) is None:
            return path
        _download_unlocked(url, path, sha256=sha256, size=size, sha1=sha1, retries=retries,
                           progress=progress, timeout=timeout)
    return path


def _download_unlocked(url: str, path: Path, *, sha256: str | None, size: int | None,
                       sha1: str | None, retries: int, progress: bool, timeout: float) -> None:
    part = path.with_name(path.name + ".part")
    from tqdm.auto import tqdm

    with tqdm(total=size, unit="B", unit_scale=True, unit_divisor=1024, desc=path.name,
              disable=not progress, leave=False) as bar:
        for attempt in range(retries + 1):
            try:
                _transfer(url, part, timeout, bar)
                break
            except urllib.error.HTTPError as error:
                if error.code < 500 or attempt == retries:
                    raise DownloadError(f"Cannot download {url}: HTTP {error.code} "
                                        f"{error.reason}.") from error
            except (_Interrupted, urllib.error.URLError, ConnectionError, socket.timeout,
                    TimeoutError, http.client.HTTPException) as error:
                if attempt == retries:
                    kept = part.stat().st_size if part.exists() else 0
                    raise DownloadError(
                        f"Cannot download {url} after {retries + 1} attempts ({error}); "
                        f"{kept} bytes are kept in {part} and the next try resumes from "
                        f"there.") from error
            time.sleep(min(RETRY_BACKOFF_S * 2 ** attempt, 30.0))
    problem = verify_file(part, sha256=sha256, size=size, sha1=sha1)
    if problem is not None:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
        raise HashMismatchError(
            f"Download of {url} does not match its declaration ({problem}); the file was "
            f"deleted. If the upstream file changed on purpose, update the declared hash.",
            path=path, expected=sha256 or sha1 or str(size), actual=problem)
    os.replace(part, path)


# -- archives --------------------------------------------------------------------------------


def _check_member(name: str, dest: Path, archive: Path) -> Path:
    """The resolved target of member ``name`` inside ``dest``, or an UnsafeArchiveError."""
    posix, windows = PurePosixPath(name), PureWindowsPath(name)
    if posix.is_absolute() or windows.is_absolute() or windows.drive:
        raise UnsafeArchiveError(f"{archive} holds the absolute path '{name}'; refusing to "
                                 f"extract it.")
    if ".." in posix.parts or ".." in windows.parts:
        raise UnsafeArchiveError(f"{archive} holds '{name}', which climbs out of the "
                                 f"destination with '..'; refusing to extract it.")
    target = (dest / name).resolve()
    if not target.is_relative_to(dest.resolve()):
        raise UnsafeArchiveError(f"{archive} member '{name}' would land outside {dest}.")
    return target


def _check_link(name: str, link: str, dest: Path, archive: Path) -> None:
    if PurePosixPath(link).is_absolute():
        raise UnsafeArchiveError(f"{archive} member '{name}' links to the absolute path "
                                 f"'{link}'; refusing to extract it.")
    target = ((dest / name).parent / link).resolve()
    if not target.is_relative_to(dest.resolve()):
        raise UnsafeArchiveError(f"{archive} member '{name}' links to '{link}', outside the "
                                 f"destination; refusing to extract it.")


def _extract_zip(archive: Path, staging: Path) -> None:
    with zipfile.ZipFile(archive) as bundle:
        for info in bundle.infolist():
            _check_member(info.filename, staging, archive)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                _check_link(info.filename, bundle.read(info).decode(), staging, archive)
        bundle.extractall(staging)


def _extract_tar(archive: Path, staging: Path) -> None:
    with tarfile.open(archive) as bundle:
        members = bundle.getmembers()
        for member in members:
            _check_member(member.name, staging, archive)
            if member.issym():
                _check_link(member.name, member.linkname, staging, archive)
            elif member.islnk():
                _check_member(member.linkname, staging, archive)
            elif not (member.isfile() or member.isdir()):
                raise UnsafeArchiveError(f"{archive} member '{member.name}' is a device or "
                                         f"pipe; refusing to extract it.")
        # The "data" filter is a second line of defence on Pythons that have it.
        if hasattr(tarfile, "data_filter"):
            bundle.extractall(staging, members=members, filter="data")
        else:  # pragma: no cover
            bundle.extractall(staging, members=members)


def extract_archive(archive: str | os.PathLike[str], dest: str | os.PathLike[str]
                    ) -> list[Path]:
    """Unpack a zip or tar archive (any compression) into the new folder ``dest``.

    Every member is checked before anything is written: absolute paths, ``..`` and links that
    point outside ``dest`` raise :class:`UnsafeArchiveError`. Members are unpacked into a
    temporary sibling folder that is renamed to ``dest`` once complete.

    Returns
    -------
    list of Path
        The extracted files (not folders), sorted.

    Raises
    ------
    FileExistsError
        ``dest`` exists and is not empty.
    """
    archive, dest = Path(archive), Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise FileExistsError(f"Cannot extract {archive}: {dest} already exists and is not "
                              f"empty. Remove it to extract again.")
    if zipfile.is_zipfile(archive):
        extract = _extract_zip
    elif tarfile.is_tarfile(archive):
        extract = _extract_tar
    else:
        raise ValueError(f"{archive} is neither a zip nor a tar archive.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = scratch_dir(dest.parent, prefix=f".{dest.name}.tmp-")
    try:
        extract(archive, staging)
        if dest.exists():
            dest.rmdir()  # empty, checked above
        os.replace(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(p for p in dest.rglob("*") if p.is_file() or p.is_symlink())
