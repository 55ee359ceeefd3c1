"""The functions a Brain-Score submission calls to try itself: ``check_models`` and
``score_model``.

``check_models.check_base_models(module)`` (what a sample-model-submission module runs under
``if __name__ == "__main__"``) loads every model the module lists, turns it into this library's
BrainModel and runs one forward pass on two random images at the model's input size, checking
that every layer gives at least :data:`MIN_FEATURES` features (the minimum Brain-Score's
template states). ``score_model(model_identifier, benchmark_identifier, model)`` scores a model
object on a registered benchmark (Brain-Score identifiers are aliases where the benchmark is the
same). For the full conformance suite run ``dynamic-vision check-model path/to/module.py:name``.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any

from dynamic_vision.core.errors import BrainScoreModelError
from dynamic_vision.modeling.brainscore.conversion import brain_model

__all__ = ["check_base_models", "check_brain_models", "score_model", "MIN_FEATURES",
           "SUBMISSION_FUNCTIONS"]

#: Brain-Score's template: "the given layers have to produce an activations vector of at least
#: size 25".
MIN_FEATURES = 25
#: What a base-model submission module defines.
SUBMISSION_FUNCTIONS = ("get_model_list", "get_model", "get_layers", "get_bibtex")


def _as_module(module: str | ModuleType) -> ModuleType:
    if isinstance(module, ModuleType):
        return module
    return sys.modules.get(module) or importlib.import_module(module)


def _layer_widths(model: Any) -> dict[str, int]:
    """Features per layer of a converted model on two random images."""
    import torch

    network, spec = model.module, model.spec
    widths: dict[str, int] = {}
    modules = dict(network.named_modules())
    handles = [modules[layer].register_forward_hook(
        lambda _m, _i, output, layer=layer: widths.__setitem__(layer, int(output[0].numel())))
        for layer in spec.layers]
    generator = torch.Generator().manual_seed(0)
    images = torch.rand((2, 3, spec.input_size, spec.input_size), generator=generator)
    mean = torch.tensor(spec.mean).view(1, 3, 1, 1)
    std = torch.tensor(spec.std).view(1, 3, 1, 1)
    try:
        with torch.no_grad():
            network((images - mean) / std)
    finally:
        for handle in handles:
            handle.remove()
    return widths


def check_base_models(module: str | ModuleType) -> list[str]:
    """Check every model of a base-model submission module; returns the names checked.

    Raises
    ------
    BrainScoreModelError
        Naming the model, function or layer at fault.
    """
    module = _as_module(module)
    missing = [f for f in SUBMISSION_FUNCTIONS if not callable(getattr(module, f, None))]
    if missing:
        raise BrainScoreModelError(f"Submission module '{module.__name__}' lacks "
                                   f"{', '.join(missing)}.")
    names = list(module.get_model_list())
    if not names:
        raise BrainScoreModelError(f"get_model_list() of '{module.__name__}' is empty.")
    for name in names:
        where = f"get_model('{name}') in '{module.__name__}'"
        bibtex = module.get_bibtex(name)
        if not isinstance(bibtex, str):
            raise BrainScoreModelError(f"get_bibtex('{name}') in '{module.__name__}' returned "
                                       f"{type(bibtex).__name__}; return a string ('' if none).")
        model = brain_model(module.get_model(name), identifier=name,
                            layers=list(module.get_layers(name)), bibtex=bibtex, where=where)
        narrow = {layer: width for layer, width in _layer_widths(model).items()
                  if width < MIN_FEATURES}
        if narrow:
            raise BrainScoreModelError(f"{where}: layers {narrow} give fewer than "
                                       f"{MIN_FEATURES} features per image.")
    print(f"{len(names)} model(s) of '{module.__name__}' passed: {', '.join(names)}.")
    return names


def check_brain_models(module: str | ModuleType) -> list[str]:
    """Check that every ``get_model(name)`` of a brain-model module is a BrainModel."""
    from dynamic_vision.core.brain_model import BrainModel

    module = _as_module(module)
    names = list(module.get_model_list())
    for name in names:
        built = module.get_model(name)
        if not isinstance(built, BrainModel):
            raise BrainScoreModelError(
                f"get_model('{name}') in '{module.__name__}' returned a "
                f"{type(built).__name__}, not a BrainModel (identifier, visual_degrees, "
                f"look_at, start_recording, start_task).")
    print(f"{len(names)} brain model(s) of '{module.__name__}' passed: {', '.join(names)}.")
    return names


def score_model(model_identifier: str, benchmark_identifier: str, model: Any) -> Any:
    """Score ``model`` (a ModelCommitment, wrapper or BrainModel) on a registered benchmark.

    Returns this library's :class:`~dynamic_vision.core.scores.Score` (not cached; for caching
    and provenance use :func:`dynamic_vision.score`).
    """
    from dynamic_vision.core.registry import benchmark_registry

    benchmark = benchmark_registry.load(benchmark_identifier)
    return benchmark(brain_model(model, identifier=model_identifier,
                                 where=f"model '{model_identifier}'"))
