"""Brain-Score models named by where they are, loaded as they are.

Two shapes of Brain-Score model code are accepted as model identifiers wherever one is (``score``,
``load_model``, ``dynamic-vision score --models``, ``check-model``, ``info``):

``path/to/plugin_folder:identifier``
    A Brain-Score model plugin: a folder whose ``__init__.py`` fills
    ``brainscore_vision.model_registry[identifier]`` with a function returning a
    ``ModelCommitment(identifier=..., activations_model=..., layers=...)``, usually from a
    ``model.py`` with ``get_model``, ``get_layers`` and ``get_bibtex`` built on
    ``brainscore_vision.model_helpers``. A ``region_layer_map/<identifier>.json`` in the folder
    commits layers to regions, as in Brain-Score, when the commitment gives none.
``path/to/base_models.py:name``
    A sample-model-submission module (``get_model_list``, ``get_model``, ``get_layers``,
    ``get_bibtex``; see :mod:`dynamic_vision.modeling.submission`).

Each is registered as ``<folder or file stem>.<hash of its location>:<name>`` (an identifier
that can name files), with the reference as written as an alias; scores and caches use the
registered identifier. The folder (or file) is imported once per process, under a private module
name, while :func:`~dynamic_vision.modeling.brainscore.shim.brainscore_names` provides
Brain-Score's names; nothing is installed (a plugin's ``requirements.txt`` is yours to install).
The registered entry's ``version`` is a hash of the folder's Python and JSON files, so cached
scores follow edits.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from dynamic_vision.core.errors import BrainScoreModelError

__all__ = ["parse_reference", "resolve", "registered_identifier", "register_plugin_folder",
           "load_plugin_folder", "load_module_file", "BrainScoreReference",
           "is_brainscore_plugin"]

_PLUGIN_PREFIX = "_dynamic_vision_brainscore_plugin_"
_FILE_PREFIX = "_dynamic_vision_brainscore_submission_"
# Plugin folders imported in this process: resolved path -> what their model_registry holds.
_LOADED: dict[str, dict[str, Callable[[], Any]]] = {}
# Each folder or file is imported once, even when several threads ask for it.
_loading = threading.RLock()


def parse_reference(text: str) -> tuple[Path, str] | None:
    """``(path, name)`` when ``text`` reads ``<folder or .py file>:<name>``, else ``None``.

    Raises
    ------
    FileNotFoundError
        ``text`` is written as a path (it names a ``.py`` file or contains a path separator)
        but nothing is there.
    """
    if not isinstance(text, str):
        return None
    location, colon, name = text.rpartition(":")
    if not colon or not location or not name or any(c in name for c in "/\\"):
        return None
    path = Path(location).expanduser()
    looks_like_path = location.endswith(".py") or "/" in location or os.sep in location
    if not path.exists():
        if looks_like_path:
            raise FileNotFoundError(
                f"'{text}' names no Brain-Score model: {path} does not exist. Give "
                f"path/to/plugin_folder:identifier or path/to/base_models.py:name.")
        return None
    if path.is_dir() or path.suffix == ".py":
        return path.resolve(), name
    return None


def _version(path: Path) -> str:
    """A hash of the Python and JSON files that define the model (a folder) or of the file."""
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(
        p for p in path.rglob("*") if p.suffix in (".py", ".json") and "__pycache__" not in p.parts)
    for file in files:
        digest.update(file.relative_to(path.parent).as_posix().encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _private_name(prefix: str, path: Path) -> str:
    stem = "".join(c if c.isalnum() else "_" for c in path.stem)
    return f"{prefix}{hashlib.sha1(str(path).encode()).hexdigest()[:10]}_{stem}"


def _import_failed(error: ImportError, path: Path) -> ImportError:
    """Say which file failed and, for a missing third-party package, what to install."""
    missing = getattr(error, "name", None)
    hints = [f for f in ("requirements.txt", "setup.py", "pyproject.toml")
             if (path if path.is_dir() else path.parent).joinpath(f).is_file()]
    advice = (f" Install the model's dependencies (see {', '.join(hints)} in "
              f"{path if path.is_dir() else path.parent}) into this environment."
              if hints else " Install it into this environment.")
    if isinstance(error, ModuleNotFoundError) and missing and \
            not missing.startswith(("brainscore", "model_tools")):
        return ModuleNotFoundError(f"Loading the Brain-Score model at {path} needs the package "
                                   f"'{missing}', which is not installed.{advice}", name=missing)
    return error


def _exec_private(name: str, location: Path, package_dir: Path | None) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        name, location, submodule_search_locations=[str(package_dir)] if package_dir else None)
    if spec is None or spec.loader is None:
        raise BrainScoreModelError(f"Cannot import {location}.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as error:
        for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[loaded]
        if isinstance(error, ImportError):
            raise _import_failed(error, package_dir or location) from error
        raise
    return module


def is_brainscore_plugin(folder: str | os.PathLike[str]) -> bool:
    """Whether ``folder`` looks like a Brain-Score model plugin (its ``__init__.py`` fills
    ``model_registry``)."""
    init = Path(folder) / "__init__.py"
    return init.is_file() and "model_registry[" in init.read_text(errors="replace")


def load_plugin_folder(folder: str | os.PathLike[str]) -> dict[str, Callable[[], Any]]:
    """Import a Brain-Score model plugin folder (once per process); ``{identifier: function}``
    as its ``model_registry`` holds them."""
    folder = Path(folder).resolve()
    key = str(folder)
    with _loading:
        return _LOADED[key] if key in _LOADED else _import_plugin_folder(folder)


def _import_plugin_folder(folder: Path) -> dict[str, Callable[[], Any]]:
    from dynamic_vision.modeling.brainscore.shim import brainscore_names

    if not (folder / "__init__.py").is_file():
        raise BrainScoreModelError(f"{folder} is not a Brain-Score model plugin: it has no "
                                   f"__init__.py filling model_registry[...].")
    registry: dict[str, Callable[[], Any]] = {}
    with brainscore_names(registry):
        _exec_private(_private_name(_PLUGIN_PREFIX, folder), folder / "__init__.py", folder)
    if not registry:
        raise BrainScoreModelError(
            f"{folder}/__init__.py registered no model: a Brain-Score model plugin does "
            f"`from brainscore_vision import model_registry` and sets "
            f"model_registry['<identifier>'] = lambda: ModelCommitment(...).")
    _LOADED[str(folder)] = registry
    return registry


def load_module_file(path: str | os.PathLike[str]) -> ModuleType:
    """Import a submission module file (once per process) under a private name."""
    from dynamic_vision.modeling.brainscore.shim import brainscore_names
    from dynamic_vision.modeling.submission import check_submission_module

    path = Path(path).resolve()
    name = _private_name(_FILE_PREFIX, path)
    with _loading:
        module = sys.modules.get(name)
        if module is None:
            with brainscore_names():
                module = _exec_private(name, path, None)
    return check_submission_module(module)


def _plugin_bibtex(folder: Path, identifier: str) -> str:
    """``model.get_bibtex(identifier)`` of the plugin, as Brain-Score reads it ('' if none)."""
    module = sys.modules.get(_private_name(_PLUGIN_PREFIX, folder) + ".model")
    function = getattr(module, "get_bibtex", None)
    return str(function(identifier) or "") if callable(function) else ""


def _region_layer_map(folder: Path, identifier: str) -> dict[str, str]:
    path = folder / "region_layer_map" / f"{identifier}.json"
    if not path.is_file():
        return {}
    try:
        mapping = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise BrainScoreModelError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise BrainScoreModelError(f"{path} must map regions to layer names, e.g. "
                                   f'{{"V1": "features.2", "IT": "features.12"}}.')
    return mapping


class ReferenceModel:
    """The registry's factory for a reference: loads the code and converts what it returns."""

    def __init__(self, path: str, name: str, kind: str):
        self.path, self.name, self.kind = path, name, kind
        self.__module__ = path  # shown by ``dynamic-vision info`` as the target
        self.__qualname__ = f"{'model_registry' if kind == 'plugin' else 'get_model'}({name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ReferenceModel) and \
            (self.path, self.name, self.kind) == (other.path, other.name, other.kind)

    def __hash__(self) -> int:
        return hash((self.path, self.name, self.kind))

    def __repr__(self) -> str:
        return f"ReferenceModel({self.path!r}, {self.name!r})"

    def __call__(self, pretrained: bool | None = None, **commitment_options: Any) -> Any:
        """Build the model. Brain-Score models ship one set of weights: ``pretrained`` is
        passed on only to a ``get_model`` that accepts it."""
        if self.kind == "submission":
            from dynamic_vision.modeling.submission import commit_submission

            return commit_submission(load_module_file(self.path), self.name,
                                     pretrained=pretrained, **commitment_options)
        from dynamic_vision.modeling.brainscore.conversion import brain_model
        from dynamic_vision.modeling.brainscore.shim import brainscore_names

        folder = Path(self.path)
        registry = load_plugin_folder(folder)
        if self.name not in registry:
            raise KeyError(f"The Brain-Score plugin {folder} registers {sorted(registry)}, not "
                           f"'{self.name}'; use {folder}:<one of those>.")
        with brainscore_names():
            built = registry[self.name]()
            return brain_model(built, bibtex=_plugin_bibtex(folder, self.name),
                               region_layer_map=_region_layer_map(folder, self.name),
                               where=f"model_registry['{self.name}'] of {folder}",
                               **commitment_options)


@dataclass(frozen=True)
class BrainScoreReference:
    """The declaration of a Brain-Score model named by its location.

    Parameters
    ----------
    identifier
        The registered identifier (:func:`registered_identifier`), e.g.
        ``"mymodel.3f2a9c1b:myalexnet"``; the reference as written is an alias of it.
    path
        The resolved plugin folder or module file.
    name
        Brain-Score's identifier of the model (the ``model_registry`` key, or a
        ``get_model_list()`` name).
    version
        A hash of the code (see :func:`_version`); part of score-cache keys.
    """

    identifier: str
    path: str
    name: str
    version: str

    @property
    def kind(self) -> str:
        return "submission" if self.path.endswith(".py") else "plugin"

    def registry_metadata(self) -> dict[str, Any]:
        where = "brainscore_plugin" if self.kind == "plugin" else "submission"
        return {where: self.path, "brainscore_identifier": self.name, "version": self.version}

    def factory(self) -> ReferenceModel:
        return ReferenceModel(self.path, self.name, self.kind)


def resolve(identifier: str) -> bool:
    """The model registry's resolver: register ``identifier`` if it is a reference."""
    from dynamic_vision.core.registry import model_registry
    from dynamic_vision.modeling.spec import register_model

    parsed = parse_reference(identifier)
    if parsed is None:
        return False
    path, name = parsed
    if path.is_dir() and not (path / "__init__.py").is_file():
        raise BrainScoreModelError(f"'{identifier}': {path} is not a Brain-Score model plugin "
                                   f"folder (it has no __init__.py).")
    spec = BrainScoreReference(registered_identifier(path, name), str(path), name,
                               _version(path))
    register_model(spec, spec.factory(), registry=model_registry,
                   origin=f"Brain-Score model at {path}")
    if identifier != spec.identifier:
        model_registry.alias(identifier, spec.identifier)
    return True


def registered_identifier(path: Path, name: str) -> str:
    """The identifier a reference is registered under: ``<folder or file stem>.<hash of its
    location>:<name>`` (file-name safe; the reference as written is an alias of it)."""
    stem = "".join(c if c.isalnum() or c in "_-" else "_" for c in path.stem) or "model"
    return f"{stem}.{hashlib.sha1(str(path).encode()).hexdigest()[:8]}:{name}"


def register_plugin_folder(folder: str | os.PathLike[str]) -> list[str]:
    """Register every model a Brain-Score plugin folder provides (imports it); returns the
    registered identifiers (see :func:`registered_identifier`)."""
    from dynamic_vision.core.registry import model_registry

    folder = Path(folder)
    names = sorted(load_plugin_folder(folder))
    # registered through the resolver, which makes each reference an alias
    return [model_registry.entry(f"{folder}:{name}").identifier for name in names]

