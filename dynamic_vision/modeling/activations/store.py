"""The on-disk activation store: one file per chunk of stimuli, written atomically.

A store is a directory (``DYNAMIC_VISION_HOME/activations/<model>/<key>/`` when caching) with a
``manifest.json`` describing what was extracted and files ``chunk-00000.npz``, … holding the
reduced activations of consecutive groups of stimuli. Each chunk is written with
:func:`dynamic_vision.core.storage.atomic_write`, so an interrupted run leaves only complete chunks;
a rerun with the same key reuses them and extracts only the missing ones. Files are plain
``.npz`` archives read with ``allow_pickle=False``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dynamic_vision.core import storage

__all__ = ["ActivationStore", "LayerChunk"]


@dataclass
class LayerChunk:
    """Reduced activations of one layer for the stimuli of one chunk.

    Attributes
    ----------
    values
        ``(n_stimuli, n_steps_max, k)`` float32, NaN beyond each stimulus's steps.
    n_steps
        ``(n_stimuli,)`` number of valid steps per stimulus.
    step_ms
        Milliseconds covered by one step of this layer.
    """

    values: np.ndarray
    n_steps: np.ndarray
    step_ms: float


class ActivationStore:
    """Chunks of reduced activations under ``directory``.

    Parameters
    ----------
    directory
        Where the chunk files live (created on first write).
    chunks
        Stimulus ids of every chunk, in order.
    layers
        Recorded layers.
    manifest
        JSON-friendly description of the extraction, written once beside the chunks.
    """

    def __init__(self, directory: str | Path, chunks: Sequence[Sequence[str]],
                 layers: Sequence[str], manifest: Mapping[str, Any] | None = None):
        self.directory = Path(directory)
        self.chunks = [list(chunk) for chunk in chunks]
        self.layers = list(layers)
        self.manifest = dict(manifest or {})

    def chunk_path(self, index: int) -> Path:
        return self.directory / f"chunk-{index:05d}.npz"

    def missing(self) -> list[int]:
        """Indices of chunks not yet on disk."""
        return [i for i in range(len(self.chunks)) if not self.chunk_path(i).is_file()]

    def write_chunk(self, index: int, layers: Mapping[str, LayerChunk]) -> None:
        """Write chunk ``index`` atomically (readers never see a partial file)."""
        if not (self.directory / "manifest.json").is_file():
            storage.atomic_write_json(self.directory / "manifest.json", self.manifest)
        arrays: dict[str, np.ndarray] = {"stimulus_id": np.asarray(self.chunks[index], dtype=str)}
        for layer in self.layers:
            chunk = layers[layer]
            arrays[f"values:{layer}"] = np.ascontiguousarray(chunk.values, dtype=np.float32)
            arrays[f"n_steps:{layer}"] = np.asarray(chunk.n_steps, dtype=np.int64)
            arrays[f"step_ms:{layer}"] = np.asarray(chunk.step_ms, dtype=np.float64)
        with storage.atomic_write(self.chunk_path(index)) as handle:
            np.savez(handle, **arrays)

    def read_chunk(self, index: int) -> dict[str, LayerChunk]:
        """Read chunk ``index``; a file for other stimuli or layers is an error."""
        path = self.chunk_path(index)
        with np.load(path, allow_pickle=False) as data:
            ids = data["stimulus_id"].tolist()
            if ids != self.chunks[index]:
                raise RuntimeError(f"Activation cache chunk {path} holds other stimuli than "
                                   f"expected; delete {self.directory} and extract again.")
            out = {}
            for layer in self.layers:
                try:
                    out[layer] = LayerChunk(data[f"values:{layer}"], data[f"n_steps:{layer}"],
                                            float(data[f"step_ms:{layer}"]))
                except KeyError:
                    raise RuntimeError(f"Activation cache chunk {path} lacks layer '{layer}'; "
                                       f"delete {self.directory} and extract again.") from None
        return out

    def assemble(self) -> dict[str, LayerChunk]:
        """All chunks of every layer concatenated along stimuli, padded with NaN in time."""
        per_layer: dict[str, list[LayerChunk]] = {layer: [] for layer in self.layers}
        for index in range(len(self.chunks)):
            for layer, chunk in self.read_chunk(index).items():
                per_layer[layer].append(chunk)
        out = {}
        for layer, chunks in per_layer.items():
            n_total = sum(chunk.values.shape[0] for chunk in chunks)
            n_steps = max(chunk.values.shape[1] for chunk in chunks)
            width = chunks[0].values.shape[2]
            values = np.full((n_total, n_steps, width), np.nan, dtype=np.float32)
            row = 0
            for chunk in chunks:
                count, steps, _ = chunk.values.shape
                values[row:row + count, :steps] = chunk.values
                row += count
            out[layer] = LayerChunk(values, np.concatenate([c.n_steps for c in chunks]),
                                    chunks[0].step_ms)
        return out
