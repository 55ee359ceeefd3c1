"""Conformance checks for benchmark plugins, and the tiny models they score.

Each check takes a registered benchmark identifier. They load the benchmark (which must be
cheap), check its declared metadata, and score :class:`TableModel` instances whose activations
are deterministic pseudo-random features of the stimulus id: a benchmark must return a finite,
ceiled, reproducible :class:`~dynamic_vision.core.scores.Score` for them, with its detail.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.core.brain_model import BrainModelBase
from dynamic_vision.core.registry import benchmark_registry
from dynamic_vision.core.scores import CEILING_CONVENTIONS, Score
from dynamic_vision.core.temporal import align_time
from dynamic_vision.testing.checks import check

__all__ = ["TableModel", "random_features", "IDENTIFIER_PATTERN"]

#: ``<Dataset>.<region>-<metric>``, e.g. ``SimMotion.MT-ridge``, ``RandomDots.direction-logistic``.
IDENTIFIER_PATTERN = re.compile(r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*\.[A-Za-z0-9_]+-[A-Za-z0-9_.]+$")

Features = Callable[[Mapping[str, Any]], np.ndarray]


def random_features(n_features: int = 8, seed: int = 0, n_steps: int = 1) -> Features:
    """Features that depend on the stimulus id only: ``(n_steps, n_features)`` normals."""
    def features(row: Mapping[str, Any]) -> np.ndarray:
        digest = hashlib.sha256(f"{seed}:{row['stimulus_id']}".encode()).digest()
        rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
        return rng.standard_normal((n_steps, n_features))
    return features


class TableModel(BrainModelBase):
    """A small BrainModel whose activations are computed per stimulus by plain functions.

    Parameters
    ----------
    identifier
        The model's name.
    layers
        ``{layer name: features(row) -> (n_steps, n_features)}``; ``row`` is the stimulus-set
        row (``stimulus_id``, ``path``, ``duration_ms``, metadata). Steps evenly divide the
        stimulus duration (one step: the whole duration), and are averaged into the requested
        time bins with :func:`dynamic_vision.core.temporal.align_time`.
    committed_layer
        Layer recorded when no ``layers`` are requested (default: the last one); behavioural
        tasks read its features averaged over steps.
    """

    def __init__(self, identifier: str, layers: Mapping[str, Features],
                 committed_layer: str | None = None, visual_degrees: float = 8.0):
        super().__init__()
        self.identifier = identifier
        self._layers = dict(layers)
        self.committed_layer = committed_layer or list(self._layers)[-1]
        self._visual_degrees = visual_degrees
        self.looked_at: list[int] = []

    @property
    def layers(self) -> list[str]:
        return list(self._layers)

    def visual_degrees(self) -> float:
        return self._visual_degrees

    def default_layers(self, region: str) -> list[str]:
        return [self.committed_layer]

    def look_at(self, stimuli: Any, number_of_trials: int = 1) -> xr.DataArray:
        self.looked_at.append(len(stimuli))
        return super().look_at(stimuli, number_of_trials)

    def _features(self, row: Mapping[str, Any], layer: str) -> np.ndarray:
        values = np.asarray(self._layers[layer](row), dtype=np.float64)
        return values[None] if values.ndim == 1 else values

    def task_features(self, stimuli: Any) -> np.ndarray:
        layer = self.committed_layer
        return np.stack([self._features(row, layer).mean(axis=0)
                         for _, row in stimuli.iterrows()])

    def record(self, stimuli: Any, region: str, time_bins: list[tuple[float, float]],
               layers: list[str]) -> xr.DataArray:
        per_stimulus, widths = [], []
        for _, row in stimuli.iterrows():
            blocks = []
            for layer in layers:
                steps = self._features(row, layer)  # (n_steps, n_features)
                duration = float(row.get("duration_ms", 1000.0) or 1000.0)
                edges = np.linspace(0.0, duration, len(steps) + 1)
                blocks.append(align_time(steps.T, edges[:-1], edges[1:], time_bins))
            widths = [len(block) for block in blocks]
            per_stimulus.append(np.concatenate(blocks))
        values = np.stack(per_stimulus)
        layer_of = np.repeat(layers, widths)
        bins = np.asarray(time_bins)
        return xr.DataArray(
            values, dims=("presentation", "neuroid", "time_bin"),
            coords={"stimulus_id": ("presentation", stimuli["stimulus_id"].astype(str).values),
                    "neuroid_id": ("neuroid", [f"{layer}.{i}" for i, layer in enumerate(layer_of)]),
                    "region": ("neuroid", [region] * len(layer_of)),
                    "layer": ("neuroid", layer_of),
                    "time_bin_start": ("time_bin", bins[:, 0]),
                    "time_bin_end": ("time_bin", bins[:, 1])})


def _tiny_model(seed: int = 0) -> TableModel:
    return TableModel(f"table-model-{seed}", {"features": random_features(16, seed=seed)})


@check("benchmark")
def check_benchmark_metadata(identifier: str) -> None:
    """The identifier follows ``<Dataset>.<region>-<metric>``; version, bibtex and ceiling
    convention are declared, and the registry's version matches the object's."""
    assert IDENTIFIER_PATTERN.match(identifier), (
        f"'{identifier}' does not follow '<Dataset>.<region>-<metric>'")
    info = benchmark_registry.info(identifier)
    start = time.perf_counter()
    benchmark = benchmark_registry.load(identifier)
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0, (f"loading '{identifier}' took {elapsed:.1f} s: load data lazily, on "
                           f"the first call")
    assert benchmark.identifier == identifier
    assert isinstance(benchmark.version, int) and benchmark.version >= 1
    assert "version" in info and info["version"] == benchmark.version, (
        "register the benchmark with version=<the object's version>")
    assert benchmark.bibtex.strip(), "declare a bibtex entry for the data"
    assert benchmark.ceiling_convention in CEILING_CONVENTIONS


def _skip_without_data(identifier: str) -> bool:
    """Skip (and return True) when the data the benchmark declares (registration metadata
    ``dataset`` / ``stimulus_set``) are downloadable but not on this machine."""
    from dynamic_vision.io.datasets import get_spec
    from dynamic_vision.testing.data_checks import _loadable, _skip

    info = benchmark_registry.info(identifier)
    for key in ("dataset", "stimulus_set"):
        name = info.get(key)
        if not isinstance(name, str):
            continue
        try:
            get_spec(name)
        except LookupError:
            continue
        if not _loadable(name):
            _skip(f"'{identifier}' needs {key} '{name}', which is not on this machine; "
                  f"run `dynamic-vision data fetch {name}` to run this check")
            return True
    return False


@check("benchmark")
def check_benchmark_scores_tiny_model(identifier: str) -> None:
    """A tiny random-feature model gets a finite, ceiled, reproducible score with provenance."""
    from dynamic_vision.scoring import score

    if _skip_without_data(identifier):
        return
    benchmark = benchmark_registry.load(identifier)
    first = score(_tiny_model(0), benchmark, cache=False)
    assert isinstance(first, Score)
    assert math.isfinite(first.value) and math.isfinite(first.raw), first
    assert math.isfinite(first.ceiling) and first.ceiling > 0, f"ceiling {first.ceiling}"
    assert first.provenance["benchmark"] == identifier
    again = score(_tiny_model(0), benchmark_registry.load(identifier), cache=False)
    assert np.isclose(first.value, again.value, rtol=1e-6, atol=1e-9), (
        f"two runs differ: {first.value} vs {again.value}; fix the seeds")
    assert first.detail.data_vars, "put per-split / per-neuroid / per-time-bin values in detail"


@check("benchmark")
def check_benchmark_ceiling_is_cached(identifier: str) -> None:
    """The ceiling is plausible and, with caching on, stored on disk for the next object
    (benchmarks without a data ceiling, convention ``"none"``, report 1)."""
    from dynamic_vision.core import storage

    if _skip_without_data(identifier):
        return
    benchmark = benchmark_registry.load(identifier)
    first = benchmark.ceiling
    assert 0 < first.value <= 1.5, f"implausible ceiling {first.value}"
    if storage.cache_enabled() and benchmark.ceiling_convention != "none":
        safe = storage.safe_name(identifier)
        stored = list(storage.home("ceilings", safe).glob("*.json"))
        assert stored, (f"no cached ceiling under {storage.home('ceilings', safe)}; compute it "
                        f"with dynamic_vision.benchmark_kinds.cached_ceiling")
    second = benchmark_registry.load(identifier).ceiling
    assert math.isclose(first.value, second.value, rel_tol=1e-9), (first, second)
