"""``transformers/<family>`` and ``transformers/<hub model id>``: Hugging Face video models.

Five families are adapted: VideoMAE, TimeSformer, ViViT, V-JEPA 2 and X-CLIP's vision tower.
``transformers/videomae`` is the family's default configuration with seeded random weights (pass
``config={...}`` to change it, e.g. a tiny test network); ``transformers/MCG-NJU/videomae-base``
is a hub model, whose ``config.json`` says its family and geometry and whose published weights are
loaded by ``transformers``' own ``from_pretrained`` from the hub cache (see :mod:`.hub`).

What a model is shown comes from its configuration: input size (``image_size`` /
``crop_size``), clip length (``num_frames`` / ``frames_per_clip``) and tubelet size; mean and
std from the hub's preprocessor configuration when it is in the cache, else the family's
published defaults below. No configuration states the frame rate; each family's default is the
sampling of its published training recipe (a table in docs/model_zoo.md), ``fps=`` overrides it.

Layer rule: the transformer blocks at the quarters of the depth, then the final normalisation,
each recorded through a tap (``<block>.volume``) that turns tokens into the video layout
``(batch, channel, time, height, width)``: class tokens are dropped, and a tubelet of ``t``
frames is one time step covering those ``t`` frames (frame-wise patch models, TimeSformer and
X-CLIP, give one step per frame).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dynamic_vision.core.errors import UnknownIdentifierError
from dynamic_vision.modeling.libraries.layer_rules import distinct, first_present, quarters
from dynamic_vision.modeling.libraries.provider import LibraryProvider
from dynamic_vision.modeling.libraries.video_families import ALIASES, FAMILIES, VideoFamily, normalization
from dynamic_vision.modeling.spec import RANDOM_SUFFIX, ModelSpec
from dynamic_vision.modeling.zoo import ZooModel, attach_tap

if TYPE_CHECKING:
    import torch

__all__ = ["VideoFamily", "FAMILIES", "TransformersProvider", "PROVIDER", "family_spec",
           "transformers_zoo_model", "normalization", "FamilyModel", "hub_family_model"]

# -- building ------------------------------------------------------------------------------------
def _config(family: VideoFamily, values: Mapping[str, Any]) -> Any:
    import transformers

    config_class = getattr(transformers, family.config_class)
    return config_class(**{k: v for k, v in values.items() if k != "model_type"})


def _geometry(family: VideoFamily, config: Any, spec: ModelSpec) -> Any:
    """``config`` with the spec's input size and clip length."""
    config = config.__class__.from_dict(config.to_dict())
    setattr(config, family.size_key, spec.input_size)
    setattr(config, family.frames_key, spec.clip_length)
    return config


def _blocks(module: torch.nn.Module, config: Any) -> list[str]:
    """The transformer blocks: the module list as long as the configured depth."""
    import torch

    depth = int(config.num_hidden_layers)
    for name, sub in module.named_modules():
        if isinstance(sub, torch.nn.ModuleList) and len(sub) == depth:
            return [f"{name}.{i}" for i in range(depth)]
    raise ValueError(f"No list of {depth} blocks in {type(module).__name__}.")


_FINAL = ("layernorm", "post_layernorm", "vision_model.post_layernorm")


def family_layers(family: VideoFamily, config: Any) -> tuple[str, ...]:
    """The recorded layers (taps) of a family model with configuration ``config``."""
    import torch

    with torch.device("meta"):
        module = _backbone(family, _instantiate(family, config))
    blocks = quarters(_blocks(module, config))
    return tuple(name + ".volume" for name in distinct([*blocks, first_present(module, _FINAL)]))


def _instantiate(family: VideoFamily, config: Any) -> torch.nn.Module:
    import transformers

    return getattr(transformers, family.model_class)(config)


def _backbone(family: VideoFamily, model: torch.nn.Module) -> torch.nn.Module:
    return model.get_submodule(family.backbone) if family.backbone else model


class _Geometry:
    """The input geometry of the current forward pass, shared by the layout hook and taps."""

    batch = frames = height = width = 0


def _adapt(family: VideoFamily, config: Any, layers: tuple[str, ...]
           ) -> Callable[[torch.nn.Module], torch.nn.Module]:
    """Input layout hook plus token → volume taps on ``layers``."""
    tubelet, patch = family.tubelet(config), family.patch(config)

    def adapt(module: torch.nn.Module) -> torch.nn.Module:
        geometry = _Geometry()

        def to_family_layout(_module: Any, args: tuple[Any, ...]) -> tuple[Any, ...]:
            clips = args[0]  # (B, 3, T, H, W), the engine's layout
            geometry.batch, _, geometry.frames, geometry.height, geometry.width = clips.shape
            frames = clips.transpose(1, 2)
            if family.layout == "frames":
                frames = frames.reshape(-1, *frames.shape[2:])
            return (frames.contiguous(), *args[1:])

        def volume(output: Any) -> torch.Tensor:
            tokens = output[0] if isinstance(output, (tuple, list)) else output
            b, t = geometry.batch, geometry.frames // tubelet
            h, w = geometry.height // patch, geometry.width // patch
            if family.layout == "frames":
                if tokens.ndim == 2:  # a pooled class token per frame
                    return tokens.reshape(b, geometry.frames, -1, 1, 1).transpose(1, 2)
                tokens = tokens[:, 1:] if family.cls_token else tokens
                return tokens.reshape(b, geometry.frames, h, w, -1).permute(0, 4, 1, 2, 3)
            tokens = tokens[:, 1:] if family.cls_token else tokens
            if family.order == "hwt":
                return tokens.reshape(b, h, w, t, -1).permute(0, 4, 3, 1, 2)
            return tokens.reshape(b, t, h, w, -1).permute(0, 4, 1, 2, 3)

        module.register_forward_pre_hook(to_family_layout)
        for layer in layers:
            attach_tap(module.get_submodule(layer.removesuffix(".volume")), volume)
        return module

    return adapt


def family_spec(identifier: str, family: VideoFamily, config: Any, *,
                weights: str | None = None, preprocessor: Mapping[str, Any] | None = None,
                fps: float | None = None, bibtex: str | None = None,
                description: str = "") -> ModelSpec:
    """The :class:`ModelSpec` of a family model with configuration ``config``."""
    mean, std = normalization(preprocessor or {}, family)
    tubelet = family.tubelet(config)
    return ModelSpec(
        identifier=identifier, kind="video", layers=family_layers(family, config),
        input_size=int(getattr(config, family.size_key)),
        fps=fps or family.fps, clip_length=int(getattr(config, family.frames_key)),
        mean=mean, std=std, weights=weights, bibtex=bibtex or family.bibtex,
        description=description or (
            f"transformers {family.model_class} ({family.fps_source}; "
            f"{tubelet} frame(s) per time step)"))


def transformers_zoo_model(spec: ModelSpec, family: VideoFamily, config: Any,
                           repo_id: str | None = None) -> FamilyModel:
    """The buildable model of a family configuration; ``repo_id`` names its published
    weights (a hub model id)."""

    def random(built: ModelSpec) -> torch.nn.Module:
        return _backbone(family, _instantiate(family, _geometry(family, config, built)))

    def published(built: ModelSpec) -> torch.nn.Module:
        return _from_hub(family, config, built, repo_id, spec.identifier)

    zoo = ZooModel(spec, random, adapt=_adapt(family, config, spec.layers),
                   fixed_geometry=family.fixed_geometry,
                   published=published if repo_id else None)
    return FamilyModel(zoo, family, config)


#: Configuration entries that fix the architecture: a declaration and the hub must agree on them.
_ARCHITECTURE_KEYS = ("hidden_size", "num_hidden_layers", "num_attention_heads", "patch_size",
                      "tubelet_size", "use_mean_pooling", "attention_type")


def _from_hub(family: VideoFamily, declared: Any, built: ModelSpec, repo_id: str,
              identifier: str) -> torch.nn.Module:
    """The backbone with the published weights of ``repo_id``, loaded by ``from_pretrained``
    from the hub cache; a weight the checkpoint lacks is an error, never a random init."""
    import transformers

    from dynamic_vision.modeling.libraries.hub import hub_snapshot

    snapshot = hub_snapshot(repo_id, model=identifier)
    config_class = getattr(transformers, family.config_class)
    published = config_class.from_pretrained(str(snapshot))
    differ = {key: (getattr(declared, key, None), getattr(published, key, None))
              for key in _ARCHITECTURE_KEYS
              if _plain(getattr(declared, key, None)) != _plain(getattr(published, key, None))}
    if differ:
        raise RuntimeError(f"The declaration of '{identifier}' and the configuration of "
                           f"'{repo_id}' ({snapshot}) disagree on {differ} "
                           f"(declared, published); fix the declaration.")
    whole = bool(family.whole_class) and json.loads(
        (snapshot / "config.json").read_text()).get("model_type") == family.model_type
    try:
        if whole:  # the backbone inside a whole checkpoint, at its published geometry
            model, info = getattr(transformers, family.whole_class).from_pretrained(
                str(snapshot), local_files_only=True, output_loading_info=True)
        else:
            model, info = getattr(transformers, family.model_class).from_pretrained(
                str(snapshot), config=_geometry(family, published, built),
                local_files_only=True, output_loading_info=True)
    except (OSError, RuntimeError, ValueError) as error:
        raise RuntimeError(f"The weights in {snapshot} do not fit model '{identifier}': "
                           f"{error}") from error
    kept = family.whole_attribute if whole else family.backbone
    missing = [key for key in info.get("missing_keys", ())
               if not kept or key.startswith(kept + ".")]
    if missing:
        raise RuntimeError(f"The checkpoint in {snapshot} lacks {len(missing)} weight(s) of "
                           f"model '{identifier}' (e.g. {missing[:3]}); refusing to leave them "
                           f"randomly initialised.")
    return getattr(model, family.whole_attribute) if whole else _backbone(family, model)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, (list, tuple)) else value


def hub_family_model(spec: ModelSpec, model_type: str, repo_id: str,
                     config: Mapping[str, Any]) -> FamilyModel:
    """A curated hub model: its declared ``spec``, the architecture ``config`` it declares
    (so that its random twin builds offline) and the hub repository of its weights."""
    family = FAMILIES[model_type]
    return transformers_zoo_model(spec, family, _config(family, config), repo_id=repo_id)


@dataclass(frozen=True)
class FamilyModel:
    """A :class:`ZooModel` of a ``transformers`` family that also builds variants of its
    configuration (``config={...}``: random weights only, e.g. a tiny test network)."""

    zoo: ZooModel
    family: VideoFamily
    config: Any

    @property
    def spec(self) -> ModelSpec:
        return self.zoo.spec

    def build_module(self, pretrained: bool | None = None, *,
                     config: Mapping[str, Any] | None = None,
                     **options: Any) -> tuple[ModelSpec, torch.nn.Module]:
        """The spec and torch module (see :meth:`ZooModel.build_module`)."""
        return self._variant(pretrained, config).build_module(
            False if config else pretrained, **options)

    def build(self, pretrained: bool | None = None, *, config: Mapping[str, Any] | None = None,
              **options: Any) -> Any:
        """The model as a ModelCommitment (see :meth:`ZooModel.build`)."""
        return self._variant(pretrained, config).build(False if config else pretrained,
                                                      **options)

    def build_random(self, pretrained: bool | None = None, *,
                     config: Mapping[str, Any] | None = None, **options: Any) -> Any:
        """The seeded random twin; ``pretrained=True`` is refused."""
        return self._variant(False, config).build_random(pretrained, **options)

    def _variant(self, pretrained: bool | None, config: Mapping[str, Any] | None) -> ZooModel:
        if not config:
            return self.zoo
        name = self.spec.identifier
        if pretrained:
            raise ValueError(f"Configuration overrides change the architecture of '{name}', "
                             f"so its published weights no longer fit: pass pretrained=False "
                             f"(or use '{name}{RANDOM_SUFFIX}').")
        merged = _config(self.family, {**self.config.to_dict(), **dict(config)})
        digest = hashlib.sha256(json.dumps(dict(config), sort_keys=True, default=str).encode())
        twin = RANDOM_SUFFIX if self.spec.weights is not None else ""
        spec = family_spec(f"{name}{twin}-config{digest.hexdigest()[:8]}", self.family, merged,
                           fps=self.spec.fps, bibtex=self.spec.bibtex,
                           description=self.spec.description)
        spec = dataclasses.replace(spec, mean=self.spec.mean, std=self.spec.std)
        return transformers_zoo_model(spec, self.family, merged).zoo


# -- the provider --------------------------------------------------------------------------------
class TransformersProvider(LibraryProvider):
    """``transformers/<family>`` (default configuration) and ``transformers/<org>/<name>``."""

    prefix = "transformers/"
    library = "transformers"
    check_options = {"input_size": 32, "clip_length": 4}

    def model_names(self) -> list[str]:
        names = list(FAMILIES)
        for family in FAMILIES.values():
            names.extend(family.checkpoints)
        return sorted(names)

    def zoo_model(self, name: str) -> FamilyModel:
        import transformers  # noqa: F401  (missing: the registry names the extra to install)

        identifier = self.prefix + name
        if "/" not in name:
            family = FAMILIES.get(name)
            if family is None:
                raise self.unknown(identifier, self.model_names(),
                                   hint=f"Families: {', '.join(FAMILIES)}; hub models are named "
                                        f"'transformers/<organisation>/<name>'.")
            config = _config(family, {})
            spec = family_spec(identifier, family, config,
                               description=f"transformers {family.model_class}, default "
                                           f"configuration, seeded random weights")
            return transformers_zoo_model(spec, family, config)
        from dynamic_vision.modeling.libraries.hub import hub_config, preprocessor_config

        values = hub_config(name, model=identifier)
        model_type = ALIASES.get(values.get("model_type"), values.get("model_type"))
        family = FAMILIES.get(model_type)
        if family is None:
            raise UnknownIdentifierError(
                f"'{identifier}' is a '{values.get('model_type')}' model; the transformers "
                f"adapter knows the video families {sorted(FAMILIES)}. Wrap other models in a "
                f"plugin folder (`dynamic-vision new model`).", kind="model",
                identifier=identifier, suggestions=[])
        if "vision_config" in values and family.model_type == "xclip":
            values = values["vision_config"]
        config = _config(family, values)
        spec = family_spec(identifier, family, config, weights=f"transformers:{name}",
                           preprocessor=preprocessor_config(name),
                           description=f"Hugging Face hub model {name} "
                                       f"({family.model_class}; {family.fps_source})")
        return transformers_zoo_model(spec, family, config, repo_id=name)


PROVIDER = TransformersProvider()
