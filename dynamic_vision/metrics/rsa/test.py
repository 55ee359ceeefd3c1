"""RSA against scipy on the same data; the RSA ceiling against a direct computation."""

import itertools

import numpy as np
import pytest
import xarray as xr
from scipy import stats
from scipy.spatial.distance import pdist

from dynamic_vision.statistics.ceilings import random_halves, rsa_ceiling
from dynamic_vision.statistics.correlation import kendall_tau_a
from dynamic_vision.statistics.rsa import compare_rdms, rdm, rsa_similarity
from dynamic_vision.core.registry import metric_registry
from dynamic_vision.statistics.splits import ShuffleSplits
from dynamic_vision.testing import check_metric
from dynamic_vision.testing.metric_checks import toy_assemblies


def test_conformance():
    check_metric("rsa")


@pytest.mark.parametrize("distance", ["correlation", "euclidean"])
def test_rdm_matches_scipy_pdist(distance):
    values = np.random.default_rng(0).normal(size=(12, 7))
    ours = rdm(values, distance)
    reference = pdist(values, distance)
    np.testing.assert_allclose(ours[np.triu_indices(12, 1)], reference, atol=1e-12)
    np.testing.assert_allclose(ours, ours.T)


@pytest.mark.parametrize("comparison,reference", [
    ("spearman", lambda x, y: stats.spearmanr(x, y).statistic),
    ("pearson", lambda x, y: stats.pearsonr(x, y).statistic),
    ("kendall_tau_a", lambda x, y: stats.kendalltau(x, y).statistic)])  # no ties: a == b
def test_rdm_comparisons_match_scipy(comparison, reference):
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(15, 6)), rng.normal(size=(15, 9))
    X[:, 0] += Y[:, 0] * 3
    expected = reference(pdist(X, "correlation"), pdist(Y, "correlation"))
    assert rsa_similarity(X, Y, comparison=comparison) == pytest.approx(expected, abs=1e-12)


def test_kendall_tau_a_counts_ties_as_neither():
    x = np.array([1.0, 2.0, 2.0, 3.0, 5.0])
    y = np.array([2.0, 1.0, 3.0, 3.0, 4.0])
    signs = [np.sign(x[i] - x[j]) * np.sign(y[i] - y[j])
             for i, j in itertools.combinations(range(5), 2)]
    assert kendall_tau_a(x, y) == pytest.approx(sum(signs) / 10)
    assert kendall_tau_a(x, y) != pytest.approx(stats.kendalltau(x, y).statistic)


def test_metric_averages_subsets_and_time_bins():
    source, target = toy_assemblies(n_stimuli=30, n_time_bins=2, seed=1)
    splits = ShuffleSplits(n_splits=3, train_size=0.8, seed=0)
    score = metric_registry.load("rsa", splits=splits)(source, target)
    for k, (train, _) in enumerate(splits.split(target)):
        for b in range(2):
            expected = stats.spearmanr(pdist(source.values[train, :, b], "correlation"),
                                       pdist(target.values[train, :, b], "correlation"))
            assert score.detail["raw"].values[k, b] == pytest.approx(expected.statistic)
    assert score.raw == pytest.approx(score.detail["raw"].values.mean())


def test_unknown_options_are_named():
    with pytest.raises(ValueError, match=r"^Unknown RDM comparison 'kendall'; use one of "):
        metric_registry.load("rsa", comparison="kendall")
    with pytest.raises(ValueError, match=r"^2 stimuli have a constant response pattern"):
        rdm(np.array([[1.0, 1.0], [1.0, 2.0], [3.0, 3.0]]))


def test_rsa_ceiling_matches_direct_computation():
    rng = np.random.default_rng(2)
    signal = rng.normal(size=(20, 8))
    trials = np.concatenate([signal + rng.normal(size=signal.shape) for _ in range(4)])
    ids = [f"s{i:02d}" for i in range(20)] * 4
    assembly = xr.DataArray(trials, dims=("presentation", "neuroid"),
                            coords={"stimulus_id": ("presentation", ids)})
    ceiling = rsa_ceiling(assembly, n_splits=4, seed=1)
    expected = []
    for a, b in random_halves(np.array(ids), 4, 1):
        means = [np.stack([trials[rows][np.array(ids)[rows] == sid].mean(0)
                           for sid in sorted(set(ids))]) for rows in (a, b)]
        r = stats.spearmanr(pdist(means[0], "correlation"), pdist(means[1], "correlation"))
        expected.append(2 * r.statistic / (1 + r.statistic))
    assert ceiling.raw == pytest.approx(np.mean(expected), abs=1e-12)
    assert compare_rdms(rdm(signal), rdm(signal)) == pytest.approx(1.0)


@pytest.mark.parametrize("comparison,theirs", [("spearman", "spearman"),
                                               ("kendall_tau_a", "tau-a"), ("pearson", "corr")])
def test_matches_rsatoolbox(comparison, theirs):
    rsatoolbox = pytest.importorskip("rsatoolbox")
    from rsatoolbox.rdm import calc_rdm, compare

    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(14, 5)), rng.normal(size=(14, 6))
    X[:, 0] += 2 * Y[:, 0]
    a = calc_rdm(rsatoolbox.data.Dataset(X), method="correlation")
    b = calc_rdm(rsatoolbox.data.Dataset(Y), method="correlation")
    expected = float(compare(a, b, method=theirs)[0, 0])
    assert rsa_similarity(X, Y, comparison=comparison) == pytest.approx(expected, abs=1e-10)
    # rsatoolbox's euclidean RDM is the squared distance per feature
    squared = calc_rdm(rsatoolbox.data.Dataset(X), method="euclidean").get_vectors()[0]
    np.testing.assert_allclose(pdist(X) ** 2 / 5, squared)
    np.testing.assert_allclose(rdm(X, "euclidean")[np.triu_indices(14, 1)] ** 2 / 5, squared)


@pytest.mark.parametrize("distance", ["correlation", "euclidean"])
@pytest.mark.parametrize("comparison", ["spearman", "pearson", "kendall_tau_a"])
def test_subsets_at_once_equal_each_subset(distance, comparison):
    """RSASimilarity.on_subsets (RDMs once, ranks by counting) equals one call per subset, ties
    included (small integer responses tie many pairs)."""
    from dynamic_vision.statistics.rsa import RSASimilarity

    rng = np.random.default_rng(3)
    X = rng.integers(0, 3, size=(24, 4)).astype(float) + np.arange(4)  # no constant row
    Y = rng.standard_normal((24, 6))
    subsets = [np.sort(rng.choice(24, 20, replace=False)) for _ in range(5)]
    subsets.append(rng.permutation(24)[:18])  # unsorted rows
    similarity = RSASimilarity(distance, comparison)
    expected = [rsa_similarity(X[rows], Y[rows], distance, comparison) for rows in subsets]
    np.testing.assert_allclose(similarity.on_subsets(X, Y, subsets), expected, rtol=0,
                               atol=1e-12)
    assert similarity(X, Y) == rsa_similarity(X, Y, distance, comparison)
