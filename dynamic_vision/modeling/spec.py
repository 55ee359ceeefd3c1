"""What a model declares about itself: kind, layers, input geometry, frame rate, weights.

A :class:`ModelSpec` is the one declaration of a model plugin. Its folder's ``__init__.py``
builds it and registers it with :func:`register_model` (which derives every fact that
``dynamic-vision info`` shows from it); the implementation imports the same object. The
extraction engine (:mod:`dynamic_vision.modeling.activations`) reads from it how to show stimuli
to the model (input size, normalisation, frame rate, clip length), and its identity (identifier,
weights, preprocessing) is part of every activation-cache key. It imports nothing heavy.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from dynamic_vision.core.registry import Registry, model_registry

__all__ = ["ModelSpec", "register_model", "IMAGENET_MEAN", "IMAGENET_STD", "KINETICS_MEAN",
           "KINETICS_STD", "KINDS", "RANDOM_SUFFIX"]

#: Per-channel (RGB) mean and standard deviation of ImageNet, in [0, 1] pixel units.
IMAGENET_MEAN: tuple[float, float, float] = (0.485, 0.456, 0.406)
IMAGENET_STD: tuple[float, float, float] = (0.229, 0.224, 0.225)

#: Normalisation of torchvision's Kinetics-400 video ResNets and S3D.
KINETICS_MEAN = (0.43216, 0.394666, 0.37645)
KINETICS_STD = (0.22803, 0.22145, 0.216989)

#: ``"image"`` models are applied frame by frame; ``"video"`` models take clips of frames;
#: ``"features"`` models compute fixed features of decoded frames (no network, no weights).
KINDS = ("image", "video", "features")
#: The suffix of a published model's random-weight twin.
RANDOM_SUFFIX = "-random"


@dataclass(frozen=True)
class ModelSpec:
    """The typed description of a model that the extraction engine needs.

    Parameters
    ----------
    identifier
        Registry identifier, e.g. ``"r3d_18"``.
    kind
        ``"image"``: the model sees one frame at a time and is applied frame by frame at ``fps``;
        ``"video"``: the model sees clips of ``clip_length`` frames at ``fps``.
    layers
        Dotted module names (as in ``module.named_modules()``) offered for recording, in
        network order.
    input_size
        Side of the square input in pixels. Frames are resized so that their shorter side is
        ``input_size`` and then centre-cropped (see :mod:`dynamic_vision.modeling.activations.preprocessing`).
    fps
        Frames per second the model sees; stimuli are resampled to this rate.
    clip_length
        Frames per clip for video models (1 for image models).
    mean, std
        Per-channel RGB normalisation applied to pixel values in ``[0, 1]``.
    region_layer_map
        Committed layer per region (e.g. ``{"V1": "layer1", "MT": "layer3"}``); may be empty,
        in which case layers are chosen by :mod:`dynamic_vision.modeling.layer_selection`.
    visual_degrees
        Visual angle, in degrees, spanned by the model's input.
    weights
        Identity of the weights (name and hash, e.g. ``"kinetics400:5f0d…"``), part of cache
        keys. ``None`` means random initialisation; the engine then fingerprints the parameters
        themselves so that differently initialised modules never share a cache entry.
    bibtex
        How to cite the model.
    version
        Bumped whenever what the model computes changes; part of score-cache keys.
    description
        One line for ``dynamic-vision info`` (what the model is, beyond its name).
    """

    identifier: str
    kind: Literal["image", "video", "features"]
    layers: tuple[str, ...]
    input_size: int
    fps: float
    clip_length: int = 1
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    region_layer_map: Mapping[str, str] = field(default_factory=dict)
    visual_degrees: float = 8.0
    weights: str | None = None
    bibtex: str = ""
    version: int = 1
    description: str = ""

    def __post_init__(self) -> None:
        where = f"ModelSpec '{self.identifier}'"
        if not isinstance(self.identifier, str) or not self.identifier:
            raise ValueError(f"ModelSpec needs a non-empty string identifier, got {self.identifier!r}.")
        if self.kind not in KINDS:
            raise ValueError(f"{where}: kind must be one of {KINDS}, got {self.kind!r}.")
        layers = (self.layers,) if isinstance(self.layers, str) else tuple(self.layers)
        if not layers or not all(isinstance(name, str) and name for name in layers):
            raise ValueError(f"{where}: layers must be a non-empty sequence of dotted module names.")
        if len(set(layers)) != len(layers):
            raise ValueError(f"{where}: layers contain duplicates: {list(layers)}.")
        object.__setattr__(self, "layers", layers)
        if int(self.input_size) != self.input_size or self.input_size <= 0:
            raise ValueError(f"{where}: input_size must be a positive integer, got {self.input_size!r}.")
        object.__setattr__(self, "input_size", int(self.input_size))
        if not (math.isfinite(self.fps) and self.fps > 0):
            raise ValueError(f"{where}: fps must be a positive number, got {self.fps!r}.")
        object.__setattr__(self, "fps", float(self.fps))
        if int(self.clip_length) != self.clip_length or self.clip_length < 1:
            raise ValueError(f"{where}: clip_length must be a positive integer, got {self.clip_length!r}.")
        object.__setattr__(self, "clip_length", int(self.clip_length))
        if self.kind != "video" and self.clip_length != 1:
            raise ValueError(f"{where}: image models see one frame at a time; clip_length must be 1, "
                             f"got {self.clip_length}. Use kind='video' for clip models.")
        for name in ("mean", "std"):
            values = tuple(float(v) for v in getattr(self, name))
            if len(values) != 3:
                raise ValueError(f"{where}: {name} must have 3 (RGB) values, got {values}.")
            object.__setattr__(self, name, values)
        if any(v <= 0 for v in self.std):
            raise ValueError(f"{where}: std must be positive, got {self.std}.")
        region_map = dict(self.region_layer_map)
        unknown = {region: layer for region, layer in region_map.items() if layer not in layers}
        if unknown:
            raise ValueError(f"{where}: region_layer_map names layers that are not in layers: "
                             f"{unknown}; offered layers are {list(layers)}.")
        object.__setattr__(self, "region_layer_map", region_map)
        if not self.visual_degrees > 0:
            raise ValueError(f"{where}: visual_degrees must be positive, got {self.visual_degrees!r}.")

    def __hash__(self) -> int:
        return hash(self.identity_items())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ModelSpec):
            return NotImplemented
        return self.identity_items() == other.identity_items() and self.bibtex == other.bibtex

    def identity_items(self) -> tuple[Any, ...]:
        """Everything that changes what the model computes on a stimulus (cache identity)."""
        return (self.identifier, self.kind, self.layers, self.input_size, self.fps,
                self.clip_length, self.mean, self.std, tuple(sorted(self.region_layer_map.items())),
                self.visual_degrees, self.weights)

    def random_twin(self) -> ModelSpec:
        """The spec of the same architecture with seeded random weights (``<id>-random``)."""
        return dataclasses.replace(self, identifier=self.identifier + RANDOM_SUFFIX, weights=None)

    def registry_metadata(self) -> dict[str, Any]:
        """The facts ``dynamic-vision info`` shows, all derived from this declaration."""
        facts = {"model_kind": self.kind, "layers": list(self.layers),
                 "n_layers": len(self.layers), "input_size": self.input_size, "fps": self.fps,
                 "clip_length": self.clip_length, "visual_degrees": self.visual_degrees,
                 "weights": self.weights, "pretrained": self.weights is not None,
                 "version": self.version, "bibtex": self.bibtex}
        if self.description:
            facts["description"] = self.description
        return facts

    def preprocessing(self) -> dict[str, Any]:
        """The JSON-friendly preprocessing settings (part of activation cache keys)."""
        return {"input_size": self.input_size, "fps": self.fps, "clip_length": self.clip_length,
                "mean": list(self.mean), "std": list(self.std), "resize": "shorter_side+center_crop"}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dictionary (for ``dynamic-vision info`` and provenance)."""
        return {"identifier": self.identifier, "kind": self.kind, "layers": list(self.layers),
                "input_size": self.input_size, "fps": self.fps, "clip_length": self.clip_length,
                "mean": list(self.mean), "std": list(self.std),
                "region_layer_map": dict(self.region_layer_map),
                "visual_degrees": self.visual_degrees, "weights": self.weights,
                "bibtex": self.bibtex, "version": self.version, "description": self.description}


def register_model(spec: Any, target: Any, *, random_twin: bool = True,
                   check_options: Mapping[str, Any] | None = None,
                   expected_failures: Mapping[str, str] | None = None,
                   requires: Mapping[str, str] | None = None,
                   registry: Registry[Any] | None = None, origin: str | None = None) -> Any:
    """Register a model from its declaration; the one way a model plugin registers.

    Parameters
    ----------
    spec
        The model's declaration: a :class:`ModelSpec`, or any object with an ``identifier``
        and ``registry_metadata()`` (e.g. a Brain-Score submission's
        :class:`~dynamic_vision.modeling.submission.SubmissionSpec`).
    target
        The factory: a callable, a lazy ``"package.module:attribute"``, or a module name whose
        ``build`` (and, for the random twin, ``build_random``) are the factories.
    random_twin
        Also register ``<identifier>-random`` (the same architecture with seeded random
        weights) when the spec declares published weights.
    check_options
        Keyword arguments that make the model test-sized in conformance checks, e.g.
        ``{"input_size": 32, "clip_length": 4}``.
    expected_failures
        ``{check name: reason}`` for known conformance gaps.
    requires
        Optional dependencies: ``{import name: pip requirement}``.
    registry, origin
        Another model registry (tests) and an explicit origin; default: the model registry
        and the plugin being discovered.

    Returns
    -------
    The declaration, so that ``SPEC = register_model(ModelSpec(...), ...)`` reads naturally.
    """
    module = target if isinstance(target, str) and ":" not in target else None
    extra: dict[str, Any] = {}
    if check_options:
        extra["check_options"] = dict(check_options)
    if expected_failures:
        extra["expected_failures"] = dict(expected_failures)
    registry = model_registry if registry is None else registry
    registry.register(spec.identifier, f"{module}:build" if module else target,
                      requires=requires, origin=origin, declaration=spec, **extra)
    if random_twin and isinstance(spec, ModelSpec) and spec.weights is not None:
        if module is None:
            raise ValueError(f"Model '{spec.identifier}': a random twin needs the module name "
                             f"whose build_random builds it, not {target!r}.")
        registry.register(spec.identifier + RANDOM_SUFFIX, f"{module}:build_random",
                          requires=requires, origin=origin, declaration=spec.random_twin(),
                          random_twin_of=spec.identifier, **extra)
    return spec
