"""The logistic decoding metric against a direct scikit-learn pipeline."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from dynamic_vision.core.registry import metric_registry
from dynamic_vision.testing import check_metric
from dynamic_vision.testing.metric_checks import toy_labels


def test_conformance():
    check_metric("logistic")


def test_accuracy_matches_direct_pipeline():
    source, target = toy_labels(n_stimuli=45, n_classes=3, separation=0.6, seed=1)
    score = metric_registry.load("logistic", Cs=[0.01, 1.0, 100.0])(source, target)
    X, labels = source.values, target["label"].values
    outer = StratifiedKFold(5, shuffle=True, random_state=0)
    accuracies = []
    for train, test in outer.split(np.zeros(45), labels):
        inner = StratifiedKFold(3, shuffle=True, random_state=0)
        model = make_pipeline(StandardScaler(), LogisticRegressionCV(
            Cs=[0.01, 1.0, 100.0], cv=inner, max_iter=1000, scoring="accuracy",
            l1_ratios=(0.0,), use_legacy_attributes=False))
        with threadpool_limits(1):
            model.fit(X[train], labels[train])
        accuracies.append(np.mean(model.predict(X[test]) == labels[test]))
    assert score.raw == pytest.approx(np.mean(accuracies))
    assert score.raw_error == pytest.approx(np.std(accuracies) / np.sqrt(5))
    assert score.detail.attrs["chance"] == pytest.approx(1 / 3)


def test_separable_and_random_labels():
    source, target = toy_labels(n_stimuli=30, separation=5.0)
    assert metric_registry.load("logistic")(source, target).raw == pytest.approx(1.0)
    shuffled = target.copy()
    shuffled["label"] = ("presentation",
                         np.random.default_rng(0).permutation(target["label"].values))
    assert metric_registry.load("logistic")(source, shuffled).raw < 0.6


def test_time_bins_are_decoded_separately():
    source, target = toy_labels(n_stimuli=30, separation=5.0)
    binned = source.expand_dims(time_bin=2).transpose("presentation", "neuroid", "time_bin")
    binned = binned.copy()
    binned[..., 1] = np.random.default_rng(1).normal(size=binned.shape[:2])
    score = metric_registry.load("logistic")(binned, target)
    assert score.detail["raw"].dims == ("split", "time_bin")
    assert score.detail["raw"].values[:, 0].mean() > score.detail["raw"].values[:, 1].mean()


def test_rare_class_is_named():
    source, target = toy_labels(n_stimuli=30)
    labels = target["label"].values.copy()
    labels[0] = "lonely"
    target = target.assign_coords(label=("presentation", labels))
    with pytest.raises(ValueError, match=(
            r"^Too few stimuli of class 'lonely' for 5 stratified folds: 1 stimuli; every class "
            r"needs at least 5\. Use more stimuli or pass splits=KFoldSplits\(n\) with a "
            r"smaller n\.$")):
        metric_registry.load("logistic")(source, target)
