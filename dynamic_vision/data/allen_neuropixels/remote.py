"""Downloads whose digest is published by the archive rather than declared in the plugin.

DANDI publishes a sha256 for every asset in its metadata; :func:`fetch_dandi_asset` reads it,
downloads the asset and verifies it against that digest. Allen's movie template has no
published digest: :func:`fetch_pinned` records the sha256 of the first download and refuses a
later download that differs. Both record what they verified in ``pins.json`` in the data
folder, so a changed upstream file is an error, never a silent swap.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

from dynamic_vision.core import storage
from dynamic_vision.io.download import DownloadError, HashMismatchError, download, verify_file

__all__ = ["dandi_asset_metadata", "fetch_dandi_asset", "fetch_pinned", "is_present"]

_PINS = "pins.json"


def _pins(folder: Path) -> dict[str, Any]:
    try:
        return dict(storage.read_json(folder / _PINS))
    except (FileNotFoundError, ValueError):
        return {}


def _pin(folder: Path, name: str, record: dict[str, Any]) -> None:
    pins = _pins(folder)
    previous = pins.get(name)
    if previous is not None and previous.get("sha256") != record["sha256"]:
        raise HashMismatchError(
            f"{record.get('source', name)} now publishes sha256 {record['sha256']} but "
            f"{previous['sha256']} was verified before for {folder / name}; the upstream file "
            f"changed. Delete {folder / _PINS} to accept the new file.",
            path=folder / name, expected=previous["sha256"], actual=record["sha256"])
    pins[name] = record
    storage.atomic_write_json(folder / _PINS, pins)


def dandi_asset_metadata(api: str, asset_id: str, timeout: float = 30) -> dict[str, Any]:
    """The metadata DANDI publishes for an asset (path, contentSize, digest)."""
    url = f"{api.rstrip('/')}/assets/{asset_id}/"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.load(response)
    except (OSError, ValueError) as error:
        raise DownloadError(f"Cannot read DANDI metadata of asset {asset_id} from {url} "
                            f"({error}).") from error


def fetch_dandi_asset(folder: Path, *, api: str, asset_id: str, asset_path: str,
                      progress: bool = True) -> Path:
    """Download one DANDI asset into ``folder``, verified against its published sha256.

    A file verified before is used without contacting the archive.
    """
    name = Path(asset_path).name
    path = folder / name
    pinned = _pins(folder).get(name)
    if pinned and verify_file(path, size=pinned.get("size")) is None:
        return path
    metadata = dandi_asset_metadata(api, asset_id)
    if metadata.get("path") != asset_path:
        raise DownloadError(f"DANDI asset {asset_id} is '{metadata.get('path')}', not the "
                            f"expected '{asset_path}'; the plugin's asset id is wrong.")
    sha256 = (metadata.get("digest") or {}).get("dandi:sha2-256")
    if not sha256:
        raise DownloadError(f"DANDI publishes no sha256 for asset {asset_id} ({asset_path}); "
                            f"refusing to download a file that cannot be verified.")
    size = metadata.get("contentSize")
    download(f"{api.rstrip('/')}/assets/{asset_id}/download/", path, sha256=sha256,
             size=int(size) if size is not None else None, progress=progress)
    _pin(folder, name, {"sha256": sha256, "size": path.stat().st_size,
                        "source": f"DANDI asset {asset_id}"})
    return path


def fetch_pinned(url: str, path: Path, *, progress: bool = True) -> Path:
    """Download ``url`` once; later calls verify the file against the sha256 recorded then."""
    folder, name = path.parent, path.name
    pinned = _pins(folder).get(name)
    if pinned is not None:
        if verify_file(path, sha256=pinned["sha256"], size=pinned.get("size")) is None:
            return path
        download(url, path, sha256=pinned["sha256"], size=pinned.get("size"),
                 progress=progress)
        return path
    download(url, path, progress=progress)
    _pin(folder, name, {"sha256": storage.sha256_file(path), "size": path.stat().st_size,
                        "source": url})
    return path


def is_present(spec: Any) -> bool:
    """True when a plugin's run-time-resolved file was downloaded and verified before.

    Looks for the file named by ``asset_path`` (a DANDI asset) or ``url`` (a pinned download)
    in the plugin's data folder, with the size recorded when it was verified.
    """
    from dynamic_vision.io.datasets import data_folder

    options = spec.loader_options
    source = options.get("asset_path") or options.get("url")
    if not source:
        return False
    folder = data_folder(spec.identifier)
    name = Path(str(source)).name
    pinned = _pins(folder).get(name)
    return bool(pinned) and verify_file(folder / name, size=pinned.get("size")) is None
