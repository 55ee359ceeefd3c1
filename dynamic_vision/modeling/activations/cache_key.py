"""Cache keys of extractions: what makes two extractions give the same numbers.

The key covers the model identity and weights (the declared weights name, or a fingerprint of
the parameters when there is none), layers, preprocessing, window mode, reduction settings,
autocast dtype, ``time_axis`` overrides, the stimuli (ids, file contents and presentation times,
in order; not metadata columns, so benchmarks that annotate the same stimuli differently share
one extraction) and the library and engine versions.
"""

from __future__ import annotations

import hashlib
import math
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import torch

from dynamic_vision.core import storage
from dynamic_vision.modeling.activations.dataset import StimulusRecord
from dynamic_vision.modeling.activations.reduction import Reduction
from dynamic_vision.modeling.spec import ModelSpec

__all__ = ["ENGINE_VERSION", "weights_identity", "stimuli_identity", "cache_key"]

#: Bumped when the engine's output for the same inputs changes (part of cache keys).
ENGINE_VERSION = 1

# Fingerprints of modules without declared weights, valid while no parameter changes in place.
_FINGERPRINTS: weakref.WeakKeyDictionary[torch.nn.Module, tuple[tuple[Any, ...], str]] = \
    weakref.WeakKeyDictionary()


def weights_identity(spec: ModelSpec, module: torch.nn.Module) -> str:
    """The declared weights name, or a sha256 fingerprint of the module's state when none.

    The fingerprint is memoised per module and recomputed when any tensor of its state is
    replaced or modified in place (torch's version counters), so repeated extractions with the
    same module do not rehash its parameters.
    """
    if spec.weights is not None:
        return spec.weights
    state = module.state_dict(keep_vars=True)
    versions = tuple((name, t.data_ptr(), t._version, tuple(t.shape)) for name, t in state.items())
    memo = _FINGERPRINTS.get(module)
    if memo is not None and memo[0] == versions:
        return memo[1]
    digest = hashlib.sha256()
    for name, tensor in state.items():
        flat = tensor.detach().to("cpu").contiguous().reshape(-1)
        digest.update(f"{name}:{flat.dtype}:{tuple(tensor.shape)}".encode())
        digest.update(flat.view(torch.uint8).numpy().tobytes())
    identity = "params-sha256:" + digest.hexdigest()[:32]
    _FINGERPRINTS[module] = (versions, identity)
    return identity


def stimuli_identity(records: Sequence[StimulusRecord]) -> str:
    """Content hash of what the model sees: ids, file contents and presentation times, in order.

    Unlike ``StimulusSet.content_hash()`` it ignores metadata columns (labels, conditions), so
    benchmarks that annotate the same stimuli differently share one extraction.
    """
    from dynamic_vision.io.stimuli import file_sha256  # memoised per process

    return storage.stable_hash([(r.stimulus_id, file_sha256(r.path), r.is_image,
                                 None if math.isnan(r.duration_ms) else r.duration_ms)
                                for r in records], length=32)


def _library_version() -> str:
    from dynamic_vision._version import __version__

    return __version__


def cache_key(spec: ModelSpec, weights: str, layers: Sequence[str], reducer: Reduction,
              window: str, dtype: torch.dtype | None, stimuli_hash: str,
              time_axis: Mapping[str, int | None] | None) -> str:
    """The content key of one extraction (see the module docstring for what it covers)."""
    return storage.stable_hash(
        spec.identifier, spec.kind, spec.preprocessing(), weights, list(layers),
        reducer.settings(), window if spec.kind == "video" else "frame", str(dtype),
        stimuli_hash,
        dict(time_axis or {}), _library_version(), ENGINE_VERSION, length=24)
