"""The BrainModel protocol: what a benchmark may ask of a model.

Compatible in spirit with Brain-Score's ``BrainModel``, extended for time. A benchmark

1. calls :meth:`BrainModel.start_recording` with a region (any string: ``"V1"``, ``"MT"``,
   ``"IT"``, an fMRI ROI, ``"whole-brain"``) and the time bins it wants, in milliseconds from
   stimulus onset, or :meth:`BrainModel.start_task` for behaviour;
2. calls :meth:`BrainModel.look_at` with a :class:`~dynamic_vision.io.stimuli.StimulusSet`.

``look_at`` returns, while recording, an :class:`xarray.DataArray` with dims
``("presentation", "neuroid", "time_bin")``:

- ``presentation`` coords: ``stimulus_id`` (one row per stimulus and trial);
- ``neuroid`` coords: ``neuroid_id``, ``region``, and ``layer`` for models made of layers;
- ``time_bin`` coords: ``time_bin_start``, ``time_bin_end`` (ms).

While performing a task it returns the task's output per presentation (see :class:`Task`).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["BrainModel", "Task", "TimeBins", "normalize_time_bins"]

#: Time bins as ``[(start_ms, end_ms), ...]``.
TimeBins = Sequence[tuple[float, float]]


class Task(str, Enum):
    """Behavioural tasks a benchmark may start."""

    #: Passive viewing: ``look_at`` returns nothing to compare (used to reset a task).
    passive = "passive"
    #: Label each stimulus with one of the labels seen in the fitting stimuli.
    label = "label"
    #: Probabilities over the fitting stimuli's labels, dims ``(presentation, choice)``.
    probabilities = "probabilities"


@runtime_checkable
class BrainModel(Protocol):
    """A model that can be placed in an experiment."""

    identifier: str

    def visual_degrees(self) -> float:
        """The visual angle, in degrees, that the model's input field spans."""
        ...

    def start_recording(self, region: str, time_bins: TimeBins,
                        layers: Sequence[str] | None = None) -> None:
        """Record from ``region`` in ``time_bins`` on the next :meth:`look_at`.

        ``layers`` (optional, for layered models) overrides the committed layers: the next
        ``look_at`` returns neuroids from each of those layers with a ``layer`` coord, which is
        how benchmarks score layer by layer and how layer selection works.
        """
        ...

    def start_task(self, task: Task | str, fitting_stimuli: Any = None) -> None:
        """Perform ``task``; ``fitting_stimuli`` is a StimulusSet with a ``label`` column."""
        ...

    def look_at(self, stimuli: Any, number_of_trials: int = 1) -> xr.DataArray:
        """Show ``stimuli`` (a StimulusSet) and return recordings or task outputs."""
        ...


def normalize_time_bins(time_bins: TimeBins) -> list[tuple[float, float]]:
    """Validate and convert time bins to a list of ``(start_ms, end_ms)`` float pairs."""
    out = []
    for bin_ in time_bins:
        try:
            start, end = (float(v) for v in bin_)
        except (TypeError, ValueError):
            raise ValueError(f"A time bin must be a (start_ms, end_ms) pair, got {bin_!r}.") from None
        if not end > start:
            raise ValueError(f"Time bin {bin_!r} must end after it starts (ms).")
        out.append((start, end))
    if not out:
        raise ValueError("At least one time bin is needed.")
    return out
