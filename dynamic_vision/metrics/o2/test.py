"""O2 against a loop-based derivation."""

import numpy as np
import pytest
from scipy import stats

from dynamic_vision.metric_kinds.behavior import hit_rates, o2
from dynamic_vision.testing import check_metric
from dynamic_vision.testing.metric_checks import toy_behavior


def test_conformance():
    check_metric("o2")


def test_o2_matches_loop_derivation():
    model, _ = toy_behavior(seed=6)
    p, labels = model.values, model["label"].values
    objects = list(model["choice"].values)
    n = len(objects)
    hit = np.zeros((n, n))
    for a in range(n):
        for b in range(n):
            rows = [i for i in range(len(p)) if labels[i] == objects[a]]
            hit[a, b] = np.mean([p[i, a] / (p[i, a] + p[i, b]) for i in rows])
    ours = o2(hit_rates(model))
    for a in range(n):
        for b in range(n):
            if a == b:
                assert np.isnan(ours[a, b])
            else:
                expected = stats.norm.ppf(hit[a, b]) - stats.norm.ppf(1 - hit[b, a])
                assert ours[a, b] == pytest.approx(np.clip(expected, -5, 5))
