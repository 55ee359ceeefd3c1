"""Behavioural benchmarks: the model performs the subjects' task; its choices are compared.

Procedure (:meth:`BehaviorBenchmark.__call__`)
----------------------------------------------
1. The model starts the task (``Task.probabilities`` by default) with the **public** stimuli
   and their labels as fitting stimuli: it learns the response mapping there, like subjects in
   a training block.
2. It looks at the **held-out** stimuli and answers with choice probabilities
   ``(presentation, choice)``.
3. The metric compares the model's behaviour with the subjects' trials on the same stimuli
   (e.g. ``i2n``: image-level normalised d' consistency; ``o2``: object-level). The ceiling is
   the subjects' own split-half consistency (halves of trials or subjects), cached on disk;
   the score is ``raw`` ceiled under the convention. The kind's default is
   ``"disattenuated"`` (``raw / sqrt(ceiling)``): the metric correlates the model with the
   signature of *all* trials, whose Spearman–Brown split-half reliability ``c`` is the ceiling,
   and a noise-free model reaches ``sqrt(c)``. Brain-Score's behavioural convention
   (``r`` with one trial half, ceiled per split by ``r(half 1, half 2)``) is
   ``"disattenuated_per_split"`` with the ``brainscore.i2n`` metric and its ``ceiling``.
   A missing or non-positive ceiling is an error
   (:class:`~dynamic_vision.core.errors.ScoreGuardError`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.core.benchmark import Benchmark, BenchmarkSpec
from dynamic_vision.benchmark_kinds.ceiling_cache import cached_ceiling, fingerprint
from dynamic_vision.benchmark_kinds.data_source import LazyData
from dynamic_vision.benchmark_kinds.recordings import select_stimuli
from dynamic_vision.benchmark_kinds.stimulus_split import (
    HeldOutStimuli,
    PartitionedStimuli,
    StimulusSplit,
)
from dynamic_vision.core.brain_model import Task
from dynamic_vision.core.scores import Score

__all__ = ["BehaviorBenchmark"]

Metric = Callable[[xr.DataArray, xr.DataArray], Score]


class BehaviorBenchmark(HeldOutStimuli, Benchmark):
    """A benchmark on behavioural choices.

    Parameters
    ----------
    identifier
        ``<Dataset>.<task>-<metric>``, e.g. ``"Rajalingham2018.objects-i2n"``.
    assembly
        Subjects' trials, ``(presentation,)`` with coords ``stimulus_id``, ``choice``,
        ``label``, ``subject`` (identifier, loader callable or DataArray).
    stimuli
        StimulusSet with a ``label`` column.
    metric
        Metric identifier (``"i2n"``, ``"o2"``) or ``metric(model_probabilities, trials)``.
    ceiling
        ``ceiling(trials) -> Score``; ``None`` for no ceiling (1.0).
    task
        The task the model performs (default: choice probabilities).
    held_out_fraction, split_seed
        Public (fitting) / held-out (tested) split, stratified by label.
    """

    def __init__(self, identifier: str | BenchmarkSpec, *, assembly: Any = None,
                 stimuli: Any = None, metric: str | Metric | None = None,
                 ceiling: Callable[[xr.DataArray], Score] | None = None,
                 task: Task | str = Task.probabilities, held_out_fraction: float = 0.5,
                 split_seed: int = 0, visual_degrees: float | None = None,
                 version: int | None = None, bibtex: str | None = None,
                 ceiling_convention: str | None = None):
        from dynamic_vision.core.registry import dataset_registry, stimulus_set_registry

        super().__init__(identifier, version=version, bibtex=bibtex,
                         ceiling_convention=ceiling_convention)
        identifier = self.identifier
        metric = metric if callable(metric) else self.required("metric", metric)
        assembly = self.required("dataset", assembly)
        stimuli = self.required("stimulus_set", stimuli)
        self.task = Task(task)
        self.held_out_fraction = held_out_fraction
        self.split_seed = split_seed
        self.visual_degrees = float(self.declared("visual_degrees", visual_degrees, 8.0))
        self._assembly = LazyData(assembly, dataset_registry, "behavioural trials")
        self._partition = PartitionedStimuli(
            LazyData(stimuli, stimulus_set_registry, "stimuli"),
            held_out_fraction=held_out_fraction, stratify=("label",), seed=split_seed,
            owner=identifier)
        self._metric_source = metric
        self._metric: Metric | None = None
        self._ceiling_function = ceiling
        self._ceiling = None

    @property
    def stimuli(self) -> Any:
        stimuli = self._partition.stimuli
        if "label" not in stimuli.columns:
            raise ValueError(f"Benchmark '{self.identifier}' needs a 'label' column in its "
                             f"stimulus set.")
        return stimuli

    @property
    def assembly(self) -> xr.DataArray:
        return self._assembly.get()

    @property
    def metric(self) -> Metric:
        if self._metric is None:
            source = self._metric_source
            if isinstance(source, str):
                from dynamic_vision.core.registry import metric_registry

                source = metric_registry.load(source)
            self._metric = source
        return self._metric

    @property
    def split(self) -> StimulusSplit:
        """Public (fitting) and held-out (tested) stimuli, stratified by label."""
        self.stimuli  # noqa: B018  (raises when the label column is missing)
        return self._partition.split

    def trials(self) -> xr.DataArray:
        """The subjects' trials on the held-out stimuli."""
        return select_stimuli(self.assembly, self.split.held_out)

    def compute_ceiling(self) -> Score:
        if self._ceiling_function is None:
            return Score.from_raw(1.0)
        trials = self.trials()
        return cached_ceiling(self.identifier, self.version, fingerprint(trials),
                              lambda: self._ceiling_function(trials))

    def __call__(self, candidate: Any) -> Score:
        candidate.start_task(self.task, fitting_stimuli=self.public_stimuli)
        shown = self.held_out_stimuli
        behaviour = candidate.look_at(shown)
        who = getattr(candidate, "identifier", type(candidate).__name__)
        if not isinstance(behaviour, xr.DataArray) or "presentation" not in behaviour.dims:
            raise TypeError(f"Model '{who}' answered the '{self.task.value}' task with "
                            f"{type(behaviour).__name__}; expected a DataArray over "
                            f"'presentation'.")
        if np.issubdtype(behaviour.dtype, np.number) and not np.all(np.isfinite(behaviour)):
            raise ValueError(f"Model '{who}' returned non-finite choice probabilities.")
        if "label" not in behaviour.coords:
            # Behavioural metrics read the true label of each image beside the model's answer.
            labels = shown.set_index(shown["stimulus_id"].astype(str))["label"]
            behaviour = behaviour.assign_coords(label=("presentation", labels.loc[
                behaviour["stimulus_id"].values.astype(str)].to_numpy()))
        raw = self.metric(behaviour, self.trials())
        ceiling = self.ceiling
        result = raw.with_provenance(benchmark=self.identifier).ceiled(ceiling,
                                                                       self.ceiling_convention)
        return result.with_provenance(task=self.task.value,
                                      n_held_out_stimuli=len(self.split.held_out),
                                      n_fitting_stimuli=len(self.split.public))
