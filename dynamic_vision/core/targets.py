"""Lazy targets and providers: what a registry entry points to, resolved only when used.

A target is a callable or a ``"package.module:attribute"`` string imported on first use; a
missing optional package named in the entry's ``requires`` becomes a
:class:`~dynamic_vision.core.errors.MissingDependencyError` that says what to install. A
:class:`Provider` stands for a whole namespace of identifiers (``timm/<name>``), registered by
prefix as a :class:`ProviderEntry` and asked for an identifier's entry on demand.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from dynamic_vision.core.errors import MissingDependencyError, PluginLoadError

__all__ = ["resolve_target", "missing_dependency", "Provider", "ProviderEntry"]


def resolve_target(identifier: str, target: Any, requires: Mapping[str, str],
                   origin: str = "?") -> Any:
    """``target`` itself, or the object a lazy ``"module:attr"`` names (imported now).

    Raises
    ------
    MissingDependencyError
        An optional package named in ``requires`` is not installed.
    PluginLoadError
        The target's module or attribute does not exist (a wrong or stale registration).
    """
    if not isinstance(target, str):
        return target
    module_name, _, attribute = target.partition(":")
    where = f"'{identifier}' (registered by {origin}) points at '{target}'"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        failure = missing_dependency(identifier, error, requires)
        if failure is not None:
            raise failure from error
        if error.name and module_name.startswith(error.name):  # the target itself is missing
            raise PluginLoadError(f"{where}, but module '{error.name}' does not exist; fix "
                                  f"the registration's target.") from error
        raise
    obj: Any = module
    for part in attribute.split(".") if attribute else []:
        try:
            obj = getattr(obj, part)
        except AttributeError as error:
            raise PluginLoadError(f"{where}, but '{module_name}' has no '{attribute}'; fix "
                                  f"the registration's target.") from error
    return obj


def missing_dependency(identifier: str, error: ModuleNotFoundError,
                       requires: Mapping[str, str]) -> MissingDependencyError | None:
    """The teaching error for an optional package named in ``requires``, else None."""
    missing = (error.name or "").split(".")[0]
    if missing not in requires:
        return None
    failure = MissingDependencyError(
        f"'{identifier}' needs the optional package '{missing}'. "
        f"Install it with: pip install \"{requires[missing]}\"")
    failure.__cause__ = error
    return failure


@runtime_checkable
class Provider(Protocol):
    """Offers identifiers under a prefix on demand (e.g. every ``timm/<name>``).

    A provider stands for a whole namespace that would be too large, or too costly, to
    register name by name: the entry of an identifier is made when it is first asked for.
    """

    def names(self) -> list[str]:
        """Every identifier offered (prefix included); may import the library it wraps."""
        ...

    def declare(self, identifier: str) -> tuple[Callable[..., Any], Any, Mapping[str, Any]]:
        """``(factory, declaration, extra facts)`` of ``identifier``; an identifier the
        provider does not offer raises :class:`UnknownIdentifierError`."""
        ...


@dataclass(frozen=True)
class ProviderEntry:
    """A registered provider: identifiers starting with ``prefix`` are asked of ``target``.

    Attributes
    ----------
    prefix
        E.g. ``"timm/"``; identifiers under it are made on demand.
    target
        The :class:`Provider`, or a lazy ``"module:attr"`` naming it.
    origin, requires
        As for :class:`Entry`.
    description
        One line for listings and error messages, e.g. ``"any timm model, frame by frame"``.
    """

    prefix: str
    target: Any
    origin: str
    requires: Mapping[str, str] = field(default_factory=dict)
    description: str = ""

    def resolve(self) -> Provider:
        return resolve_target(self.prefix + "*", self.target, self.requires)
