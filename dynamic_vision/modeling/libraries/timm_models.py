"""``timm/<name>``: any timm model, applied frame by frame.

``<name>`` is a timm architecture (``timm/vit_base_patch16_224``) or an architecture with a
pretrained tag (``timm/vit_base_patch16_224.augreg_in21k``). What the model is shown comes from
timm's pretrained configuration of that tag (input size, mean, std); frames are sampled at
30 fps, like the zoo's other image models. Published weights are timm's: the file is found (or
downloaded) in the Hugging Face hub cache or torch.hub's checkpoint folder by
:mod:`dynamic_vision.modeling.weights`, then loaded by timm's own ``load_pretrained`` (so its
checkpoint filters and position-embedding resampling apply).

Layer rule: the modules of timm's ``feature_info`` (the output of every stage of a hierarchical
network; for a plain transformer, whose ``feature_info`` lists every block, the blocks at the
quarters of its depth), then the last pooled or normalised representation (``global_pool`` /
``head.global_pool`` for hierarchical networks, ``fc_norm`` / ``norm`` for transformers).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from dynamic_vision.modeling.libraries.layer_rules import distinct, first_present, quarters
from dynamic_vision.modeling.libraries.provider import LibraryProvider
from dynamic_vision.modeling.spec import ModelSpec
from dynamic_vision.modeling.zoo import ZooModel

if TYPE_CHECKING:
    import torch

__all__ = ["TimmProvider", "PROVIDER", "timm_layers", "timm_spec", "timm_zoo_model",
           "TIMM_BIBTEX", "IMAGE_FPS"]

#: Frames per second at which image models see video (the zoo's convention).
IMAGE_FPS = 30.0

TIMM_BIBTEX = """@misc{wightman2019timm,
  author={Wightman, Ross},
  title={PyTorch Image Models},
  year={2019},
  publisher={GitHub},
  howpublished={\\url{https://github.com/huggingface/pytorch-image-models}}
}"""

_TAIL = ("head.global_pool", "global_pool", "fc_norm", "norm", "head.norm")


def timm_layers(model: torch.nn.Module) -> tuple[str, ...]:
    """The recorded layers of a timm model (see the module docstring for the rule)."""
    named = dict(model.named_modules())
    info = getattr(model, "feature_info", None) or []
    stages = [f["module"] for f in info if isinstance(f, dict) and f.get("module") in named]
    reductions = {f.get("reduction") for f in info if isinstance(f, dict)}
    if len(stages) > 5 and len(reductions) == 1:  # a block list at one resolution (ViT-like)
        stages = quarters(stages)
    if not stages:  # no feature_info: the top-level children before the classifier
        stages = [name for name, child in model.named_children()
                  if not any(word in name for word in ("head", "fc", "classifier", "drop"))
                  and any(True for _ in child.parameters())]
    return distinct([*stages, first_present(model, _TAIL)])


def _create(name: str, input_size: int | None, **options: Any) -> torch.nn.Module:
    """``timm.create_model``, passing ``img_size`` to architectures that take one."""
    import timm

    if input_size is not None:
        try:
            return timm.create_model(name, img_size=input_size, **options)
        except TypeError as error:  # convolutional networks take any size and no img_size
            if "img_size" not in str(error):
                raise
    return timm.create_model(name, **options)


def timm_weights(cfg: Any) -> str | None:
    """The weights name (see :mod:`dynamic_vision.modeling.weights`) of a pretrained config."""
    hub = getattr(cfg, "hf_hub_id", None)
    if hub:
        filename = getattr(cfg, "hf_hub_filename", None) or "model.safetensors"
        if hub.startswith("timm/") and filename == "model.safetensors":
            return "timm:" + hub.removeprefix("timm/")
        return f"hf:{hub}/{filename}"
    return getattr(cfg, "url", None) or None


def timm_spec(identifier: str, name: str, *, bibtex: str = TIMM_BIBTEX,
              description: str = "") -> ModelSpec:
    """The :class:`ModelSpec` of timm model ``name`` (architecture or architecture.tag)."""
    import timm
    import torch

    cfg = timm.models.get_pretrained_cfg(name)
    with torch.device("meta"):
        model = timm.create_model(name, pretrained=False)
    size = cfg.input_size if cfg is not None else (3, 224, 224)
    mean = cfg.mean if cfg is not None else (0.485, 0.456, 0.406)
    std = cfg.std if cfg is not None else (0.229, 0.224, 0.225)
    paper = f"; paper {cfg.paper_ids}" if cfg is not None and getattr(cfg, "paper_ids", None) else ""
    return ModelSpec(identifier=identifier, kind="image", layers=timm_layers(model),
                     input_size=int(size[-1]), fps=IMAGE_FPS, mean=tuple(mean), std=tuple(std),
                     weights=timm_weights(cfg) if cfg is not None else None, bibtex=bibtex,
                     description=description or f"timm model {name} (frame by frame){paper}")


def timm_zoo_model(spec: ModelSpec, name: str, **options: Any) -> ZooModel:
    """A :class:`ZooModel` that builds timm model ``name`` for ``spec``."""

    def random(built: ModelSpec) -> torch.nn.Module:
        return _create(name, _size_option(built), pretrained=False, **options)

    def published(built: ModelSpec) -> torch.nn.Module:
        from dynamic_vision.modeling.weights import fetch_weights

        path = fetch_weights(spec.weights, model=spec.identifier)
        try:
            return _create(name, _size_option(built), pretrained=True,
                           pretrained_cfg_overlay={"file": str(path)}, **options)
        except RuntimeError as error:
            raise RuntimeError(f"The weights {spec.weights} ({path}) do not fit model "
                               f"'{spec.identifier}': {error}") from error

    def _size_option(built: ModelSpec) -> int | None:
        return built.input_size if built.input_size != spec.input_size else None

    return ZooModel(spec, random, published=published)


class TimmProvider(LibraryProvider):
    """``timm/<architecture>`` and ``timm/<architecture>.<tag>``."""

    prefix = "timm/"
    library = "timm"

    def model_names(self) -> list[str]:
        return _architectures()

    def zoo_model(self, name: str) -> ZooModel:
        import timm

        architecture, _, tag = name.partition(".")
        if not timm.is_model(architecture):
            raise self.unknown(self.prefix + name, _architectures())
        if tag and name not in _tags():
            raise self.unknown(self.prefix + name, sorted(_tags()),
                               hint=f"timm knows '{architecture}' but has no pretrained tag "
                                    f"'{tag}'.")
        return timm_zoo_model(timm_spec(self.prefix + name, name), name)


@functools.lru_cache(maxsize=1)
def _architectures() -> list[str]:
    import timm

    return list(timm.list_models())


@functools.lru_cache(maxsize=1)
def _tags() -> frozenset[str]:
    import timm

    return frozenset(timm.list_pretrained())


PROVIDER = TimmProvider()
