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

:class:`BrainModelBase` implements this state machine once (recording, tasks, repeated trials);
the library's models (``ModelCommitment``, ``FeatureModel``, the testing ``TableModel``) only say
which layers they offer, how they record, and which features a task readout reads.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np
    import xarray as xr

__all__ = ["BrainModel", "BrainModelBase", "Task", "TimeBins", "normalize_time_bins",
           "repeat_trials"]

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


class BrainModelBase(abc.ABC):
    """The recording / task / trials state machine of a :class:`BrainModel`, written once.

    Subclasses provide :attr:`identifier`, :attr:`layers`, :meth:`visual_degrees`,
    :meth:`default_layers` (what a region records when no layers are asked for),
    :meth:`record` (responses in time bins) and :meth:`task_features` (one row of features per
    stimulus, read by behavioural readouts). The models are deterministic, so
    ``number_of_trials=n`` repeats each presentation ``n`` times (coord ``repetition``).
    """

    identifier: str

    def __init__(self) -> None:
        self.reset_state()

    def reset_state(self) -> None:
        """Forget the recording, task and readout: the state of a newly built model."""
        self._recording: tuple[str, list[tuple[float, float]], list[str]] | None = None
        self._task: Task = Task.passive
        self._readout: Any = None

    # -- what a subclass provides ---------------------------------------------------------------
    @property
    @abc.abstractmethod
    def layers(self) -> Sequence[str]:
        """The layers offered for recording."""

    @abc.abstractmethod
    def visual_degrees(self) -> float:
        """The visual angle, in degrees, that the model's input field spans."""

    @abc.abstractmethod
    def default_layers(self, region: str) -> list[str]:
        """The layers recorded from ``region`` when ``start_recording`` names none."""

    @abc.abstractmethod
    def record(self, stimuli: Any, region: str, time_bins: list[tuple[float, float]],
               layers: list[str]) -> xr.DataArray:
        """``(presentation, neuroid, time_bin)`` responses of ``layers``, one row per stimulus."""

    @abc.abstractmethod
    def task_features(self, stimuli: Any) -> np.ndarray:
        """``(stimuli, features)``: what a behavioural readout reads for each stimulus."""

    # -- the state machine ----------------------------------------------------------------------
    def check_layer(self, layer: str) -> None:
        """Refuse a layer the model does not offer, naming the ones it does."""
        from dynamic_vision.core.errors import UnknownLayerError

        offered = list(self.layers)
        if layer not in offered:
            which = (f"its only layer is '{offered[0]}'" if len(offered) == 1 else
                     f"its layers are {offered}")
            raise UnknownLayerError(f"Model '{self.identifier}' offers no layer '{layer}'; "
                                    f"{which}.")

    def start_recording(self, region: str, time_bins: TimeBins,
                        layers: Sequence[str] | None = None) -> None:
        """Record ``region`` in ``time_bins`` (ms) on the next :meth:`look_at`; ``layers``
        records those layers instead of the region's (see :meth:`BrainModel.start_recording`)."""
        bins = normalize_time_bins(time_bins)
        if layers is None:
            chosen = list(self.default_layers(str(region)))
        else:
            chosen = [layers] if isinstance(layers, str) else list(layers)
            for layer in chosen:
                self.check_layer(layer)
        self._recording = (str(region), bins, chosen)
        self._task = Task.passive

    def start_task(self, task: Task | str, fitting_stimuli: Any = None) -> None:
        """Perform ``task``; label tasks fit a readout on the fitting stimuli's
        :meth:`task_features` (``label`` column); ``passive`` ends the task."""
        from dynamic_vision.core.task_readout import fit_readout

        task = Task(task)
        self._task = task
        self._readout = None
        if task is Task.passive:
            return
        self._recording = None
        self._readout = fit_readout(task, fitting_stimuli, self.task_features)

    def look_at(self, stimuli: Any, number_of_trials: int = 1) -> xr.DataArray:
        """Recordings ``(presentation, neuroid, time_bin)`` or task outputs for ``stimuli``."""
        from dynamic_vision.core.task_readout import readout_output

        if int(number_of_trials) < 1:
            raise ValueError(f"number_of_trials must be >= 1, got {number_of_trials}.")
        if self._task is not Task.passive:
            result = readout_output(self._readout, self._task, stimuli,
                                    self.task_features(stimuli))
        elif self._recording is None:
            raise RuntimeError(f"Model '{self.identifier}' was asked to look at stimuli before "
                               f"start_recording(region, time_bins) or start_task(task).")
        else:
            result = self.record(stimuli, *self._recording)
        return repeat_trials(result, int(number_of_trials))


def repeat_trials(result: xr.DataArray, trials: int) -> xr.DataArray:
    """Repeat every presentation ``trials`` times (a deterministic model), with ``repetition``."""
    import numpy as np

    n = result.sizes["presentation"]
    if trials == 1:
        return result.assign_coords(repetition=("presentation", np.zeros(n, dtype=int)))
    repeated = result.isel(presentation=np.tile(np.arange(n), trials))
    return repeated.assign_coords(repetition=("presentation", np.repeat(np.arange(trials), n)))
