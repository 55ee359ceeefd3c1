"""Plugin discovery and the pluggy hook layer.

Built-in plugins are the packages under ``dynamic_vision/{models,data,metrics,benchmarks}/``:
importing one runs its registration-only ``__init__.py``. Third-party packages declare an entry
point in the group ``dynamic_vision`` whose object (a module or class instance) implements the
hooks below; built-in and third-party plugins travel the same path into the same registries.

Discovery runs once, lazily, on the first listing or the first unknown identifier. A broken
third-party plugin is reported with a warning that names it; the library keeps working.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import pkgutil
import threading
import warnings
from typing import Any

import pluggy

from dynamic_vision.core.registry import REGISTRIES, Registry, registering_from

__all__ = [
    "ENTRY_POINT_GROUP",
    "PLUGIN_KINDS",
    "hookimpl",
    "hookspec",
    "plugin_manager",
    "discover",
    "reset_discovery",
]

#: The entry-point group third-party packages declare, e.g. in pyproject.toml:
#: ``[project.entry-points.dynamic_vision] my_models = "my_package.plugin"``.
ENTRY_POINT_GROUP = "dynamic_vision"
#: Sub-packages of ``dynamic_vision`` that hold built-in plugin folders.
PLUGIN_KINDS = ("models", "data", "metrics", "benchmarks")

hookspec = pluggy.HookspecMarker("dynamic_vision")
hookimpl = pluggy.HookimplMarker("dynamic_vision")


class PluginSpec:
    """The hooks a plugin may implement (decorate implementations with :data:`hookimpl`)."""

    @hookspec
    def dynamic_vision_register(self, registries: dict[str, Registry[Any]]) -> None:
        """Register identifiers into ``registries`` (keys: model, stimulus_set, dataset,
        metric, benchmark). Register lazy ``"module:attr"`` targets: importing heavy code
        here slows every listing."""

    @hookspec
    def dynamic_vision_score_computed(self, score: Any, model: str, benchmark: str) -> None:
        """Called after every computed (not cache-served) score: loggers, result stores."""


_manager: pluggy.PluginManager | None = None
_lock = threading.RLock()
_discovered = False
_discovering = False


def plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager (hooks are registered into it on discovery)."""
    global _manager
    if _manager is None:
        _manager = pluggy.PluginManager("dynamic_vision")
        _manager.add_hookspecs(PluginSpec)
    return _manager


def _import_builtin_plugins() -> None:
    for kind in PLUGIN_KINDS:
        package = importlib.import_module(f"dynamic_vision.{kind}")
        for info in pkgutil.iter_modules(package.__path__):
            if not info.ispkg or info.name.startswith("_"):
                continue
            name = f"dynamic_vision.{kind}.{info.name}"
            try:
                with registering_from(name):
                    importlib.import_module(name)
            except Exception as error:  # one broken folder must not hide all the others
                warnings.warn(f"Skipping built-in plugin {name}: {type(error).__name__}: "
                              f"{error}", RuntimeWarning, stacklevel=2)


def _load_entry_points() -> None:
    manager = plugin_manager()
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = getattr(entry_point.dist, "name", None) or "unknown distribution"
        origin = f"entry point '{entry_point.name}' ({dist})"
        if manager.has_plugin(entry_point.name):
            continue
        plugin = None
        try:
            with registering_from(origin):
                plugin = entry_point.load()
                manager.register(plugin, name=entry_point.name)
                for impl in manager.hook.dynamic_vision_register.get_hookimpls():
                    if impl.plugin is plugin:
                        impl.function(registries=REGISTRIES)
        except Exception as error:  # a broken plugin must not break the library
            if plugin is not None and manager.is_registered(plugin):
                manager.unregister(plugin)
            warnings.warn(
                f"Skipping dynamic_vision plugin {origin}: {type(error).__name__}: {error}. "
                f"Fix or uninstall the '{dist}' package.",
                RuntimeWarning,
                stacklevel=2,
            )


def discover() -> None:
    """Import built-in plugin folders and load third-party entry points, once per process."""
    global _discovered, _discovering
    with _lock:
        if _discovered or _discovering:
            return
        _discovering = True
        try:
            _import_builtin_plugins()
            _load_entry_points()
            _discovered = True
        finally:
            _discovering = False


def reset_discovery() -> None:
    """Forget that discovery ran, so new entry points are picked up (tests, notebooks)."""
    global _discovered
    with _lock:
        _discovered = False


for _registry in REGISTRIES.values():
    _registry._discover = discover
