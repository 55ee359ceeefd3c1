"""Fill a Hugging Face hub cache folder locally, so that hub loading paths run offline in tests.

The layout is the hub cache's own (``models--<org>--<name>/snapshots/<revision>/`` with
``refs/main`` naming the revision), so :mod:`huggingface_hub`, ``transformers`` and
:mod:`dynamic_vision.modeling.libraries.hub` find the files exactly as they would after a
download.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["snapshot_folder", "save_to_hub_cache"]

#: The revision test snapshots are filed under.
REVISION = "0" * 40


def snapshot_folder(cache_dir: str | os.PathLike[str], repo_id: str,
                    revision: str = REVISION) -> Path:
    """The snapshot folder of ``repo_id`` in ``cache_dir`` (made, with ``refs/main``)."""
    folder = Path(cache_dir) / ("models--" + repo_id.replace("/", "--"))
    snapshot = folder / "snapshots" / revision
    snapshot.mkdir(parents=True, exist_ok=True)
    (folder / "refs").mkdir(exist_ok=True)
    (folder / "refs" / "main").write_text(revision)
    return snapshot


def save_to_hub_cache(cache_dir: str | os.PathLike[str], repo_id: str, model: Any = None, *,
                      files: Mapping[str, Any] | None = None) -> Path:
    """Save ``model`` (``save_pretrained``; a config saves only ``config.json``) and extra JSON
    ``files`` (name → content) as the cached snapshot of ``repo_id``; returns its folder."""
    snapshot = snapshot_folder(cache_dir, repo_id)
    if model is not None:
        model.save_pretrained(snapshot)
    for name, content in (files or {}).items():
        (snapshot / name).write_text(json.dumps(content))
    return snapshot
