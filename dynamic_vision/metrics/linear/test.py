"""The least-squares metric."""

import numpy as np
from scipy import stats
from sklearn.linear_model import LinearRegression

from dynamic_vision.core.registry import metric_registry
from dynamic_vision.statistics.splits import KFoldSplits
from dynamic_vision.testing import check_metric
from dynamic_vision.testing.metric_checks import toy_assemblies


def test_conformance():
    check_metric("linear")


def test_matches_sklearn_per_split():
    source, target = toy_assemblies(n_stimuli=50, n_features=10, seed=6)
    splits = KFoldSplits(5, seed=1)
    score = metric_registry.load("linear", splits=splits)(source, target)
    X, Y = source.values, target.values
    for k, (train, test) in enumerate(splits.split(target)):
        predicted = LinearRegression().fit(X[train], Y[train]).predict(X[test])
        expected = [stats.pearsonr(predicted[:, j], Y[test, j]).statistic
                    for j in range(Y.shape[1])]
        np.testing.assert_allclose(score.detail["raw"].values[k], expected, atol=1e-8)
