"""The pls metrics; ``pls-brainscore`` against a direct re-implementation of Brain-Score's
procedure with scikit-learn's splitter and PLSRegression."""

import numpy as np
import pytest
from scipy import stats
from sklearn.cross_decomposition import PLSRegression
from sklearn.model_selection import StratifiedShuffleSplit

from dynamic_vision.core.registry import metric_registry
from dynamic_vision.testing import check_metric
from dynamic_vision.testing.metric_checks import toy_assemblies


def test_conformance():
    check_metric("pls")


def test_brainscore_configuration_matches_direct_procedure():
    source, target = toy_assemblies(n_stimuli=60, n_neuroids=5, n_features=30, seed=5)
    target = target.rename(category="object_name")
    # presented in a scrambled order: the metric sorts by stimulus_id like Brain-Score
    order = np.random.default_rng(0).permutation(60)
    score = metric_registry.load("pls-brainscore")(source, target.isel(presentation=order))
    assert metric_registry.info("pls-brainscore")["ceiling_convention"] == "explained_variance"

    X, Y = source.values, target.values  # already sorted by stimulus_id
    splitter = StratifiedShuffleSplit(n_splits=10, train_size=0.9, test_size=None,
                                      random_state=1)
    per_split = []
    for train, test in splitter.split(np.zeros(60), target["object_name"].values):
        fit = PLSRegression(n_components=25, scale=False, max_iter=5000, tol=1e-15)
        predicted = fit.fit(X[train], Y[train]).predict(X[test])
        per_split.append(np.median([stats.pearsonr(predicted[:, k], Y[test, k]).statistic
                                    for k in range(Y.shape[1])]))
    assert score.raw == pytest.approx(np.mean(per_split), abs=1e-6)
    assert score.raw_error == pytest.approx(np.std(per_split) / np.sqrt(10), abs=1e-6)
    assert score.detail["raw"].dims == ("split", "neuroid")
