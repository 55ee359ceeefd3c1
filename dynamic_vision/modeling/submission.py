"""Models written for Brain-Score's sample-model-submission, registered as they are.

A Brain-Score base-model module defines four functions::

    get_model_list() -> list[str]          # the model names it provides
    get_model(name)  -> activations model  # a PytorchWrapper, a torch.nn.Module, ...
    get_layers(name) -> list[str]          # dotted layer names to record
    get_bibtex(name) -> str                # how to cite it

and may add ``get_model_spec(name) -> dict`` with :class:`~dynamic_vision.modeling.spec.ModelSpec`
fields that Brain-Score left implicit (``kind``, ``input_size``, ``fps``, ``clip_length``,
``mean``, ``std``, ``visual_degrees``, ``region_layer_map``). Without it a model is an image
model shown video frame by frame, with the input size and normalisation its
``load_preprocess_images`` preprocessing names (224 px and ImageNet's by default).

The module may import ``model_tools`` (``activations.pytorch``, ``check_submission``,
``brain_transformation``) and ``brainscore`` as the template does: while it is imported and its
functions are called, :func:`~dynamic_vision.modeling.brainscore.shim.brainscore_names` provides
those names when the real packages are absent (see :mod:`dynamic_vision.modeling.brainscore`).

Register its models from a plugin folder's ``__init__.py`` like any model, with
:func:`~dynamic_vision.modeling.spec.register_model` and a :class:`SubmissionSpec` per name (or
:func:`register_submission`, which does that for every name); a third-party package points its
``dynamic_vision`` entry point at a module that adds one line,
``dynamic_vision_register = submission_hook(__name__)`` (see :func:`submission_hook`); a module
file anywhere is scored as ``path/to/base_models.py:name`` (see
:mod:`dynamic_vision.modeling.brainscore.references`). Listing the names keeps registration
free; without them the module is imported once to ask ``get_model_list()``. ``get_model`` may
also return a ready :class:`~dynamic_vision.core.brain_model.BrainModel`, which is used as is.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from dynamic_vision.core.errors import BrainScoreModelError
from dynamic_vision.core.registry import Registry
from dynamic_vision.modeling.spec import register_model

__all__ = ["REQUIRED_FUNCTIONS", "SubmissionSpec", "SubmissionModel", "register_submission",
           "submission_hook", "commit_submission", "check_submission_module"]

REQUIRED_FUNCTIONS = ("get_model_list", "get_model", "get_layers", "get_bibtex")


def check_submission_module(module: ModuleType) -> ModuleType:
    """``module``, if it defines :data:`REQUIRED_FUNCTIONS`; else a teaching error."""
    missing = [name for name in REQUIRED_FUNCTIONS if not callable(getattr(module, name, None))]
    if missing:
        raise BrainScoreModelError(
            f"Submission module '{module.__name__}' lacks {', '.join(missing)}: a Brain-Score "
            f"base-model module defines {', '.join(REQUIRED_FUNCTIONS)} (see "
            f"dynamic_vision.modeling.submission).")
    return module


def _module(module_name: str) -> ModuleType:
    from dynamic_vision.modeling.brainscore.shim import brainscore_names

    with brainscore_names():
        return check_submission_module(importlib.import_module(module_name))


@dataclass(frozen=True)
class SubmissionSpec:
    """The declaration of one model of a submission module.

    Its facts (layers, input size, citation) are what the module's own functions say when it
    is loaded; registration knows only where to find them.

    Parameters
    ----------
    identifier
        One of the module's ``get_model_list()`` names.
    module
        Dotted name of the submission module.
    version
        Bumped whenever the submitted model changes.
    """

    identifier: str
    module: str
    version: int = 1

    def registry_metadata(self) -> dict[str, Any]:
        return {"submission": self.module, "version": self.version}

    def factory(self) -> SubmissionModel:
        """What the registry calls to build the model."""
        return SubmissionModel(self.module, self.identifier)


class SubmissionModel:
    """The factory registered for one model of a submission module (imports it on call).

    Parameters
    ----------
    module
        Dotted name of the submission module.
    name
        One of its ``get_model_list()`` names, used as the identifier.
    """

    def __init__(self, module: str, name: str):
        self.module = module
        self.name = name
        # Shown by ``dynamic-vision info`` as the target.
        self.__module__ = module
        self.__qualname__ = f"get_model({name!r})"

    def __repr__(self) -> str:
        return f"SubmissionModel({self.module!r}, {self.name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SubmissionModel) and (self.module, self.name) == \
            (other.module, other.name)

    def __hash__(self) -> int:
        return hash((self.module, self.name))

    def __call__(self, pretrained: bool | None = None, **commitment_options: Any) -> Any:
        """Build the model; ``pretrained`` is passed on when ``get_model`` accepts it.

        Submissions usually ship one set of weights; when ``get_model(name)`` takes no
        ``pretrained`` argument those weights are used whatever ``pretrained`` says.
        """
        return commit_submission(_module(self.module), self.name, pretrained=pretrained,
                                 **commitment_options)


def register_submission(module: str, names: Sequence[str] | None = None, *,
                        registry: Registry[Any] | None = None, version: int = 1,
                        **options: Any) -> list[str]:
    """Register every model of a Brain-Score submission module; returns the identifiers.

    Parameters
    ----------
    module
        Dotted module name defining ``get_model_list``, ``get_model``, ``get_layers``,
        ``get_bibtex``.
    names
        The names ``get_model_list()`` returns, given here so that registering imports nothing;
        ``None`` imports the module and asks it. Loading checks that the lists agree.
    registry
        Default: the model registry.
    version
        Recorded for every model of the module.
    **options
        Passed to :func:`~dynamic_vision.modeling.spec.register_model` (e.g.
        ``check_options``).
    """
    if names is None:
        names = list(_module(module).get_model_list())
    elif isinstance(names, str):
        names = [names]
    for name in names:
        spec = SubmissionSpec(name, module, version)
        register_model(spec, spec.factory(), registry=registry, **options)
    return list(names)


def submission_hook(module: str, names: Sequence[str] | None = None, **metadata: Any) -> Any:
    """A ``dynamic_vision_register`` hook implementation that registers a submission module.

    For a third-party package whose entry point names the submission module itself::

        # my_package/brain_models.py  (entry point: my_models = "my_package.brain_models")
        from dynamic_vision.modeling.submission import submission_hook

        def get_model_list(): ...
        ...
        dynamic_vision_register = submission_hook(__name__)
    """
    from dynamic_vision.core.plugins import hookimpl

    @hookimpl
    def dynamic_vision_register(registries: dict[str, Registry[Any]]) -> None:
        register_submission(module, names, registry=registries["model"], **metadata)

    return dynamic_vision_register


def commit_submission(module: ModuleType, name: str, *, pretrained: bool | None = None,
                      **commitment_options: Any) -> Any:
    """Turn ``module.get_model(name)`` into a BrainModel (a ``ModelCommitment`` unless it is
    one already; see :func:`dynamic_vision.modeling.brainscore.conversion.brain_model`)."""
    from dynamic_vision.modeling.brainscore.conversion import brain_model
    from dynamic_vision.modeling.brainscore.shim import brainscore_names

    with brainscore_names():  # get_model may import Brain-Score names when called
        listed = list(module.get_model_list())
        if name not in listed:
            raise KeyError(f"Submission module '{module.__name__}' does not list model "
                           f"'{name}' in get_model_list() (it lists {listed}); fix the names "
                           f"registered for it.")
        accepts_pretrained = "pretrained" in inspect.signature(module.get_model).parameters
        built = module.get_model(name, pretrained=pretrained) if accepts_pretrained and \
            pretrained is not None else module.get_model(name)
        declared = dict(module.get_model_spec(name)) if callable(
            getattr(module, "get_model_spec", None)) else {}
        return brain_model(built, identifier=name, layers=list(module.get_layers(name)),
                           bibtex=str(module.get_bibtex(name) or ""), declared=declared,
                           where=f"get_model('{name}') in '{module.__name__}'",
                           **commitment_options)
