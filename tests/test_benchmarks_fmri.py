"""The fMRI benchmark kind: a planted voxel response is recovered; chunked splits do not leak."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import gamma

from dynamic_vision.io.assemblies import fmri_assembly
from dynamic_vision.benchmark_kinds import FMRIBenchmark
from dynamic_vision.io.stimuli import StimulusSet
from dynamic_vision.testing.benchmark_checks import TableModel
from dynamic_vision.io.video import write_video

TR_S, FPS, SIDE = 2.0, 4, 8
MOVIE_S = 240
N_VOXELS, N_REPS = 24, 2
MOVIES = ("movie_a", "movie_b")


def spm_hrf(dt: float, length_s: float = 32.0) -> np.ndarray:
    """SPM's canonical double-gamma HRF (peak 6 s, undershoot 16 s, ratio 1/6), unit sum."""
    t = np.arange(0, length_s, dt)
    h = gamma.pdf(t, 6) - gamma.pdf(t, 16) / 6.0
    return h / h.sum()


def make_frames(seed: int) -> np.ndarray:
    """Quadrant luminances and a checkerboard contrast that each change once per second."""
    rng = np.random.default_rng(seed)
    n_seconds = MOVIE_S
    luminance = rng.uniform(40, 215, (n_seconds, 4))
    contrast = rng.uniform(0, 35, n_seconds)
    checker = (np.indices((SIDE, SIDE)).sum(axis=0) % 2) * 2 - 1.0
    frames = np.empty((n_seconds * FPS, SIDE, SIDE, 3), np.uint8)
    half = SIDE // 2
    for second in range(n_seconds):
        image = np.empty((SIDE, SIDE))
        for q, (r, c) in enumerate([(0, 0), (0, half), (half, 0), (half, half)]):
            image[r:r + half, c:c + half] = luminance[second, q]
        image = np.clip(image + contrast[second] * checker, 0, 255)
        frames[second * FPS:(second + 1) * FPS] = image[None, :, :, None].astype(np.uint8)
    return frames


def quadrant_luminance(frames: np.ndarray) -> np.ndarray:
    half = SIDE // 2
    gray = frames[..., 0].astype(np.float64)
    return np.stack([gray[:, r:r + half, c:c + half].mean(axis=(1, 2))
                     for r, c in [(0, 0), (0, half), (half, 0), (half, half)]], axis=1)


def checker_contrast(frames: np.ndarray) -> np.ndarray:
    gray = frames[..., 0].astype(np.float64)
    checker = (np.indices((SIDE, SIDE)).sum(axis=0) % 2) * 2 - 1.0
    return np.stack([(gray * checker).mean(axis=(1, 2)), gray.std(axis=(1, 2))], axis=1)


def from_video(feature):
    """A model layer that decodes the movie and computes ``feature`` per frame."""
    def layer(row):
        from dynamic_vision.io.video import read_frames

        return feature(read_frames(row["path"], fps=FPS))
    return layer


@pytest.fixture(scope="module")
def movie_data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fmri-movies")
    rng = np.random.default_rng(1)
    weights = rng.standard_normal((4, N_VOXELS))
    hrf = spm_hrf(1.0 / FPS)
    files, blocks = {}, []
    for index, movie in enumerate(MOVIES):
        frames = make_frames(seed=10 + index)
        files[movie] = write_video(folder / f"{movie}.mkv", frames, FPS)
        drive = quadrant_luminance(frames)
        drive = (drive - drive.mean(axis=0)) / drive.std(axis=0)
        bold = np.stack([np.convolve(drive[:, k], hrf)[:len(drive)] for k in range(4)], axis=1)
        per_tr = bold.reshape(-1, int(TR_S * FPS), 4).mean(axis=1) @ weights
        per_tr /= per_tr.std()
        n_trs = len(per_tr)
        for repetition in range(N_REPS):
            run = index * N_REPS + repetition
            noisy = per_tr + 0.8 * rng.standard_normal(per_tr.shape)
            blocks.append((noisy, run, movie, n_trs))
    values = np.concatenate([b[0] for b in blocks])
    time_s = np.concatenate([np.arange(b[3]) * TR_S for b in blocks])
    runs = np.concatenate([[b[1]] * b[3] for b in blocks])
    movies = np.concatenate([[b[2]] * b[3] for b in blocks])
    assembly = fmri_assembly(values, time_s=time_s, tr_s=TR_S, run=runs, subject="sim",
                             neuroid_id=[f"v{k}" for k in range(N_VOXELS)], region="V1")
    assembly = assembly.assign_coords(stimulus_id=("time", movies))
    stimuli = StimulusSet.from_files(files, identifier="toy-movies")
    return assembly, stimuli


def benchmark_of(movie_data, **kwargs):
    assembly, stimuli = movie_data
    return FMRIBenchmark("Toy.V1-fmri", assembly=assembly, stimuli=stimuli, region="V1",
                         bibtex="@misc{toy}", **kwargs)


def test_planted_model_ranks_first(movie_data):
    benchmark = benchmark_of(movie_data)
    scores = {name: benchmark(TableModel(name, {"f": from_video(feature)})).value
              for name, feature in [("luminance", quadrant_luminance),
                                    ("contrast", checker_contrast)]}
    noise = TableModel("noise", {"f": lambda row: np.random.default_rng(0).standard_normal(
        (MOVIE_S * FPS, 4))})
    scores["noise"] = benchmark(noise).value
    assert max(scores, key=scores.get) == "luminance", scores
    assert scores["luminance"] > 0.7, scores
    assert scores["contrast"] < 0.4 and abs(scores["noise"]) < 0.3, scores


def test_fir_response_model_also_recovers_the_planted_model(movie_data):
    benchmark = benchmark_of(movie_data, response="fir", fir_delays=(1, 2, 3, 4, 5))
    planted = benchmark(TableModel("luminance", {"f": from_video(quadrant_luminance)}))
    other = benchmark(TableModel("contrast", {"f": from_video(checker_contrast)}))
    assert planted.value > other.value + 0.3


def test_no_test_tr_lies_within_the_gap_of_a_training_tr(movie_data):
    benchmark = benchmark_of(movie_data)
    n_trs = len(benchmark.target())
    gap = benchmark.gap_trs
    assert gap * TR_S >= 32.0  # at least the HRF's length
    folds = benchmark.splits(n_trs)
    assert len(folds) == benchmark.n_splits
    covered = np.concatenate([test for _, test in folds])
    assert sorted(covered) == list(range(n_trs))
    for train, test in folds:
        distance = np.abs(test[:, None] - train[None, :]).min()
        assert distance > gap, f"a test TR lies {distance} TRs from a training TR"
        assert np.all(np.diff(test) == 1)  # one contiguous chunk


def test_voxel_ceilings_are_per_voxel_and_select_reliable_voxels(movie_data):
    benchmark = benchmark_of(movie_data, reliability_threshold=0.5)
    ceiling = benchmark.ceiling
    per_voxel = ceiling.detail["per_neuroid"]
    assert per_voxel.sizes["neuroid"] == N_VOXELS
    assert 0.5 < ceiling.value < 1.0
    result = benchmark(TableModel("luminance", {"f": from_video(quadrant_luminance)}))
    reliable = result.detail["reliable"].values
    assert reliable.sum() == result.provenance["n_reliable_voxels"]
    np.testing.assert_array_equal(reliable, per_voxel.values >= 0.5)


def test_missing_stimulus_coord_is_explained(movie_data):
    assembly, stimuli = movie_data
    benchmark = FMRIBenchmark("Toy.V1-fmri", assembly=assembly.drop_vars("stimulus_id"),
                              stimuli=stimuli, region="V1")
    with pytest.raises(ValueError, match="need a 'stimulus_id' coord along 'time'"):
        benchmark(TableModel("x", {"f": from_video(quadrant_luminance)}))


def test_test_chunks_of_fewer_than_ten_trs_are_refused(movie_data):
    from dynamic_vision.core.errors import ScoreGuardError

    benchmark = benchmark_of(movie_data, n_splits=30)  # 240 TRs in 30 chunks: 8 each
    with pytest.raises(ScoreGuardError, match="test chunk 0 holds 8 TRs"):
        benchmark(TableModel("luminance", {"f": from_video(quadrant_luminance)}))


def test_the_model_is_not_asked_about_time_after_the_movie(movie_data):
    """Runs that outlast their movie (the haemodynamic tail): the model records the movie only;
    its features after the end are the movie's mean."""
    assembly, stimuli = movie_data
    short = stimuli.copy()
    short["duration_ms"] = (MOVIE_S - 20) * 1000.0  # 20 s of the run after the movie
    asked = []

    class Recording(TableModel):
        def start_recording(self, region, time_bins, layers=None):
            asked.append(max(end for _, end in time_bins))
            super().start_recording(region, time_bins, layers)

    benchmark = FMRIBenchmark("Toy.V1-fmri-short", assembly=assembly, stimuli=short,
                              region="V1", bibtex="@misc{toy}")
    features = benchmark.regressors(Recording("lum", {"f": from_video(quadrant_luminance)}))
    assert max(asked) <= (MOVIE_S - 20) * 1000.0
    n_trs = len(features) // len(MOVIES)
    assert features.shape[0] == n_trs * len(MOVIES)


def test_explicit_ceiling_halves(movie_data):
    benchmark = benchmark_of(movie_data, ceiling_halves=((0,), (1,)))
    default = benchmark_of(movie_data)
    np.testing.assert_allclose(benchmark.ceiling.detail["per_neuroid"].values,
                               default.ceiling.detail["per_neuroid"].values)  # odd/even of 2
    with pytest.raises(ValueError, match="ceiling_halves must be two disjoint"):
        _ = benchmark_of(movie_data, ceiling_halves=((0,), (0,)), version=9).ceiling
