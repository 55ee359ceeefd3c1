"""The ridge metric end to end: procedure, aggregation, time bins and bad input."""

import warnings

import numpy as np
import pytest

from dynamic_vision.statistics.correlation import pearson_columns
from dynamic_vision.core.registry import metric_registry
from dynamic_vision.statistics.splits import KFoldSplits
from dynamic_vision.testing import check_metric
from dynamic_vision.testing.metric_checks import toy_assemblies


def test_conformance():
    check_metric("ridge")


def test_aggregation_is_median_over_neuroids_then_mean_over_splits():
    source, target = toy_assemblies(n_stimuli=50, seed=1)
    score = metric_registry.load("ridge", splits=KFoldSplits(5, seed=2))(source, target)
    raw = score.detail["raw"].values
    assert raw.shape == (5, 12)
    per_split = np.median(raw, axis=1)
    assert score.raw == pytest.approx(per_split.mean())
    assert score.raw_error == pytest.approx(per_split.std() / np.sqrt(5))
    assert 0.5 < score.raw < 1.0


def test_per_split_values_are_held_out_pearson_of_a_direct_refit():
    from sklearn.linear_model import RidgeCV

    source, target = toy_assemblies(n_stimuli=40, n_features=60, seed=4)
    splits = KFoldSplits(4, seed=0)
    alphas = np.logspace(-2, 4, 7)
    score = metric_registry.load("ridge", splits=splits, alphas=alphas, dtype="float64")(
        source, target)
    X, Y = source.values, target.values  # ids already sorted, so indices agree
    for k, (train, test) in enumerate(splits.split(target)):
        fit = RidgeCV(alphas=alphas, alpha_per_target=True).fit(X[train], Y[train])
        expected = pearson_columns(fit.predict(X[test]), Y[test])
        np.testing.assert_allclose(score.detail["raw"].values[k], expected, atol=1e-8)


def test_time_bins_are_fitted_separately_and_averaged():
    source, target = toy_assemblies(n_stimuli=40, n_time_bins=3, seed=2)
    metric = metric_registry.load("ridge", splits=KFoldSplits(4, seed=0))
    score = metric(source, target)
    assert score.detail["raw"].dims == ("split", "neuroid", "time_bin")
    for b in range(3):
        single = metric(source.isel(time_bin=b), target.isel(time_bin=b))
        np.testing.assert_allclose(score.detail["raw"].values[..., b],
                                   single.detail["raw"].values, atol=1e-6)
    assert score.raw == pytest.approx(score.detail["split_raw"].values.mean())
    np.testing.assert_array_equal(score.detail["time_bin_start"].values, [0.0, 50.0, 100.0])


def test_static_source_is_used_for_every_time_bin():
    source, target = toy_assemblies(n_stimuli=40, n_time_bins=2, seed=2)
    score = metric_registry.load("ridge", splits=KFoldSplits(4))(source.isel(time_bin=0),
                                                                 target)
    assert score.detail.sizes["time_bin"] == 2


def test_missing_stimuli_are_named():
    source, target = toy_assemblies(n_stimuli=30)
    with pytest.raises(ValueError, match=(
            r"^2 of 30 target stimulus_ids are missing from the source: "
            r"\['stim0000', 'stim0001'\]\. Show the model every stimulus of the target\.$")):
        metric_registry.load("ridge")(source.isel(presentation=slice(2, None)), target)


def test_non_finite_values_are_refused():
    source, target = toy_assemblies(n_stimuli=30)
    source = source.copy()
    source[3, 1] = np.nan
    source[3, 2] = np.inf
    with pytest.raises(ValueError, match=(
            r"^The source assembly contains 2 non-finite values \(NaN or Inf\), e\.g\. at "
            r"stimulus_id 'stim0003'\. Remove or impute them before scoring\.$")):
        metric_registry.load("ridge")(source, target)


def test_too_few_stimuli_for_the_splits():
    source, target = toy_assemblies(n_stimuli=12)
    with pytest.raises(ValueError, match=(
            r"^Too few stimuli for cross-validation: 12 stimuli in 10 folds leave fewer than 2 "
            r"test stimuli per fold\. Use more stimuli or fewer folds\.$")):
        metric_registry.load("ridge", splits=KFoldSplits(10))(source, target)


def test_constant_neuroids_are_excluded_with_a_count():
    source, target = toy_assemblies(n_stimuli=40)
    target = target.copy()
    target[:, [0, 5]] = 1.5
    with pytest.warns(RuntimeWarning, match=(
            r"^2 of 12 target neuroids are constant across stimuli \(undefined correlation\) "
            r"and are excluded from the score\.$")):
        score = metric_registry.load("ridge", splits=KFoldSplits(4))(source, target)
    assert np.isnan(score.detail["raw"].values[:, [0, 5]]).all()
    assert np.isfinite(score.raw)


@pytest.mark.parametrize("aggregation", ["median", "mean"])
def test_per_time_bin_is_one_call_per_bin_exactly(aggregation):
    source, target = toy_assemblies(n_stimuli=48, n_features=80, n_time_bins=4, seed=3)
    source = source.astype(np.float32)  # as model activations: the kernel path in float32
    target = target.copy()
    target[:, 2, 1] = 0.5  # a neuroid constant in one bin only
    target = target.isel(presentation=np.random.default_rng(0).permutation(48))
    metric = metric_registry.load("ridge", splits=KFoldSplits(4, seed=1), n_bootstrap=0)
    metric.aggregation = aggregation
    with pytest.warns(RuntimeWarning, match="1 of 12 target neuroids are constant"):
        raw, error, values = metric.per_time_bin(source, target)
    assert values.shape == (4, 12, 4)
    for b in range(4):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            single = metric(source.isel(time_bin=b), target.isel(time_bin=b))
        assert raw[b] == single.raw and error[b] == single.raw_error
        np.testing.assert_array_equal(values[..., b], single.detail["raw"].values)
    assert np.isnan(values[:, 2, 1]).all() and np.isfinite(values[:, 2, 0]).all()
    with pytest.raises(ValueError, match="needs a 'time_bin' dimension"):
        metric.per_time_bin(source.isel(time_bin=0), target.isel(time_bin=0))
