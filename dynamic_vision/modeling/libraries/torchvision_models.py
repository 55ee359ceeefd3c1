"""``torchvision/<name>``: any torchvision image or video classification builder.

``<name>`` is a builder of ``torchvision.models`` (image classification, applied frame by frame
at 30 fps) or of ``torchvision.models.video`` (video classification). Everything the model is
shown comes from the builder's default weights: input size, mean and std from
``weights.transforms()``; for video models the frame rate and clip length the weights were
evaluated with, from the weights' documentation (``frame_rate=15``, ``clip_len=16``). Published
weights are those default weights, kept in torch.hub's checkpoint folder (see
:mod:`dynamic_vision.modeling.weights`).

Layer rules, by the module that defines the builder (see docs/model_zoo.md):

- ResNet / ResNeXt / Wide ResNet: ``layer1``–``layer4``, ``avgpool``; video ResNets (R3D,
  MC3, R(2+1)D) add ``stem``; RegNet: ``stem``, ``trunk_output.block1``–``4``, ``avgpool``.
- AlexNet / VGG: every max-pooling of ``features`` (the end of each convolutional stage), then
  every ReLU of ``classifier``.
- DenseNet: ``features.denseblock1``–``3``, ``features.norm5``. GoogLeNet: ``conv3``,
  ``inception3b``, ``inception4e``, ``inception5b``, ``avgpool``. Inception-v3:
  ``Conv2d_4a_3x3``, ``Mixed_5d``, ``Mixed_6e``, ``Mixed_7c``, ``avgpool``. ShuffleNet-v2:
  ``stage2``–``4``, ``conv5``.
- Networks built as a sequence of stages (ConvNeXt, EfficientNet, MobileNet, MNASNet,
  SqueezeNet, Swin, MaxViT, S3D): the last module at each resolution (:func:`stage_ends`),
  then ``avgpool`` when there is one.
- Vision Transformer: the encoder blocks at the quarters of its depth, then ``encoder.ln``.
- MViT: the last block at each resolution, through taps (``blocks.<i>.volume``); Video Swin:
  the last block of each stage, through taps (``features.<s>.<b>.volume``).
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

from dynamic_vision.modeling.libraries.layer_rules import distinct, quarters, stage_ends
from dynamic_vision.modeling.libraries.provider import LibraryProvider
from dynamic_vision.modeling.spec import ModelSpec
from dynamic_vision.modeling.zoo import (ZooModel, channels_last_taps, token_taps,
                                         torchvision_architecture)

if TYPE_CHECKING:
    import torch

__all__ = ["TorchvisionProvider", "PROVIDER", "torchvision_layers", "TORCHVISION_BIBTEX"]

IMAGE_FPS = 30.0
TORCHVISION_BIBTEX = """@inproceedings{marcel2010torchvision,
  title={Torchvision the Machine-Vision Package of Torch},
  author={Marcel, S{\\'e}bastien and Rodriguez, Yann},
  booktitle={Proceedings of the 18th ACM International Conference on Multimedia},
  pages={1485--1488},
  year={2010}
}"""
#: Families whose published weights fix the input geometry (positional embeddings).
_FIXED_GEOMETRY = ("vision_transformer", "maxvit", "video.mvit")
#: Builder option that sets the input size of fixed-geometry image families.
_SIZE_OPTION = {"vision_transformer": "image_size", "maxvit": "input_size"}


def _family(name: str) -> str:
    import torchvision.models

    module = torchvision.models.get_model_builder(name).__module__
    return module.removeprefix("torchvision.models.")


def _children(module: torch.nn.Module, path: str) -> list[str]:
    return [f"{path}.{child}" for child, _ in module.get_submodule(path).named_children()]


def _of_type(module: torch.nn.Module, path: str, kind: type) -> list[str]:
    return [f"{path}.{child}" for child, sub in module.get_submodule(path).named_children()
            if isinstance(sub, kind)]


def torchvision_layers(name: str, spec: ModelSpec, architecture: Any) -> tuple[str, ...]:
    """The recorded layers of torchvision model ``name``; ``architecture(spec)`` builds it
    (on the meta device: shapes only) when the rule needs to look at it."""
    import torch

    family = _family(name)
    if family == "resnet":
        return ("layer1", "layer2", "layer3", "layer4", "avgpool")
    if family == "video.resnet":
        return ("stem", "layer1", "layer2", "layer3", "layer4", "avgpool")
    if family == "regnet":  # its builder computes widths with tensors: no meta build
        return ("stem", "trunk_output.block1", "trunk_output.block2", "trunk_output.block3",
                "trunk_output.block4", "avgpool")
    with torch.device("meta"):
        model = architecture(spec)
    pool = "avgpool" if "avgpool" in dict(model.named_modules()) else None
    if family in ("alexnet", "vgg"):
        return distinct([*_of_type(model, "features", torch.nn.MaxPool2d),
                         *_of_type(model, "classifier", torch.nn.ReLU)])
    if family == "densenet":
        return ("features.denseblock1", "features.denseblock2", "features.denseblock3",
                "features.norm5")
    if family == "googlenet":
        return ("conv3", "inception3b", "inception4e", "inception5b", "avgpool")
    if family == "inception":
        return ("Conv2d_4a_3x3", "Mixed_5d", "Mixed_6e", "Mixed_7c", "avgpool")
    if family == "shufflenetv2":
        return ("stage2", "stage3", "stage4", "conv5")
    if family == "vision_transformer":
        return distinct([*quarters(_children(model, "encoder.layers")), "encoder.ln"])
    if family == "video.swin_transformer":
        stages = [path for path in _children(model, "features")
                  if isinstance(model.get_submodule(path), torch.nn.Sequential)]
        return tuple(_children(model, stage)[-1] + ".volume" for stage in stages)
    example = _example(spec)
    if family == "video.mvit":
        blocks = _children(model, "blocks")
        token_taps(blocks)(model)
        return tuple(stage_ends(model, [b + ".volume" for b in blocks], example))
    if family == "maxvit":
        sequence = ["stem", *_children(model, "blocks")]
    elif family == "mnasnet":
        sequence = _children(model, "layers")
    else:  # a `features` sequence of stages
        sequence = _children(model, "features")
    return distinct([*stage_ends(model, sequence, example), pool])


def _example(spec: ModelSpec) -> torch.Tensor:
    import torch

    size = (spec.input_size, spec.input_size)
    shape = (1, 3, spec.clip_length, *size) if spec.kind == "video" else (1, 3, *size)
    return torch.zeros(shape, device="meta")


def _evaluated_with(docs: str, key: str) -> float | None:
    """A parameter of torchvision's video evaluation, e.g. ``frame_rate=15`` in the weights'
    documentation."""
    match = re.search(rf"{key}=([0-9.]+)", docs or "")
    return float(match.group(1).rstrip(".")) if match else None


def _adapt(family: str, layers: tuple[str, ...]) -> Any:
    blocks = [layer.removesuffix(".volume") for layer in layers]
    if family == "video.mvit":
        return token_taps(blocks)
    if family == "video.swin_transformer":
        return channels_last_taps(blocks)
    return None


def torchvision_zoo_model(identifier: str, name: str) -> ZooModel:
    """The :class:`ZooModel` of torchvision builder ``name`` under ``identifier``."""
    import dataclasses

    import torchvision.models

    family = _family(name)
    weights = torchvision.models.get_model_weights(name).DEFAULT
    transforms = weights.transforms()
    crop = transforms.crop_size
    video = family.startswith("video.")
    fps = _evaluated_with(weights.meta.get("_docs", ""), "frame_rate") if video else IMAGE_FPS
    clip = int(_evaluated_with(weights.meta.get("_docs", ""), "clip_len") or 16) if video else 1
    spec = ModelSpec(
        identifier=identifier, kind="video" if video else "image", layers=("placeholder",),
        input_size=int(crop[0] if isinstance(crop, (list, tuple)) else crop),
        fps=fps or 15.0, clip_length=clip, mean=tuple(transforms.mean),
        std=tuple(transforms.std), weights=f"torchvision:{weights}",
        bibtex=TORCHVISION_BIBTEX,
        description=f"torchvision {'video' if video else 'image'} classification model {name} "
                    f"({weights})")
    fixed = family in _FIXED_GEOMETRY
    architecture = _architecture(name, family)
    layers = torchvision_layers(name, spec, architecture)
    spec = dataclasses.replace(spec, layers=layers)
    return ZooModel(spec, architecture, adapt=_adapt(family, layers), fixed_geometry=fixed)


def _architecture(name: str, family: str) -> Any:
    if family == "video.mvit":
        return torchvision_architecture(name, geometry=True)
    option = _SIZE_OPTION.get(family)
    if option is None:
        return torchvision_architecture(name)

    def make(spec: ModelSpec) -> torch.nn.Module:
        import torchvision.models

        size = spec.input_size if option == "image_size" else (spec.input_size, spec.input_size)
        return torchvision.models.get_model(name, weights=None, **{option: size})

    return make


class TorchvisionProvider(LibraryProvider):
    """``torchvision/<builder>`` for every image and video classification builder."""

    prefix = "torchvision/"
    library = "torchvision"

    def model_names(self) -> list[str]:
        return _builders()

    def zoo_model(self, name: str) -> ZooModel:
        if name not in _builders():
            raise self.unknown(self.prefix + name, _builders(),
                               hint="Only image and video classification builders are offered.")
        return torchvision_zoo_model(self.prefix + name, name)

    def check_options_for(self, zoo: ZooModel) -> dict[str, Any]:
        if zoo.spec.kind == "video":
            return {"input_size": 32, "clip_length": 4}
        if zoo.spec.identifier.endswith("maxvit_t"):  # window partitions need 7 x 32 pixels
            return {"input_size": 224}
        return {"input_size": 64}


@functools.lru_cache(maxsize=1)
def _builders() -> list[str]:
    import torchvision.models as models

    return sorted(models.list_models(module=models) + models.list_models(module=models.video))


PROVIDER = TorchvisionProvider()
