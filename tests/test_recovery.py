"""Recovery: the noise-free generating responses score 1 under the default convention, and the
generating model ranks first.

Each test simulates data whose generating model is known, at seeds and sizes no other test
uses, and scores the generator's own noise-free responses through the benchmark kinds with
their default ``"disattenuated"`` convention (``raw / sqrt(ceiling)``). The truth must land in
[0.95, 1.05]; under the old ``"ratio"`` convention it scored ``1 / sqrt(ceiling)`` (1.1-1.6).

- electrodes: SimMotion's own generator (its V1 and MT populations, 64 px clips, seed 77) in
  the SimMotion benchmarks' design (3/4 of the clips held out, ridge per 50 ms bin, ceilings on
  the test splits);
- fMRI: voxels planted with the benchmark's own forward model (HRF, TR binning), 4 runs;
- behaviour: human trials drawn from a planted hit-rate matrix, and a model whose choice
  probabilities give exactly those hit rates (I2n).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from dynamic_vision.io.stimuli import StimulusSet
from dynamic_vision.testing.benchmark_checks import TableModel

pytestmark = pytest.mark.slow

LOW, HIGH = 0.95, 1.05


# -- electrodes: SimMotion's generator --------------------------------------------------------


@pytest.fixture(scope="module")
def simulated():
    """Noise-free rates and noisy trials of SimMotion's V1 and MT at a seed and size of their
    own (64 px clips, 208 clips, 24 V1 and 16 MT units, 20 repetitions).

    Ridge maps the generator's responses to each unit from 140 training clips; with
    fewer clips per feature its estimation loss shows (40 V1 units, 160 clips, 8 repetitions:
    0.93, although the generator correlated directly with each unit's trial mean, without a
    mapping, scores 1.00 ± 0.02 per time bin there too)."""
    from dynamic_vision.core.registry import stimulus_set_registry  # noqa: F401  (plugins)
    from dynamic_vision.data.simmotion.parameters import SimMotionParameters
    from dynamic_vision.data.simmotion.responses import (
        bin_rates,
        mt_rates,
        sample_trials,
        v1_rates,
    )
    from dynamic_vision.data.simmotion.stimuli import conditions, render
    from dynamic_vision.io.assemblies import neural_assembly
    from dynamic_vision.modeling.motion_energy import MotionEnergyBank, to_contrast

    params = SimMotionParameters(seed=77, size=64, bank=MotionEnergyBank(size=64),
                                 dot_clips_per_condition=4, n_v1=24, n_mt=16, repetitions=20)
    table = conditions(params)
    steps = [params.bank.response_steps(params.bank.energies(to_contrast(render(params, row))))
             for _, row in table.iterrows()]
    energies = np.stack([values for values, _, _ in steps])
    _, starts, ends = steps[0]
    clean = {"V1": bin_rates(v1_rates(energies, params), starts, ends, params),
             "MT": bin_rates(mt_rates(energies, params), starts, ends, params,
                             delay_ms=params.mt_extra_latency_ms)}
    ids = table["stimulus_id"].to_numpy()
    bins = np.asarray(params.time_bins)
    recordings = {}
    for index, (region, rates) in enumerate(clean.items()):
        trials = sample_trials(rates, params, np.random.default_rng([params.seed, 40 + index]))
        n_stimuli, n_reps, n_units, n_bins = trials.shape
        recordings[region] = neural_assembly(
            trials.reshape(n_stimuli * n_reps, n_units, n_bins),
            stimulus_id=np.repeat(ids, n_reps), repetition=np.tile(np.arange(n_reps), n_stimuli),
            neuroid_id=[f"{region}_{k}" for k in range(n_units)], region=region,
            time_bin_start=bins[:, 0], time_bin_end=bins[:, 1])
    stimuli = StimulusSet(pd.DataFrame({
        "stimulus_id": ids, "category": table["category"].to_numpy(), "n_frames": params.n_frames,
        "fps": params.fps, "duration_ms": 1000.0 * params.n_frames / params.fps}),
        identifier="recovery-simmotion")
    return stimuli, recordings, clean


def _responses(rates: np.ndarray, ids: np.ndarray):
    """A model layer: the given rates (stimulus × unit × 50 ms bin) as 50 ms steps."""
    row_of = {sid: k for k, sid in enumerate(ids)}
    return lambda row: rates[row_of[row["stimulus_id"]]].T  # (steps, units)


def _simmotion_benchmark(region, metric, ceiling, stimuli, recordings, on_test_splits):
    from dynamic_vision.benchmark_kinds import NeuralBenchmark
    from dynamic_vision.benchmarks.simmotion.benchmark import HELD_OUT_FRACTION

    return NeuralBenchmark(
        f"Recovery.{region}-{metric}", assembly=recordings[region], stimuli=stimuli,
        region=region, metric=metric, ceiling=ceiling, stratify="category",
        held_out_fraction=HELD_OUT_FRACTION, split_seed=0, n_splits=10, train_size=0.9,
        ceiling_on_test_splits=on_test_splits, bibtex="@misc{recovery}")


@pytest.fixture(scope="module")
def electrode_scores(simulated):
    from dynamic_vision.statistics.ceilings import rsa_ceiling, split_half_ceiling

    stimuli, recordings, clean = simulated
    ids = stimuli["stimulus_id"].to_numpy()
    shuffled = clean["V1"][np.random.default_rng(5).permutation(len(ids))]
    models = {"V1 generator": TableModel("v1", {"rates": _responses(clean["V1"], ids)}),
              "MT generator": TableModel("mt", {"rates": _responses(clean["MT"], ids)}),
              "shuffled V1": TableModel("shuffled", {"rates": _responses(shuffled, ids)})}
    designs = {"V1-ridge": ("V1", "ridge", split_half_ceiling, True),
               "MT-ridge": ("MT", "ridge", split_half_ceiling, True),
               "MT-rdm": ("MT", "rsa", rsa_ceiling, False)}
    scores = {}
    for name, (region, metric, ceiling, on_test) in designs.items():
        benchmark = _simmotion_benchmark(region, metric, ceiling, stimuli, recordings, on_test)
        scores[name] = {model: benchmark(candidate) for model, candidate in models.items()}
    return scores


@pytest.mark.parametrize("benchmark, generator", [("V1-ridge", "V1 generator"),
                                                  ("MT-ridge", "MT generator")])
def test_noise_free_simmotion_responses_score_one(electrode_scores, benchmark, generator):
    truth = electrode_scores[benchmark][generator]
    assert truth.convention == "disattenuated"
    assert LOW <= truth.value <= HIGH, truth
    assert truth.raw / truth.ceiling > truth.value  # the old ratio convention: 1 / sqrt(c)
    assert truth.flags == ()


@pytest.mark.parametrize("benchmark, generator", [("V1-ridge", "V1 generator"),
                                                  ("MT-ridge", "MT generator"),
                                                  ("MT-rdm", "MT generator")])
def test_the_generating_population_ranks_first(electrode_scores, benchmark, generator):
    values = {model: score.value for model, score in electrode_scores[benchmark].items()}
    assert max(values, key=values.get) == generator, values
    assert values["shuffled V1"] < 0.3, values


# -- fMRI: voxels planted with the benchmark's forward model ----------------------------------

TR_S, MOVIE_S, N_RUNS, N_VOXELS = 2.0, 180, 4, 30
MOVIES = ("clip_x", "clip_y", "clip_z")


def _planted_fmri(seed: int = 23):
    from dynamic_vision.benchmark_kinds import hrf
    from dynamic_vision.io.assemblies import fmri_assembly

    rng = np.random.default_rng(seed)
    weights = rng.standard_normal((5, N_VOXELS))
    noise = rng.uniform(0.5, 1.4, N_VOXELS)  # voxels from reliable to noisy
    bin_s = TR_S / 2  # the benchmark's default feature resolution
    features, blocks = {}, []
    for movie_index, movie in enumerate(MOVIES):
        drive = np.repeat(rng.standard_normal((MOVIE_S // 3, 5)), 3, axis=0)  # 3 s events
        features[movie] = drive
        z = (drive - drive.mean(0)) / drive.std(0)
        times = np.arange(len(z)) * bin_s
        n_trs = int(MOVIE_S * bin_s / TR_S)
        bold = hrf.bin_to_trs(hrf.convolve_hrf(z, dt_s=bin_s), times, TR_S, n_trs=n_trs) @ weights
        bold /= bold.std(axis=0)
        for run in range(N_RUNS):
            noisy = bold + noise * rng.standard_normal(bold.shape)
            blocks.append((noisy, movie_index * N_RUNS + run, movie, n_trs))
    assembly = fmri_assembly(
        np.concatenate([b[0] for b in blocks]),
        time_s=np.concatenate([np.arange(b[3]) * TR_S for b in blocks]), tr_s=TR_S,
        run=np.concatenate([[b[1]] * b[3] for b in blocks]), subject="planted",
        neuroid_id=[f"voxel{k}" for k in range(N_VOXELS)], region="cortex")
    assembly = assembly.assign_coords(stimulus_id=("time", np.concatenate(
        [[b[2]] * b[3] for b in blocks])))
    stimuli = StimulusSet(pd.DataFrame({"stimulus_id": list(MOVIES), "n_frames": MOVIE_S * 25,
                                        "fps": 25.0, "duration_ms": MOVIE_S * bin_s * 1000.0}),
                          identifier="recovery-movies")
    return assembly, stimuli, features


def test_planted_fmri_voxels_score_one_and_their_features_rank_first():
    from dynamic_vision.benchmark_kinds import FMRIBenchmark

    assembly, stimuli, features = _planted_fmri()
    benchmark = FMRIBenchmark("Recovery.cortex-fmri", assembly=assembly, stimuli=stimuli,
                              region="cortex", bibtex="@misc{recovery}")
    rng = np.random.default_rng(8)
    others = {movie: rng.standard_normal(values.shape) for movie, values in features.items()}
    truth = benchmark(TableModel("planted", {"f": lambda row: features[row["stimulus_id"]]}))
    other = benchmark(TableModel("other", {"f": lambda row: others[row["stimulus_id"]]}))
    assert truth.convention == "disattenuated"
    assert LOW <= truth.value <= HIGH, truth
    assert truth.raw / truth.ceiling > truth.value  # the old ratio convention: 1 / sqrt(c)
    assert other.value < truth.value - 0.5, (truth, other)
    low, high = truth.detail["raw_ci"].values
    assert low < truth.raw < high


# -- behaviour: I2n of a planted model --------------------------------------------------------

OBJECTS = ("ant", "boat", "cup", "drum", "eel", "fig")
# With few trials per (image, distractor) the d' estimate is far from linear (rates of 0 or 1
# are clipped at |d'| = 5) and the split-half reliability of I2n no longer describes the noise
# of all trials: over 6 seeds the truth scored 1.004 ± 0.004 with 160 trials per pair,
# 1.031 ± 0.014 with 80 and anywhere in 0.84-1.13 with 24 (12 images per object).
IMAGES_PER_OBJECT, TRIALS_PER_PAIR = 16, 160
CENTER, SPREAD = 0.8, 1.0  # logit of the typical hit rate (0.69), spread of image effects


class PlantedChooser:
    """A behaving model whose class probabilities are planted (no read-out is fitted)."""

    def __init__(self, identifier: str, probabilities: dict[str, np.ndarray]):
        self.identifier = identifier
        self.probabilities = probabilities

    def visual_degrees(self) -> float:
        return 8.0

    def start_task(self, task, fitting_stimuli=None) -> None:
        pass

    def look_at(self, stimuli, number_of_trials: int = 1) -> xr.DataArray:
        ids = stimuli["stimulus_id"].astype(str).tolist()
        return xr.DataArray(np.stack([self.probabilities[i] for i in ids]),
                            dims=("presentation", "choice"),
                            coords={"stimulus_id": ("presentation", ids),
                                    "choice": ("choice", list(OBJECTS))})


def _planted_behaviour(seed: int = 31):
    from dynamic_vision.io.assemblies import behavioral_assembly

    rng = np.random.default_rng(seed)
    n = len(OBJECTS)
    ids = [f"{o}{k:02d}" for o in OBJECTS for k in range(IMAGES_PER_OBJECT)]
    truth = np.repeat(np.arange(n), IMAGES_PER_OBJECT)
    # hit rate of each image against each distractor: image difficulty × object confusability
    difficulty = rng.normal(0, 0.6, len(ids))[:, None]
    confusion = rng.normal(0, 0.5, (n, n))
    logit = CENTER + SPREAD * (difficulty - confusion[truth]
                               + 0.4 * rng.standard_normal((len(ids), n)))
    hit = 1 / (1 + np.exp(-logit))
    rows = []
    for i, sid in enumerate(ids):
        for d in range(n):
            if d == truth[i]:
                continue
            for trial, correct in enumerate(rng.random(TRIALS_PER_PAIR) < hit[i, d]):
                rows.append((sid, OBJECTS[truth[i]], OBJECTS[d],
                             OBJECTS[truth[i]] if correct else OBJECTS[d], f"s{trial % 6}"))
    sid, label, distractor, choice, subject = map(list, zip(*rows))
    trials = behavioral_assembly(stimulus_id=sid, choice=choice, label=label, subject=subject,
                                 distractor=distractor)
    stimuli = StimulusSet(pd.DataFrame({"stimulus_id": ids,
                                        "label": [OBJECTS[t] for t in truth],
                                        "n_frames": 1, "fps": np.nan, "duration_ms": 100.0}),
                          identifier="recovery-objects")

    def chooser(name: str, rates: np.ndarray) -> PlantedChooser:
        # p(truth) = 1 and p(d) = (1 - hit) / hit give p(truth) / (p(truth) + p(d)) = hit
        p = np.where(np.arange(n)[None, :] == truth[:, None], 1.0, (1 - rates) / rates)
        return PlantedChooser(name, {s: p[k] / p[k].sum() for k, s in enumerate(ids)})

    shuffled = hit[rng.permutation(len(ids))]
    return trials, stimuli, chooser("planted", hit), chooser("shuffled", shuffled)


def test_a_planted_i2n_model_scores_one_and_ranks_first():
    from dynamic_vision.benchmark_kinds import BehaviorBenchmark
    from dynamic_vision.metric_kinds.behavior import signature_of
    from dynamic_vision.statistics.ceilings import behavioral_ceiling

    trials, stimuli, planted, shuffled = _planted_behaviour()
    benchmark = BehaviorBenchmark(
        "Recovery.objects-i2n", assembly=trials, stimuli=stimuli, metric="i2n",
        ceiling=lambda held: behavioral_ceiling(held, signature_of("i2n")),
        bibtex="@misc{recovery}")
    truth, other = benchmark(planted), benchmark(shuffled)
    assert truth.convention == "disattenuated"
    assert LOW <= truth.value <= HIGH, truth
    assert truth.raw / truth.ceiling > truth.value  # the old ratio convention: 1 / sqrt(c)
    assert other.value < truth.value - 0.3, (truth, other)
    assert truth.detail["p_value"].item() < 0.01
