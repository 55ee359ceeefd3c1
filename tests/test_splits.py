"""Cross-validation splits: determinism, stratification, leakage guarantees, explicit splits."""

import numpy as np
import pytest
import xarray as xr
from sklearn.model_selection import StratifiedShuffleSplit

from dynamic_vision.statistics.splits import (
    ContiguousSplits,
    ExplicitSplits,
    KFoldSplits,
    ShuffleSplits,
    assert_no_leakage,
    contiguous_chunk_splits,
)


def _assembly(n=40, n_classes=4):
    return xr.DataArray(np.zeros((n, 2)), dims=("presentation", "neuroid"), coords={
        "stimulus_id": ("presentation", [f"s{i:02d}" for i in range(n)]),
        "category": ("presentation", [f"c{i % n_classes}" for i in range(n)])})


def test_stratified_shuffle_is_sklearns_and_keeps_class_balance():
    assembly = _assembly()
    splits = ShuffleSplits(n_splits=5, train_size=0.8, seed=1, stratify_coord="category")
    ours = splits.split(assembly)
    reference = StratifiedShuffleSplit(5, train_size=0.8, random_state=1).split(
        np.zeros(40), assembly["category"].values)
    for (train, test), (ref_train, ref_test) in zip(ours, reference):
        np.testing.assert_array_equal(train, np.sort(ref_train))
        np.testing.assert_array_equal(test, np.sort(ref_test))
        counts = np.unique(assembly["category"].values[test], return_counts=True)[1]
        assert counts.tolist() == [2, 2, 2, 2]
    assert [t.tolist() for _, t in ours] == [t.tolist() for _, t in splits.split(assembly)]


def test_kfold_tests_every_stimulus_once():
    tests = np.concatenate([test for _, test in KFoldSplits(5, seed=0).split(_assembly())])
    assert sorted(tests.tolist()) == list(range(40))


def test_unknown_stratification_coordinate_is_named():
    with pytest.raises(ValueError, match=r"^Cannot stratify by 'object_name': the assembly has "
                                         r"no such coordinate"):
        ShuffleSplits(stratify_coord="object_name").split(_assembly())


def test_shuffle_split_with_too_few_stimuli():
    with pytest.raises(ValueError, match=(
            r"^Too few stimuli for cross-validation: a test fraction of 0\.10 of 8 stimuli "
            r"leaves 1 test stimuli; at least 2 are needed to correlate \(and 3 to train\)\. "
            r"Use more stimuli or a smaller train_size\.$")):
        ShuffleSplits().split(_assembly(n=8))


@pytest.mark.parametrize("gap", [0, 3, 6])
def test_contiguous_chunks_leave_a_gap(gap):
    splits = contiguous_chunk_splits(100, 5, gap)
    assert_no_leakage(splits, gap - 1 if gap else -1)
    for train, test in splits:
        assert np.all(np.diff(test) == 1)  # contiguous
        assert len(train) >= 100 - len(test) - 2 * gap
    assert sorted(np.concatenate([t for _, t in splits]).tolist()) == list(range(100))


def test_leakage_is_detected():
    train, test = np.r_[0:10, 12:20], np.r_[10:12]
    with pytest.raises(AssertionError, match=r"^Split 0 leaks: test sample 10 lies within 3 "
                                             r"samples of a training sample \(distance 1\)\.$"):
        assert_no_leakage([(train, test)], gap=3)


def test_contiguous_splits_too_short():
    with pytest.raises(ValueError, match=(
            r"^Too few samples for contiguous splits: 12 samples in 4 chunks with a gap of 4 "
            r"leave 1 training samples in the worst split\. Use a longer recording, fewer "
            r"chunks or a shorter gap\.$")):
        ContiguousSplits(4, gap=4).split(12)


def test_explicit_splits_by_stimulus_id():
    assembly = _assembly(n=6)
    splits = ExplicitSplits([(["s05", "s01", "s02"], ["s00", "s03"])]).split(assembly)
    assert splits[0][0].tolist() == [5, 1, 2] and splits[0][1].tolist() == [0, 3]
    with pytest.raises(ValueError, match=r"^Split 0 names 1 stimulus_ids that the assembly "
                                         r"lacks, e\.g\. \['zz'\]\.$"):
        ExplicitSplits([(["s00"], ["zz"])]).split(assembly)
