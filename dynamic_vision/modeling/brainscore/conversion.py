"""What a Brain-Score model returns, made into this library's :class:`BrainModel`.

Accepted, from a submission's ``get_model(name)`` or a plugin's ``model_registry`` lambda:

- a ``ModelCommitment`` (this package's or Brain-Score's own): its activations model, layers,
  ``region_layer_map``, ``behavioral_readout_layer`` and visual degrees are kept;
- a ``PytorchWrapper`` (this package's or Brain-Score's own): the network, and the input size
  and normalisation its ``load_preprocess_images`` preprocessing names;
- a bare ``torch.nn.Module``;
- a ready :class:`~dynamic_vision.core.brain_model.BrainModel`, used as it is.

The result is a :class:`~dynamic_vision.modeling.commitment.ModelCommitment` around an
``"image"`` :class:`~dynamic_vision.modeling.spec.ModelSpec`: image networks are shown video
frame by frame at :data:`DEFAULT_IMAGE_FPS` (a static image is one forward pass).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dynamic_vision.core.errors import BrainScoreModelError
from dynamic_vision.modeling.brainscore.activations import LOGITS, preprocessing_settings

__all__ = ["brain_model", "DEFAULT_IMAGE_FPS", "DEFAULT_INPUT_SIZE", "SPEC_FIELDS"]

#: Frames per second at which image models see videos when nothing else is declared.
DEFAULT_IMAGE_FPS = 30.0
#: Input size when neither the preprocessing nor the wrapper names one (Brain-Score's usual).
DEFAULT_INPUT_SIZE = 224
#: ModelSpec fields a submission may declare with ``get_model_spec(name)``.
SPEC_FIELDS = ("kind", "input_size", "fps", "clip_length", "mean", "std", "visual_degrees",
               "region_layer_map", "weights")


def _torch_module(obj: Any) -> Any:
    import torch

    return obj if isinstance(obj, torch.nn.Module) else None


def _is_commitment(obj: Any) -> bool:
    """A Brain-Score ``ModelCommitment`` (this package's stand-in or Brain-Score's own)."""
    return hasattr(obj, "activations_model") and hasattr(obj, "layers") and \
        _torch_module(obj) is None


def _commitments_of(commitment: Any) -> dict[str, str]:
    """The explicit ``{region: layer}`` of a commitment; a lazily selecting map is none."""
    candidates = [getattr(commitment, "region_layer_map", None)]
    layer_model = getattr(commitment, "layer_model", None)  # Brain-Score's own class
    for holder in (layer_model, getattr(layer_model, "_layer_model", None)):
        candidates.append(getattr(holder, "region_layer_map", None))
    for found in candidates:
        if type(found) is dict:  # noqa: E721  (Brain-Score's selecting map subclasses dict)
            return {str(region): str(layer) for region, layer in found.items()}
    return {}


def _network_of(wrapper: Any, where: str) -> tuple[Any, Any]:
    """The torch network of a wrapper (or bare network) and its preprocessing."""
    network = _torch_module(wrapper)
    if network is not None:
        return network, None
    for attribute in ("_model", "model"):
        network = _torch_module(getattr(wrapper, attribute, None))
        if network is not None:
            break
    if network is None:
        raise BrainScoreModelError(
            f"{where} returned a {type(wrapper).__name__}; return a PytorchWrapper (built with "
            f"load_preprocess_images), a ModelCommitment around one, a torch.nn.Module, or a "
            f"BrainModel.")
    preprocessing = getattr(wrapper, "preprocessing", None)
    if preprocessing is None:  # Brain-Score's wrapper keeps it in its extractor
        preprocessing = getattr(getattr(wrapper, "_extractor", None), "preprocess", None)
    return network, preprocessing


def _layer_name(network: Any, layer: str, where: str) -> str:
    """A dotted module name of ``network``; ``"logits"`` is its last leaf module."""
    modules = dict(network.named_modules())
    if layer == LOGITS and LOGITS not in modules:
        leaves = [name for name, module in modules.items() if name and not list(module.children())]
        if not leaves:
            raise BrainScoreModelError(f"{where}: the network has no leaf module for "
                                       f"'{LOGITS}'.")
        return leaves[-1]
    if layer not in modules or not layer:
        known = [name for name in modules if name]
        raise BrainScoreModelError(
            f"{where}: layer '{layer}' is not a module of the network; its modules are "
            f"{known[:12]}{' ...' if len(known) > 12 else ''}.")
    return layer


def brain_model(built: Any, *, identifier: str | None = None,
                layers: Sequence[str] | None = None, bibtex: str = "",
                declared: Mapping[str, Any] | None = None,
                region_layer_map: Mapping[str, str] | None = None, where: str = "the model",
                **commitment_options: Any) -> Any:
    """Make what a Brain-Score model function returned into a BrainModel.

    Parameters
    ----------
    built
        The object returned (see the module docstring).
    identifier
        The model's identifier (default: the commitment's or the wrapper's).
    layers
        Layers offered to regions (default: the commitment's); required for a bare wrapper.
    bibtex
        How to cite the model.
    declared
        :data:`SPEC_FIELDS` that override what the objects imply (``get_model_spec``).
    region_layer_map
        ``{region: layer}`` to commit when the returned commitment gives none (a plugin's
        ``region_layer_map/<identifier>.json``).
    where
        How to name the model's source in errors, e.g. ``"get_model('x') in 'base_models'"``.
    **commitment_options
        Passed to :class:`~dynamic_vision.modeling.commitment.ModelCommitment` (extraction
        settings, ``region_layer_map``, ...).
    """
    from dynamic_vision.core.brain_model import BrainModel

    explicit: dict[str, str] = {}
    readout: str | None = None
    visual_degrees: float | None = None
    if _is_commitment(built):
        identifier = identifier or str(built.identifier)
        layers = list(built.layers) if layers is None else layers
        explicit = _commitments_of(built)
        readout = getattr(built, "behavioral_readout_layer", None)
        degrees = getattr(built, "visual_degrees", None)
        visual_degrees = float(degrees() if callable(degrees) else degrees) \
            if degrees is not None else None
        built = built.activations_model
    elif isinstance(built, BrainModel) and _torch_module(built) is None:
        return built
    network, preprocessing = _network_of(built, where)
    identifier = identifier or str(getattr(built, "identifier", "") or type(network).__name__)
    if not layers:
        raise BrainScoreModelError(f"{where}: no layers to record; get_layers(name) must "
                                   f"return the layers to consider.")
    try:
        settings = preprocessing_settings(preprocessing)
    except BrainScoreModelError as error:
        raise BrainScoreModelError(f"{where}: {error}") from None
    if "input_size" not in settings:
        settings["input_size"] = int(getattr(built, "image_size", None) or DEFAULT_INPUT_SIZE)
    committed = {region: _layer_name(network, layer, where)
                 for region, layer in (explicit or dict(region_layer_map or {})).items()}
    readout = _layer_name(network, readout, where) if readout is not None else None
    # Committed and read-out layers are recorded too, even when not among the offered layers.
    names = list(dict.fromkeys([*(_layer_name(network, layer, where) for layer in layers),
                                *committed.values(), *([readout] if readout else [])]))
    fields: dict[str, Any] = {"kind": "image", "fps": DEFAULT_IMAGE_FPS, **settings}
    if visual_degrees is not None:
        fields["visual_degrees"] = visual_degrees
    if committed:
        fields["region_layer_map"] = committed
    declared = dict(declared or {})
    unknown = set(declared) - set(SPEC_FIELDS)
    if unknown:
        raise BrainScoreModelError(f"{where}: get_model_spec returned unknown fields "
                                   f"{sorted(unknown)}; allowed: {list(SPEC_FIELDS)}.")
    fields.update(declared)
    from dynamic_vision.modeling.commitment import ModelCommitment
    from dynamic_vision.modeling.spec import ModelSpec

    spec = ModelSpec(identifier=identifier, layers=tuple(names), bibtex=str(bibtex or ""),
                     **fields)
    if readout is not None:
        commitment_options.setdefault("readout_layer", readout)
    return ModelCommitment(spec, network.eval(), **commitment_options)
