"""The model zoo: published architectures committed as brain models, each in two flavours.

Every zoo model is registered twice: ``<name>`` with its published weights (loaded through
:mod:`dynamic_vision.modeling.weights`; missing weights are an error, never a silent random init) and
``<name>-random``, the same architecture with a fixed-seed random initialisation. A plugin
folder's ``__init__.py`` declares the model's :class:`ModelSpec` and registers it with
:func:`~dynamic_vision.modeling.spec.register_model` (importing nothing heavy); its ``model.py``
builds one :class:`ZooModel` from that same spec and exposes its ``build`` / ``build_random``.

Layer outputs of video models follow one layout, ``(batch, channel, time, ...)``. Architectures
that keep tokens or channels last (MViT, Video Swin) get *taps*: parameter-free ``volume``
sub-modules attached to a block, called with the block's output rearranged to that layout, so
that recording ``"blocks.3.volume"`` sees ``(batch, channel, time, height, width)``.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dynamic_vision.modeling.spec import KINETICS_MEAN, KINETICS_STD, RANDOM_SUFFIX, ModelSpec

if TYPE_CHECKING:
    import torch

__all__ = [
    "KINETICS_MEAN",
    "KINETICS_STD",
    "RANDOM_SUFFIX",
    "RANDOM_SEED",
    "ZooModel",
    "torchvision_architecture",
    "timm_architecture",
    "channels_last_taps",
    "token_taps",
    "attach_tap",
]

#: Seed of every ``-random`` initialisation, so the random twin is the same model every time.
RANDOM_SEED = 0

#: Builds the architecture, randomly initialised, for a spec's input geometry.
ArchitectureFactory = Callable[[ModelSpec], "torch.nn.Module"]


@dataclass(frozen=True)
class ZooModel:
    """A published architecture with its declared spec.

    Parameters
    ----------
    spec
        The spec of the pretrained model (its ``weights`` names the published weights).
    architecture
        Builds the randomly initialised torch module for a spec (see
        :func:`torchvision_architecture`, :func:`timm_architecture`).
    adapt
        Applied after weights are loaded, e.g. to attach layout taps; ``None`` for none.
    fixed_geometry
        True when the published weights only fit the declared ``input_size`` and
        ``clip_length`` (positional embeddings), so test-sized variants must be random.
    published
        Builds the module *with* its published weights for a spec, through the library's own
        loading code (timm, transformers); ``None``: the architecture with the state dict of
        :func:`~dynamic_vision.modeling.weights.fetch_weights` (torchvision, URLs).
    """

    spec: ModelSpec
    architecture: ArchitectureFactory
    adapt: Callable[[torch.nn.Module], torch.nn.Module] | None = None
    fixed_geometry: bool = False
    published: ArchitectureFactory | None = None

    def build_module(self, pretrained: bool | None = None, *, input_size: int | None = None,
                     clip_length: int | None = None, fps: float | None = None,
                     layers: Sequence[str] | None = None) -> tuple[ModelSpec, torch.nn.Module]:
        """The spec and the torch module (eval mode), with published or seeded random weights.

        ``pretrained=None`` means published weights when the spec declares some, else the
        seeded initialisation (a model defined by its initialisation, without ``-random``).
        ``input_size`` / ``clip_length`` / ``fps`` change how stimuli are shown (tests use small
        sizes); the spec's identifier then says so, so caches never mix the variants.
        ``layers`` replaces the declared layer set (dotted module names; checked at once).
        """
        import torch

        published = self.spec.weights is not None
        pretrained = published if pretrained is None else bool(pretrained)
        if pretrained and not published:
            raise ValueError(f"'{self.spec.identifier}' declares no published weights "
                             f"(ModelSpec.weights is None); build it with pretrained=False, or "
                             f"declare a weights name or URL in its spec.")
        changes: dict[str, Any] = {}
        if input_size is not None and input_size != self.spec.input_size:
            changes["input_size"] = int(input_size)
        if clip_length is not None and clip_length != self.spec.clip_length:
            changes["clip_length"] = int(clip_length)
        name = self.spec.identifier
        if pretrained and changes and self.fixed_geometry:
            raise ValueError(
                f"The published weights of '{name}' fit input_size={self.spec.input_size} and "
                f"clip_length={self.spec.clip_length} only; use '{name}{RANDOM_SUFFIX}' (or "
                f"pretrained=False) for other sizes, got {changes}.")
        if fps is not None and float(fps) != self.spec.fps:
            changes["fps"] = float(fps)
        suffix = "".join(f"-{key}{value:g}" if key == "fps" else f"-{key}{value}"
                         for key, value in changes.items())
        identifier = name + (RANDOM_SUFFIX if published and not pretrained else "") + suffix
        if layers is not None:
            changes["layers"] = (layers,) if isinstance(layers, str) else tuple(layers)
            changes["region_layer_map"] = {}  # the declared commitments name declared layers
        spec = dataclasses.replace(self.spec, identifier=identifier,
                                   weights=self.spec.weights if pretrained else None, **changes)
        if pretrained and self.published is not None:
            module = self.published(spec)
            return spec, self._finish(spec, module)
        state = None
        if pretrained:  # before building anything, so that missing weights fail at once
            from dynamic_vision.modeling.weights import fetch_weights, load_state_dict

            state = load_state_dict(fetch_weights(self.spec.weights, model=name))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(RANDOM_SEED)
            module = self.architecture(spec)
        if state is not None:
            try:
                module.load_state_dict(state)
            except RuntimeError as error:
                raise RuntimeError(f"The weights {self.spec.weights} do not fit model "
                                   f"'{name}': {error}") from error
        return spec, self._finish(spec, module)

    def _finish(self, spec: ModelSpec, module: torch.nn.Module) -> torch.nn.Module:
        """Attach taps, check that every layer of ``spec`` exists, switch to eval mode."""
        from dynamic_vision.modeling.activations.hooks import resolve_layers

        if self.adapt is not None:
            module = self.adapt(module)
        resolve_layers(module, spec.layers, spec.identifier)
        return module.eval()

    def build(self, pretrained: bool | None = None, *, input_size: int | None = None,
              clip_length: int | None = None, fps: float | None = None,
              layers: Sequence[str] | None = None, **commitment_options: Any) -> Any:
        """The model as a :class:`~dynamic_vision.modeling.commitment.ModelCommitment`.

        ``commitment_options`` go to ``ModelCommitment`` (device, batch size, dtype,
        reduction...).
        """
        from dynamic_vision.modeling.commitment import ModelCommitment

        spec, module = self.build_module(pretrained, input_size=input_size,
                                         clip_length=clip_length, fps=fps, layers=layers)
        return ModelCommitment(spec, module, **commitment_options)

    def build_random(self, pretrained: bool | None = None, **options: Any) -> Any:
        """The ``-random`` twin; ``pretrained=True`` is refused rather than ignored."""
        if pretrained:
            raise ValueError(f"'{self.spec.identifier}{RANDOM_SUFFIX}' has random weights by "
                             f"definition; load '{self.spec.identifier}' for published ones.")
        return self.build(pretrained=False, **options)


# -- architecture factories ----------------------------------------------------------------------
def torchvision_architecture(name: str, *, geometry: bool = False,
                             **kwargs: Any) -> ArchitectureFactory:
    """A factory for ``torchvision.models.get_model(name, weights=None, **kwargs)``.

    ``geometry=True`` builds MViT for the spec's input geometry, which its positional
    embeddings depend on (see :func:`_mvit_with_geometry`).
    """

    def make(spec: ModelSpec) -> torch.nn.Module:
        import torchvision.models

        if geometry:
            return _mvit_with_geometry(name, spec, **kwargs)
        return torchvision.models.get_model(name, weights=None, **kwargs)

    return make


_GEOMETRY_LOCK = threading.Lock()


def _mvit_with_geometry(name: str, spec: ModelSpec, **kwargs: Any) -> torch.nn.Module:
    """torchvision's MViT builders fix 224 px x 16 frames; other sizes (test-sized random
    models) go through their private ``_mvit`` with the geometry replaced."""
    import torchvision.models
    from torchvision.models.video import mvit

    spatial, temporal = (spec.input_size, spec.input_size), spec.clip_length
    if spatial == (224, 224) and temporal == 16:
        return torchvision.models.get_model(name, weights=None, **kwargs)
    original = mvit._mvit

    def sized(**options: Any) -> torch.nn.Module:
        options.update(spatial_size=spatial, temporal_size=temporal)
        return original(**options)

    with _GEOMETRY_LOCK:
        mvit._mvit = sized
        try:
            return torchvision.models.get_model(name, weights=None, **kwargs)
        finally:
            mvit._mvit = original


def timm_architecture(name: str, *, fixed_input_size: bool = False,
                      **kwargs: Any) -> ArchitectureFactory:
    """A factory for ``timm.create_model(name, pretrained=False, **kwargs)``.

    ``fixed_input_size=True`` passes the spec's ``input_size`` as ``img_size`` (ViTs).
    """

    def make(spec: ModelSpec) -> torch.nn.Module:
        import timm

        options = dict(kwargs)
        if fixed_input_size:
            options["img_size"] = spec.input_size
        return timm.create_model(name, pretrained=False, **options)

    return make


# -- layout taps ---------------------------------------------------------------------------------
def attach_tap(block: torch.nn.Module, rearrange: Callable[[Any], torch.Tensor]) -> None:
    """Give ``block`` a parameter-free ``volume`` child that sees ``rearrange(output)``."""
    import torch

    if isinstance(block, torch.nn.Sequential):  # a Sequential would also run its new child
        raise ValueError("Attach layout taps to a block, not to a Sequential: tap its last "
                         "block instead.")
    block.add_module("volume", torch.nn.Identity())

    def hook(module: torch.nn.Module, _inputs: Any, output: Any) -> None:
        module.volume(rearrange(output))

    block.register_forward_hook(hook)


def channels_last_taps(blocks: Sequence[str]) -> Callable[[torch.nn.Module], torch.nn.Module]:
    """Taps for blocks whose output is ``(batch, time, height, width, channel)`` (Video Swin)."""

    def adapt(module: torch.nn.Module) -> torch.nn.Module:
        for name in blocks:
            attach_tap(module.get_submodule(name), lambda out: out.permute(0, 4, 1, 2, 3))
        return module

    return adapt


def token_taps(blocks: Sequence[str]) -> Callable[[torch.nn.Module], torch.nn.Module]:
    """Taps for MViT blocks, whose output is ``(tokens, (t, h, w))`` with a class token first."""

    def rearrange(output: Any) -> torch.Tensor:
        tokens, (t, h, w) = output
        batch, _, channels = tokens.shape
        return tokens[:, 1:].reshape(batch, t, h, w, channels).permute(0, 4, 1, 2, 3)

    def adapt(module: torch.nn.Module) -> torch.nn.Module:
        for name in blocks:
            attach_tap(module.get_submodule(name), rearrange)
        return module

    return adapt
