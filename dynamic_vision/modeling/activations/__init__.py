"""The activation-extraction engine: show stimuli to a torch module and record its layers.

>>> from dynamic_vision.modeling.activations import extract_activations
>>> acts = extract_activations(module, spec, stimuli, ["layer2", "layer4"])  # doctest: +SKIP
>>> acts["layer4"].dims
('presentation', 'neuroid', 'time_step')

Rooms: :mod:`.hooks` (forward hooks on dotted layer names), :mod:`.dataset` (decoding in
DataLoader workers), :mod:`.windows` (the causal and block window rules: frames and clips →
model time steps in ms), :mod:`.plan` (the batched model inputs of a chunk of stimuli),
:mod:`.reduction` (width reduction while streaming), :mod:`.store` (the per-stimulus,
content-addressed, memory-mapped store; work in progress is leased through
:mod:`dynamic_vision.core.lease`), :mod:`.cache_key` (what identifies an extraction, a layer and a stimulus), :mod:`.engine` (the
loop that ties them together). Importing this package does not import torch; the names below
are loaded on first use.
"""

from dynamic_vision.core.exports import lazy_exports

_NAMES = {
    "extract_activations": "dynamic_vision.modeling.activations.engine",
    "LayerRecorder": "dynamic_vision.modeling.activations.hooks",
    "make_reducer": "dynamic_vision.modeling.activations.reduction",
    "SparseRandomProjection": "dynamic_vision.modeling.activations.reduction",
    "PCAReduction": "dynamic_vision.modeling.activations.reduction",
    "preprocess_frames": "dynamic_vision.modeling.activations.dataset",
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
