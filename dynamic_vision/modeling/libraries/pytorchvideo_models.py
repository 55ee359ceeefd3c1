"""X3D and SlowFast from PyTorchVideo, for the curated zoo.

PyTorchVideo (``pip install "dynamic-vision[pytorchvideo]"``) builds the networks; the
published Kinetics-400 weights are PyTorchVideo's model-zoo checkpoints (the PySlowFast
weights), kept in torch.hub's checkpoint folder like PyTorchVideo's own hub loader keeps them.

- X3D: ``blocks.0`` is the stem, ``blocks.1``–``4`` the four stages, ``blocks.5.pool`` the
  pooled features; no layer strides time, so every step covers one frame.
- SlowFast: the clip goes to the fast pathway whole and to the slow pathway at every
  ``alpha``-th frame (its first frame in each group of ``alpha``, so a slow step never sees a
  later frame than its interval's first); each stage output is recorded per pathway through
  taps, ``blocks.<i>.slow`` (steps of ``alpha`` frames) and ``blocks.<i>.fast`` (steps of one
  frame), and ``blocks.5`` holds both pathways pooled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from dynamic_vision.modeling.spec import ModelSpec

if TYPE_CHECKING:
    import torch

__all__ = ["x3d_architecture", "slowfast_architecture", "slowfast_adapt", "SLOWFAST_ALPHA",
           "REQUIRES"]

#: Frames of the fast pathway per frame of the slow pathway (SlowFast 8x8).
SLOWFAST_ALPHA = 4
#: The optional dependency, for ``register_model(..., requires=REQUIRES)``.
REQUIRES = {"pytorchvideo": "dynamic-vision[pytorchvideo]"}


def x3d_architecture(**options: Any) -> Callable[[ModelSpec], torch.nn.Module]:
    """A factory for ``pytorchvideo.models.x3d.create_x3d`` at the spec's geometry (the head's
    pooling window covers the whole clip and frame, as in the published recipe)."""

    def make(spec: ModelSpec) -> torch.nn.Module:
        from pytorchvideo.models.x3d import create_x3d

        return create_x3d(input_clip_length=spec.clip_length, input_crop_size=spec.input_size,
                          **options)

    return make


def slowfast_architecture(depth: int = 50) -> Callable[[ModelSpec], torch.nn.Module]:
    """A factory for ``pytorchvideo.models.slowfast.create_slowfast`` (8x8 recipe) at the
    spec's geometry."""

    def make(spec: ModelSpec) -> torch.nn.Module:
        from pytorchvideo.models.slowfast import create_slowfast

        side = max(1, spec.input_size // 32)
        fast = spec.clip_length
        slow = max(1, fast // SLOWFAST_ALPHA)
        return create_slowfast(model_depth=depth, slowfast_fusion_conv_kernel_size=(7, 1, 1),
                               head_pool_kernel_sizes=((slow, side, side), (fast, side, side)))

    return make


def slowfast_adapt(stages: Sequence[str]) -> Callable[[torch.nn.Module], torch.nn.Module]:
    """Split the clip into the two pathways and tap each stage's ``slow`` and ``fast``
    outputs (a stage returns both as a list)."""
    import torch

    def pathways(_module: Any, args: tuple[Any, ...]) -> tuple[Any, ...]:
        clips = args[0]  # (B, 3, T, H, W)
        return ([clips[:, :, ::SLOWFAST_ALPHA], clips], *args[1:])

    def adapt(module: torch.nn.Module) -> torch.nn.Module:
        module.register_forward_pre_hook(pathways)
        for name in stages:
            block = module.get_submodule(name)
            block.add_module("slow", torch.nn.Identity())
            block.add_module("fast", torch.nn.Identity())

            def tap(sub: torch.nn.Module, _inputs: Any, output: Any) -> None:
                sub.slow(output[0])
                sub.fast(output[1])

            block.register_forward_hook(tap)
        return module

    return adapt
