"""The Hugging Face video families the ``transformers`` adapter knows, and how each is fed.

One :class:`VideoFamily` per family (VideoMAE, TimeSformer, ViViT, V-JEPA 2, X-CLIP's vision
tower): its classes, input layout, token order, configuration keys, the frame rate of its
published training recipe and the normalisation of its published checkpoints. Plain data: no
import of torch or transformers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dynamic_vision.modeling.citations import ARNAB2021, ASSRAN2025, BERTASIUS2021, NI2022, TONG2022
from dynamic_vision.modeling.spec import IMAGENET_MEAN, IMAGENET_STD

__all__ = ["VideoFamily", "FAMILIES", "ALIASES", "normalization", "CLIP_MEAN", "CLIP_STD"]

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


@dataclass(frozen=True)
class VideoFamily:
    """How one ``transformers`` video family is built, fed and read.

    Attributes
    ----------
    model_type
        ``config.model_type`` of the family's configurations.
    config_class, model_class
        Names in ``transformers``; the model class is the backbone (no classification head).
    layout
        ``"BTCHW"``: the model takes ``(batch, time, channel, height, width)``; ``"frames"``: it
        takes the frames of all clips stacked, ``(batch * time, channel, height, width)``.
    cls_token
        Token sequences start with a class token.
    order
        Token order: ``"thw"`` (time slowest) or ``"hwt"`` (time fastest, TimeSformer).
    size_key, frames_key
        Configuration keys of the input size and the clip length.
    fps
        Frames per second of the published training recipe (see ``fps_source``).
    mean, std
        Normalisation in [0, 1] pixel units of the family's published checkpoints.
    backbone
        Sub-module run as the network (``"encoder"`` for V-JEPA 2, whose predictor is only
        for training); ``""``: the whole model.
    checkpoints
        Published hub model ids, listed by ``list_models("transformers/*")``.
    fixed_geometry
        Published weights fit the published input size and clip length only.
    whole_class, whole_attribute
        Checkpoints of the whole model (``config.model_type == model_type``) are loaded with
        ``whole_class`` and the backbone is its ``whole_attribute`` (X-CLIP's vision tower).
    """

    model_type: str
    config_class: str
    model_class: str
    layout: str
    cls_token: bool
    order: str
    size_key: str
    frames_key: str
    fps: float
    fps_source: str
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    bibtex: str
    backbone: str = ""
    checkpoints: tuple[str, ...] = ()
    fixed_geometry: bool = True
    whole_class: str = ""
    whole_attribute: str = ""

    def tubelet(self, config: Any) -> int:
        """Frames per time step (tubelet depth; 1 for frame-wise patches)."""
        size = getattr(config, "tubelet_size", None)
        if size is None:
            return 1
        return int(size[0]) if isinstance(size, (list, tuple)) else int(size)

    def patch(self, config: Any) -> int:
        size = getattr(config, "tubelet_size", None)
        if isinstance(size, (list, tuple)):
            return int(size[1])
        return int(config.patch_size)


FAMILIES: dict[str, VideoFamily] = {family.model_type: family for family in (
    VideoFamily(
        "videomae", "VideoMAEConfig", "VideoMAEModel", "BTCHW", False, "thw", "image_size",
        "num_frames", 7.5, "16 frames at a temporal stride of 4 of 30 fps Kinetics video",
        IMAGENET_MEAN, IMAGENET_STD,
        TONG2022,
        checkpoints=("MCG-NJU/videomae-base", "MCG-NJU/videomae-base-finetuned-kinetics",
                     "MCG-NJU/videomae-large-finetuned-kinetics")),
    VideoFamily(
        "timesformer", "TimesformerConfig", "TimesformerModel", "BTCHW", True, "hwt",
        "image_size", "num_frames", 30.0 / 32, "8 frames at a sampling rate of 32 of 30 fps "
        "Kinetics video (the 8x32 recipe)", (0.45, 0.45, 0.45), (0.225, 0.225, 0.225),
        BERTASIUS2021,
        checkpoints=("facebook/timesformer-base-finetuned-k400",)),
    VideoFamily(
        "vivit", "VivitConfig", "VivitModel", "BTCHW", True, "thw", "image_size", "num_frames",
        15.0, "32 frames at a stride of 2 of 30 fps Kinetics video (16x2 tubelets)",
        # VivitImageProcessor: pixel / 127.5 - 1, then (x - 0.5) / 0.5, in [0, 1] units
        (0.75, 0.75, 0.75), (0.25, 0.25, 0.25),
        ARNAB2021,
        checkpoints=("google/vivit-b-16x2-kinetics400",)),
    VideoFamily(
        "vjepa2", "VJEPA2Config", "VJEPA2Model", "BTCHW", False, "thw", "crop_size",
        "frames_per_clip", 4.0, "pretraining clips sampled at 4 fps", IMAGENET_MEAN,
        IMAGENET_STD,
        ASSRAN2025,
        backbone="encoder", fixed_geometry=False,  # rotary position embeddings fit any size
        checkpoints=("facebook/vjepa2-vitl-fpc64-256", "facebook/vjepa2-vith-fpc64-256",
                     "facebook/vjepa2-vitg-fpc64-256")),
    VideoFamily(
        "xclip", "XCLIPVisionConfig", "XCLIPVisionModel", "frames", True, "thw", "image_size",
        "num_frames", 0.8, "8 frames sampled sparsely over 10 s Kinetics clips", CLIP_MEAN,
        CLIP_STD,
        NI2022,
        checkpoints=("microsoft/xclip-base-patch32", "microsoft/xclip-base-patch16"),
        whole_class="XCLIPModel", whole_attribute="vision_model"),
)}
#: ``config.model_type`` values of whole hub models that hold a family's backbone.
ALIASES = {"xclip_vision_model": "xclip"}


def normalization(preprocessor: Mapping[str, Any], family: VideoFamily
                  ) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Mean and std in [0, 1] pixel units equivalent to a ``transformers`` preprocessor
    configuration (``rescale_factor``, ``offset``, ``do_normalize``, ``image_mean``/``std``)."""
    if not preprocessor:
        return family.mean, family.std
    scale = 255.0 * float(preprocessor.get("rescale_factor", 1 / 255))
    shift = 1.0 if preprocessor.get("offset") else 0.0
    normalize = preprocessor.get("do_normalize", True)
    mean = preprocessor.get("image_mean", family.mean) if normalize else (0.0, 0.0, 0.0)
    std = preprocessor.get("image_std", family.std) if normalize else (1.0, 1.0, 1.0)
    return (tuple((m + shift) / scale for m in mean), tuple(s / scale for s in std))
