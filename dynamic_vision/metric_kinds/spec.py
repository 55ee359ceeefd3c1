"""What a metric plugin declares about itself (:class:`MetricSpec`) and how it registers
(:func:`register_metric`). Imports nothing heavy: plugin folders build specs while registering."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dynamic_vision.core.registry import metric_registry

__all__ = ["MetricSpec", "register_metric", "FAMILIES", "INPUT_KINDS"]

#: What a metric does: fit a mapping, compare representations, compare behaviour, decode.
FAMILIES = ("regression", "representational", "behavior", "decoding")
#: What a metric compares: neural responses, behavioural trials, or stimulus labels.
INPUT_KINDS = ("neural", "behavior", "labels")


@dataclass(frozen=True)
class MetricSpec:
    """The one declaration of a metric: the facts ``dynamic-vision info`` shows.

    Parameters
    ----------
    identifier
        The registered name, e.g. ``"ridge"``.
    family
        One of :data:`FAMILIES`.
    version
        Bumped whenever what the metric computes changes.
    input_kind
        One of :data:`INPUT_KINDS` (the conformance checks feed it inputs of that kind).
    ceiling
        The ceiling function that bounds it, by name.
    ceiling_convention
        The convention its scores are ceiled with, when it prescribes one.
    extra
        Descriptions for ``info``: mapping, splits, aggregation, reference implementation, ...
    """

    identifier: str
    family: str
    version: int = 1
    input_kind: str = "neural"
    ceiling: str | None = None
    ceiling_convention: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        where = f"MetricSpec '{self.identifier}'"
        if self.family not in FAMILIES:
            raise ValueError(f"{where}: family must be one of {FAMILIES}, got {self.family!r}.")
        if self.input_kind not in INPUT_KINDS:
            raise ValueError(f"{where}: input_kind must be one of {INPUT_KINDS}, got "
                             f"{self.input_kind!r}.")

    def registry_metadata(self) -> dict[str, Any]:
        """The facts ``dynamic-vision info`` shows, all derived from this declaration."""
        facts: dict[str, Any] = {"family": self.family, "version": self.version,
                                 "input_kind": self.input_kind}
        if self.ceiling is not None:
            facts["ceiling"] = self.ceiling
        if self.ceiling_convention is not None:
            facts["ceiling_convention"] = self.ceiling_convention
        return {**facts, **dict(self.extra)}


def register_metric(spec: MetricSpec, target: str | Callable[..., Any]) -> MetricSpec:
    """Register a metric from its declaration; the one way a metric plugin registers.

    ``target`` is the factory (``"package.module:build"`` or a callable); it is called with the
    metric's options (e.g. ``splits=...``) and returns ``metric(source, target) -> Score``.
    """
    metric_registry.register(spec.identifier, target, declaration=spec)
    return spec
