"""Hugging Face hub snapshots of ``transformers`` models, found in the hub's own cache.

A model id such as ``MCG-NJU/videomae-base`` lives in the hub cache
(``$HF_HUB_CACHE/models--MCG-NJU--videomae-base/snapshots/<revision>/``, the folder
``huggingface_hub`` and ``transformers`` share). :func:`hub_config` returns its
``config.json`` and :func:`hub_snapshot` the folder holding the config and the weights, downloading
them only when downloads are allowed and the hub answers within seconds. Anything missing raises
:class:`~dynamic_vision.core.errors.WeightsNotFoundError` naming the folders looked in; nothing
ever falls back to random weights.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from dynamic_vision.core.errors import WeightsNotFoundError
from dynamic_vision.modeling.weights import (OFFLINE_VARIABLE, host_unreachable, hub_cache_dir,
                                             offline)

__all__ = ["hub_cache_dir", "repo_folder", "hub_config", "hub_snapshot", "preprocessor_config",
           "WEIGHT_FILES"]

#: Weight files ``transformers`` loads, in its order of preference.
WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin",
                "pytorch_model.bin.index.json")
_OFFLINE = (OFFLINE_VARIABLE, "HF_HUB_OFFLINE")


def repo_folder(repo_id: str) -> Path:
    """The cache folder of model repository ``repo_id``."""
    return hub_cache_dir() / ("models--" + repo_id.replace("/", "--"))


def _snapshots(repo_id: str) -> list[Path]:
    """Snapshot folders of ``repo_id``: the one ``refs/main`` points to first, then others."""
    folder = repo_folder(repo_id)
    found = sorted(p for p in (folder / "snapshots").glob("*") if p.is_dir())
    ref = folder / "refs" / "main"
    if ref.is_file():
        main = folder / "snapshots" / ref.read_text().strip()
        found = [main] + [p for p in found if p != main] if main.is_dir() else found
    return found


def _local(repo_id: str, *required: str) -> Path | None:
    """A snapshot that holds every file of ``required`` (a tuple means any one of it)."""
    for snapshot in _snapshots(repo_id):
        if all(any((snapshot / name).is_file() for name in
                   (need if isinstance(need, tuple) else (need,))) for need in required):
            return snapshot
    return None


def _endpoint() -> str:
    import huggingface_hub

    return os.environ.get("HF_ENDPOINT", "").rstrip("/") or huggingface_hub.constants.ENDPOINT


def _missing(repo_id: str, model: str | None, what: str, reason: str) -> WeightsNotFoundError:
    who = f"model '{model}'" if model else f"'{repo_id}'"
    tried = _snapshots(repo_id)
    lines = [f"Not available: the {what} of {who} (Hugging Face hub repository "
             f"'{repo_id}'): {reason}.",
             f"  looked in: {repo_folder(repo_id) / 'snapshots'}"
             + (f" ({len(tried)} snapshot(s) without them)" if tried else " (not there)"),
             f"  download URL: {_endpoint()}/{repo_id}",
             f"To provide them: run `huggingface-cli download {repo_id}` on a machine with "
             f"network and copy its Hugging Face cache here (or point HF_HUB_CACHE at it), or "
             f"unset HF_HUB_OFFLINE / {OFFLINE_VARIABLE} to download."]
    if model:
        base = model.removesuffix("-random")
        lines.append(f"For the same architecture with random weights use '{base}-random' "
                     f"(that still needs the repository's config.json).")
    return WeightsNotFoundError("\n".join(lines))


def _download(repo_id: str, model: str | None, what: str, patterns: list[str]) -> Path:
    """Download ``patterns`` of ``repo_id`` into the cache, if allowed and reachable."""
    if offline(_OFFLINE):
        raise _missing(repo_id, model, what, "downloads are disabled (" + " or ".join(
            f"{v}=1" for v in _OFFLINE) + ")")
    problem = host_unreachable(_endpoint())
    if problem:
        raise _missing(repo_id, model, what, problem)
    import huggingface_hub

    try:
        return Path(huggingface_hub.snapshot_download(
            repo_id, allow_patterns=patterns, cache_dir=hub_cache_dir(), endpoint=_endpoint()))
    except Exception as error:  # HTTP, authorisation and file-system errors alike
        raise _missing(repo_id, model, what, f"the download failed ({type(error).__name__}: "
                                             f"{error})") from error


def hub_config(repo_id: str, *, model: str | None = None) -> dict[str, Any]:
    """``config.json`` of ``repo_id`` from the cache (downloaded if allowed)."""
    snapshot = _local(repo_id, "config.json") or _download(
        repo_id, model, "configuration", ["config.json", "preprocessor_config.json"])
    path = snapshot / "config.json"
    if not path.is_file():
        raise _missing(repo_id, model, "configuration", "the repository has no config.json")
    return json.loads(path.read_text())


def preprocessor_config(repo_id: str) -> dict[str, Any]:
    """``preprocessor_config.json`` (or ``video_preprocessor_config.json``) of ``repo_id``
    when the cache holds one, else ``{}`` (never downloads on its own)."""
    for name in ("video_preprocessor_config.json", "preprocessor_config.json"):
        snapshot = _local(repo_id, name)
        if snapshot is not None:
            return json.loads((snapshot / name).read_text())
    return {}


def hub_snapshot(repo_id: str, *, model: str | None = None) -> Path:
    """The cached snapshot folder of ``repo_id`` with its config and weights."""
    snapshot = _local(repo_id, "config.json", WEIGHT_FILES)
    if snapshot is None:
        snapshot = _download(repo_id, model, "pretrained weights",
                             ["*.json", "*.safetensors", "pytorch_model*.bin"])
        if not any((snapshot / name).is_file() for name in WEIGHT_FILES):
            raise _missing(repo_id, model, "pretrained weights",
                           f"the repository has none of {list(WEIGHT_FILES)}")
    return snapshot
