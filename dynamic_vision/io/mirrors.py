"""Where a data plugin's files are fetched from, and which hashes they must match.

Two environment variables let a user (or a test) change both without touching a plugin:

``DYNAMIC_VISION_DATA_MIRROR``
    Base URL of a mirror of the data hosts. A declared URL ``https://<host>/<path>?<query>``
    is fetched from ``<mirror>/<host>/<path>`` instead (the query, e.g. an S3 ``versionId``, is
    dropped: a mirror holds one version per path). This is the layout that
    ``wget --force-directories`` writes, so a mirror is made with ``wget -x URL...`` in a folder
    and served by any web server, or used directly as ``file:///path/to/folder``. The files'
    declared hashes still apply: a faithful mirror needs nothing else.

``DYNAMIC_VISION_DATA_HASHES``
    Path of a local JSON file that replaces the declared size and hashes of listed files, for
    mirrors that hold re-packed or locally built copies::

        {"MajajHong2015.public": {"assy_dicarlo_MajajHong2015_public.nc":
                                  {"sha1": "...", "sha256": "...", "size": 123}}}

    An entry replaces the file's whole declaration (keys it omits become unknown) and must
    name a ``sha1`` or a ``sha256``. The manifest is read from the local disk only, never from
    the mirror, so a mirror cannot vouch for its own files.
"""

from __future__ import annotations

import dataclasses
import json
import os
import urllib.parse
from pathlib import Path
from typing import Any

from dynamic_vision.io.remote_file import RemoteFile

__all__ = ["MIRROR_VARIABLE", "HASHES_VARIABLE", "mirrored_url", "hash_overrides",
           "effective_file"]

MIRROR_VARIABLE = "DYNAMIC_VISION_DATA_MIRROR"
HASHES_VARIABLE = "DYNAMIC_VISION_DATA_HASHES"
_HASH_KEYS = {"sha1": 40, "sha256": 64}


def mirrored_url(url: str, mirror: str | None = None) -> str:
    """``url`` as fetched through ``mirror`` (default: ``$DYNAMIC_VISION_DATA_MIRROR``).

    Returns ``url`` unchanged when no mirror is set, or when it names no host (``file:``).
    """
    mirror = os.environ.get(MIRROR_VARIABLE) if mirror is None else mirror
    parts = urllib.parse.urlsplit(url)
    if not mirror or not parts.netloc:
        return url
    return f"{mirror.rstrip('/')}/{parts.netloc}{parts.path}"


def hash_overrides(path: str | os.PathLike[str] | None = None) -> dict[str, dict[str, Any]]:
    """The hash manifest (default: the file named by ``$DYNAMIC_VISION_DATA_HASHES``).

    Returns ``{identifier: {file name: {"sha1"|"sha256"|"size": value}}}``; empty when no
    manifest is set.

    Raises
    ------
    ValueError
        The manifest is not of that shape; the message names the file and the entry.
    """
    path = os.environ.get(HASHES_VARIABLE) if path is None else path
    if not path:
        return {}
    path = Path(path)
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f"{HASHES_VARIABLE} names {path}, which does not exist.") \
            from None
    except json.JSONDecodeError as error:
        raise ValueError(f"Hash manifest {path} is not valid JSON: {error}.") from None
    if not isinstance(manifest, dict):
        raise ValueError(f"Hash manifest {path} must map identifiers to files.")
    for identifier, files in manifest.items():
        if not isinstance(files, dict):
            raise ValueError(f"Hash manifest {path}: '{identifier}' must map file names to "
                             f"hashes.")
        for name, entry in files.items():
            _check_entry(path, identifier, name, entry)
    return manifest


def _check_entry(path: Path, identifier: str, name: str, entry: Any) -> None:
    where = f"Hash manifest {path}, '{identifier}' / '{name}'"
    if not isinstance(entry, dict) or not set(entry) <= {*_HASH_KEYS, "size"}:
        raise ValueError(f"{where}: expected an object with 'sha1', 'sha256' and/or 'size'.")
    if not any(entry.get(key) for key in _HASH_KEYS):
        raise ValueError(f"{where}: give a 'sha1' or a 'sha256'.")
    for key, length in _HASH_KEYS.items():
        value = entry.get(key)
        if value is not None and (not isinstance(value, str) or len(value) != length):
            raise ValueError(f"{where}: '{key}' must be a {length}-character hex digest.")
    size = entry.get("size")
    if size is not None and (not isinstance(size, int) or size < 0):
        raise ValueError(f"{where}: 'size' must be a byte count.")


def effective_file(identifier: str, remote: RemoteFile,
                   overrides: dict[str, dict[str, Any]] | None = None) -> RemoteFile:
    """``remote`` as this machine fetches it: its URL through the mirror, its hashes from the
    manifest when the manifest lists it."""
    overrides = hash_overrides() if overrides is None else overrides
    changes: dict[str, Any] = {}
    if remote.url is not None:
        changes["url"] = mirrored_url(remote.url)
    entry = overrides.get(identifier, {}).get(remote.name)
    if entry is not None:
        changes.update(sha1=entry.get("sha1"), sha256=entry.get("sha256"),
                       size=entry.get("size"))
    return dataclasses.replace(remote, **changes) if changes else remote
