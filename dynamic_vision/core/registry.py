"""One generic registry for every plugin kind.

A registry maps identifiers to *targets*: either a callable factory or a lazy ``"module:attr"``
string that is imported only when the entry is loaded. Registering therefore costs nothing and
never imports torch or a plugin's implementation; loading pays.

Built-in plugin folders and third-party entry points are discovered lazily, on the first listing
or on the first lookup of an unknown identifier (see :mod:`dynamic_vision.core.plugins`).

An identifier may have *aliases* (other names of the same entry, e.g. Brain-Score's name of an
equivalent benchmark): lookups and ``info`` resolve them, listings show only the identifiers. A
*resolver* registers identifiers that cannot be enumerated in advance (e.g. a model given as
``path/to/folder:name``) the first time one is asked for.

A *provider* stands for a whole namespace (``timm/<name>``, ``torchvision/<name>``, ...): it is
registered by prefix, as cheaply as an entry, and makes the entry of an identifier under its
prefix when that identifier is first asked for. A plain listing never asks providers; a pattern
that starts with a provider's prefix (``list("timm/*")``) does.
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
import fnmatch
import importlib
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from dynamic_vision.core.errors import (
    DuplicateIdentifierError,
    MissingDependencyError,
    UnknownIdentifierError,
)
from dynamic_vision.core.targets import Provider, ProviderEntry, missing_dependency, resolve_target

__all__ = [
    "Declaration",
    "Entry",
    "Provider",
    "ProviderEntry",
    "Registry",
    "UnknownIdentifierError",
    "DuplicateIdentifierError",
    "MissingDependencyError",
    "registering_from",
    "check_identifier",
    "model_registry",
    "stimulus_set_registry",
    "dataset_registry",
    "metric_registry",
    "benchmark_registry",
    "REGISTRIES",
]

T = TypeVar("T")

# The origin of registrations made while a plugin is being discovered (module or entry point).
_current_origin: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "dynamic_vision_origin", default=None
)


@contextlib.contextmanager
def registering_from(origin: str) -> Iterator[None]:
    """Attribute every registration made inside the block to ``origin``."""
    token = _current_origin.set(origin)
    try:
        yield
    finally:
        _current_origin.reset(token)


@runtime_checkable
class Declaration(Protocol):
    """A plugin's one declaration of its facts (a ``ModelSpec``, ``BenchmarkSpec``,
    ``DataSpec``, ...): registration derives the entry's metadata from it and the
    implementation reads the same object, so the two cannot disagree."""

    identifier: str

    def registry_metadata(self) -> dict[str, Any]:
        """Cheap, JSON-friendly facts shown by ``dynamic-vision info``."""
        ...


@dataclass(frozen=True)
class Entry:
    """One registered plugin.

    Attributes
    ----------
    identifier
        The public name, e.g. ``"r3d_18"`` or ``"SimMotion.MT-ridge"``.
    target
        A factory callable, or a ``"package.module:attribute"`` string resolved on load.
    origin
        Where the registration came from: a module name or an entry point description.
    requires
        Optional packages the target needs, mapped to the pip extra (or package) that provides
        them, e.g. ``{"pynwb": "dynamic-vision[nwb]"}``.
    declaration
        The plugin's declaration object, when it has one (see :class:`Declaration`).
    extra
        Facts given at registration beyond the declaration's (e.g. ``check_options``).
    """

    identifier: str
    target: Callable[..., Any] | str
    origin: str
    requires: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    declaration: Any = None

    @property
    def metadata(self) -> dict[str, Any]:
        """Cheap facts shown by ``info``: the declaration's, then the registration's extras."""
        declared = self.declaration.registry_metadata() if self.declaration is not None else {}
        return {**declared, **self.extra}

    def resolve(self) -> Callable[..., Any]:
        """Import a lazy target and return the factory."""
        return resolve_target(self.identifier, self.target, self.requires, self.origin)


def check_identifier(identifier: Any, kind: str) -> None:
    """Refuse identifiers that could not name a plugin safely everywhere they are used (file
    names under ``DYNAMIC_VISION_HOME``, command lines, URLs).

    Raises
    ------
    ValueError
        Not a non-empty string; path separators, a ``.``/``..`` name, control characters, or
        leading/trailing white space.
    """
    if not isinstance(identifier, str) or not identifier:
        raise ValueError(f"A {kind} identifier must be a non-empty string, got {identifier!r}.")
    problem = None
    if "/" in identifier or "\\" in identifier:
        problem = "contains a path separator ('/' or '\\')"
    elif identifier in (".", "..") or identifier.startswith(".."):
        problem = "starts with '..'"
    elif any(ord(c) < 32 or ord(c) == 127 for c in identifier):
        problem = "contains control characters"
    elif identifier != identifier.strip():
        problem = "starts or ends with white space"
    if problem:
        raise ValueError(f"{kind} identifier {identifier!r} {problem}; use letters, digits and "
                         f"'.', '_', '-' (e.g. 'MyData.V1-ridge').")


class Registry(Generic[T]):
    """Identifier → plugin factory, for one kind of plugin.

    Parameters
    ----------
    kind
        Singular name of the kind, used in messages (``"model"``, ``"benchmark"``, ...).
    """

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, Entry] = {}
        self._aliases: dict[str, str] = {}
        self._resolvers: list[Callable[[str], bool] | str] = []
        self._providers: dict[str, ProviderEntry] = {}
        # Entries made by providers on demand: served like registered ones, listed only when
        # a pattern asks for their provider's prefix (so plain listings never depend on them).
        self._provided: dict[str, Entry] = {}
        self._discover: Callable[[], None] | None = None

    # -- registration -------------------------------------------------------------------------
    def register(
        self,
        identifier: str,
        target: Callable[..., T] | str | None = None,
        *,
        requires: Mapping[str, str] | None = None,
        origin: str | None = None,
        declaration: Declaration | None = None,
        **metadata: Any,
    ) -> Any:
        """Register ``target`` under ``identifier``; usable as a decorator without ``target``.

        Parameters
        ----------
        identifier
            Public name. Must be unique within this registry.
        target
            A factory (called with the load keyword arguments) or a lazy ``"module:attr"``.
        requires
            Optional dependencies of the target: ``{import name: pip requirement}``.
        origin
            Overrides the recorded origin (defaults to the plugin being discovered, or the
            calling module).
        declaration
            The plugin's declaration (see :class:`Declaration`); its ``registry_metadata()``
            are the entry's facts, so they are written once.
        **metadata
            Cheap descriptive facts beyond the declaration's, shown by :meth:`info`. A key
            the declaration already states is an error: facts are declared once.
        """
        if target is None:
            def decorator(func: Callable[..., T]) -> Callable[..., T]:
                self.register(identifier, func, requires=requires, origin=origin,
                              declaration=declaration, **metadata)
                return func
            return decorator
        check_identifier(identifier, self.kind)
        if isinstance(target, str) and ":" not in target:
            raise ValueError(f"Lazy target for {self.kind} '{identifier}' must look like "
                             f"'package.module:attribute', got {target!r}.")
        if origin is None:
            origin = _current_origin.get() or sys._getframe(1).f_globals.get("__name__", "?")
        if declaration is not None:
            if declaration.identifier != identifier:
                raise ValueError(f"{self.kind} '{identifier}' is registered with the declaration "
                                 f"of '{declaration.identifier}'.")
            twice = sorted(set(metadata) & set(declaration.registry_metadata()))
            if twice:
                raise ValueError(f"{self.kind} '{identifier}': {twice} are stated by its "
                                 f"declaration already; declare each fact once.")
        entry = Entry(identifier, target, origin, dict(requires or {}), dict(metadata),
                      declaration)
        existing = self._entries.get(identifier)
        if existing is not None:
            if existing.origin == entry.origin and existing.target == entry.target:
                return target  # the same module registering again (e.g. reloaded): harmless
            raise DuplicateIdentifierError(
                f"{self.kind} '{identifier}' is registered twice: by {existing.origin} and by "
                f"{entry.origin}. Rename one of them."
            )
        self._entries[identifier] = entry
        return target

    def unregister(self, identifier: str) -> None:
        """Remove an entry or an alias (mainly for tests and notebooks)."""
        if self._aliases.pop(identifier, None) is None:
            self._entries.pop(identifier, None)
            self._provided.pop(identifier, None)

    def register_provider(self, prefix: str, target: Provider | str, *,
                          requires: Mapping[str, str] | None = None, origin: str | None = None,
                          description: str = "") -> None:
        """Let ``target`` make the entries of every identifier that starts with ``prefix``.

        Registration imports nothing. The provider is imported when an identifier under
        ``prefix`` is first looked up, or when :meth:`list` is given a pattern that starts with
        ``prefix`` (e.g. ``list("timm/*")``); a plain :meth:`list` never asks providers.

        Parameters
        ----------
        prefix
            The namespace, ending in ``/`` (e.g. ``"timm/"``).
        target
            A :class:`Provider` or a lazy ``"module:attr"`` naming one.
        requires
            Optional packages the provider needs: ``{import name: pip requirement}``.
        description
            What the namespace offers, for messages.
        """
        if not prefix.endswith("/") or len(prefix) < 2:
            raise ValueError(f"A {self.kind} provider prefix must end in '/', got {prefix!r}.")
        if isinstance(target, str) and ":" not in target:
            raise ValueError(f"Lazy provider target for '{prefix}' must look like "
                             f"'package.module:attribute', got {target!r}.")
        if origin is None:
            origin = _current_origin.get() or sys._getframe(1).f_globals.get("__name__", "?")
        entry = ProviderEntry(prefix, target, origin, dict(requires or {}), description)
        existing = self._providers.get(prefix)
        if existing is not None:
            if (existing.origin, existing.target) == (entry.origin, entry.target):
                return
            raise DuplicateIdentifierError(
                f"{self.kind} provider '{prefix}' is registered twice: by {existing.origin} "
                f"and by {entry.origin}. Rename one of them.")
        self._providers[prefix] = entry

    def providers(self) -> dict[str, ProviderEntry]:
        """The registered providers by prefix (after discovery)."""
        self._ensure_discovered()
        return dict(self._providers)

    def _provider_for(self, identifier: str) -> ProviderEntry | None:
        matches = [p for p in self._providers if str(identifier).startswith(p)]
        return self._providers[max(matches, key=len)] if matches else None

    def _provide(self, provider: ProviderEntry, identifier: str) -> Entry:
        """Ask ``provider`` for the entry of ``identifier`` (made once, then kept)."""
        try:
            factory, declaration, extra = provider.resolve().declare(identifier)
        except ModuleNotFoundError as error:
            raise missing_dependency(identifier, error, provider.requires) or error
        entry = Entry(identifier, factory, provider.origin, dict(provider.requires),
                      dict(extra), declaration)
        self._provided[identifier] = entry
        return entry

    def alias(self, alias: str, identifier: str) -> None:
        """Make ``alias`` another name of ``identifier`` (which may be registered later).

        Lookups, loading and :meth:`info` accept the alias; :meth:`list` shows identifiers
        only. An alias may not shadow an identifier, and one alias names one identifier.
        """
        if not isinstance(alias, str) or not alias or alias == identifier:
            raise ValueError(f"A {self.kind} alias must be a non-empty string other than the "
                             f"identifier, got {alias!r} for '{identifier}'.")
        if alias in self._entries:
            raise DuplicateIdentifierError(
                f"{self.kind} alias '{alias}' would hide the {self.kind} registered under that "
                f"name by {self._entries[alias].origin}.")
        existing = self._aliases.get(alias)
        if existing is not None and existing != identifier:
            raise DuplicateIdentifierError(
                f"{self.kind} alias '{alias}' already names '{existing}'; it cannot also name "
                f"'{identifier}'.")
        self._aliases[alias] = identifier

    def aliases(self, identifier: str | None = None) -> dict[str, str]:
        """``{alias: identifier}``, for every alias or for those of one identifier."""
        self._ensure_discovered()
        return {alias: target for alias, target in sorted(self._aliases.items())
                if identifier is None or target == identifier}

    def add_resolver(self, resolver: Callable[[str], bool] | str) -> None:
        """Consult ``resolver(identifier)`` for identifiers nothing registered; it registers
        the identifier (and returns True) when it knows how to build it.

        ``resolver`` may be a lazy ``"module:attr"`` string, imported on first use.
        """
        if resolver not in self._resolvers:
            self._resolvers.append(resolver)

    def _lookup(self, identifier: str) -> Entry | None:
        found = self._entries.get(identifier) or self._provided.get(identifier)
        if found is None and identifier in self._aliases:
            found = self._entries.get(self._aliases[identifier])
        return found

    def _resolve(self, identifier: str) -> Entry | None:
        for index, resolver in enumerate(list(self._resolvers)):
            if isinstance(resolver, str):
                module_name, _, attribute = resolver.partition(":")
                resolver = getattr(importlib.import_module(module_name), attribute)
                self._resolvers[index] = resolver
            if resolver(identifier):
                return self._lookup(identifier)
        return None

    # -- lookup -------------------------------------------------------------------------------
    def _ensure_discovered(self) -> None:
        if self._discover is not None:
            self._discover()

    def list(self, pattern: str | None = None) -> list[str]:
        """Sorted identifiers, optionally filtered by an ``fnmatch`` wildcard (case-sensitive)."""
        self._ensure_discovered()
        names = sorted(self._entries)
        if pattern is None:
            return names
        found = {name for name in names if fnmatch.fnmatchcase(name, pattern)}
        for prefix, provider in self._providers.items():
            if pattern.startswith(prefix):  # the pattern names the namespace: ask its provider
                found.update(name for name in provider.resolve().names()
                             if fnmatch.fnmatchcase(name, pattern))
        return sorted(found)

    def expand(self, patterns: Iterable[str]) -> list[str]:
        """Identifiers matching ``patterns`` (``fnmatch`` wildcards allowed), in order, without
        repeats. Plain names are checked now (a typo fails with suggestions) and kept as
        given; a wildcard that matches nothing is an error naming it."""
        out: list[str] = []
        for pattern in patterns:
            if any(ch in pattern for ch in "*?["):
                matches = self.list(pattern)
                if not matches:
                    raise UnknownIdentifierError(
                        f"No {self.kind} matches '{pattern}'; see `dynamic-vision list "
                        f"{self.kind}`.", kind=self.kind, identifier=pattern, suggestions=[])
            else:
                self.entry(pattern)
                matches = [pattern]
            out.extend(name for name in matches if name not in out)
        return out

    def entry(self, identifier: str) -> Entry:
        """The :class:`Entry` for ``identifier`` or one of its aliases (its ``identifier`` is
        the registered one); unknown names raise a teaching error."""
        found = self._lookup(identifier)
        if found is None:
            self._ensure_discovered()
            found = self._lookup(identifier) or self._resolve(identifier)
        if found is None:
            provider = self._provider_for(identifier)
            if provider is not None:
                return self._provide(provider, identifier)
            raise self._unknown(identifier)
        return found

    def load(self, identifier: str, **kwargs: Any) -> T:
        """Resolve and call the factory registered under ``identifier``."""
        return self.entry(identifier).resolve()(**kwargs)

    def info(self, identifier: str) -> dict[str, Any]:
        """Cheap facts about an entry, without importing its implementation."""
        entry = self.entry(identifier)
        target = entry.target if isinstance(entry.target, str) else (
            f"{getattr(entry.target, '__module__', '?')}:"
            f"{getattr(entry.target, '__qualname__', repr(entry.target))}")
        # The plugin kind and identity come last: a declared fact never hides them.
        facts = {**entry.metadata, "kind": self.kind, "identifier": entry.identifier,
                 "target": target, "origin": entry.origin, "requires": dict(entry.requires)}
        aliases = sorted(a for a, target in self._aliases.items() if target == entry.identifier)
        if aliases:
            facts["aliases"] = aliases
        if identifier != entry.identifier:
            facts["alias"] = identifier
        return facts

    def _unknown(self, identifier: str) -> UnknownIdentifierError:
        names = sorted(self._entries)
        by_case = {name.lower(): name for name in [*self._aliases, *names]}
        suggestions = [by_case[m] for m in difflib.get_close_matches(
            str(identifier).lower(), list(by_case), n=3, cutoff=0.6)]
        message = f"Unknown {self.kind} '{identifier}'."
        if suggestions:
            message += " Did you mean " + " or ".join(f"'{s}'" for s in suggestions) + "?"
        message += (f" {len(names)} {self.kind}s are registered; list them with "
                    f"dynamic_vision.list_{self.kind}s() or `dynamic-vision list {self.kind}`.")
        if self._providers:
            message += " Libraries offer more by name: " + "; ".join(
                f"'{prefix}<name>'" + (f" ({p.description})" if p.description else "")
                for prefix, p in sorted(self._providers.items())) + (
                f" (list one with `dynamic-vision list {self.kind} '<prefix>*'`).")
        return UnknownIdentifierError(message, kind=self.kind, identifier=identifier,
                                      suggestions=suggestions)

    def __contains__(self, identifier: object) -> bool:
        if not isinstance(identifier, str):
            return False
        if self._lookup(identifier) is not None:
            return True
        self._ensure_discovered()
        if (self._lookup(identifier) or self._resolve(identifier)) is not None:
            return True
        if self._provider_for(identifier) is not None:
            try:
                self.entry(identifier)
            except (UnknownIdentifierError, MissingDependencyError):
                return False
            return True
        return False

    def __iter__(self) -> Iterator[str]:
        return iter(self.list())

    def __len__(self) -> int:
        return len(self.list())

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {len(self._entries)} entries)"


model_registry: Registry[Any] = Registry("model")
stimulus_set_registry: Registry[Any] = Registry("stimulus_set")
dataset_registry: Registry[Any] = Registry("dataset")
metric_registry: Registry[Any] = Registry("metric")
benchmark_registry: Registry[Any] = Registry("benchmark")

#: Every registry by kind; the keys are the kinds the CLI and the plugin hooks accept.
REGISTRIES: dict[str, Registry[Any]] = {
    "model": model_registry,
    "stimulus_set": stimulus_set_registry,
    "dataset": dataset_registry,
    "metric": metric_registry,
    "benchmark": benchmark_registry,
}
