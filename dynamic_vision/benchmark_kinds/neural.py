"""Electrode benchmarks: recordings in time bins, compared stimulus by stimulus.

Procedure (:meth:`NeuralBenchmark.__call__`)
-------------------------------------------
1. The model starts recording from ``region`` in the benchmark's time bins. A model that offers
   several layers (a ``layers`` attribute) is asked for all of them at once
   (``start_recording(region, time_bins, layers=[...])``), unless it has committed a layer to
   ``region`` (its ``region_layer_map``): that commitment is honoured and nothing is selected.
2. It looks at the stimuli (``number_of_trials`` times; repeated trials are averaged).
3. For every time bin, ``metric(model, recordings)`` gives a raw score on the **held-out**
   stimuli (the metric cross-validates within them), against the repetition-averaged
   recordings. Layered models: the layer with the best mean raw score on the **public** stimuli
   is selected; every layer's held-out score is kept as detail, and the selected layer's is the
   headline, so selection never sees a held-out stimulus.
4. The ceiling of each time bin is computed from the repetition-resolved held-out recordings
   (cached on disk): on all of them, or (``ceiling_on_test_splits``) on each of the metric's
   test splits — given to a registered metric as explicit splits — and averaged. Bins whose
   ceiling is below ``min_ceiling`` carry no reliable signal (e.g. before the response
   latency): they stay in the detail, flagged ``reliable=False``, but not in the headline. A
   bin where the metric is undefined because the model's activations do not vary counts as 0.
5. ``raw`` is the mean over reliable time bins of the raw scores; ``ceiling`` aggregates the
   bins' ceilings the same way on the raw score's scale
   (:func:`~dynamic_vision.core.scores.aggregate_ceilings`: for ``"disattenuated"``, the
   square of the mean ``sqrt(c)``), so that the noise-free truth scores exactly 1; the headline
   is ``raw`` ceiled under ``ceiling_convention`` (default ``"disattenuated"``,
   ``raw / sqrt(ceiling)``). A missing or non-positive ceiling is an error.
6. A BCa bootstrap over neuroids (the same resample in every reliable bin and split) gives the
   headline's 95 % interval, ``detail["raw_ci"]`` and ``detail["ceiled_ci"]`` (the ceiling
   held fixed), when the metric reports per-neuroid values.

Guards (:class:`~dynamic_vision.core.errors.ScoreGuardError`): time bins that end after the
clips (``allow_time_bins_past_stimuli=True`` overrides), cross-validation test splits of fewer
than 10 stimuli (the benchmark's own splits leave at least 10), a missing or non-positive
ceiling.

``Score.detail`` holds ``raw``, ``raw_error``, ``ceiling`` and ``ceiled`` per ``time_bin``
(coords ``time_bin_start``/``time_bin_end`` in ms, ``reliable``) and, for layered models,
``layer_raw`` (layer × time_bin, held-out) and ``layer_public_raw`` (layer) with
``attrs["selected_layer"]``. Unreliable bins are not scored (NaN).
"""

from __future__ import annotations

import inspect
import logging
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.io.assemblies import average_repetitions
from dynamic_vision.core.benchmark import Benchmark, BenchmarkSpec
from dynamic_vision.benchmark_kinds.ceiling_cache import cached_ceiling, fingerprint
from dynamic_vision.benchmark_kinds.data_source import LazyData
from dynamic_vision.benchmark_kinds.recordings import (
    check_model_output,
    check_time_bins_in_stimuli,
    select_stimuli,
    time_bins_of,
)
from dynamic_vision.benchmark_kinds.stimulus_split import (
    HeldOutStimuli,
    PartitionedStimuli,
    StimulusSplit,
)
from dynamic_vision.core.brain_model import normalize_time_bins
from dynamic_vision.core.scores import CEILING_CONVENTIONS, Score, aggregate_ceilings

__all__ = ["NeuralBenchmark", "score_time_bins"]

logger = logging.getLogger(__name__)

Metric = Callable[[xr.DataArray, xr.DataArray], Score]
Ceiling = Callable[[xr.DataArray], Score]


def _resolve_metric(metric: str | Metric, **options: Any) -> Metric:
    if isinstance(metric, str):
        from dynamic_vision.core.registry import metric_registry

        factory = metric_registry.entry(metric).resolve()
        try:
            accepted = inspect.signature(factory).parameters
        except (TypeError, ValueError):
            accepted = {}
        # A benchmark bootstraps its headline itself; the metric's own bootstrap per call
        # would be wasted work.
        if "n_bootstrap" in accepted:
            options.setdefault("n_bootstrap", 0)
        return factory(**options)
    return metric


def _time_bin_coords(time_bins: Sequence[tuple[float, float]]) -> dict[str, Any]:
    bins = np.asarray(time_bins, dtype=np.float64)
    return {"time_bin_start": ("time_bin", bins[:, 0]), "time_bin_end": ("time_bin", bins[:, 1])}


def score_time_bins(metric: Metric, source: xr.DataArray, target: xr.DataArray,
                    bins: Sequence[bool] | np.ndarray | None = None,
                    per_neuroid: list | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Raw score and its error for each time bin, fitting the metric separately per bin.

    Parameters
    ----------
    metric
        ``metric(source, target) -> Score`` on ``(presentation, neuroid)`` assemblies.
    source, target
        ``(presentation, neuroid, time_bin)`` assemblies with equal time bins.
    bins
        Which bins to score (default: all); the others are NaN.
    per_neuroid
        When given, receives each bin's per-neuroid values (the metric's ``detail["raw"]``
        with dims ``(split, neuroid)``; ``None`` for bins without them).

    Returns
    -------
    raw, raw_error
        Arrays with one entry per time bin. A bin in which the model's activations do not vary
        over stimuli (the metric is undefined there) is NaN.
    """
    n_bins = target.sizes["time_bin"]
    wanted = np.ones(n_bins, bool) if bins is None else np.asarray(bins, bool)
    raw, error = np.full(n_bins, np.nan), np.full(n_bins, np.nan)
    collected: list = [None] * n_bins
    values = np.asarray(source.transpose("time_bin", ...).values)
    varies = np.ptp(values.reshape(n_bins, values.shape[1], -1), axis=1).max(axis=1) > 0
    chosen = np.flatnonzero(wanted & varies)  # constant activations predict nothing: undefined
    if chosen.size and callable(getattr(metric, "per_time_bin", None)):
        # A metric that fits every bin on its own can score them all in one call, aligning
        # and splitting once instead of once per bin: the same values, less overhead.
        raw[chosen], error[chosen], per_split = metric.per_time_bin(
            source.isel(time_bin=chosen), target.isel(time_bin=chosen))
        for position, index in enumerate(chosen):
            collected[index] = np.asarray(per_split[..., position], dtype=np.float64)
    else:
        for index in chosen:
            result = metric(source.isel(time_bin=index), target.isel(time_bin=index))
            raw[index], error[index] = float(result.raw), float(result.raw_error)
            detail = getattr(result, "detail", xr.Dataset())
            if "raw" in detail and detail["raw"].dims == ("split", "neuroid"):
                collected[index] = np.asarray(detail["raw"].values, dtype=np.float64)
    if per_neuroid is not None:
        per_neuroid.extend(collected)
    return raw, error


class NeuralBenchmark(HeldOutStimuli, Benchmark):
    """A benchmark on time-binned recordings (electrodes, spikes, MEG sources).

    Parameters
    ----------
    identifier
        ``<Dataset>.<region>-<metric>``.
    assembly
        Repetition-resolved recordings ``(presentation, neuroid, time_bin)`` with coords
        ``stimulus_id``, ``repetition``, ``neuroid_id``, ``region``, ``time_bin_start``,
        ``time_bin_end``: a dataset identifier, a loader callable or the DataArray.
    stimuli
        The StimulusSet shown: a stimulus-set identifier, a loader callable or the object.
    region
        Region to record from; recordings are restricted to neuroids of this region when the
        assembly has a ``region`` coord.
    metric
        A metric identifier (e.g. ``"ridge"``) or a callable ``metric(source, target) -> Score``.
    ceiling
        ``ceiling(repetition_resolved_2d_assembly) -> Score``; ``None`` for the library's
        split-half (Spearman–Brown) consistency.
    time_bins
        ``[(start_ms, end_ms), ...]``; defaults to the assembly's own bins.
    held_out_fraction
        Fraction of stimuli held out for scoring (public/held-out split, stratified by
        ``stratify``). ``None`` scores on every stimulus and selects no layer.
    stratify
        Stimulus-set column whose classes the split keeps balanced (e.g. ``"category"``).
    split_seed
        Seed of the split.
    visual_degrees
        Visual angle the stimuli spanned in the experiment.
    number_of_trials
        How many times the model sees each stimulus.
    select_layers
        Ask layered models for every layer and select one on the public stimuli.
    min_ceiling
        Time bins whose ceiling is below this (e.g. before the response latency) are kept in
        the detail but left out of the headline.
    n_splits, train_size
        Cross-validation splits of the held-out stimuli given to a registered metric (see
        :meth:`evaluation_splits`); ``None`` keeps the metric's own splits.
    ceiling_on_test_splits
        Compute each ceiling on the same test stimuli as the metric's correlations, averaged
        over splits, instead of once on all held-out stimuli. Use it when responses are sparse
        (a unit answers to few stimuli): a ceiling over all stimuli then overstates what a
        correlation over one test split can reach.
    allow_time_bins_past_stimuli
        Score time bins that end after the shortest clip (refused by default: the model was
        not shown that time).
    version, bibtex, ceiling_convention
        See :class:`~dynamic_vision.core.benchmark.Benchmark`. The kind's default convention
        is ``"disattenuated"``: its metrics correlate with trial-averaged recordings and its
        ceiling is the Spearman–Brown reliability of that average.
    """

    def __init__(self, identifier: str | BenchmarkSpec, *, assembly: Any = None,
                 stimuli: Any = None, region: str | None = None,
                 metric: str | Metric | None = None, ceiling: Ceiling | None = None,
                 time_bins: Sequence[tuple[float, float]] | None = None,
                 held_out_fraction: float | None = 0.5, stratify: str | None = None,
                 split_seed: int = 0, visual_degrees: float | None = None,
                 number_of_trials: int = 1, select_layers: bool = True, min_ceiling: float = 0.2,
                 n_splits: int | None = 10, train_size: float = 0.9,
                 ceiling_on_test_splits: bool = False,
                 allow_time_bins_past_stimuli: bool = False, version: int | None = None,
                 bibtex: str | None = None, ceiling_convention: str | None = None):
        from dynamic_vision.core.registry import dataset_registry, stimulus_set_registry

        super().__init__(identifier, version=version, bibtex=bibtex,
                         ceiling_convention=ceiling_convention)
        identifier = self.identifier
        self.region = self.required("region", region)
        metric = metric if callable(metric) else self.required("metric", metric)
        assembly = self.required("dataset", assembly)
        stimuli = self.required("stimulus_set", stimuli)
        self.visual_degrees = float(self.declared("visual_degrees", visual_degrees, 8.0))
        self.number_of_trials = int(number_of_trials)
        self.held_out_fraction = held_out_fraction
        self.stratify = stratify
        self.split_seed = split_seed
        self.select_layers = select_layers
        self.min_ceiling = float(min_ceiling)
        self.n_splits = n_splits
        self.train_size = float(train_size)
        self.ceiling_on_test_splits = bool(ceiling_on_test_splits)
        self.allow_time_bins_past_stimuli = bool(allow_time_bins_past_stimuli)
        if self.ceiling_on_test_splits and not (n_splits and isinstance(metric, str)):
            raise ValueError(f"Benchmark '{identifier}': ceilings on the test splits need a "
                             f"registered metric (an identifier) and n_splits.")
        self._assembly = LazyData(assembly, dataset_registry, "recordings")
        self._partition = PartitionedStimuli(
            LazyData(stimuli, stimulus_set_registry, "stimuli"),
            held_out_fraction=held_out_fraction, stratify=(stratify,) if stratify else (),
            seed=split_seed, owner=identifier)
        self._metric_source = metric
        self._metrics: dict[str, Metric] = {}
        self._ceiling_function = ceiling
        self._requested_time_bins = (normalize_time_bins(time_bins)
                                     if time_bins is not None else None)
        self._ceiling = None

    # -- data, loaded on first use -------------------------------------------------------------
    @property
    def assembly(self) -> xr.DataArray:
        """Repetition-resolved recordings of ``region``, in the benchmark's time bins."""
        assembly = self._assembly.get()
        if "region" in assembly.coords and "neuroid" in assembly["region"].dims:
            mask = assembly["region"].values.astype(str) == self.region
            if not mask.any():
                raise ValueError(f"Benchmark '{self.identifier}': the recordings have no "
                                 f"neuroids in region '{self.region}'.")
            assembly = assembly.isel(neuroid=mask)
        if self._requested_time_bins is not None:
            available = time_bins_of(assembly)
            index = [available.index(b) if b in available else None
                     for b in self._requested_time_bins]
            if None in index:
                raise ValueError(f"Benchmark '{self.identifier}' asks for time bins "
                                 f"{self._requested_time_bins} but the recordings have "
                                 f"{available}.")
            assembly = assembly.isel(time_bin=index)
        return assembly.transpose("presentation", "neuroid", "time_bin")

    @property
    def time_bins(self) -> list[tuple[float, float]]:
        """The ``(start_ms, end_ms)`` bins the model is asked for."""
        if self._requested_time_bins is not None:
            return list(self._requested_time_bins)
        return time_bins_of(self._assembly.get())

    @property
    def stimuli(self) -> Any:
        """Every stimulus of the benchmark (a StimulusSet)."""
        return self._partition.stimuli

    @property
    def metric(self) -> Metric:
        """The metric of the held-out stimuli (see :meth:`metric_for`)."""
        return self.metric_for("held_out")

    def metric_for(self, part: str) -> Metric:
        """The metric for the ``"held_out"`` or ``"public"`` stimuli; a registered metric is
        given that part's :meth:`evaluation_splits`."""
        if part not in self._metrics:
            source = self._metric_source
            options: dict[str, Any] = {}
            if isinstance(source, str) and self.n_splits:
                from dynamic_vision.statistics.splits import ExplicitSplits

                options["splits"] = ExplicitSplits(self.evaluation_splits(part))
            self._metrics[part] = _resolve_metric(source, **options)
        return self._metrics[part]

    def evaluation_splits(self, part: str = "held_out") -> list[tuple[list[str], list[str]]]:
        """The metric's cross-validation splits within ``part`` of the stimuli, as stimulus
        ids (``n_splits`` stratified splits with ``train_size`` for training). For a
        regression metric each test split holds at least 10 stimuli, the training part
        shrinking when needed; a representational metric compares the training parts."""
        return self._partition.evaluation_splits(self.n_splits, self.train_size, part,
                                                 min_test=self._min_test_stimuli())

    def _min_test_stimuli(self) -> int:
        from dynamic_vision.metric_kinds.inputs import MIN_TEST_STIMULI

        source = self._metric_source
        if isinstance(source, str):
            from dynamic_vision.core.registry import metric_registry

            if metric_registry.entry(source).metadata.get("family") == "representational":
                return 1  # the test parts are not scored
        return MIN_TEST_STIMULI

    @property
    def split(self) -> StimulusSplit | None:
        """The public/held-out split, or None when every stimulus is scored."""
        return self._partition.split

    def _ids(self, part: str) -> list[str]:
        return self._partition.ids(part)

    def target(self, part: str = "held_out") -> xr.DataArray:
        """Repetition-averaged recordings of the ``"held_out"`` or ``"public"`` stimuli."""
        return average_repetitions(select_stimuli(self.assembly, self._ids(part)))

    # -- ceiling ---------------------------------------------------------------------------------
    def _ceiling_callable(self) -> Ceiling:
        if self._ceiling_function is not None:
            return self._ceiling_function
        from dynamic_vision.statistics.ceilings import split_half_ceiling

        return split_half_ceiling

    def compute_ceiling(self) -> Score:
        """Per-time-bin ceilings on the held-out recordings; the value is their mean.

        With ``ceiling_on_test_splits`` the ceiling of a bin is the mean, over the metric's
        evaluation splits, of the ceiling of that split's test stimuli: the noise limit of the
        very correlations the metric averages. Cached on disk per benchmark version, data and
        splits.
        """
        held = select_stimuli(self.assembly, self._ids("held_out"))
        ceiling_function = self._ceiling_callable()
        subsets = ([test for _, test in self.evaluation_splits()]
                   if self.ceiling_on_test_splits else [None])

        def one_bin(recordings: xr.DataArray) -> tuple[float, float]:
            results = [ceiling_function(recordings if subset is None
                                        else select_stimuli(recordings, subset))
                       for subset in subsets]
            values = np.array([r.value for r in results])
            errors = np.array([r.error for r in results])
            if len(results) == 1:
                return float(values[0]), float(errors[0])
            # averaged like the metric's correlations over the same splits
            return (aggregate_ceilings(values, self.ceiling_convention),
                    float(values.std() / np.sqrt(len(values))))

        def compute() -> Score:
            per_bin = [one_bin(held.isel(time_bin=index))
                       for index in range(held.sizes["time_bin"])]
            values, errors = (np.asarray(v) for v in zip(*per_bin))
            detail = xr.Dataset(
                {"per_time_bin": ("time_bin", values), "per_time_bin_error": ("time_bin", errors)},
                coords=_time_bin_coords(self.time_bins))
            return Score.from_raw(aggregate_ceilings(values, self.ceiling_convention),
                                  float(np.sqrt(np.mean(np.square(errors)))), detail=detail)

        key = fingerprint(held, repr(subsets))
        return cached_ceiling(self.identifier, self.version, key, compute)

    # -- scoring ---------------------------------------------------------------------------------
    def _candidate_layers(self, candidate: Any) -> list[str] | None:
        if not self.select_layers or self.split is None:
            return None
        layers = getattr(candidate, "layers", None)
        if not layers or isinstance(layers, str):
            return None
        if self.region in (getattr(candidate, "region_layer_map", None) or {}):
            return None  # the model committed a layer to this region: honour it
        return [str(layer) for layer in layers]

    def __call__(self, candidate: Any) -> Score:
        check_time_bins_in_stimuli(self.time_bins, self.stimuli, self.identifier,
                                   allow=self.allow_time_bins_past_stimuli)
        ceiling = self.ceiling  # per time bin, from the repetitions (cached on disk)
        reliable = self.reliable_bins(ceiling)
        source, layers = self._record(candidate)
        per_neuroid: list = []
        if layers is None:
            raw, raw_error = score_time_bins(self.metric, select_stimuli(
                source, self._ids("held_out")), self.target("held_out"), reliable, per_neuroid)
            layer_detail = None
        else:
            raw, raw_error, layer_detail, per_neuroid = self._score_layers(source, layers,
                                                                           reliable)
        return self._assemble(raw, raw_error, ceiling, reliable, layer_detail, per_neuroid)

    def _record(self, candidate: Any) -> tuple[xr.DataArray, list[str] | None]:
        """The model's responses in the benchmark's time bins: to the held-out stimuli, or,
        for a layered model, every layer's to every stimulus (public ones pick the layer)."""
        time_bins = self.time_bins
        layers = self._candidate_layers(candidate)
        if layers is not None and len(layers) > 1:
            candidate.start_recording(self.region, time_bins, layers=layers)
            shown = self.stimuli
        else:
            layers = None
            candidate.start_recording(self.region, time_bins)
            shown = self.held_out_stimuli
        logger.info("%s: %s looks at %d stimuli", self.identifier,
                    getattr(candidate, "identifier", "model"), len(shown))
        source = candidate.look_at(shown, number_of_trials=self.number_of_trials)
        return check_model_output(source, candidate, time_bins,
                                  shown["stimulus_id"].astype(str).tolist()), layers

    def _score_layers(self, source: xr.DataArray, layers: list[str], reliable: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, xr.Dataset, list]:
        if "layer" not in source.coords:
            raise ValueError(f"Benchmark '{self.identifier}' asked for layers {layers} but the "
                             f"model's activations carry no 'layer' coord on neuroids.")
        held_target = self.target("held_out")
        public_target = self.target("public")
        public_source = select_stimuli(source, self._ids("public"))
        held_source = select_stimuli(source, self._ids("held_out"))
        layer_of = source["layer"].values.astype(str)
        public_raw, held_raw, held_error, held_neuroids = [], [], [], []
        for layer in layers:
            mask = layer_of == layer
            if not mask.any():
                raise ValueError(f"The model returned no neuroids for requested layer '{layer}'.")
            public, _ = score_time_bins(self.metric_for("public"),
                                        public_source.isel(neuroid=mask), public_target, reliable)
            neuroids: list = []
            held, error = score_time_bins(self.metric, held_source.isel(neuroid=mask),
                                          held_target, reliable, neuroids)
            public_raw.append(float(np.mean(np.nan_to_num(public[reliable]))))
            held_raw.append(held)
            held_error.append(error)
            held_neuroids.append(neuroids)
        best = int(np.nanargmax(public_raw))
        detail = xr.Dataset(
            {"layer_raw": (("layer", "time_bin"), np.asarray(held_raw)),
             "layer_public_raw": ("layer", np.asarray(public_raw))},
            coords={"layer": layers, **_time_bin_coords(self.time_bins)},
            attrs={"selected_layer": layers[best]})
        return held_raw[best], held_error[best], detail, held_neuroids[best]

    def _with_interval(self, detail: xr.Dataset, per_neuroid: Sequence[np.ndarray | None],
                       reliable: np.ndarray, ceiling: float) -> xr.Dataset:
        """``raw_ci`` and ``ceiled_ci``: the BCa interval over neuroids of the headline."""
        from dynamic_vision.metric_kinds.regression import neuroid_bootstrap

        chosen = [per_neuroid[i] if i < len(per_neuroid) else None
                  for i in np.flatnonzero(reliable)]
        if not chosen or any(c is None for c in chosen) or len({c.shape for c in chosen}) != 1:
            return detail
        low, high = neuroid_bootstrap(np.stack(chosen, axis=-1), n_resamples=1000)
        convention = CEILING_CONVENTIONS[self.ceiling_convention]
        bounds = {"bound": ["low", "high"]}
        ceiled = [np.nan, np.nan]
        if np.isfinite(low) and np.isfinite(high) and ceiling > 0:
            # the ceiling held fixed; explained variance is not monotonic through 0
            points = [low, high] + ([0.0] if low < 0 < high else [])
            mapped = [convention.value(v, ceiling) for v in points]
            ceiled = [min(mapped), max(mapped)]
        return detail.assign(raw_ci=xr.DataArray([low, high], dims="bound", coords=bounds),
                             ceiled_ci=xr.DataArray(ceiled, dims="bound", coords=bounds))

    def reliable_bins(self, ceiling: Score | None = None) -> np.ndarray:
        """Time bins whose ceiling reaches ``min_ceiling`` (the others are not scored)."""
        ceiling = self.ceiling if ceiling is None else ceiling
        if "per_time_bin" not in ceiling.detail:
            return np.full(len(self.time_bins), ceiling.value >= self.min_ceiling)
        reliable = ceiling.detail["per_time_bin"].values >= self.min_ceiling
        if not reliable.any():
            raise ValueError(f"Benchmark '{self.identifier}': no time bin has a ceiling of at "
                             f"least {self.min_ceiling}; the recordings are too noisy to score.")
        return reliable

    def _assemble(self, raw: np.ndarray, raw_error: np.ndarray, ceiling: Score,
                  reliable: np.ndarray, layer_detail: xr.Dataset | None,
                  per_neuroid: Sequence[np.ndarray | None] = ()) -> Score:
        """Raw scores of the reliable bins, averaged and ceiled (see the module docstring)."""
        ceiling_per_bin = (ceiling.detail["per_time_bin"].values
                           if "per_time_bin" in ceiling.detail else
                           np.full(len(raw), ceiling.value))
        undefined = np.isnan(raw) & reliable
        if undefined.any():
            # A model whose activations do not vary in a bin predicts nothing there: score 0.
            warnings.warn(f"Benchmark '{self.identifier}': the metric is undefined in "
                          f"{int(undefined.sum())} time bins (the model's activations do not vary "
                          f"over stimuli there); they count as 0.", RuntimeWarning, stacklevel=3)
        raw = np.where(np.isnan(raw) & reliable, 0.0, raw)
        convention = CEILING_CONVENTIONS[self.ceiling_convention]
        with np.errstate(invalid="ignore", divide="ignore"):
            ceiled = np.array([convention.value(r, c) if usable and c > 0 else np.nan
                               for r, c, usable in zip(raw, ceiling_per_bin, reliable)])
        detail = xr.Dataset(
            {"raw": ("time_bin", raw), "raw_error": ("time_bin", raw_error),
             "ceiling": ("time_bin", ceiling_per_bin), "ceiled": ("time_bin", ceiled)},
            coords={**_time_bin_coords(self.time_bins), "reliable": ("time_bin", reliable)})
        if layer_detail is not None:
            detail = detail.merge(layer_detail, compat="override", join="outer")
            detail.attrs.update(layer_detail.attrs)
        n_bins = int(reliable.sum())
        mean_error = float(np.sqrt(np.nansum(np.square(raw_error[reliable]))) / n_bins)
        headline_ceiling = aggregate_ceilings(ceiling_per_bin[reliable], self.ceiling_convention)
        detail = self._with_interval(detail, per_neuroid, reliable, headline_ceiling)
        result = Score.from_raw(float(np.mean(raw[reliable])), mean_error, detail=detail)
        result = result.with_provenance(benchmark=self.identifier).ceiled(
            headline_ceiling, self.ceiling_convention)
        return result.with_provenance(region=self.region, n_time_bins=n_bins,
                                      n_held_out_stimuli=len(self._ids("held_out")),
                                      **({"selected_layer": layer_detail.attrs["selected_layer"]}
                                         if layer_detail is not None else {}))
