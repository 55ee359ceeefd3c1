"""The extraction loop: decode → batch → forward with hooks → reduce → store, chunk by chunk.

:func:`extract_activations` is the one entry point. Stimuli are decoded in DataLoader workers
(:mod:`.dataset`), cut into model inputs (:mod:`.windows`), batched across stimuli and frames,
run through the model under :func:`torch.inference_mode` (optionally autocast to bf16/fp16), and
every recorded layer's output is reduced as soon as the layer has run (:mod:`.reduction`). Reduced
activations of each chunk of stimuli go to disk (:mod:`.store`), so memory holds one chunk of
reduced values and one batch of full-width activations at a time, whatever the number of stimuli.

Extractions are cached on disk under a content key (:mod:`.cache_key`); units of each chunk are
planned by :mod:`.plan`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import torch
import xarray as xr

from dynamic_vision.core import storage
from dynamic_vision.modeling.activations import windows
from dynamic_vision.modeling.activations.cache_key import cache_key, stimuli_identity, weights_identity
from dynamic_vision.modeling.activations.dataset import StimulusFrames, StimulusRecord, records_from
from dynamic_vision.modeling.activations.hooks import LayerRecorder, resolve_layers
from dynamic_vision.modeling.activations.plan import ChunkPlan, as_steps, time_axis_of
from dynamic_vision.modeling.activations.reduction import PCAReduction, Reduction, make_reducer
from dynamic_vision.modeling.activations.store import ActivationStore, LayerChunk
from dynamic_vision.modeling.spec import ModelSpec

__all__ = ["extract_activations", "resolve_device", "weights_identity", "cache_key",
           "chunk_bounds", "DEFAULT_CHUNK_SIZE", "MAX_CHUNK_FRAMES"]

logger = logging.getLogger(__name__)

#: Stimuli per on-disk chunk: the unit of resumption and of RAM held before writing.
DEFAULT_CHUNK_SIZE = 32
#: A chunk also closes once its stimuli hold this many frames at the model's rate, so that long
#: videos do not pile up decoded frames in memory (about 300 MB of uint8 frames at 224 px).
MAX_CHUNK_FRAMES = 2048
_AUTOCAST_DTYPES = {"bfloat16": torch.bfloat16, "bf16": torch.bfloat16,
                    "float16": torch.float16, "fp16": torch.float16, "half": torch.float16}


def resolve_device(device: str | torch.device | None = None) -> torch.device:
    """``device`` as given, else CUDA when present, else CPU."""
    if device is not None:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _resolve_dtype(dtype: str | torch.dtype | None) -> torch.dtype | None:
    if dtype is None or dtype in (torch.float32, "float32", "fp32"):
        return None
    if isinstance(dtype, torch.dtype):
        if dtype not in (torch.bfloat16, torch.float16):
            raise ValueError(f"autocast dtype must be bfloat16 or float16, got {dtype}.")
        return dtype
    try:
        return _AUTOCAST_DTYPES[str(dtype)]
    except KeyError:
        raise ValueError(f"Unknown autocast dtype {dtype!r}; use None (float32), 'bfloat16' or "
                         f"'float16'.") from None


def _default_batch_size(spec: ModelSpec, device: torch.device) -> int:
    if spec.kind == "image":
        default = 128 if device.type == "cuda" else 32
    else:
        default = 16 if device.type == "cuda" else 4
    # A ceiling from the environment, e.g. set by score_many retrying after an out-of-memory.
    ceiling = os.environ.get("DYNAMIC_VISION_BATCH_SIZE", "").strip()
    return min(default, int(ceiling)) if ceiling.isdigit() and int(ceiling) > 0 else default


def _run_chunk(module: torch.nn.Module, spec: ModelSpec, layers: Sequence[str], plan: ChunkPlan,
               consume: Callable[[str, torch.Tensor], torch.Tensor | None], *,
               device: torch.device, batch_size: int, dtype: torch.dtype | None, window: str,
               time_axis: Mapping[str, int | None]) -> dict[str, np.ndarray]:
    """Forward every unit of ``plan``; returns per layer ``(n_units, steps, k)`` outputs."""
    collected: dict[str, list[np.ndarray]] = {layer: [] for layer in layers}
    calls = dict.fromkeys(layers, 0)

    def on_output(layer: str, output: torch.Tensor) -> None:
        calls[layer] += 1
        steps = as_steps(output, spec, window, time_axis_of(layer, output, time_axis))
        batch, n_steps, width = steps.shape
        with torch.autocast(output.device.type, enabled=False):  # reduce in float32
            reduced = consume(layer, steps.reshape(batch * n_steps, width).float())
        if reduced is not None:
            collected[layer].append(reduced.reshape(batch, n_steps, -1).to("cpu").numpy())

    autocast = (torch.autocast(device.type, dtype=dtype) if dtype is not None
                else contextlib.nullcontext())
    with torch.inference_mode(), autocast, LayerRecorder(module, layers, on_output,
                                                         spec.identifier):
        for batch_index, (start, stop) in enumerate(plan.batches(batch_size)):
            module(plan.inputs(start, stop, device))
            _check_fired_once(spec, calls, batch_index + 1)
    return {layer: np.concatenate(parts) for layer, parts in collected.items() if parts}


def _check_fired_once(spec: ModelSpec, calls: Mapping[str, int], n_batches: int) -> None:
    """Each recorded layer must run exactly once per forward pass."""
    for layer, count in calls.items():
        if count != n_batches:
            raise RuntimeError(
                f"Layer '{layer}' of {spec.identifier} ran {count / n_batches:g} times per "
                f"forward pass; record a module that runs exactly once per pass (a module "
                f"reused inside the network, such as a shared ReLU, or one on an unused branch "
                f"cannot be recorded).")


def _loader(records: Sequence[StimulusRecord], spec: ModelSpec, num_workers: int,
            device: torch.device) -> Iterator[tuple[int, torch.Tensor]]:
    dataset = StimulusFrames(records, spec.fps, spec.input_size)
    extra = {"prefetch_factor": 4, "persistent_workers": False} if num_workers > 0 else {}
    return iter(torch.utils.data.DataLoader(
        dataset, batch_size=None, shuffle=False, num_workers=num_workers,
        pin_memory=device.type == "cuda", **extra))


def _fit_pca(module: torch.nn.Module, spec: ModelSpec, layers: Sequence[str],
             reducer: PCAReduction, records: Sequence[StimulusRecord], run: dict[str, Any]) -> None:
    """Fit PCA on the first ``fit_samples`` steps, in stimulus-set order."""
    for index, frames in _loader(records, spec, 0, run["device"]):
        if isinstance(frames, BaseException):
            raise frames
        plan = ChunkPlan(spec, run["window"], [(records[index], frames)])

        def collect(layer: str, features: torch.Tensor) -> None:
            reducer.collect(layer, features)

        _run_chunk(module, spec, layers, plan, collect, **run)
        if not reducer.needs_rows():
            break
    reducer.finish_fit()


def _to_dataarrays(assembled: Mapping[str, LayerChunk], stimulus_ids: Sequence[str],
                   spec: ModelSpec, key: str, reducer: Reduction) -> dict[str, xr.DataArray]:
    out = {}
    for layer, chunk in assembled.items():
        n_steps, width = chunk.values.shape[1], chunk.values.shape[2]
        starts = np.arange(n_steps) * chunk.step_ms
        out[layer] = xr.DataArray(
            chunk.values.transpose(0, 2, 1),
            dims=("presentation", "neuroid", "time_step"),
            coords={
                "stimulus_id": ("presentation", list(stimulus_ids)),
                "n_steps": ("presentation", chunk.n_steps),
                "neuroid_id": ("neuroid", [f"{layer}.{i}" for i in range(width)]),
                "layer": ("neuroid", [layer] * width),
                "step_start_ms": ("time_step", starts),
                "step_end_ms": ("time_step", starts + chunk.step_ms),
            },
            name=layer,
            attrs={"model": spec.identifier, "layer": layer, "step_ms": chunk.step_ms,
                   "cache_key": key, "reduction": str(reducer.settings())},
        )
    return out


def extract_activations(module: torch.nn.Module, spec: ModelSpec, stimuli: Any,
                        layers: Sequence[str] | None = None, *,
                        device: str | torch.device | None = None, batch_size: int | None = None,
                        dtype: str | torch.dtype | None = None,
                        reduction: str | Reduction | None = "random_projection",
                        n_components: int = 1000, seed: int = 0, window: str = "block",
                        num_workers: int | None = None, chunk_size: int = DEFAULT_CHUNK_SIZE,
                        cache: bool = True, progress: bool = True,
                        time_axis: Mapping[str, int | None] | None = None,
                        ) -> dict[str, xr.DataArray]:
    """Record ``layers`` of ``module`` while it watches every stimulus of ``stimuli``.

    Parameters
    ----------
    module
        The torch network (put in eval mode and moved to ``device``). Image models take
        ``(B, 3, S, S)``; video models take ``(B, 3, L, S, S)`` (torchvision's layout).
    spec
        The model's :class:`~dynamic_vision.modeling.spec.ModelSpec` (kind, size, fps, clip length,
        normalisation, weights identity).
    stimuli
        A :class:`~dynamic_vision.io.stimuli.StimulusSet` (``stimulus_id``, ``path``,
        ``duration_ms`` columns; images and videos may be mixed).
    layers
        Dotted module names; default ``spec.layers``.
    device
        Default: CUDA when present, else CPU.
    batch_size
        Frames (image models) or clips (video models) per forward pass, across stimuli.
    dtype
        ``None`` (float32), ``"bfloat16"`` or ``"float16"`` autocast.
    reduction, n_components, seed
        Width reduction while streaming (see :mod:`dynamic_vision.modeling.activations.reduction`).
    window
        Video models: ``"block"`` (consecutive windows) or ``"causal"`` (one window ending at
        every frame); see :mod:`dynamic_vision.modeling.activations.windows`.
    num_workers
        DataLoader workers decoding video while the model computes (0: decode in-process).
        Default: 2 on CUDA, 0 on CPU. Worth it on a GPU; on CPU the workers compete with the forward pass's threads for the
        same cores (measured 1.6x more CPU time for resnet18 with one worker on two cores), so
        keep 0 there unless cores are to spare.
    chunk_size
        Stimuli per on-disk chunk (unit of resumption); a chunk also closes at
        ``MAX_CHUNK_FRAMES`` frames so that long videos do not accumulate in memory.
    cache
        Reuse and write ``DYNAMIC_VISION_HOME/activations``; ``DYNAMIC_VISION_NO_CACHE=1``
        disables it everywhere (a temporary store is used and removed).
    progress
        Show a tqdm progress bar.
    time_axis
        Per-layer override of the output axis that is time for video models (``None``: none).
        Default: axis 2 of 5-d ``(B, C, T, H, W)`` outputs, no time axis otherwise.

    Returns
    -------
    dict[str, xarray.DataArray]
        Per layer, dims ``("presentation", "neuroid", "time_step")``, float32. Coords:
        ``stimulus_id`` and ``n_steps`` (valid steps; later steps are NaN) on presentations;
        ``neuroid_id`` and ``layer`` on neuroids; ``step_start_ms`` and ``step_end_ms`` on time
        steps (ms from stimulus onset, the convention of :mod:`dynamic_vision.core.temporal`).
    """
    if window not in windows.WINDOW_MODES:
        raise ValueError(f"window must be one of {windows.WINDOW_MODES}, got {window!r}.")
    if int(chunk_size) < 1:
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size!r}.")
    layers = list(spec.layers if layers is None else ([layers] if isinstance(layers, str)
                                                     else layers))
    resolve_layers(module, layers, spec.identifier)
    records = records_from(stimuli)
    if not records:
        raise ValueError(f"Stimulus set '{getattr(stimuli, 'identifier', '?')}' is empty.")
    stimulus_ids = [record.stimulus_id for record in records]
    device = resolve_device(device)
    if num_workers is None:
        num_workers = 2 if device.type == "cuda" else 0
    autocast_dtype = _resolve_dtype(dtype)
    reducer = make_reducer(reduction, n_components, seed)
    time_axis = dict(time_axis or {})
    key = cache_key(spec, weights_identity(spec, module), layers, reducer, window,
                    autocast_dtype, stimuli_identity(records), time_axis)
    key = storage.stable_hash(key, chunk_size, MAX_CHUNK_FRAMES, length=24)  # layout on disk
    bounds = chunk_bounds(records, spec.fps, chunk_size)
    chunks = [stimulus_ids[start:stop] for start, stop in bounds]
    manifest = {"model": spec.identifier, "layers": layers, "reduction": reducer.settings(),
                "window": window, "n_stimuli": len(records), "chunk_size": chunk_size,
                "stimulus_set": str(getattr(stimuli, "identifier", "")), "key": key}
    use_cache = cache and storage.cache_enabled()
    with contextlib.ExitStack() as stack:
        if use_cache:
            safe = storage.safe_name(spec.identifier)
            directory = storage.home("activations", safe, key)
        else:
            directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="dv-activations-"))
        store = ActivationStore(directory, chunks, layers, manifest)
        missing = store.missing()
        if missing:
            logger.info("Extracting %d of %d chunks of %s into %s", len(missing), len(chunks),
                        spec.identifier, directory)
            _extract_chunks(module, spec, layers, records, store, missing, reducer,
                            device=device, batch_size=batch_size or _default_batch_size(spec, device),
                            dtype=autocast_dtype, window=window, time_axis=time_axis,
                            num_workers=num_workers, bounds=bounds, progress=progress)
        return _to_dataarrays(store.assemble(), stimulus_ids, spec, key, reducer)


def chunk_bounds(records: Sequence[StimulusRecord], fps: float,
                 chunk_size: int = DEFAULT_CHUNK_SIZE,
                 max_frames: int = MAX_CHUNK_FRAMES) -> list[tuple[int, int]]:
    """``(start, stop)`` record positions of consecutive chunks.

    A chunk closes at ``chunk_size`` stimuli or once its stimuli reach ``max_frames`` frames at
    ``fps`` (from the stimulus set's ``duration_ms``; a still image counts one frame), whichever
    comes first. The layout depends only on the stimulus table, so it is known before decoding.
    """
    bounds, start, frames = [], 0, 0
    for position, record in enumerate(records):
        if record.is_image or not np.isfinite(record.duration_ms):
            frames += 1
        else:
            frames += max(1, int(np.ceil(record.duration_ms * fps / 1000.0)))
        if position + 1 - start >= chunk_size or frames >= max_frames:
            bounds.append((start, position + 1))
            start, frames = position + 1, 0
    if start < len(records):
        bounds.append((start, len(records)))
    return bounds


def _extract_chunks(module: torch.nn.Module, spec: ModelSpec, layers: Sequence[str],
                    records: Sequence[StimulusRecord], store: ActivationStore,
                    missing: Sequence[int], reducer: Reduction, *, num_workers: int,
                    bounds: Sequence[tuple[int, int]], progress: bool, **run: Any) -> None:
    from tqdm.auto import tqdm

    module.eval().to(run["device"])
    if isinstance(reducer, PCAReduction):
        # Always refit on these stimuli: a fit carried over from another stimulus set would not
        # match the cache key, which names these stimuli.
        reducer.reset()
        _fit_pca(module, spec, layers, reducer, records, run)
    todo = [records[i] for chunk in missing
            for i in range(*bounds[chunk])]
    bar = tqdm(total=len(todo), desc=f"{spec.identifier} activations", unit="stimulus",
               disable=not progress)
    pending: list[tuple[StimulusRecord, torch.Tensor]] = []
    chunk_iter = iter(missing)
    current = next(chunk_iter)
    with bar:
        for index, frames in _loader(todo, spec, num_workers, run["device"]):
            if isinstance(frames, BaseException):
                raise frames
            pending.append((todo[index], frames))
            if len(pending) < len(store.chunks[current]):
                continue
            plan = ChunkPlan(spec, run["window"], pending)
            outputs = _run_chunk(module, spec, layers, plan,
                                 lambda layer, x: reducer.transform(layer, x), **run)
            store.write_chunk(current, {layer: plan.layer_chunk(outputs[layer])
                                        for layer in layers})
            bar.update(len(pending))
            pending = []
            current = next(chunk_iter, None)
    if current is not None or pending:
        raise RuntimeError(f"Extraction of {spec.identifier} ended before chunk {current} was "
                           f"complete; rerun to resume.")
