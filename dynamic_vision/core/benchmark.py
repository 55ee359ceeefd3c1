"""The :class:`Benchmark` base class: what every benchmark plugin provides."""

from __future__ import annotations

import abc
from typing import Any

from dynamic_vision.core.scores import CEILING_CONVENTIONS, Score

__all__ = ["Benchmark"]


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
        How raw and ceiling give the ceiled score (see :mod:`dynamic_vision.core.scores`).
    """

    identifier: str = ""
    version: int = 1
    bibtex: str = ""
    ceiling_convention: str = "ratio"

    _ceiling: Score | None = None

    def __init__(self, identifier: str | None = None, *, version: int | None = None,
                 bibtex: str | None = None, ceiling_convention: str | None = None):
        """Set the identity shared by every benchmark; what is not given keeps the class's
        default, so subclasses that declare class attributes need no ``__init__``."""
        name = identifier if identifier is not None else self.identifier
        if ceiling_convention is not None and ceiling_convention not in CEILING_CONVENTIONS:
            raise ValueError(f"Unknown ceiling convention {ceiling_convention!r} for "
                             f"'{name}'; use one of {sorted(CEILING_CONVENTIONS)}.")
        given = {"identifier": identifier, "version": version, "bibtex": bibtex,
                 "ceiling_convention": ceiling_convention}
        for attribute, value in given.items():
            if value is not None:
                setattr(self, attribute, value)

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
