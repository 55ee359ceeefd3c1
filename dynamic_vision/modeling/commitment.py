"""A torch module plus its :class:`ModelSpec`, committed to regions: a :class:`BrainModel`.

:class:`ModelCommitment` answers a benchmark's questions with the extraction engine
(:func:`dynamic_vision.modeling.activations.extract_activations`):

- ``start_recording(region, time_bins)`` picks the layer committed to ``region`` (from the
  spec's ``region_layer_map``, an explicit :meth:`ModelCommitment.commit`, or layer selection,
  see :mod:`dynamic_vision.modeling.layer_selection`); ``layers=[...]`` records several layers at once.
- ``look_at(stimuli)`` extracts (or reads from the cache) the reduced activations of those
  layers, aligns their time steps to the requested time bins with
  :func:`dynamic_vision.core.temporal.align_time`, and returns ``(presentation, neuroid, time_bin)``.
- ``start_task("label" | "probabilities", fitting_stimuli)`` fits a logistic-regression readout
  on the time-averaged activations of the readout layer for the fitting stimuli.

Trials: the models wrapped here are deterministic, so ``number_of_trials=n`` repeats every
presentation ``n`` times with identical values (coordinate ``repetition`` = 0…n-1); a
stochastic model would override :meth:`ModelCommitment.look_at`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.core.brain_model import Task, TimeBins, normalize_time_bins
from dynamic_vision.modeling.spec import ModelSpec
from dynamic_vision.core.task_readout import fit_readout, readout_output

__all__ = ["ModelCommitment", "align_layer", "time_averaged"]

#: ``selector(model, region) -> layer`` chooses a layer for a region without a committed one.
LayerSelector = Callable[["ModelCommitment", str], str]


def align_layer(activations: xr.DataArray, time_bins: TimeBins) -> xr.DataArray:
    """Average one layer's ``(presentation, neuroid, time_step)`` steps into ``time_bins``.

    Each stimulus uses only its own valid steps (coord ``n_steps``), so a short clip's missing
    steps never dilute a bin: bins after its end take its last step (see
    :mod:`dynamic_vision.core.temporal`).
    """
    from dynamic_vision.core.temporal import align_time

    bins = normalize_time_bins(time_bins)
    values = activations.values
    starts = activations["step_start_ms"].values
    ends = activations["step_end_ms"].values
    n_steps = activations["n_steps"].values if "n_steps" in activations.coords else \
        np.full(values.shape[0], values.shape[2])
    out = np.empty((values.shape[0], values.shape[1], len(bins)), dtype=np.float32)
    for count in np.unique(n_steps):
        rows = n_steps == count
        out[rows] = align_time(values[rows][:, :, :count], starts[:count], ends[:count], bins,
                               axis=-1)
    return xr.DataArray(
        out, dims=("presentation", "neuroid", "time_bin"),
        coords={**{name: coord.variable for name, coord in activations.coords.items()
                   if coord.dims in (("presentation",), ("neuroid",)) and name != "n_steps"},
                "time_bin_start": ("time_bin", [b[0] for b in bins]),
                "time_bin_end": ("time_bin", [b[1] for b in bins])},
        attrs=dict(activations.attrs))


def time_averaged(activations: xr.DataArray) -> np.ndarray:
    """``(presentation, neuroid)`` mean over each stimulus's valid time steps."""
    return np.nanmean(activations.values, axis=2)


class ModelCommitment:
    """A torch module committed to brain regions (implements :class:`BrainModel`).

    Parameters
    ----------
    spec
        The model's :class:`~dynamic_vision.modeling.spec.ModelSpec`.
    module
        The torch network whose layers ``spec.layers`` name.
    device, batch_size, dtype, reduction, n_components, seed, window, num_workers, cache,
    progress
        Passed to :func:`~dynamic_vision.modeling.activations.extract_activations`.
    region_layer_map
        Committed layers per region; overrides and extends ``spec.region_layer_map``.
    layer_selector
        Called as ``layer_selector(model, region)`` for a region without a committed layer
        (e.g. :class:`dynamic_vision.modeling.layer_selection.LayerSelector`); its answer is committed.
    readout_layer
        Layer read by behavioural tasks; default the ``"behavior"`` region's layer, else the
        last of ``spec.layers``.
    """

    def __init__(self, spec: ModelSpec, module: Any, *, device: Any = None,
                 batch_size: int | None = None, dtype: Any = None,
                 reduction: Any = "random_projection", n_components: int = 1000, seed: int = 0,
                 window: str = "block", num_workers: int | None = None, cache: bool = True,
                 progress: bool = True, region_layer_map: Mapping[str, str] | None = None,
                 layer_selector: LayerSelector | None = None, readout_layer: str | None = None):
        self.spec = spec
        self.module = module
        self.extraction = {"device": device, "batch_size": batch_size, "dtype": dtype,
                           "reduction": reduction, "n_components": n_components, "seed": seed,
                           "window": window, "num_workers": num_workers, "cache": cache,
                           "progress": progress}
        self.region_layer_map: dict[str, str] = dict(spec.region_layer_map)
        for region, layer in (region_layer_map or {}).items():
            self.commit(region, layer)
        self.layer_selector = layer_selector
        self.readout_layer = readout_layer
        if readout_layer is not None:
            self._check_layer(readout_layer)
        self._recording: tuple[str, list[tuple[float, float]], list[str]] | None = None
        self._task: Task = Task.passive
        self._readout: Any = None

    # -- identity ---------------------------------------------------------------------------
    @property
    def identifier(self) -> str:
        return self.spec.identifier

    @property
    def layers(self) -> tuple[str, ...]:
        """Layers offered for recording."""
        return self.spec.layers

    def visual_degrees(self) -> float:
        return self.spec.visual_degrees

    def __repr__(self) -> str:
        return f"<ModelCommitment {self.identifier!r} ({self.spec.kind}, {len(self.layers)} layers)>"

    # -- commitments ------------------------------------------------------------------------
    def _check_layer(self, layer: str) -> None:
        if layer not in self.spec.layers:
            raise KeyError(f"Model '{self.identifier}' offers no layer '{layer}'; its layers are "
                           f"{list(self.spec.layers)}.")

    def commit(self, region: str, layer: str) -> None:
        """Commit ``layer`` to ``region`` (used when recording from ``region``)."""
        self._check_layer(layer)
        self.region_layer_map[str(region)] = layer

    def layer_for(self, region: str) -> str:
        """The committed layer of ``region``, selecting (and committing) one if needed."""
        if region not in self.region_layer_map:
            if self.layer_selector is None:
                raise KeyError(
                    f"Model '{self.identifier}' has no layer committed to region '{region}' "
                    f"(committed: {self.region_layer_map or 'none'}). Commit one with "
                    f"model.commit('{region}', layer), pass region_layer_map=..., or give a "
                    f"layer_selector (see dynamic_vision.modeling.layer_selection).")
            self.commit(region, self.layer_selector(self, region))
        return self.region_layer_map[region]

    # -- BrainModel -------------------------------------------------------------------------
    def start_recording(self, region: str, time_bins: TimeBins,
                        layers: Sequence[str] | None = None) -> None:
        """Record ``region`` in ``time_bins`` (ms); ``layers`` records those layers instead."""
        bins = normalize_time_bins(time_bins)
        if layers is None:
            chosen = [self.layer_for(region)]
        else:
            chosen = [layers] if isinstance(layers, str) else list(layers)
            for layer in chosen:
                self._check_layer(layer)
        self._recording = (str(region), bins, chosen)
        self._task = Task.passive

    def start_task(self, task: Task | str, fitting_stimuli: Any = None) -> None:
        """Perform ``task``; label tasks fit a readout on ``fitting_stimuli`` (``label`` column)."""
        task = Task(task)
        self._task = task
        self._readout = None
        if task is Task.passive:
            return
        self._recording = None
        self._readout = fit_readout(task, fitting_stimuli, self._readout_features)

    def _readout_features(self, stimuli: Any) -> np.ndarray:
        layer = self.readout_layer or self.region_layer_map.get("behavior", self.spec.layers[-1])
        return time_averaged(self.activations(stimuli, [layer])[layer])

    def activations(self, stimuli: Any, layers: Sequence[str] | None = None
                    ) -> dict[str, xr.DataArray]:
        """Per-layer ``(presentation, neuroid, time_step)`` activations (cached on disk)."""
        from dynamic_vision.modeling.activations import extract_activations

        return extract_activations(self.module, self.spec, stimuli, layers, **self.extraction)

    def look_at(self, stimuli: Any, number_of_trials: int = 1) -> xr.DataArray:
        """Recordings ``(presentation, neuroid, time_bin)`` or task outputs for ``stimuli``."""
        if int(number_of_trials) < 1:
            raise ValueError(f"number_of_trials must be >= 1, got {number_of_trials}.")
        if self._task is not Task.passive:
            result = self._task_output(stimuli)
        elif self._recording is None:
            raise RuntimeError(f"Model '{self.identifier}' was asked to look at stimuli before "
                               f"start_recording(region, time_bins) or start_task(task).")
        else:
            region, bins, layers = self._recording
            per_layer = self.activations(stimuli, layers)
            aligned = [align_layer(per_layer[layer], bins) for layer in layers]
            result = xr.concat(aligned, dim="neuroid") if len(aligned) > 1 else aligned[0]
            result = result.assign_coords(region=("neuroid", [region] * result.sizes["neuroid"]))
            result.attrs = {"model": self.identifier, "region": region,
                            "layers": ",".join(layers)}
        return _repeat_trials(result, int(number_of_trials))

    def _task_output(self, stimuli: Any) -> xr.DataArray:
        return readout_output(self._readout, self._task, stimuli,
                              self._readout_features(stimuli))


def _repeat_trials(result: xr.DataArray, trials: int) -> xr.DataArray:
    """Repeat every presentation ``trials`` times (deterministic model), with ``repetition``."""
    n = result.sizes["presentation"]
    if trials == 1:
        return result.assign_coords(repetition=("presentation", np.zeros(n, dtype=int)))
    repeated = result.isel(presentation=np.tile(np.arange(n), trials))
    return repeated.assign_coords(repetition=("presentation", np.repeat(np.arange(trials), n)))
