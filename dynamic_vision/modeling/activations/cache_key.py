"""Keys of the activation store: what makes two extractions give the same numbers.

Activations are addressed at three levels:

- the **extraction** (:func:`extraction_key`): model identifier, kind and preprocessing, the
  weights (declared name, or a fingerprint of the parameters), the window rule (mode, clip
  length, causal stride), the reduction settings, the autocast dtype and the engine version;
- the **layer** (:func:`layer_key`): its name and any ``time_axis`` override;
- the **stimulus** (:func:`stimulus_key`): the sha256 of its file and whether it is a still
  image — not its id, its position, its metadata or its presentation time (a still's one
  forward pass is broadcast over its presentation time when read), so other stimulus sets,
  subsets and reorderings holding the same files share the same entries.

A reduction fitted on the stimuli (PCA) makes every stimulus's values depend on the fitting set,
so its extraction key also holds the identity of the whole stimulus set.
"""

from __future__ import annotations

import hashlib
import math
import weakref
from collections.abc import Sequence
from typing import Any

import torch

from dynamic_vision.core import storage
from dynamic_vision.modeling.activations.dataset import StimulusRecord
from dynamic_vision.modeling.activations.reduction import Reduction
from dynamic_vision.modeling.activations.windows import WindowRule
from dynamic_vision.modeling.spec import ModelSpec

__all__ = ["ENGINE_VERSION", "weights_identity", "stimulus_key", "stimuli_identity",
           "extraction_key", "layer_key"]

#: Bumped when the engine's output for the same inputs changes (part of every key).
ENGINE_VERSION = 2

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


def stimulus_key(record: StimulusRecord) -> str:
    """The content key of one stimulus: its file's sha256 and whether it is a still image.

    A missing file raises :class:`~dynamic_vision.core.errors.MediaError` naming the stimulus.
    """
    from dynamic_vision.io.stimuli import file_sha256  # memoised per process
    from dynamic_vision.io.video import MediaError

    try:
        digest = file_sha256(record.path)
    except OSError as error:
        raise MediaError(f"the file cannot be opened ({error.strerror or error})",
                         path=record.path, stimulus_id=record.stimulus_id) from error
    return ("i" if record.is_image else "v") + digest[:40]


def stimuli_identity(records: Sequence[StimulusRecord]) -> str:
    """Identity of a whole stimulus set in order: ids, contents and presentation times (the
    fitting set of a fitted reduction)."""
    return storage.stable_hash([(r.stimulus_id, stimulus_key(r),
                                 None if math.isnan(r.duration_ms) else r.duration_ms)
                                for r in records], length=32)


def extraction_key(spec: ModelSpec, weights: str, rule: WindowRule, reducer: Reduction,
                   dtype: torch.dtype | None, fit_identity: str | None = None) -> str:
    """The key of everything but the layer and the stimulus (see the module docstring)."""
    return storage.stable_hash(
        spec.identifier, spec.kind, spec.preprocessing(), weights, rule.settings(),
        reducer.settings(), str(dtype), fit_identity, ENGINE_VERSION, length=24)


def layer_key(layer: str, time_axis: int | None | str = "default") -> str:
    """The key of one layer and its ``time_axis`` override (``"default"``: none)."""
    return storage.stable_hash(layer, time_axis, length=10)
