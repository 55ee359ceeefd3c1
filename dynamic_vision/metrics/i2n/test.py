"""I2n / I1n against a loop-based re-derivation from Rajalingham et al. (2018)'s definitions."""

import numpy as np
import pytest
from scipy import stats

from dynamic_vision.statistics.ceilings import behavioral_ceiling
from dynamic_vision.metric_kinds.behavior import hit_rates, i1n, i2n, signature_of
from dynamic_vision.core.registry import metric_registry
from dynamic_vision.testing import check_metric
from dynamic_vision.testing.metric_checks import toy_behavior


def _dprime(hit, false_alarm):
    value = stats.norm.ppf(hit) - stats.norm.ppf(false_alarm)
    return float(np.clip(value, -5, 5)) if np.isfinite(value) or np.isinf(value) else np.nan


def _reference_rates(trials):
    """Hit rate per (image, distractor), from the trial table, one pair at a time."""
    table = {}
    ids, labels = trials["stimulus_id"].values, trials["label"].values
    distractors, choices = trials["distractor"].values, trials["choice"].values
    for image in sorted(set(ids)):
        label = labels[ids == image][0]
        for distractor in sorted(set(labels)):
            if distractor == label:
                continue
            rows = (ids == image) & (distractors == distractor)
            table[image, distractor] = np.mean(choices[rows] == label)
    return table, {image: labels[ids == image][0] for image in set(ids)}


def _reference_i2n(trials):
    rate, label_of = _reference_rates(trials)
    images = sorted(label_of)
    objects = sorted(set(label_of.values()))
    d = {}
    for image in images:
        a = label_of[image]
        for j in objects:
            if j == a:
                continue
            # false alarm: choosing a on images of j when a was the other option
            false_alarm = np.mean([1 - rate[k, a] for k in images if label_of[k] == j])
            d[image, j] = _dprime(rate[image, j], false_alarm)
    normalised = {}
    for (image, j), value in d.items():
        same_object = [d[k, j] for k in images if label_of[k] == label_of[image]]
        normalised[image, j] = value - np.mean(same_object)
    return normalised, images, objects


def test_conformance():
    check_metric("i2n")


def test_i2n_matches_loop_derivation_from_trials():
    _, trials = toy_behavior(trials_per_image=30, seed=1)
    expected, images, objects = _reference_i2n(trials)
    ours = i2n(hit_rates(trials))
    for r, image in enumerate(images):
        for c, j in enumerate(objects):
            if (image, j) in expected:
                assert ours[r, c] == pytest.approx(expected[image, j], abs=1e-12)
            else:
                assert np.isnan(ours[r, c])


def test_model_probabilities_become_two_alternative_hit_rates():
    model, _ = toy_behavior(seed=2)
    p = model.values
    labels = model["label"].values
    objects = list(model["choice"].values)
    rates = hit_rates(model).rates
    for i in range(p.shape[0]):
        a = objects.index(labels[i])
        for j in range(p.shape[1]):
            if j != a:
                assert rates[i, j] == pytest.approx(p[i, a] / (p[i, a] + p[i, j]))


def test_i1n_matches_loop_derivation():
    _, trials = toy_behavior(trials_per_image=30, seed=3)
    rate, label_of = _reference_rates(trials)
    images = sorted(label_of)
    objects = sorted(set(label_of.values()))
    d = {}
    for image in images:
        a = label_of[image]
        hit = np.mean([rate[image, j] for j in objects if j != a])
        false_alarm = np.mean([1 - rate[k, a] for k in images if label_of[k] != a])
        d[image] = _dprime(hit, false_alarm)
    expected = [d[image] - np.mean([d[k] for k in images if label_of[k] == label_of[image]])
                for image in images]
    np.testing.assert_allclose(i1n(hit_rates(trials)), expected, atol=1e-12)


def test_metric_is_pearson_of_signatures_and_beats_a_scrambled_model():
    model, trials = toy_behavior(trials_per_image=60, seed=4)
    score = metric_registry.load("i2n", n_bootstrap=20)(model, trials)
    a = score.detail["model_signature"].values.ravel()
    b = score.detail["target_signature"].values.ravel()
    valid = np.isfinite(a) & np.isfinite(b)
    assert score.raw == pytest.approx(stats.pearsonr(a[valid], b[valid]).statistic)
    assert score.raw > 0.5 and score.raw_error > 0
    scrambled = model.copy(data=np.random.default_rng(0).permutation(model.values))
    assert metric_registry.load("i2n", n_bootstrap=0)(scrambled, trials).raw < score.raw - 0.3


def test_behavioral_ceiling_halves_trials_and_corrects():
    _, trials = toy_behavior(trials_per_image=40, seed=5)
    ceiling = behavioral_ceiling(trials, signature_of("i2n"), n_splits=3, seed=0)
    assert 0.3 < ceiling.raw < 1.0
    by_subject = behavioral_ceiling(trials, signature_of("i2n"), n_splits=3,
                                    split_coord="subject")
    assert np.isfinite(by_subject.raw)


def test_missing_images_are_named():
    model, trials = toy_behavior()
    with pytest.raises(ValueError, match=(
            r"^1 of 24 target stimulus_ids are missing from the model's behaviour: "
            r"\['img000'\]\. Show the model every stimulus of the target\.$")):
        metric_registry.load("i2n")(model.isel(presentation=slice(1, None)), trials)
