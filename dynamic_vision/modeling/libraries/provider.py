"""A model library as a registry provider: ``<prefix><name>`` and ``<prefix><name>-random``.

A :class:`LibraryProvider` subclass knows how to list a library's model names and how to make
the :class:`~dynamic_vision.modeling.zoo.ZooModel` of one of them; this base class turns that
into registry entries (the published model and its seeded random twin, one declaration each)
and into teaching errors for names the library does not have.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Callable, Mapping
from typing import Any

from dynamic_vision.core.errors import UnknownIdentifierError
from dynamic_vision.modeling.spec import RANDOM_SUFFIX

__all__ = ["LibraryProvider"]


class LibraryProvider:
    """Entries for every model of one library, made on demand.

    Subclasses set :attr:`prefix` and :attr:`library` and implement :meth:`model_names` and
    :meth:`zoo_model`.
    """

    #: The namespace, e.g. ``"timm/"``.
    prefix: str = ""
    #: The library's name, for messages.
    library: str = ""
    #: Options that make a model test-sized (conformance checks, ``check-model``).
    check_options: Mapping[str, Any] = {"input_size": 32}

    def __init__(self) -> None:
        self._zoo: dict[str, Any] = {}
        self._lock = threading.Lock()

    # -- what subclasses provide -------------------------------------------------------------
    def model_names(self) -> list[str]:
        """Names the library offers (without the prefix)."""
        raise NotImplementedError

    def zoo_model(self, name: str) -> Any:
        """The :class:`~dynamic_vision.modeling.zoo.ZooModel` of ``name``; raise
        :meth:`unknown` for a name the library does not have."""
        raise NotImplementedError

    def check_options_for(self, zoo: Any) -> dict[str, Any]:
        """Test-size options for one model (default :attr:`check_options`)."""
        return dict(self.check_options)

    # -- the registry's Provider protocol ----------------------------------------------------
    def names(self) -> list[str]:
        """Every identifier offered; ``<identifier>-random`` is accepted for each of them."""
        return [self.prefix + name for name in self.model_names()]

    def declare(self, identifier: str) -> tuple[Callable[..., Any], Any, dict[str, Any]]:
        """The factory, declaration and registration facts of ``identifier``."""
        name = identifier[len(self.prefix):]
        twin = name.endswith(RANDOM_SUFFIX)
        base = name.removesuffix(RANDOM_SUFFIX) if twin else name
        if not base:
            raise self.unknown(identifier, [])
        zoo = self.cached(base)
        extra = {"check_options": self.check_options_for(zoo)}
        if twin:
            extra["random_twin_of"] = self.prefix + base
            return zoo.build_random, zoo.spec.random_twin(), extra
        return zoo.build, zoo.spec, extra

    def cached(self, name: str) -> Any:
        """:meth:`zoo_model` of ``name``, made once per process."""
        with self._lock:
            if name not in self._zoo:
                self._zoo[name] = self.zoo_model(name)
            return self._zoo[name]

    def unknown(self, identifier: str, known: list[str], hint: str = "") -> UnknownIdentifierError:
        """The teaching error for a name the library does not offer."""
        name = identifier[len(self.prefix):] if identifier.startswith(self.prefix) else identifier
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        message = f"Unknown model '{identifier}': {self.library} has no model '{name}'."
        if close:
            message += " Did you mean " + " or ".join(f"'{self.prefix}{c}'" for c in close) + "?"
        if hint:
            message += " " + hint
        message += (f" List what {self.library} offers with "
                    f"dynamic_vision.list_models('{self.prefix}*') or "
                    f"`dynamic-vision list models '{self.prefix}*'`.")
        return UnknownIdentifierError(message, kind="model", identifier=identifier,
                                      suggestions=[self.prefix + c for c in close])
