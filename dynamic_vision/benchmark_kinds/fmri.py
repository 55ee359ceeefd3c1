"""fMRI benchmarks: continuous movies, a haemodynamic response, voxel time series.

Procedure (:meth:`FMRIBenchmark.__call__`)
-----------------------------------------
1. Recordings are runs of ``(time, neuroid)`` voxel time series with a ``stimulus_id`` coord
   naming the movie shown in each run; runs of the same movie are repetitions. Voxels outside
   the benchmark's ROI (``region`` coord) are dropped.
2. For every movie the model records from ``region`` in bins of ``feature_bin_ms`` covering the
   movie, and looks at it once. A run may last longer than its movie (the haemodynamic tail);
   the model is never asked about time after the movie ends: its features there are the
   movie's mean (0 after z-scoring), i.e. no stimulus-driven change.
3. Features become TR-resolved regressors: either convolved with the canonical double-gamma
   HRF at the feature resolution and then averaged into TRs (``response="hrf"``), or averaged
   into TRs and stacked at ``fir_delays`` TR lags (``response="fir"``).
4. Voxel responses are averaged over repetitions and the movies concatenated. Cross-validation
   holds out contiguous chunks of TRs; training TRs closer than ``gap_s`` (at least the HRF's
   length) to a test TR are dropped, so the haemodynamic tail cannot leak the test chunk into
   training. Ridge regression with a per-voxel penalty is fit on the training TRs and its
   predictions correlated with the test TRs (Pearson r per voxel, averaged over folds).
5. Every voxel's ceiling is its split-half reliability across repetitions (odd vs. even
   repetitions by default, or ``ceiling_halves``; Spearman–Brown corrected): the reliability
   of the repetition average the voxel's r is computed against. Cached on disk. Voxels whose
   ceiling reaches ``reliability_threshold`` are *reliable*; ``raw`` is the median r over
   reliable voxels, ``ceiling`` their median ceiling (the same aggregation, and the median
   commutes with the square root), and the headline is ``raw`` ceiled under the convention
   (default ``"disattenuated"``: ``raw / sqrt(ceiling)``, under which a noise-free model
   scores 1). A BCa bootstrap over reliable voxels gives ``detail["raw_ci"]``.

Guards (:class:`~dynamic_vision.core.errors.ScoreGuardError`): a test chunk of fewer than 10
TRs, no reliable voxel (a missing ceiling).

``Score.detail`` holds ``raw`` and ``ceiling`` per neuroid (with a boolean ``reliable`` coord) and
``raw_per_split`` (split × neuroid).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.core.benchmark import Benchmark, BenchmarkSpec
from dynamic_vision.benchmark_kinds.ceiling_cache import cached_ceiling, fingerprint
from dynamic_vision.benchmark_kinds.data_source import LazyData
from dynamic_vision.benchmark_kinds.recordings import check_model_output
from dynamic_vision.statistics.correlation import pearson_columns
from dynamic_vision.core.scores import Score

__all__ = ["FMRIBenchmark"]

logger = logging.getLogger(__name__)

RESPONSE_MODELS = ("hrf", "fir")


class FMRIBenchmark(Benchmark):
    """A benchmark on continuous fMRI recorded while subjects watched movies.

    Parameters
    ----------
    identifier
        ``<Dataset>.<ROI>-<metric>``.
    assembly
        ``(time, neuroid)`` recordings with time coords ``time_s`` (TR onset from run onset),
        ``run``, ``stimulus_id`` (movie of the run) and neuroid coords ``neuroid_id``,
        ``region``; attr ``tr_s``. A dataset identifier, a loader callable or the DataArray.
    stimuli
        The movies (StimulusSet with one row per ``stimulus_id``).
    region
        ROI: the voxels whose ``region`` equals it (all voxels when the coord is missing).
    response
        ``"hrf"`` (canonical double-gamma convolution) or ``"fir"`` (delayed copies).
    fir_delays
        TR lags stacked for ``response="fir"``.
    feature_bin_ms
        Resolution at which the model is recorded before the HRF and TR binning.
    n_splits
        Contiguous chunks of the concatenated TRs, each held out once.
    gap_s
        Training TRs within this many seconds of a test TR are dropped. ``None``: the HRF
        length (32 s).
    alphas
        Ridge penalties searched per voxel (inner leave-one-out).
    reliability_threshold
        Minimal split-half ceiling for a voxel to count.
    ceiling_halves
        The repetitions (0-based, per movie) of each half of the voxel ceiling; default odd
        vs. even (``(0, 2, 4, ...)``, ``(1, 3, 5, ...)``).
    """

    def __init__(self, identifier: str | BenchmarkSpec, *, assembly: Any = None,
                 stimuli: Any = None, region: str | None = None, response: str = "hrf", fir_delays: Sequence[int] = (1, 2, 3, 4, 5, 6),
                 feature_bin_ms: float | None = None, n_splits: int = 5,
                 gap_s: float | None = None, alphas: Sequence[float] | None = None,
                 reliability_threshold: float = 0.2, visual_degrees: float | None = None,
                 ceiling_halves: tuple[Sequence[int], Sequence[int]] | None = None,
                 version: int | None = None, bibtex: str | None = None,
                 ceiling_convention: str | None = None):
        from dynamic_vision.core.registry import dataset_registry, stimulus_set_registry

        super().__init__(identifier, version=version, bibtex=bibtex,
                         ceiling_convention=ceiling_convention)
        if response not in RESPONSE_MODELS:
            raise ValueError(f"Unknown response model {response!r} for '{self.identifier}'; "
                             f"use one of {RESPONSE_MODELS}.")
        self.region = self.required("region", region)
        assembly = self.required("dataset", assembly)
        stimuli = self.required("stimulus_set", stimuli)
        self.response = response
        self.fir_delays = tuple(int(d) for d in fir_delays)
        self.feature_bin_ms = feature_bin_ms
        self.n_splits = int(n_splits)
        self.gap_s = gap_s
        self.alphas = None if alphas is None else tuple(float(a) for a in alphas)
        self.reliability_threshold = float(reliability_threshold)
        self.ceiling_halves = (None if ceiling_halves is None else
                               tuple(tuple(int(r) for r in half) for half in ceiling_halves))
        self.visual_degrees = float(self.declared("visual_degrees", visual_degrees, 20.0))
        self._assembly = LazyData(assembly, dataset_registry, "fMRI recordings")
        self._stimuli = LazyData(stimuli, stimulus_set_registry, "movies")
        self._ceiling = None

    # -- data ------------------------------------------------------------------------------------
    @property
    def assembly(self) -> xr.DataArray:
        """The ROI's voxels, ``(time, neuroid)``, repetition-resolved."""
        assembly = self._assembly.get()
        for coord in ("time_s", "run", "stimulus_id"):
            if coord not in assembly.coords:
                raise ValueError(f"Benchmark '{self.identifier}': fMRI recordings need a "
                                 f"'{coord}' coord along 'time'.")
        if "region" in assembly.coords:
            mask = assembly["region"].values.astype(str) == self.region
            if not mask.any():
                raise ValueError(f"Benchmark '{self.identifier}': no voxels in region "
                                 f"'{self.region}'.")
            assembly = assembly.isel(neuroid=mask)
        return assembly.transpose("time", "neuroid")

    @property
    def tr_s(self) -> float:
        return float(self.assembly.attrs["tr_s"])

    @property
    def stimuli(self) -> Any:
        return self._stimuli.get()

    @property
    def movies(self) -> list[str]:
        """Movie ids in order of first appearance."""
        ids = self.assembly["stimulus_id"].values.astype(str)
        _, first = np.unique(ids, return_index=True)
        return [ids[i] for i in np.sort(first)]

    def _repetitions(self, movie: str) -> np.ndarray:
        """``(repetition, tr, neuroid)`` responses of the runs that showed ``movie``."""
        assembly = self.assembly
        is_movie = assembly["stimulus_id"].values.astype(str) == movie
        runs = assembly["run"].values[is_movie]
        order = list(dict.fromkeys(runs.tolist()))
        per_run = [assembly.values[is_movie][runs == run] for run in order]
        lengths = {len(r) for r in per_run}
        if len(lengths) != 1:
            raise ValueError(f"Benchmark '{self.identifier}': runs of movie '{movie}' have "
                             f"different numbers of TRs {sorted(lengths)}.")
        return np.stack(per_run).astype(np.float64)

    def target(self) -> np.ndarray:
        """Repetition-averaged responses of every movie, concatenated: ``(tr, neuroid)``."""
        return np.concatenate([self._repetitions(m).mean(axis=0) for m in self.movies])

    # -- splits ----------------------------------------------------------------------------------
    @property
    def gap_trs(self) -> int:
        """The train/test gap in TRs (at least the HRF length)."""
        from dynamic_vision.benchmark_kinds import hrf

        if self.gap_s is None:
            return hrf.hrf_length_trs(self.tr_s)
        return int(np.ceil(self.gap_s / self.tr_s))

    def splits(self, n_trs: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Train and test TR indices of each fold: contiguous test chunks, gapped training."""
        from dynamic_vision.statistics import splits

        return splits.contiguous_chunk_splits(n_trs, n_splits=self.n_splits, gap=self.gap_trs)

    # -- ceiling ---------------------------------------------------------------------------------
    def compute_ceiling(self) -> Score:
        """Per-voxel split-half reliability (odd/even repetitions, Spearman–Brown); the value
        is the median over reliable voxels."""
        repetitions = [self._repetitions(movie) for movie in self.movies]

        def compute() -> Score:
            n_reps = min(len(r) for r in repetitions)
            if n_reps < 2:
                raise ValueError(f"Benchmark '{self.identifier}': voxel ceilings need at least "
                                 f"two repetitions of every movie.")
            first, second = self.ceiling_halves or (tuple(range(0, n_reps, 2)),
                                                    tuple(range(1, n_reps, 2)))
            if not first or not second or set(first) & set(second) or \
                    max(*first, *second) >= n_reps:
                raise ValueError(f"Benchmark '{self.identifier}': ceiling_halves must be two "
                                 f"disjoint, non-empty sets of repetitions below {n_reps}.")
            odd = np.concatenate([r[list(first)].mean(axis=0) for r in repetitions])
            even = np.concatenate([r[list(second)].mean(axis=0) for r in repetitions])
            r = pearson_columns(odd, even)
            ceiling = 2 * r / (1 + r)
            reliable = ceiling >= self.reliability_threshold
            detail = xr.Dataset({"per_neuroid": ("neuroid", ceiling)},
                                coords=self._neuroid_coords())
            value = float(np.median(ceiling[reliable])) if reliable.any() else float("nan")
            return Score.from_raw(value, detail=detail)

        return cached_ceiling(self.identifier, self.version,
                              fingerprint(self.assembly, repr(self.ceiling_halves)), compute)

    def _neuroid_coords(self) -> dict[str, Any]:
        assembly = self.assembly
        return {name: ("neuroid", assembly[name].values) for name in assembly.coords
                if assembly[name].dims == ("neuroid",)}

    # -- features --------------------------------------------------------------------------------
    def _feature_bin_ms(self) -> float:
        return float(self.feature_bin_ms) if self.feature_bin_ms else 1000.0 * self.tr_s / 2

    def regressors(self, candidate: Any) -> np.ndarray:
        """The model's TR-resolved regressors for every movie, concatenated: ``(tr, feature)``."""
        from dynamic_vision.benchmark_kinds import hrf

        stimuli = self.stimuli
        blocks = []
        bin_s = self._feature_bin_ms() / 1000.0
        for movie in self.movies:
            n_trs = self._repetitions(movie).shape[1]
            n_bins = int(np.ceil(n_trs * self.tr_s / bin_s))
            shown = stimuli.subset([movie])
            n_shown = min(n_bins, self._bins_within(shown, bin_s))
            time_bins = [(i * bin_s * 1000.0, (i + 1) * bin_s * 1000.0) for i in range(n_shown)]
            candidate.start_recording(self.region, time_bins)
            source = check_model_output(candidate.look_at(shown), candidate, time_bins, [movie])
            features = source.values[0].T.astype(np.float64)  # (time bin, feature)
            features = (features - features.mean(axis=0)) / (features.std(axis=0) + 1e-8)
            if n_shown < n_bins:  # after the movie: no stimulus-driven change (the mean)
                features = np.concatenate([features, np.zeros((n_bins - n_shown,
                                                               features.shape[1]))])
            times_s = np.arange(n_bins) * bin_s
            if self.response == "hrf":
                convolved = hrf.convolve_hrf(features, dt_s=bin_s)
                blocks.append(hrf.bin_to_trs(convolved, times_s, self.tr_s, n_trs=n_trs))
            else:
                binned = hrf.bin_to_trs(features, times_s, self.tr_s, n_trs=n_trs)
                blocks.append(hrf.fir_delays(binned, self.fir_delays))
        return np.concatenate(blocks)

    @staticmethod
    def _bins_within(movie: Any, bin_s: float) -> int:
        """How many feature bins end by the movie's end (one frame of tolerance)."""
        if "duration_ms" not in movie.columns:
            return np.iinfo(np.int64).max
        duration_s = float(movie["duration_ms"].iloc[0]) / 1000.0
        fps = float(movie["fps"].iloc[0]) if "fps" in movie.columns else float("nan")
        tolerance = 1.0 / fps if np.isfinite(fps) and fps > 0 else 1e-3
        if not np.isfinite(duration_s):
            return np.iinfo(np.int64).max
        return max(1, int(np.floor((duration_s + tolerance) / bin_s)))

    # -- scoring ---------------------------------------------------------------------------------
    def __call__(self, candidate: Any) -> Score:
        from dynamic_vision.metric_kinds.inputs import MIN_TEST_STIMULI, check_test_sizes

        X = self.regressors(candidate)
        Y = self.target()
        folds = self.splits(len(Y))
        check_test_sizes(folds, MIN_TEST_STIMULI, f"Benchmark '{self.identifier}'",
                         what="test chunk", unit="TRs", override=None)
        per_split = np.stack([self._fit_predict_correlate(X, Y, train, test)
                              for train, test in folds])
        per_neuroid = np.nanmean(per_split, axis=0)
        ceiling = self.ceiling
        ceiling_per_neuroid = ceiling.detail["per_neuroid"].values
        reliable = ceiling_per_neuroid >= self.reliability_threshold
        if not reliable.any():
            raise ValueError(f"Benchmark '{self.identifier}': no voxel reaches the reliability "
                             f"threshold {self.reliability_threshold}.")
        coords = {**self._neuroid_coords(), "reliable": ("neuroid", reliable)}
        detail = xr.Dataset(
            {"raw": ("neuroid", per_neuroid), "ceiling": ("neuroid", ceiling_per_neuroid),
             "raw_per_split": (("split", "neuroid"), per_split)},
            coords=coords)
        split_medians = np.nanmedian(per_split[:, reliable], axis=1)
        raw_error = float(np.std(split_medians) / np.sqrt(len(split_medians)))
        raw = float(np.nanmedian(per_neuroid[reliable]))
        if reliable.sum() >= 3:
            from dynamic_vision.statistics.inference import bootstrap_interval

            values = per_neuroid[reliable]
            interval = bootstrap_interval(
                (values,), lambda v, axis=-1: np.nanmedian(v, axis=axis), seed=0)
            detail["raw_ci"] = xr.DataArray([interval.low, interval.high], dims="bound",
                                            coords={"bound": ["low", "high"]})
        result = Score.from_raw(raw, raw_error, detail=detail)
        result = result.with_provenance(benchmark=self.identifier).ceiled(
            float(np.median(ceiling_per_neuroid[reliable])), self.ceiling_convention)
        return result.with_provenance(region=self.region, response=self.response,
                                      n_reliable_voxels=int(reliable.sum()),
                                      gap_trs=self.gap_trs, n_splits=len(folds))

    def _fit_predict_correlate(self, X: np.ndarray, Y: np.ndarray, train: np.ndarray,
                               test: np.ndarray) -> np.ndarray:
        from dynamic_vision.statistics.linear_models import RidgeCVRegression

        kwargs = {} if self.alphas is None else {"alphas": self.alphas}
        mapping = RidgeCVRegression(**kwargs).fit(X[train], Y[train])
        prediction = np.asarray(mapping.predict(X[test]), dtype=np.float64)
        return pearson_columns(prediction, Y[test])

