"""The extraction loop: look up → lease → decode → batch → forward with hooks → reduce → store.

:func:`extract_activations` is the one entry point. Each stimulus's activations of each layer
are looked up in the content-addressed store (:mod:`.store`, keys from :mod:`.cache_key`); only
what is missing is computed, and only by one process at a time
(:mod:`dynamic_vision.core.lease`). Missing stimuli are decoded once in DataLoader workers
(:mod:`.dataset`), cut into model inputs by the window rule (:mod:`.windows`, :mod:`.plan`), batched across stimuli, run through the model under
:func:`torch.inference_mode` (optionally autocast to bf16/fp16), and every recorded layer's
output is reduced as soon as the layer has run (:mod:`.reduction`). Each chunk of stimuli is
written to the store as soon as it is computed, so memory holds one chunk of frames and one
batch of full-width activations at a time, whatever the number of stimuli; the result is read
back from the memory-mapped store.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import torch
import xarray as xr

from dynamic_vision.core import storage
from dynamic_vision.core.errors import RepairedCacheWarning
from dynamic_vision.modeling.activations.cache_key import (
    extraction_key,
    layer_key,
    stimuli_identity,
    stimulus_key,
    weights_identity,
)
from dynamic_vision.modeling.activations.dataset import StimulusFrames, StimulusRecord, records_from
from dynamic_vision.modeling.activations.hooks import LayerRecorder, resolve_layers
from dynamic_vision.core.lease import Lease
from dynamic_vision.modeling.activations.plan import ChunkPlan, as_steps, time_axis_of
from dynamic_vision.modeling.activations.reduction import PCAReduction, Reduction, make_reducer
from dynamic_vision.modeling.activations.store import ActivationStore, DamagedChunkError, LayerStore
from dynamic_vision.modeling.activations.windows import WindowRule
from dynamic_vision.modeling.spec import ModelSpec

__all__ = ["extract_activations", "resolve_device", "weights_identity", "DEFAULT_CHUNK_SIZE",
           "MAX_CHUNK_FRAMES"]

logger = logging.getLogger(__name__)

#: Stimuli per chunk: the unit of writing, of resumption and of RAM held before writing.
DEFAULT_CHUNK_SIZE = 32
#: A chunk also closes once its stimuli hold this many frames at the model's rate, so that long
#: videos do not pile up decoded frames in memory (about 300 MB of uint8 frames at 224 px).
MAX_CHUNK_FRAMES = 2048
#: Seconds between looks at stimuli another process is computing.
LEASE_POLL_S = 0.2
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


# -- forward passes -------------------------------------------------------------------------------
def _channels_last(module: torch.nn.Module, device: torch.device) -> torch.memory_format | None:
    """The memory format to run ``module`` in: channels-last for convolutional networks on CPU.

    oneDNN's convolutions run channels-last without reordering every layer's input:
    perf/channels_last.py measured 1.38x less CPU time for resnet18 and 1.04x (two threads) to
    1.10x (one thread) for r3d_18 at 64 px on a 2-core CPU. A network
    counts as convolutional with at least two convolutions of one dimensionality (a
    transformer's single patch-embedding convolution does not). Values are unchanged up to
    float32 summation order; the module's weights stay channels-last afterwards.
    """
    if device.type != "cpu":
        return None
    counts = {2: 0, 3: 0}
    for child in module.modules():
        if isinstance(child, torch.nn.Conv3d):
            counts[3] += 1
        elif isinstance(child, torch.nn.Conv2d):
            counts[2] += 1
    if counts[3] >= 2:
        return torch.channels_last_3d
    if counts[2] >= 2:
        return torch.channels_last
    return None


def _run_chunk(module: torch.nn.Module, spec: ModelSpec, layers: Sequence[str], plan: ChunkPlan,
               consume: Callable[[str, torch.Tensor], torch.Tensor | None], *,
               device: torch.device, batch_size: int, dtype: torch.dtype | None,
               rule: WindowRule, time_axis: Mapping[str, int | None],
               channels_last: torch.memory_format | None = None) -> dict[str, np.ndarray]:
    """Forward every unit of ``plan``; returns per layer ``(n_units, steps, k)`` outputs."""
    collected: dict[str, list[np.ndarray]] = {layer: [] for layer in layers}
    calls = dict.fromkeys(layers, 0)

    def on_output(layer: str, output: torch.Tensor) -> None:
        calls[layer] += 1
        steps = as_steps(output, spec, rule, time_axis_of(layer, output, time_axis))
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
            inputs = plan.inputs(start, stop, device)
            if channels_last is not None and inputs.dim() == (
                    5 if channels_last is torch.channels_last_3d else 4):
                inputs = inputs.contiguous(memory_format=channels_last)
            module(inputs)
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
            device: torch.device, sampler: Any = None) -> Iterator[tuple[int, Any]]:
    dataset = StimulusFrames(records, spec.fps, spec.input_size)
    extra = {"prefetch_factor": 4, "persistent_workers": False} if num_workers > 0 else {}
    return iter(torch.utils.data.DataLoader(
        dataset, batch_size=None, shuffle=False, sampler=sampler, num_workers=num_workers,
        pin_memory=device.type == "cuda", **extra))


def _fit_pca(module: torch.nn.Module, spec: ModelSpec, layers: Sequence[str],
             reducer: PCAReduction, records: Sequence[StimulusRecord], run: dict[str, Any]) -> None:
    """Fit PCA on the first ``fit_samples`` steps, in stimulus-set order."""
    for index, frames in _loader(records, spec, 0, run["device"]):
        if isinstance(frames, BaseException):
            raise frames
        plan = ChunkPlan(spec, run["rule"], [(records[index], frames)])
        _run_chunk(module, spec, layers, plan, reducer.collect, **run)
        if not reducer.needs_rows():
            break
    reducer.finish_fit()


# -- leasing what is missing ----------------------------------------------------------------------
class _LeasingSampler:
    """Yields positions of stimuli this process may compute: leased, and still missing.

    A stimulus another live process holds is deferred; one that was stored meanwhile is
    skipped. The DataLoader pulls positions ahead of decoding, so leases are taken just before
    the work and released by :meth:`release` once its chunk is written.
    """

    def __init__(self, candidates: Sequence[int], keys: Sequence[str],
                 need: dict[str, list[str]], store: ActivationStore,
                 layer_stores: Mapping[str, LayerStore]):
        self.candidates, self.keys, self.need = list(candidates), keys, need
        self.store, self.layer_stores = store, layer_stores
        self.leases: dict[str, Lease] = {}
        self.deferred: list[int] = []
        self.served_elsewhere = 0

    def __iter__(self) -> Iterator[int]:
        for position in self.candidates:
            key = self.keys[position]
            lease = Lease(self.store.lease_path(key), what=f"extracting stimulus {key}")
            if not lease.acquire(blocking=False):
                self.deferred.append(position)
                continue
            still = [layer for layer in self.need[key] if self.layer_stores[layer].missing([key])]
            if not still:
                lease.release()
                self.served_elsewhere += 1
                continue
            self.need[key] = still
            self.leases[key] = lease
            yield position

    def release(self, keys: Sequence[str] | None = None) -> None:
        for key in list(self.leases) if keys is None else keys:
            lease = self.leases.pop(key, None)
            if lease is not None:
                lease.release()


def _fill_store(module: torch.nn.Module, spec: ModelSpec, records: Sequence[StimulusRecord],
                keys: Sequence[str], store: ActivationStore,
                layer_stores: Mapping[str, LayerStore], reducer: Reduction, *,
                num_workers: int, chunk_size: int, progress: bool, **run: Any) -> int:
    """Compute every (stimulus, layer) missing from the store; returns stimuli computed here."""
    from tqdm.auto import tqdm

    first = {key: position for position, key in reversed(list(enumerate(keys)))}
    missing_sets = {layer: set(layer_store.missing(first))
                    for layer, layer_store in layer_stores.items()}
    need = {key: [layer for layer in layer_stores if key in missing_sets[layer]]
            for key in first}
    todo = sorted(first[key] for key, layers in need.items() if layers)
    if not todo:
        return 0
    logger.info("Extracting %d of %d stimuli of %s into %s", len(todo), len(first),
                spec.identifier, store.directory)
    module.eval().to(run["device"])
    if run["channels_last"] is not None:
        module.to(memory_format=run["channels_last"])
    if isinstance(reducer, PCAReduction):
        # Always refit on these stimuli: the extraction key names this fitting set.
        reducer.reset()
        _fit_pca(module, spec, list(layer_stores), reducer, records, run)
    computed = 0
    waited_since = None
    with tqdm(total=len(todo), desc=f"{spec.identifier} activations", unit="stimulus",
              disable=not progress) as bar:
        while todo:
            sampler = _LeasingSampler(todo, keys, need, store, layer_stores)
            try:
                done = _extract_pass(module, spec, records, keys, sampler, layer_stores, reducer,
                                     num_workers=num_workers, chunk_size=chunk_size, bar=bar,
                                     **run)
            finally:
                sampler.release()
            computed += done
            bar.update(sampler.served_elsewhere)
            todo = sampler.deferred
            if todo and not done and not sampler.served_elsewhere:
                # Every remaining stimulus is being computed by another live process: wait.
                waited_since = waited_since or time.monotonic()
                if time.monotonic() - waited_since > 60:
                    holder = Lease(store.lease_path(keys[todo[0]])).holder() or {}
                    logger.warning("Waiting for %d stimuli another process is extracting "
                                   "(e.g. pid %s on %s, lease %s).", len(todo),
                                   holder.get("pid", "?"), holder.get("host", "?"),
                                   store.lease_path(keys[todo[0]]))
                    waited_since = time.monotonic()
                time.sleep(LEASE_POLL_S)
            else:
                waited_since = None
    return computed


def _extract_pass(module: torch.nn.Module, spec: ModelSpec, records: Sequence[StimulusRecord],
                  keys: Sequence[str], sampler: _LeasingSampler,
                  layer_stores: Mapping[str, LayerStore], reducer: Reduction, *,
                  num_workers: int, chunk_size: int, bar: Any, **run: Any) -> int:
    """Decode, forward and store the stimuli ``sampler`` leases; returns how many."""
    pending: list[tuple[StimulusRecord, torch.Tensor]] = []
    pending_keys: list[str] = []
    frames_pending = 0
    done = 0

    def flush() -> None:
        nonlocal frames_pending, done
        plan = ChunkPlan(spec, run["rule"], pending)
        wanted = [layer for layer in layer_stores
                  if any(layer in sampler.need[key] for key in pending_keys)]
        outputs = _run_chunk(module, spec, wanted, plan, reducer.transform, **run)
        for layer in wanted:
            rows = plan.split(outputs[layer])
            steps_per_unit = outputs[layer].shape[1]
            entries = [(key, rows[i]) for i, key in enumerate(pending_keys)
                       if layer in sampler.need[key]]
            layer_stores[layer].write(entries, run["rule"].step_ms(steps_per_unit))
        sampler.release(pending_keys)
        bar.update(len(pending))
        done += len(pending)
        pending.clear()
        pending_keys.clear()
        frames_pending = 0

    for position, frames in _loader(records, spec, num_workers, run["device"], sampler):
        if isinstance(frames, BaseException):
            raise frames
        pending.append((records[position], frames))
        pending_keys.append(keys[position])
        frames_pending += int(frames.shape[0])
        if len(pending) >= chunk_size or frames_pending >= MAX_CHUNK_FRAMES:
            flush()
    if pending:
        flush()
    return done


# -- reading back ---------------------------------------------------------------------------------
def _assemble(layer_stores: Mapping[str, LayerStore], records: Sequence[StimulusRecord],
              keys: Sequence[str], spec: ModelSpec, rule: WindowRule, key: str,
              reducer: Reduction) -> dict[str, xr.DataArray]:
    out = {}
    for layer, layer_store in layer_stores.items():
        rows, step_ms = layer_store.read(keys)
        counts = np.array([rule.presented_steps(record.duration_ms)
                           if rule.broadcasts(record.is_image) else part.shape[0]
                           for record, part in zip(records, rows)])
        width = rows[0].shape[1]
        values = np.full((len(records), int(counts.max()), width), np.nan, dtype=np.float32)
        for position, part in enumerate(rows):
            values[position, :counts[position]] = part if part.shape[0] == counts[position] \
                else part[-1:]  # a still's one forward pass, broadcast over its presentation
        starts = np.arange(values.shape[1]) * step_ms
        out[layer] = xr.DataArray(
            values.transpose(0, 2, 1),
            dims=("presentation", "neuroid", "time_step"),
            coords={
                "stimulus_id": ("presentation", [record.stimulus_id for record in records]),
                "n_steps": ("presentation", counts),
                "neuroid_id": ("neuroid", [f"{layer}.{i}" for i in range(width)]),
                "layer": ("neuroid", [layer] * width),
                "step_start_ms": ("time_step", starts),
                "step_end_ms": ("time_step", starts + step_ms),
            },
            name=layer,
            attrs={"model": spec.identifier, "layer": layer, "step_ms": step_ms,
                   "cache_key": key, "reduction": str(reducer.settings()),
                   "window": rule.mode, "window_stride": rule.stride},
        )
    return out


def extract_activations(module: torch.nn.Module, spec: ModelSpec, stimuli: Any,
                        layers: Sequence[str] | None = None, *,
                        device: str | torch.device | None = None, batch_size: int | None = None,
                        dtype: str | torch.dtype | None = None,
                        reduction: str | Reduction | None = "random_projection",
                        n_components: int = 1000, seed: int = 0, window: str = "causal",
                        window_stride: int | None = None, num_workers: int | None = None,
                        chunk_size: int = DEFAULT_CHUNK_SIZE, cache: bool = True,
                        progress: bool = True,
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
        Video models: ``"causal"`` (default: a window of ``clip_length`` frames ending every
        ``window_stride`` frames, its last step held until the next; no step sees a frame
        shown after it starts) or ``"block"`` (consecutive windows, each step sees its whole
        window: non-causal); see :mod:`dynamic_vision.modeling.activations.windows`.
    window_stride
        Frames between causal windows; default half a clip or half a second, whichever is
        shorter (about twice the forward passes of block windows for a one-second clip); 1
        gives a step per frame at ``clip_length`` times the cost of block windows.
    num_workers
        DataLoader workers decoding video while the model computes (0: decode in-process).
        Default: 2 on CUDA, 0 on CPU (where workers compete with the forward pass's threads
        for the same cores; measured 1.6x more CPU time for resnet18 with one worker on two
        cores).
    chunk_size
        Stimuli computed and written together (the unit of resumption); a chunk also closes
        at ``MAX_CHUNK_FRAMES`` frames so that long videos do not accumulate in memory.
    cache
        Read and write the store under ``DYNAMIC_VISION_HOME/activations``;
        ``DYNAMIC_VISION_NO_CACHE=1`` disables it everywhere (a temporary store is used and
        removed).
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
    rule = WindowRule.for_spec(spec, window, window_stride)
    if int(chunk_size) < 1:
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size!r}.")
    layers = list(spec.layers if layers is None else ([layers] if isinstance(layers, str)
                                                     else layers))
    layers = list(dict.fromkeys(layers))
    resolve_layers(module, layers, spec.identifier)
    records = records_from(stimuli)
    if not records:
        raise ValueError(f"Stimulus set '{getattr(stimuli, 'identifier', '?')}' is empty.")
    keys = [stimulus_key(record) for record in records]
    device = resolve_device(device)
    if num_workers is None:
        num_workers = 2 if device.type == "cuda" else 0
    autocast_dtype = _resolve_dtype(dtype)
    reducer = make_reducer(reduction, n_components, seed)
    time_axis = dict(time_axis or {})
    fit_identity = stimuli_identity(records) if reducer.requires_fit else None
    key = extraction_key(spec, weights_identity(spec, module), rule, reducer, autocast_dtype,
                         fit_identity)
    manifest = {"model": spec.identifier, "preprocessing": spec.preprocessing(),
                "window": rule.settings(), "reduction": reducer.settings(),
                "dtype": str(autocast_dtype), "key": key}
    run = {"device": device, "batch_size": batch_size or _default_batch_size(spec, device),
           "dtype": autocast_dtype, "rule": rule, "time_axis": time_axis,
           "channels_last": _channels_last(module, device)}
    use_cache = cache and storage.cache_enabled()
    with contextlib.ExitStack() as stack:
        if use_cache:
            safe = storage.safe_name(spec.identifier)
            directory = storage.home("activations", safe, key)
        else:
            directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="dv-activations-"))
        store = ActivationStore(directory, manifest)
        store.write_manifest()  # checked on every use, so that a damaged one heals
        layer_stores = {layer: store.layer(layer, layer_key(layer, time_axis.get(layer,
                                                                                  "default")))
                        for layer in layers}
        for attempt in range(3):
            _fill_store(module, spec, records, keys, store, layer_stores, reducer,
                        num_workers=num_workers, chunk_size=int(chunk_size), progress=progress,
                        **run)
            try:
                return _assemble(layer_stores, records, keys, spec, rule, key, reducer)
            except DamagedChunkError as error:  # removed: compute its stimuli again
                if attempt == 2:
                    raise
                warnings.warn(str(error), RepairedCacheWarning, stacklevel=2)
    raise AssertionError("unreachable")
