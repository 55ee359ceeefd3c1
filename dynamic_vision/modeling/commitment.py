"""A torch module plus its :class:`ModelSpec`, committed to regions: a :class:`BrainModel`.

:class:`ModelCommitment` answers a benchmark's questions with the extraction engine
(:func:`dynamic_vision.modeling.activations.extract_activations`):

- ``start_recording(region, time_bins)`` picks the layer committed to ``region`` (from the
  spec's ``region_layer_map``, an explicit :meth:`ModelCommitment.commit`, or layer selection,
  see :mod:`dynamic_vision.modeling.layer_selection`); ``layers=[...]`` records several layers at once.
- ``look_at(stimuli)`` extracts (or reads from the activation store) the reduced activations
  of those layers, aligns their time steps to the requested time bins with
  :func:`dynamic_vision.core.temporal.align_activations` (causally: delayed by ``latency_ms``,
  silent before the first step), and returns ``(presentation, neuroid, time_bin)``.
- ``start_task("label" | "probabilities", fitting_stimuli)`` fits a logistic-regression readout
  on the time-averaged activations of the readout layer for the fitting stimuli.

The state machine (recording, tasks, repeated trials) is
:class:`~dynamic_vision.core.brain_model.BrainModelBase`'s; the models wrapped here are
deterministic, so ``number_of_trials=n`` repeats every presentation ``n`` times.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.core.brain_model import BrainModelBase
from dynamic_vision.core.temporal import align_activations
from dynamic_vision.modeling.spec import ModelSpec

__all__ = ["ModelCommitment", "time_averaged", "autocast_dtype"]

#: ``selector(model, region) -> layer`` chooses a layer for a region without a committed one.
LayerSelector = Callable[["ModelCommitment", str], str]


def autocast_dtype(device: Any = None) -> str | None:
    """``"bfloat16"`` on a CUDA device (``device``, else the default one) with bfloat16 support,
    else ``None`` (float32): what ``dtype="auto"`` means."""
    import torch

    from dynamic_vision.modeling.activations.engine import resolve_device

    device = resolve_device(device)
    if device.type == "cuda" and torch.cuda.is_bf16_supported():
        return "bfloat16"
    return None


def time_averaged(activations: xr.DataArray) -> np.ndarray:
    """``(presentation, neuroid)`` mean over each stimulus's valid time steps."""
    return np.nanmean(activations.values, axis=2)


class ModelCommitment(BrainModelBase):
    """A torch module committed to brain regions (implements :class:`BrainModel`).

    Parameters
    ----------
    spec
        The model's :class:`~dynamic_vision.modeling.spec.ModelSpec`.
    module
        The torch network whose layers ``spec.layers`` name.
    device, batch_size, dtype, reduction, n_components, seed, window, window_stride,
    num_workers, cache, progress
        Passed to :func:`~dynamic_vision.modeling.activations.extract_activations`. ``window``
        is ``"causal"`` by default (no time bin sees a frame shown after it ends);
        ``"block"`` is the earlier, non-causal rule. ``dtype="auto"`` autocasts to bfloat16
        on a CUDA device that supports it and keeps float32 elsewhere (see docs/models.md for
        the measured tolerance).
    latency_ms
        The model's response latency: every time step is delayed by this many milliseconds
        before it is averaged into time bins, and the model is silent (zero) before its first
        step. A declared number, never fitted on the data a score is computed on.
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
                 window: str = "causal", window_stride: int | None = None,
                 num_workers: int | None = None, cache: bool = True, progress: bool = True,
                 latency_ms: float = 0.0, region_layer_map: Mapping[str, str] | None = None,
                 layer_selector: LayerSelector | None = None, readout_layer: str | None = None):
        super().__init__()
        from dynamic_vision.modeling.activations.windows import WindowRule

        WindowRule.for_spec(spec, window, window_stride)  # refuse a bad rule now, not later
        latency_ms = float(latency_ms)
        if not (np.isfinite(latency_ms) and latency_ms >= 0):
            raise ValueError(f"latency_ms of model '{spec.identifier}' must be a finite, "
                             f"non-negative number of milliseconds, got {latency_ms!r}.")
        self.spec = spec
        self.module = module
        self.latency_ms = latency_ms
        self.extraction = {"device": device, "batch_size": batch_size, "dtype": dtype,
                           "reduction": reduction, "n_components": n_components, "seed": seed,
                           "window": window, "window_stride": window_stride,
                           "num_workers": num_workers, "cache": cache, "progress": progress}
        self.region_layer_map: dict[str, str] = dict(spec.region_layer_map)
        for region, layer in (region_layer_map or {}).items():
            self.commit(region, layer)
        self.layer_selector = layer_selector
        self.readout_layer = readout_layer
        if readout_layer is not None:
            self.check_layer(readout_layer)

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
    def commit(self, region: str, layer: str) -> None:
        """Commit ``layer`` to ``region`` (used when recording from ``region``)."""
        self.check_layer(layer)
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
    def default_layers(self, region: str) -> list[str]:
        """The layer committed to ``region`` (selected and committed if there is none yet)."""
        return [self.layer_for(region)]

    def task_features(self, stimuli: Any) -> np.ndarray:
        """Time-averaged activations of the readout layer (default: the ``"behavior"``
        region's layer, else the last of ``spec.layers``)."""
        layer = self.readout_layer or self.region_layer_map.get("behavior", self.spec.layers[-1])
        return time_averaged(self.activations(stimuli, [layer])[layer])

    def activations(self, stimuli: Any, layers: Sequence[str] | None = None
                    ) -> dict[str, xr.DataArray]:
        """Per-layer ``(presentation, neuroid, time_step)`` activations (cached on disk)."""
        from dynamic_vision.modeling.activations import extract_activations

        options = dict(self.extraction)
        if options["dtype"] == "auto":
            options["dtype"] = autocast_dtype(options["device"])
        return extract_activations(self.module, self.spec, stimuli, layers, **options)

    def record(self, stimuli: Any, region: str, time_bins: list[tuple[float, float]],
               layers: list[str]) -> xr.DataArray:
        """Every layer's activations, aligned to ``time_bins`` and stacked along neuroids."""
        per_layer = self.activations(stimuli, layers)
        aligned = [align_activations(per_layer[layer], time_bins, self.latency_ms)
                   for layer in layers]
        result = xr.concat(aligned, dim="neuroid") if len(aligned) > 1 else aligned[0]
        result = result.assign_coords(region=("neuroid", [region] * result.sizes["neuroid"]))
        result.attrs = {"model": self.identifier, "region": region, "layers": ",".join(layers),
                        "latency_ms": self.latency_ms}
        return result
