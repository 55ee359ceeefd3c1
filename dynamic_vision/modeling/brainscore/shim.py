"""Brain-Score's module names, present only while a Brain-Score model is being loaded.

A sample-model-submission module imports ``model_tools.activations.pytorch`` and
``model_tools.check_submission``; a Brain-Score model plugin imports ``brainscore_vision`` (for
``model_registry``) and ``brainscore_vision.model_helpers``. :func:`brainscore_names` puts a
meta-path finder at the *end* of ``sys.meta_path`` that answers those names with modules built
from this package's implementations (:mod:`.activations`, :mod:`.commitment`, :mod:`.checks`),
and takes the finder and every module it made away again when the block ends. Nothing is
shadowed: a root package that is installed (``model_tools``, ``brainscore``,
``brainscore_vision``) is found by the ordinary finders first and this layer stays out of its
way. A name under a served root that is not provided fails with
:class:`~dynamic_vision.core.errors.BrainScoreNameError`, which lists what is.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
import types
from collections.abc import Iterator, MutableMapping
from typing import Any

from dynamic_vision.core.errors import BrainScoreNameError

__all__ = ["brainscore_names", "PROVIDED", "ROOTS"]

_ACTIVATIONS = "dynamic_vision.modeling.brainscore.activations"
_COMMITMENT = "dynamic_vision.modeling.brainscore.commitment"
_CHECKS = "dynamic_vision.modeling.brainscore.checks"
_PYTORCH_NAMES = ("PytorchWrapper", "load_preprocess_images", "load_images", "load_image",
                  "preprocess_images")

#: Module name -> ``{attribute: "module:attribute" of its implementation}``; a module whose
#: name prefixes another's is a package.
PROVIDED: dict[str, dict[str, str]] = {
    "model_tools": {},
    "model_tools.activations": {"PytorchWrapper": f"{_ACTIVATIONS}:PytorchWrapper"},
    "model_tools.activations.pytorch": {n: f"{_ACTIVATIONS}:{n}" for n in _PYTORCH_NAMES},
    "model_tools.brain_transformation": {"ModelCommitment": f"{_COMMITMENT}:ModelCommitment"},
    "model_tools.check_submission": {},
    "model_tools.check_submission.check_models": {
        "check_base_models": f"{_CHECKS}:check_base_models",
        "check_brain_models": f"{_CHECKS}:check_brain_models"},
    "brainscore": {"score_model": f"{_CHECKS}:score_model"},
    "brainscore_vision": {},  # model_registry: one dict per load, see brainscore_names()
    "brainscore_vision.model_helpers": {},
    "brainscore_vision.model_helpers.activations": {
        "PytorchWrapper": f"{_ACTIVATIONS}:PytorchWrapper"},
    "brainscore_vision.model_helpers.activations.pytorch": {
        n: f"{_ACTIVATIONS}:{n}" for n in _PYTORCH_NAMES},
    "brainscore_vision.model_helpers.brain_transformation": {
        "ModelCommitment": f"{_COMMITMENT}:ModelCommitment"},
    "brainscore_vision.model_helpers.check_submission": {},
    "brainscore_vision.model_helpers.check_submission.check_models": {
        "check_base_models": f"{_CHECKS}:check_base_models",
        "check_brain_models": f"{_CHECKS}:check_brain_models"},
}
#: The top-level packages this layer stands in for.
ROOTS = tuple(sorted({name.split(".")[0] for name in PROVIDED}))

# One layer at a time: sys.meta_path and sys.modules are process-wide.
_lock = threading.RLock()


def _is_package(name: str) -> bool:
    return any(other.startswith(name + ".") for other in PROVIDED)


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds and builds the provided modules under ``roots`` (the absent root packages)."""

    def __init__(self, roots: tuple[str, ...], model_registry: MutableMapping[str, Any]):
        self.roots = roots
        self.model_registry = model_registry
        self.created: dict[str, types.ModuleType] = {}

    def find_spec(self, fullname: str, path: Any = None, target: Any = None
                  ) -> importlib.machinery.ModuleSpec | None:
        if fullname.split(".")[0] not in self.roots:
            return None
        if fullname not in PROVIDED:
            root = fullname.split(".")[0]
            offered = ", ".join(name for name in PROVIDED if name.split(".")[0] == root)
            raise BrainScoreNameError(
                f"No module named '{fullname}': Brain-Score is not installed, and dynamic_vision "
                f"runs Brain-Score models with its own implementation of {offered}. Use those "
                f"names (see docs/brainscore.md), or install the real '{root}' package.",
                name=fullname)
        return importlib.machinery.ModuleSpec(fullname, self, is_package=_is_package(fullname))

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = types.ModuleType(spec.name, f"dynamic_vision's stand-in for Brain-Score's "
                                             f"'{spec.name}' (see docs/brainscore.md).")
        for attribute, target in PROVIDED[spec.name].items():
            implementation, _, name = target.partition(":")
            setattr(module, attribute, getattr(importlib.import_module(implementation), name))
        if spec.name == "brainscore_vision":
            module.model_registry = self.model_registry
        self.created[spec.name] = module
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: :meth:`create_module` filled the module."""


def _absent(root: str) -> bool:
    if root in sys.modules:
        return False
    try:
        return importlib.util.find_spec(root) is None
    except (ImportError, ValueError):
        return True


@contextlib.contextmanager
def brainscore_names(model_registry: MutableMapping[str, Any] | None = None
                     ) -> Iterator[MutableMapping[str, Any]]:
    """Serve Brain-Score's module names (those that are not installed) inside the block.

    Parameters
    ----------
    model_registry
        The dict a plugin's ``from brainscore_vision import model_registry`` receives; a new
        one by default.

    Yields
    ------
    The ``model_registry`` dict, to read what a plugin registered.

    Notes
    -----
    Blocks may nest (in one thread); an inner block leaves the outer block's modules alone.
    Modules imported inside the block keep the objects they imported after it ends.
    """
    registry: MutableMapping[str, Any] = {} if model_registry is None else model_registry
    with _lock:
        finder = _Finder(tuple(root for root in ROOTS if _absent(root)), registry)
        sys.meta_path.append(finder)
        try:
            yield registry
        finally:
            sys.meta_path.remove(finder)
            for name, module in finder.created.items():
                if sys.modules.get(name) is module:
                    del sys.modules[name]
