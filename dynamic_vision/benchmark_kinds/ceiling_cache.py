"""Noise ceilings computed once per benchmark version and data, then read from disk.

A ceiling depends only on the recordings, so it is cached under
``$DYNAMIC_VISION_HOME/ceilings/<benchmark>/`` with a key made of the benchmark identifier, its
version and a fingerprint of the data; changed data or a version bump give a new file.
``DYNAMIC_VISION_NO_CACHE=1`` recomputes every time.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.core import storage
from dynamic_vision.core.scores import Score

__all__ = ["cached_ceiling", "fingerprint", "ceiling_cache_path"]

logger = logging.getLogger(__name__)


def fingerprint(*arrays: xr.DataArray | np.ndarray | Any) -> str:
    """A sha256 of array values and their coordinates (the identity of a data set)."""
    digest = hashlib.sha256()
    for array in arrays:
        if isinstance(array, xr.DataArray):
            digest.update(np.ascontiguousarray(array.values).tobytes())
            for name in sorted(array.coords):
                digest.update(name.encode())
                digest.update(np.asarray(array.coords[name].values).astype(str).tobytes())
        elif isinstance(array, np.ndarray):
            digest.update(np.ascontiguousarray(array).tobytes())
        else:
            digest.update(repr(array).encode())
    return digest.hexdigest()[:16]


def ceiling_cache_path(identifier: str, version: Any, data_fingerprint: str) -> Path:
    """Where the ceiling of ``identifier`` at ``version`` on data ``data_fingerprint`` lives."""
    safe = storage.safe_name(identifier)
    key = storage.stable_hash(identifier, version, data_fingerprint)
    return storage.home("ceilings", safe, f"v{version}-{key}.json")


def cached_ceiling(identifier: str, version: Any, data_fingerprint: str,
                   compute: Callable[[], Score]) -> Score:
    """Read the ceiling from disk, or ``compute()`` it and store it atomically.

    Parameters
    ----------
    identifier, version
        The benchmark's identifier and version.
    data_fingerprint
        :func:`fingerprint` of the recordings the ceiling is computed from.
    compute
        Computes the ceiling :class:`~dynamic_vision.core.scores.Score` on a cache miss.
    """
    path = ceiling_cache_path(identifier, version, data_fingerprint)
    data = storage.read_json_cache(path) if storage.cache_enabled() else None
    if data is not None:
        try:
            ceiling = Score.from_dict(data)
        except (KeyError, TypeError, ValueError) as error:
            storage.quarantine(path, f"not a ceiling: {type(error).__name__}: {error}")
        else:
            logger.info("Serving the ceiling of %s from %s", identifier, path)
            return ceiling
    result = compute()
    if storage.cache_enabled():
        storage.atomic_write_json(path, result.to_dict())
    return result
