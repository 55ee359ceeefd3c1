"""The electrode benchmark kind: time bins, ceilings, layer selection on public stimuli only."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from PIL import Image
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold

from dynamic_vision.io.assemblies import neural_assembly
from dynamic_vision.benchmark_kinds import NeuralBenchmark, declare_split
from dynamic_vision.benchmark_kinds.ceiling_cache import ceiling_cache_path
from dynamic_vision.core.scores import Score
from dynamic_vision.io.stimuli import StimulusSet
from dynamic_vision.testing.benchmark_checks import TableModel, random_features

N_STIMULI, N_NEUROIDS, N_BINS, N_REPS = 150, 12, 4, 6
BINS = [(50.0 * i, 50.0 * (i + 1)) for i in range(N_BINS)]


def sklearn_ridge_metric(source: xr.DataArray, target: xr.DataArray) -> Score:
    """An independent cross-validated ridge: per-fold held-out Pearson r per neuroid, median
    over neuroids, mean over folds."""
    order = {sid: i for i, sid in enumerate(source["stimulus_id"].values)}
    X = source.values[[order[sid] for sid in target["stimulus_id"].values]]
    Y = target.values
    per_fold = []
    for train, test in KFold(5, shuffle=True, random_state=0).split(X):
        prediction = RidgeCV(alphas=np.logspace(-3, 3, 7)).fit(X[train], Y[train]).predict(X[test])
        per_fold.append(np.median([np.corrcoef(prediction[:, k], Y[test, k])[0, 1]
                                   for k in range(Y.shape[1])]))
    return Score.from_raw(float(np.mean(per_fold)), float(np.std(per_fold) / np.sqrt(5)))


def split_half_ceiling(assembly: xr.DataArray) -> Score:
    """Odd/even repetitions, Pearson over stimuli per neuroid, Spearman–Brown, median."""
    reps = assembly["repetition"].values
    ids = assembly["stimulus_id"].values
    order = sorted(set(ids))

    def mean_of(mask):
        return np.stack([assembly.values[mask & (ids == s)].mean(axis=0) for s in order])

    odd, even = mean_of(reps % 2 == 1), mean_of(reps % 2 == 0)
    r = np.array([np.corrcoef(odd[:, k], even[:, k])[0, 1] for k in range(odd.shape[1])])
    return Score.from_raw(float(np.median(2 * r / (1 + r))))


@pytest.fixture(scope="module")
def stimuli(tmp_path_factory):
    folder = tmp_path_factory.mktemp("neural-stimuli")
    files = {}
    for i in range(N_STIMULI):
        path = folder / f"s{i:03d}.png"
        Image.fromarray(np.full((8, 8, 3), i * 4 % 256, np.uint8)).save(path)
        files[f"s{i:03d}"] = path
    category = [f"c{i % 3}" for i in range(N_STIMULI)]
    import pandas as pd

    metadata = pd.DataFrame({"stimulus_id": list(files), "category": category})
    return StimulusSet.from_files(files, identifier="toy-neural", metadata=metadata,
                                  image_duration_ms=200.0)


PLANTED = random_features(n_features=6, seed=1, n_steps=N_BINS)


@pytest.fixture(scope="module")
def recordings(stimuli):
    """Neuroids are a fixed linear read-out of PLANTED features, bin by bin, plus noise."""
    rng = np.random.default_rng(0)
    weights = rng.standard_normal((6, N_NEUROIDS))
    rows = list(stimuli.iterrows())
    clean = np.stack([PLANTED(row) @ weights for _, row in rows])  # (stim, bin, neuroid)
    clean = clean.transpose(0, 2, 1)
    clean[:, :, 0] = 0.0  # the first bin precedes the response: noise only
    values = np.concatenate([clean + 0.6 * rng.standard_normal(clean.shape)
                             for _ in range(N_REPS)])
    ids = np.tile(stimuli["stimulus_id"].values, N_REPS)
    return neural_assembly(values, stimulus_id=ids,
                           neuroid_id=[f"n{k}" for k in range(N_NEUROIDS)], region="V1",
                           time_bin_start=[b[0] for b in BINS],
                           time_bin_end=[b[1] for b in BINS],
                           repetition=np.repeat(np.arange(N_REPS), N_STIMULI))


def make_benchmark(stimuli, recordings, **kwargs):
    defaults = dict(assembly=recordings, stimuli=stimuli, region="V1",
                    metric=sklearn_ridge_metric, ceiling=split_half_ceiling,
                    stratify="category", bibtex="@misc{toy}")
    return NeuralBenchmark("Toy.V1-ridge", **{**defaults, **kwargs})


def shuffled(features, seed=3):
    """The same features, attached to a permuted stimulus id."""
    def permuted(row):
        number = int(row["stimulus_id"][1:])
        other = dict(row)
        other["stimulus_id"] = f"s{(number * 7 + seed) % N_STIMULI:03d}"
        return features(other)
    return permuted


def test_planted_model_scores_high_per_time_bin(stimuli, recordings):
    benchmark = make_benchmark(stimuli, recordings)
    result = benchmark(TableModel("planted", {"features": PLANTED}))
    per_bin = result.detail["ceiled"]
    assert per_bin.dims == ("time_bin",)
    np.testing.assert_allclose(per_bin["time_bin_start"].values, [b[0] for b in BINS])
    np.testing.assert_allclose(per_bin["time_bin_end"].values, [b[1] for b in BINS])
    reliable = per_bin["reliable"].values
    assert reliable.tolist() == [False, True, True, True]  # no ceiling before the response
    assert (per_bin.values[reliable] > 0.8).all(), per_bin.values
    assert np.isnan(result.detail["raw"].values[0])  # not scored
    assert 0.5 < result.ceiling < 1.0
    assert result.convention == "disattenuated"
    assert result.value == pytest.approx(result.raw / np.sqrt(result.ceiling))
    assert result.raw == pytest.approx(result.detail["raw"].values[reliable].mean())
    assert result.provenance["n_time_bins"] == 3


def test_shuffled_activations_score_near_zero_in_every_time_bin(stimuli, recordings):
    benchmark = make_benchmark(stimuli, recordings)
    result = benchmark(TableModel("shuffled", {"features": shuffled(PLANTED)}))
    per_bin = result.detail["raw"]
    assert per_bin.sizes["time_bin"] == N_BINS
    assert np.isnan(per_bin.values[0])  # the noise-only bin is not scored
    assert np.abs(per_bin.values[1:]).max() < 0.2, per_bin.values
    assert abs(result.value) < 0.15


def test_layer_selection_sees_only_public_stimuli(stimuli, recordings):
    calls = []

    def spy(source, target):
        calls.append(set(target["stimulus_id"].values) | set(source["stimulus_id"].values))
        return sklearn_ridge_metric(source, target)

    benchmark = make_benchmark(stimuli, recordings, metric=spy)
    model = TableModel("layered", {"early": random_features(6, seed=7, n_steps=N_BINS),
                                   "middle": PLANTED,
                                   "late": shuffled(PLANTED)})
    result = benchmark(model)
    split = benchmark.split
    public, held_out = set(split.public), set(split.held_out)
    assert all(ids <= public or ids <= held_out for ids in calls)
    assert result.detail.attrs["selected_layer"] == "middle"
    assert result.provenance["selected_layer"] == "middle"
    layer_raw = result.detail["layer_raw"]
    assert layer_raw.dims == ("layer", "time_bin")
    assert list(layer_raw["layer"].values) == ["early", "middle", "late"]
    assert layer_raw.sel(layer="middle").mean() > layer_raw.sel(layer="early").mean() + 0.5
    np.testing.assert_allclose(result.detail["raw"].values, layer_raw.sel(layer="middle").values)


def test_split_is_deterministic_stratified_and_order_free(stimuli):
    ids = list(stimuli["stimulus_id"])
    classes = list(stimuli["category"])
    first = declare_split(ids, stratify=classes)
    again = declare_split(ids[::-1], stratify=classes[::-1])
    assert set(first.public) == set(again.public)
    assert not set(first.public) & set(first.held_out)
    assert len(first.public) + len(first.held_out) == len(ids)
    held_classes = [c for i, c in zip(ids, classes) if i in set(first.held_out)]
    assert sorted(set(held_classes)) == ["c0", "c1", "c2"]
    assert all(held_classes.count(c) == 25 for c in ("c0", "c1", "c2"))


def test_ceiling_is_computed_once_and_read_from_disk(stimuli, recordings):
    calls = []

    def counting(assembly):
        calls.append(1)
        return split_half_ceiling(assembly)

    benchmark = NeuralBenchmark("Toy.V1-cached", assembly=recordings, stimuli=stimuli,
                                region="V1", metric=sklearn_ridge_metric, ceiling=counting,
                                version=2)
    value = benchmark.ceiling.value
    assert len(calls) == N_BINS
    again = NeuralBenchmark("Toy.V1-cached", assembly=recordings, stimuli=stimuli,
                            region="V1", metric=sklearn_ridge_metric, ceiling=counting,
                            version=2)
    assert again.ceiling.value == pytest.approx(value)
    assert len(calls) == N_BINS  # served from disk
    assert not list(ceiling_cache_path("Toy.V1-cached", 2, "x").parent.glob(".*.tmp"))
    assert again.ceiling.detail["per_time_bin"].sizes["time_bin"] == N_BINS


def test_benchmark_loads_nothing_until_called(stimuli, recordings):
    loads = []

    def loader():
        loads.append(1)
        return recordings

    benchmark = make_benchmark(stimuli, recordings, assembly=loader)
    assert loads == []
    assert benchmark.time_bins == BINS
    assert loads == [1]


def test_model_with_wrong_time_bins_is_named(stimuli, recordings):
    class Liar(TableModel):
        def start_recording(self, region, time_bins, layers=None):
            super().start_recording(region, time_bins[:2], layers)

    benchmark = make_benchmark(stimuli, recordings, held_out_fraction=None)
    with pytest.raises(ValueError, match="Model 'liar' returned 2 time bins; 4 were requested"):
        benchmark(Liar("liar", {"features": PLANTED}))


def test_unknown_region_is_named(stimuli, recordings):
    benchmark = make_benchmark(stimuli, recordings, region="MT")
    with pytest.raises(ValueError, match="no neuroids in region 'MT'"):
        benchmark(TableModel("planted", {"features": PLANTED}))


def test_registered_metric_gets_the_benchmark_splits_and_matched_ceilings(stimuli, recordings):
    from dynamic_vision.statistics.ceilings import split_half_ceiling

    kwargs = dict(assembly=recordings, stimuli=stimuli, region="V1", metric="ridge",
                  ceiling=split_half_ceiling, stratify="category", n_splits=4, train_size=0.8)
    matched = NeuralBenchmark("Toy.V1-matched", ceiling_on_test_splits=True, **kwargs)
    splits = matched.evaluation_splits()
    held_out = set(matched.split.held_out)
    assert len(splits) == 4
    for train, test in splits:
        assert not set(train) & set(test) and set(train) | set(test) == held_out
        assert len(test) == 15
    assert matched.metric.splits.splits == tuple((tuple(tr), tuple(te)) for tr, te in splits)
    test_ids = splits[0][1]
    expected = split_half_ceiling(
        recordings.isel(presentation=np.isin(recordings["stimulus_id"], test_ids),
                        time_bin=2)).value
    per_split = [split_half_ceiling(recordings.isel(
        presentation=np.isin(recordings["stimulus_id"], te), time_bin=2)).value
        for _, te in splits]
    assert per_split[0] == pytest.approx(expected)
    ceiling = matched.ceiling.detail["per_time_bin"].values
    # averaged as the correlations it bounds: on their scale, sqrt(c)
    assert ceiling[2] == pytest.approx(np.mean(np.sqrt(per_split)) ** 2)
    result = matched(TableModel("planted", {"features": PLANTED}))
    assert result.detail["ceiled"].values[1:].min() > 0.8
    public_splits = matched.evaluation_splits("public")
    assert set().union(*(set(tr) | set(te) for tr, te in public_splits)) == set(
        matched.split.public)
    layered = matched(TableModel("layered", {"noise": random_features(6, seed=7, n_steps=N_BINS),
                                             "planted": PLANTED}))
    assert layered.detail.attrs["selected_layer"] == "planted"
    with pytest.raises(ValueError, match="need a registered metric"):
        NeuralBenchmark("Toy.V1-x", ceiling_on_test_splits=True,
                        **{**kwargs, "metric": sklearn_ridge_metric})


def test_time_bins_past_the_clips_are_refused_unless_allowed(stimuli, recordings):
    from dynamic_vision.core.errors import ScoreGuardError

    clips = stimuli.copy()
    clips["n_frames"], clips["fps"], clips["duration_ms"] = 6, 40.0, 150.0  # 150 ms clips
    model = TableModel("planted", {"features": PLANTED})
    with pytest.raises(ScoreGuardError, match=r"up to 200 ms, but clip 's\d+' lasts 150 ms.*"
                                              r"allow_time_bins_past_stimuli=True"):
        make_benchmark(clips, recordings)(model)
    allowed = make_benchmark(clips, recordings, allow_time_bins_past_stimuli=True)(model)
    assert np.isfinite(allowed.value)
    images = make_benchmark(stimuli, recordings)  # 200 ms images: read after their onset
    assert np.isfinite(images(model).value)


def test_every_evaluation_split_tests_at_least_ten_stimuli(stimuli, recordings):
    from dynamic_vision.core.errors import ScoreGuardError
    from dynamic_vision.statistics.ceilings import split_half_ceiling

    benchmark = NeuralBenchmark("Toy.V1-ridge", assembly=recordings, stimuli=stimuli,
                                region="V1", metric="ridge", ceiling=split_half_ceiling,
                                stratify="category", bibtex="@misc{toy}")
    for part in ("held_out", "public"):  # 75 stimuli each: 10 %, 8, would be too few
        splits = benchmark.evaluation_splits(part)
        assert len(splits) == 10 and {len(test) for _, test in splits} == {10}
    result = benchmark(TableModel("planted", {"features": PLANTED}))
    low, high = result.detail["raw_ci"].values
    assert low < result.raw < high  # BCa over neuroids, jointly over the reliable bins
    ceiled_low, ceiled_high = result.detail["ceiled_ci"].values
    assert ceiled_low == pytest.approx(low / np.sqrt(result.ceiling))
    assert ceiled_low < result.value < ceiled_high
    small = NeuralBenchmark("Toy.V1-ridge", assembly=recordings, stimuli=stimuli.iloc[:30],
                            region="V1", metric="ridge", ceiling=split_half_ceiling,
                            bibtex="@misc{toy}")
    with pytest.raises(ScoreGuardError, match="held_out part holds 15 stimuli"):
        small.evaluation_splits()


def test_a_non_positive_ceiling_is_refused(stimuli, recordings):
    from dynamic_vision.core.errors import ScoreGuardError

    benchmark = NeuralBenchmark("Toy.V1-unreliable", assembly=recordings, stimuli=stimuli,
                                region="V1", metric=sklearn_ridge_metric, min_ceiling=-1.0,
                                ceiling=lambda assembly: Score.from_raw(-0.1),
                                bibtex="@misc{toy}")
    with pytest.raises(ScoreGuardError, match="Toy.V1-unreliable.*ceiling is -0.1"):
        benchmark(TableModel("planted", {"features": PLANTED}))


@pytest.mark.parametrize("name,n_features", [("ridge", 60), ("ridge", 20), ("pls", 60),
                                             ("linear", 20)])
def test_score_time_bins_in_one_metric_call_matches_a_call_per_bin(name, n_features):
    """A metric with ``per_time_bin`` (the regression metrics) is called once for all bins;
    the result equals a call per bin value for value, skipped and constant bins included."""
    from dynamic_vision.benchmark_kinds.neural import score_time_bins
    from dynamic_vision.core.registry import metric_registry
    from dynamic_vision.statistics.splits import KFoldSplits
    from dynamic_vision.testing.metric_checks import toy_assemblies

    source, target = toy_assemblies(n_stimuli=40, n_features=n_features, n_time_bins=5, seed=6)
    source = source.astype(np.float32).transpose("time_bin", "neuroid", "presentation").copy()
    source[2] = 1.0  # the model's activations do not vary in bin 2: undefined there
    metric = metric_registry.load(name, splits=KFoldSplits(4, seed=0), n_bootstrap=0)
    bins = np.array([True, True, True, False, True])  # bin 3 unreliable: not scored

    def per_bin(source_bin, target_bin):  # a plain callable: scored bin by bin
        return metric(source_bin, target_bin)

    batched, one_by_one = [], []
    raw, error = score_time_bins(metric, source, target, bins, batched)
    expected_raw, expected_error = score_time_bins(per_bin, source, target, bins, one_by_one)
    np.testing.assert_array_equal(raw, expected_raw)
    np.testing.assert_array_equal(error, expected_error)
    assert np.isnan(raw[[2, 3]]).all() and np.isfinite(raw[[0, 1, 4]]).all()
    assert [v is None for v in batched] == [False, False, True, True, False]
    for ours, reference in zip(batched, one_by_one):
        if reference is None:
            assert ours is None
        else:
            np.testing.assert_array_equal(ours, reference)
