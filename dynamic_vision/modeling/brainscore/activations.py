"""``PytorchWrapper`` and ``load_preprocess_images`` as Brain-Score documents them.

A Brain-Score base model is a torch network wrapped with its preprocessing::

    preprocessing = functools.partial(load_preprocess_images, image_size=224)
    wrapper = PytorchWrapper(identifier="alexnet", model=network, preprocessing=preprocessing)

Documented behaviour implemented here:

- ``load_preprocess_images(paths, image_size, **kwargs)`` reads each image as RGB, resizes it to
  ``image_size`` x ``image_size``, scales pixels to [0, 1] and normalises each channel with
  ``normalize_mean`` / ``normalize_std`` (ImageNet's by default), returning an
  ``(n, 3, image_size, image_size)`` float32 array. ``preprocess_type="inception"`` (resize to
  256/224 of the size, centre crop, mean and std 0.5) is recognised but not supported when
  scoring (see :func:`preprocessing_settings`).
- ``PytorchWrapper(model, preprocessing, identifier=None, forward_kwargs=None)`` records layers
  with forward hooks: a layer is a dotted path of sub-module names (``"features.2"``) or
  ``"logits"`` (the last leaf module); ``wrapper(stimuli, layers)`` returns the flattened
  activations of every layer as a ``(presentation, neuroid)`` DataArray.

When such a wrapper is scored, stimuli do not go through ``preprocessing``: the extraction
engine decodes video frames itself and applies the same geometry and normalisation, read from
the preprocessing's arguments (:func:`preprocessing_settings`).
"""

from __future__ import annotations

import functools
import os
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from dynamic_vision.core.errors import BrainScoreModelError
from dynamic_vision.modeling.spec import IMAGENET_MEAN, IMAGENET_STD

__all__ = ["PytorchWrapper", "load_preprocess_images", "load_images", "load_image",
           "preprocess_images", "preprocessing_settings", "LOGITS"]

#: Brain-Score's name for a network's output layer (its last leaf module).
LOGITS = "logits"
_BATCH = 64


def load_image(path: str | os.PathLike[str]) -> Any:
    """One image file as an RGB :class:`PIL.Image.Image` (grey, palette and alpha made RGB)."""
    from PIL import Image

    with Image.open(path) as image:
        return image.convert("RGB")


def load_images(paths: Iterable[str | os.PathLike[str]]) -> list[Any]:
    """:func:`load_image` for every path."""
    return [load_image(path) for path in paths]


def _normalization(kwargs: Mapping[str, Any]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    kind = str(kwargs.get("preprocess_type", "imagenet")).lower()
    if kind == "inception":
        return (0.5, 0.5, 0.5), (0.5, 0.5, 0.5)
    if kind != "imagenet":
        raise BrainScoreModelError(f"Unknown preprocess_type {kind!r}; Brain-Score knows "
                                   f"'imagenet' and 'inception'.")
    return (tuple(kwargs.get("normalize_mean", IMAGENET_MEAN)),
            tuple(kwargs.get("normalize_std", IMAGENET_STD)))


def preprocess_images(images: Sequence[Any], image_size: int, **kwargs: Any) -> np.ndarray:
    """Resize PIL images and normalise them: ``(n, 3, image_size, image_size)`` float32."""
    from PIL import Image

    mean, std = _normalization(kwargs)
    size = int(image_size)
    inception = str(kwargs.get("preprocess_type", "imagenet")).lower() == "inception"
    out = np.empty((len(images), 3, size, size), dtype=np.float32)
    for index, image in enumerate(images):
        if inception:  # shorter side to 256/224 of the size, then the centre square
            scaled = int(size * 256 / 224)
            width, height = image.size
            factor = scaled / min(width, height)
            image = image.resize((max(scaled, round(width * factor)),
                                  max(scaled, round(height * factor))), Image.BILINEAR)
            left = (image.size[0] - size) // 2
            top = (image.size[1] - size) // 2
            image = image.crop((left, top, left + size, top + size))
        else:
            image = image.resize((size, size), Image.BILINEAR)
        pixels = np.asarray(image, dtype=np.float32) / 255.0
        out[index] = ((pixels - np.asarray(mean, np.float32)) /
                      np.asarray(std, np.float32)).transpose(2, 0, 1)
    return out


def load_preprocess_images(image_filepaths: Iterable[str | os.PathLike[str]], image_size: int,
                           **kwargs: Any) -> np.ndarray:
    """Read and preprocess image files (see :func:`preprocess_images`)."""
    return preprocess_images(load_images(image_filepaths), image_size=image_size, **kwargs)


def preprocessing_settings(preprocessing: Any) -> dict[str, Any]:
    """What a Brain-Score preprocessing asks of the extraction engine.

    ``functools.partial(load_preprocess_images, image_size=..., [normalize_mean=...,
    normalize_std=...])`` (this module's or Brain-Score's own) gives ``input_size``, ``mean``
    and ``std``. ``None`` gives nothing (the caller's defaults apply).

    Raises
    ------
    BrainScoreModelError
        For a preprocessing this library cannot reproduce on decoded video frames: a custom
        function of file paths, or ``preprocess_type="inception"``.
    """
    if preprocessing is None:
        return {}
    function = preprocessing.func if isinstance(preprocessing, functools.partial) \
        else preprocessing
    if getattr(function, "__name__", None) != "load_preprocess_images":
        raise BrainScoreModelError(
            f"The model's preprocessing is {getattr(function, '__qualname__', function)!r}, a "
            f"function of image files. dynamic_vision decodes video frames in memory and "
            f"preprocesses them itself, so it needs "
            f"functools.partial(load_preprocess_images, image_size=..., normalize_mean=..., "
            f"normalize_std=...); or declare input_size/mean/std with get_model_spec(name).")
    keywords = dict(preprocessing.keywords) if isinstance(preprocessing, functools.partial) \
        else {}
    if isinstance(preprocessing, functools.partial) and len(preprocessing.args) > 1:
        keywords.setdefault("image_size", preprocessing.args[1])
    if str(keywords.get("preprocess_type", "imagenet")).lower() == "inception":
        raise BrainScoreModelError(
            "preprocess_type='inception' resizes to 256/224 of the input size before cropping; "
            "the extraction engine resizes the shorter side to the input size and crops the "
            "centre. Use the 'imagenet' preprocessing, or declare the model natively.")
    mean, std = _normalization(keywords)
    settings: dict[str, Any] = {"mean": tuple(float(v) for v in mean),
                                "std": tuple(float(v) for v in std)}
    if keywords.get("image_size") is not None:
        settings["input_size"] = int(keywords["image_size"])
    return settings


def _stimulus_paths(stimuli: Any) -> tuple[list[str], list[str] | None]:
    """File paths (and stimulus ids, for a stimulus set) of what a wrapper is shown."""
    if hasattr(stimuli, "columns") and "stimulus_id" in stimuli.columns:
        ids = stimuli["stimulus_id"].astype(str).tolist()
        if "path" in stimuli.columns:
            return [str(p) for p in stimuli["path"]], ids
        return [str(stimuli.get_stimulus(i)) for i in ids], ids  # a Brain-Score StimulusSet
    if isinstance(stimuli, (str, os.PathLike)):
        stimuli = [stimuli]
    return [str(p) for p in stimuli], None


class PytorchWrapper:
    """A torch network with its preprocessing and named layers (Brain-Score's wrapper).

    Parameters
    ----------
    model
        The ``torch.nn.Module``.
    preprocessing
        ``preprocessing(paths) -> (n, 3, h, w)`` array, usually
        ``functools.partial(load_preprocess_images, image_size=224)``.
    identifier
        The model's name (default: the network's class name).
    forward_kwargs
        Keyword arguments of every forward call.
    """

    def __init__(self, model: Any, preprocessing: Any, identifier: str | None = None,
                 forward_kwargs: Mapping[str, Any] | None = None, *args: Any, **kwargs: Any):
        self._model = model
        self.preprocessing = preprocessing
        self._identifier = identifier or type(model).__name__
        self._forward_kwargs = dict(forward_kwargs or {})
        keywords = getattr(preprocessing, "keywords", None) or {}
        #: Brain-Score's examples set it; the preprocessing's ``image_size`` is what is used.
        self.image_size = keywords.get("image_size")

    @property
    def identifier(self) -> str:
        return self._identifier

    @identifier.setter
    def identifier(self, value: str) -> None:
        self._identifier = value

    @property
    def model(self) -> Any:
        """The wrapped torch network."""
        return self._model

    def __repr__(self) -> str:
        return f"PytorchWrapper({self._identifier!r}, {type(self._model).__name__})"

    # -- layers ---------------------------------------------------------------------------------
    def layers(self) -> Iterator[tuple[str, Any]]:
        """``(name, module)`` of every leaf module, in registration order."""
        for name, module in self._model.named_modules():
            if not list(module.children()):
                yield name, module

    def layer_name(self, layer: str) -> str:
        """The dotted module name of ``layer`` (``"logits"`` is the last leaf module)."""
        if layer == LOGITS:
            leaves = [name for name, _ in self.layers()]
            if not leaves or not leaves[-1]:
                raise BrainScoreModelError(f"Model '{self.identifier}' has no leaf module to "
                                           f"serve as '{LOGITS}'.")
            return leaves[-1]
        self.get_layer(layer)
        return layer

    def get_layer(self, layer: str) -> Any:
        """The sub-module called ``layer`` (a dotted path, or ``"logits"``)."""
        if layer == LOGITS:
            return dict(self._model.named_modules())[self.layer_name(LOGITS)]
        module = self._model
        for part in layer.split("."):
            child = module._modules.get(part)
            if child is None:
                known = [name for name, _ in self._model.named_modules() if name]
                raise BrainScoreModelError(
                    f"Model '{self.identifier}' has no layer '{layer}' (no sub-module "
                    f"'{part}'); its modules are {known[:12]}{' ...' if len(known) > 12 else ''}.")
            module = child
        return module

    # -- activations ----------------------------------------------------------------------------
    def get_activations(self, images: Any, layer_names: Sequence[str]) -> OrderedDict:
        """Forward ``images`` (an array or tensor batch) once; ``{layer: numpy output}``."""
        import torch

        batch = images if isinstance(images, torch.Tensor) else torch.as_tensor(np.asarray(images))
        parameter = next(self._model.parameters(), None)
        if parameter is not None:
            batch = batch.to(device=parameter.device, dtype=parameter.dtype)
        outputs: OrderedDict = OrderedDict()
        handles = []
        for name in layer_names:
            def hook(_module: Any, _inputs: Any, output: Any, name: str = name) -> None:
                outputs[name] = output.detach().cpu().numpy()
            handles.append(self.get_layer(name).register_forward_hook(hook))
        was_training = self._model.training
        self._model.eval()
        try:
            with torch.no_grad():
                self._model(batch, **self._forward_kwargs)
        finally:
            for handle in handles:
                handle.remove()
            self._model.train(was_training)
        return outputs

    def __call__(self, stimuli: Any, layers: Sequence[str], stimuli_identifier: Any = None
                 ) -> Any:
        """Activations of ``layers`` to image files: a ``(presentation, neuroid)`` DataArray.

        ``stimuli`` is a list of paths or a stimulus set (then ``stimulus_id`` is kept).
        Neuroids carry ``neuroid_id`` (``"<layer>.<index>"``), ``layer`` and ``neuroid_num``.
        """
        import xarray as xr

        if isinstance(layers, str):
            layers = [layers]
        paths, ids = _stimulus_paths(stimuli)
        blocks: dict[str, list[np.ndarray]] = {layer: [] for layer in layers}
        for start in range(0, len(paths), _BATCH):
            images = self.preprocessing(paths[start:start + _BATCH])
            for layer, output in self.get_activations(images, list(layers)).items():
                blocks[layer].append(output.reshape(output.shape[0], -1))
        values, layer_of, number = [], [], []
        for layer in layers:
            flat = np.concatenate(blocks[layer]) if blocks[layer] else np.empty((0, 0))
            values.append(flat)
            layer_of += [layer] * flat.shape[1]
            number += list(range(flat.shape[1]))
        coords: dict[str, Any] = {
            "stimulus_path": ("presentation", paths),
            "neuroid_id": ("neuroid", [f"{layer}.{n}" for layer, n in zip(layer_of, number)]),
            "layer": ("neuroid", layer_of), "neuroid_num": ("neuroid", number)}
        if ids is not None:
            coords["stimulus_id"] = ("presentation", ids)
        return xr.DataArray(np.concatenate(values, axis=1), dims=("presentation", "neuroid"),
                            coords=coords, attrs={"model": self.identifier})
