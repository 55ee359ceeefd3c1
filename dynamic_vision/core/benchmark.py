"""What every benchmark plugin provides: its declaration (:class:`BenchmarkSpec`), registered
with :func:`register_benchmark`, and the :class:`Benchmark` its factory builds from it."""

from __future__ import annotations

import abc
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dynamic_vision.core.registry import benchmark_registry, dataset_registry, stimulus_set_registry
from dynamic_vision.core.scores import CEILING_CONVENTIONS, DEFAULT_CONVENTION, Score

__all__ = ["Benchmark", "BenchmarkSpec", "register_benchmark"]

#: The procedures a benchmark may follow (the rooms of :mod:`dynamic_vision.benchmark_kinds`).
BENCHMARK_KINDS = ("neural", "fmri", "task", "behaviour")
#: ``BenchmarkSpec.extra`` key naming Brain-Score's identifier of the same benchmark (an alias).
BRAINSCORE_EQUIVALENT = "brainscore_equivalent"


@dataclass(frozen=True)
class BenchmarkSpec:
    """The one declaration of a benchmark: what ``dynamic-vision info`` shows and what the
    benchmark object is built from.

    A benchmark plugin's ``__init__.py`` declares its specs and registers them with
    :func:`register_benchmark`; the factory in its implementation receives the spec and passes
    it to a benchmark kind (e.g. ``NeuralBenchmark(spec, assembly=..., ...)``), which reads the
    identifier, version, region, metric, ceiling convention and visual angle from it.

    Parameters
    ----------
    identifier
        ``<Dataset>.<region>-<metric>``, e.g. ``"SimMotion.MT-ridge"``.
    kind
        The procedure: one of :data:`BENCHMARK_KINDS`.
    version
        Bumped whenever data, metric or ceiling change; part of every cache key.
    dataset, stimulus_set
        The registered data it scores on (or a short description where it pools several).
    region
        The region recorded from (``None`` for behaviour).
    metric
        The registered metric's identifier, or a short description of the procedure.
    ceiling
        How the ceiling is computed, in words.
    ceiling_convention
        How raw score and ceiling give the ceiled score (see :mod:`dynamic_vision.core.scores`);
        ``None``: the benchmark kind's default.
    ceiling_convention_reason
        Why that convention fits this benchmark's metric and ceiling, in a sentence (shown by
        ``info``; every built-in benchmark states one).
    time_bins, split
        The time bins and the public/held-out split, in words.
    visual_degrees
        Visual angle the stimuli spanned in the experiment (``None``: the kind's default).
    simulated
        The recordings are simulated, not measured.
    bibtex
        How to cite the data; default: the bibtex the dataset (or stimulus set) registered.
    expected_failures
        ``{conformance check: reason}`` for known gaps.
    extra
        Any further facts for ``info`` (species, subjects, access, ...). A
        ``"brainscore_equivalent"`` entry (Brain-Score's identifier of the same benchmark) is
        registered as an alias by :func:`register_benchmark`.
    """

    identifier: str
    kind: str
    version: int = 1
    dataset: str | None = None
    stimulus_set: str | None = None
    region: str | None = None
    metric: str | None = None
    ceiling: str = ""
    ceiling_convention: str | None = None
    ceiling_convention_reason: str = ""
    time_bins: str = ""
    split: str = ""
    visual_degrees: float | None = None
    simulated: bool = False
    bibtex: str | None = None
    expected_failures: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        where = f"BenchmarkSpec '{self.identifier}'"
        if self.kind not in BENCHMARK_KINDS:
            raise ValueError(f"{where}: kind must be one of {BENCHMARK_KINDS}, got {self.kind!r}.")
        if self.ceiling_convention is not None and \
                self.ceiling_convention not in CEILING_CONVENTIONS:
            raise ValueError(f"{where}: unknown ceiling convention {self.ceiling_convention!r}; "
                             f"use one of {sorted(CEILING_CONVENTIONS)}.")
        if int(self.version) != self.version or self.version < 1:
            raise ValueError(f"{where}: version must be a positive integer.")

    def registry_metadata(self) -> dict[str, Any]:
        """The facts ``dynamic-vision info`` shows, all derived from this declaration."""
        facts: dict[str, Any] = {"benchmark_kind": self.kind, "version": self.version,
                                 "simulated": self.simulated}
        for name in ("dataset", "stimulus_set", "region", "metric", "ceiling",
                     "ceiling_convention", "ceiling_convention_reason", "time_bins", "split",
                     "visual_degrees"):
            value = getattr(self, name)
            if value not in (None, ""):
                facts[name] = value
        if self.expected_failures:
            facts["expected_failures"] = dict(self.expected_failures)
        return {**facts, **dict(self.extra)}

    def data_bibtex(self) -> str:
        """:attr:`bibtex`, or the bibtex that the dataset or stimulus set registered."""
        if self.bibtex:
            return self.bibtex
        for registry, name in ((dataset_registry, self.dataset),
                               (stimulus_set_registry, self.stimulus_set)):
            if name and name in registry:
                text = registry.entry(name).metadata.get("bibtex")
                if text:
                    return str(text)
        return ""


class BenchmarkFactory:
    """The registry's target for a declared benchmark: imports ``target`` on first call and
    calls it with the spec (``target(spec, **kwargs)``)."""

    def __init__(self, spec: BenchmarkSpec, target: str | Callable[..., Any]):
        self.spec = spec
        self.target = target
        name = target if isinstance(target, str) else \
            f"{getattr(target, '__module__', '?')}:{getattr(target, '__qualname__', '?')}"
        # Shown by ``dynamic-vision info`` as the target.
        self.__module__, _, self.__qualname__ = name.partition(":")

    def __call__(self, **kwargs: Any) -> Benchmark:
        factory = self.target
        if isinstance(factory, str):
            module, _, attribute = factory.partition(":")
            factory = getattr(importlib.import_module(module), attribute)
        return factory(self.spec, **kwargs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BenchmarkFactory) and (self.spec, self.target) == \
            (other.spec, other.target)

    def __hash__(self) -> int:
        return hash((self.spec.identifier, str(self.target)))

    def __repr__(self) -> str:
        return f"BenchmarkFactory({self.spec.identifier!r}, {self.target!r})"


def register_benchmark(spec: BenchmarkSpec, target: str | Callable[..., Any], *,
                       requires: Mapping[str, str] | None = None) -> BenchmarkSpec:
    """Register a benchmark from its declaration; the one way a benchmark plugin registers.

    Parameters
    ----------
    spec
        The declaration.
    target
        ``"package.module:factory"`` (imported on first load) or a callable; it is called as
        ``factory(spec)`` and returns the :class:`Benchmark`.
    requires
        Optional dependencies: ``{import name: pip requirement}``.

    Returns
    -------
    The spec, so that ``SPEC = register_benchmark(BenchmarkSpec(...), ...)`` reads naturally.

    Notes
    -----
    A spec whose ``extra`` names a ``"brainscore_equivalent"`` (Brain-Score's identifier of the
    same benchmark, e.g. ``"MajajHong2015public.IT-pls"``) registers that name as an alias.
    """
    if isinstance(target, str) and ":" not in target:
        raise ValueError(f"Benchmark '{spec.identifier}': the target must look like "
                         f"'package.module:factory', got {target!r}.")
    benchmark_registry.register(spec.identifier, BenchmarkFactory(spec, target),
                                requires=requires, declaration=spec)
    equivalent = spec.extra.get(BRAINSCORE_EQUIVALENT)
    if equivalent:  # the same benchmark under Brain-Score's name
        benchmark_registry.alias(str(equivalent), spec.identifier)
    return spec


class Benchmark(abc.ABC):
    """A scored experiment: stimuli, recordings or labels, a metric and a ceiling.

    Subclasses set the class attributes (or instance attributes in ``__init__``) and implement
    :meth:`__call__` and, where the data have repeats, :meth:`compute_ceiling`.

    Attributes
    ----------
    identifier
        ``<Dataset>.<region>-<metric>``, e.g. ``"SimMotion.MT-ridge"``.
    version
        Bumped whenever data, metric or ceiling change; part of every cache key.
    bibtex
        How to cite the data.
    ceiling_convention
        How raw and ceiling give the ceiled score (see :mod:`dynamic_vision.core.scores`); by
        default ``"disattenuated"`` (``raw / sqrt(ceiling)``), under which the noise-free truth
        of a correlation scores 1.
    """

    identifier: str = ""
    version: int = 1
    bibtex: str = ""
    ceiling_convention: str = DEFAULT_CONVENTION
    #: The declaration the benchmark was built from (``None`` for ad-hoc benchmarks).
    spec: BenchmarkSpec | None = None

    _ceiling: Score | None = None

    def __init__(self, identifier: str | BenchmarkSpec | None = None, *,
                 version: int | None = None, bibtex: str | None = None,
                 ceiling_convention: str | None = None):
        """Set the identity shared by every benchmark, from a :class:`BenchmarkSpec` or from
        the arguments; what neither gives keeps the class's default, so subclasses that
        declare class attributes need no ``__init__``."""
        if isinstance(identifier, BenchmarkSpec):
            self.spec = identifier
            identifier = identifier.identifier
            if bibtex is None:
                bibtex = self.spec.data_bibtex() or None
        name = identifier if identifier is not None else self.identifier
        self.identifier = name
        version = self.declared("version", version)
        ceiling_convention = self.declared("ceiling_convention", ceiling_convention)
        if ceiling_convention is not None and ceiling_convention not in CEILING_CONVENTIONS:
            raise ValueError(f"Unknown ceiling convention {ceiling_convention!r} for "
                             f"'{name}'; use one of {sorted(CEILING_CONVENTIONS)}.")
        given = {"version": version, "bibtex": bibtex, "ceiling_convention": ceiling_convention}
        for attribute, value in given.items():
            if value is not None:
                setattr(self, attribute, value)

    def declared(self, name: str, given: Any, default: Any = None) -> Any:
        """A fact from the arguments or from the spec, which may not disagree.

        A spec's value fills in what the arguments leave out; ``default`` stands in for both.
        An argument that is an object (a loader, a metric callable) stands in for the spec's
        description of it; two different plain values are an error: a fact is declared once.
        """
        declared = getattr(self.spec, name, None) if self.spec is not None else None
        comparable = isinstance(given, (str, int, float)) and isinstance(declared, (str, int, float))
        if comparable and given != declared:
            raise ValueError(f"Benchmark '{self.identifier}': {name}={given!r} contradicts its "
                             f"declaration ({name}={declared!r}); state it once, in the "
                             f"BenchmarkSpec.")
        if given is not None:
            return given
        return declared if declared is not None else default

    def required(self, name: str, given: Any) -> Any:
        """:meth:`declared`, for a fact the benchmark cannot do without."""
        value = self.declared(name, given)
        if value is None:
            raise TypeError(f"Benchmark '{self.identifier}' needs {name!r}: pass it, or declare "
                            f"it in the benchmark's BenchmarkSpec.")
        return value

    @property
    def seed(self) -> int | None:
        """Seed of the benchmark's random splits, recorded in every score's provenance.

        Benchmark kinds keep it as ``split_seed``; ``None`` means the procedure has no
        randomness (e.g. contiguous chunks).
        """
        return getattr(self, "split_seed", None)

    @abc.abstractmethod
    def __call__(self, candidate: Any) -> Score:
        """Score ``candidate`` (a :class:`~dynamic_vision.core.brain_model.BrainModel`)."""

    def compute_ceiling(self) -> Score:
        """The data's noise ceiling; the default says there is none (1.0)."""
        return Score.from_raw(1.0)

    @property
    def ceiling(self) -> Score:
        """The noise ceiling, computed once per benchmark object."""
        if self._ceiling is None:
            self._ceiling = self.compute_ceiling()
        return self._ceiling

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.identifier!r} v{self.version}>"
