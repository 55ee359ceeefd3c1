"""Split-half ceilings against a direct, loop-based computation."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy import stats

from dynamic_vision.statistics.ceilings import random_halves, split_half_ceiling


def _recordings(n_stimuli=30, n_neuroids=6, n_repetitions=4, n_time_bins=None, seed=0):
    rng = np.random.default_rng(seed)
    shape = (n_stimuli, n_neuroids) + ((n_time_bins,) if n_time_bins else ())
    signal = rng.normal(size=shape)
    noise_level = np.linspace(0.3, 3.0, n_neuroids)[:, None] if n_time_bins else \
        np.linspace(0.3, 3.0, n_neuroids)
    trials = np.concatenate([signal + rng.normal(size=shape) * noise_level
                             for _ in range(n_repetitions)])
    ids = [f"s{i:03d}" for i in range(n_stimuli)] * n_repetitions
    dims = ("presentation", "neuroid") + (("time_bin",) if n_time_bins else ())
    return xr.DataArray(trials, dims=dims, coords={
        "stimulus_id": ("presentation", ids),
        "repetition": ("presentation", np.repeat(np.arange(n_repetitions), n_stimuli)),
        "neuroid_id": ("neuroid", [f"n{k}" for k in range(n_neuroids)])})


def _direct(assembly, halves):
    per_split = []
    for a, b in halves:
        values = []
        for k in range(assembly.sizes["neuroid"]):
            unit = assembly.isel(neuroid=k)
            frame = lambda rows: pd.DataFrame(  # noqa: E731
                np.asarray(unit.values[rows]).reshape(len(rows), -1),
                index=unit["stimulus_id"].values[rows]).groupby(level=0).mean().sort_index()
            r = stats.pearsonr(frame(a).values.ravel(), frame(b).values.ravel()).statistic
            values.append(2 * r / (1 + r))
        per_split.append(np.median(values))
    return np.mean(per_split), np.std(per_split) / np.sqrt(len(per_split))


def test_split_half_matches_direct_computation():
    assembly = _recordings()
    ceiling = split_half_ceiling(assembly, n_splits=5, seed=3)
    center, error = _direct(assembly, random_halves(assembly["stimulus_id"].values, 5, 3))
    assert ceiling.raw == pytest.approx(center, abs=1e-12)
    assert ceiling.raw_error == pytest.approx(error, abs=1e-12)
    assert ceiling.detail["neuroid_ceiling"].dims == ("neuroid",)
    # noisier neuroids are less reliable
    assert np.all(np.diff(ceiling.detail["neuroid_ceiling"].values) < 0.05)


def test_time_bins_correlate_over_stimuli_and_time():
    assembly = _recordings(n_time_bins=3, seed=1)
    ceiling = split_half_ceiling(assembly, n_splits=3, seed=0)
    halves = random_halves(assembly["stimulus_id"].values, 3, 0)
    center, _ = _direct(assembly.transpose("presentation", "neuroid", "time_bin"), halves)
    assert ceiling.raw == pytest.approx(center, abs=1e-12)


def test_halves_split_repetitions_within_each_stimulus():
    ids = np.array(["a", "b", "a", "b", "a", "b", "a"])
    for a, b in random_halves(ids, 4, 0):
        assert sorted(ids[a].tolist()) == ["a", "a", "b"]
        assert sorted(ids[b].tolist()) == ["a", "a", "b", "b"]
        assert not set(a) & set(b)


def test_single_repetition_is_refused_by_name():
    assembly = _recordings(n_repetitions=2).isel(presentation=slice(0, 45))
    with pytest.raises(ValueError, match=(
            r"^A split-half ceiling needs at least 2 repetitions of every stimulus; 15 stimuli "
            r"have only one, e\.g\. stimulus_id 's015'\. Pass the repetition-resolved "
            r"recordings, or drop those stimuli\.$")):
        split_half_ceiling(assembly)


def test_perfectly_repeatable_data_have_ceiling_one():
    assembly = _recordings()
    first = assembly.isel(presentation=slice(0, 30))
    repeated = xr.concat([first, first], dim="presentation")
    assert split_half_ceiling(repeated, n_splits=2).raw == pytest.approx(1.0)


def test_constant_neuroids_warn_and_are_excluded():
    assembly = _recordings().copy()
    assembly[:, 2] = 0.0
    with pytest.warns(RuntimeWarning, match=r"^1 of 6 neuroids are constant across stimuli"):
        ceiling = split_half_ceiling(assembly, n_splits=2)
    assert np.isnan(ceiling.detail["neuroid_ceiling"].values[2])
    assert np.isfinite(ceiling.raw)


def test_ceiled_metric_score_keeps_its_detail_and_divides():
    from dynamic_vision.core.registry import metric_registry
    from dynamic_vision.statistics.splits import KFoldSplits

    assembly = _recordings(n_stimuli=40, seed=4)
    target = assembly.groupby("stimulus_id").mean().rename(stimulus_id="presentation")
    target = target.assign_coords(stimulus_id=("presentation", target["presentation"].values))
    target = target.drop_vars("presentation")
    source = target.copy(data=target.values + np.random.default_rng(0).normal(
        size=target.shape))
    raw = metric_registry.load("ridge", splits=KFoldSplits(4))(source, target)
    ceiling = split_half_ceiling(assembly, n_splits=3)
    ceiled = raw.ceiled(ceiling)
    assert ceiled.convention == "disattenuated"
    assert ceiled.value == pytest.approx(raw.raw / np.sqrt(ceiling.raw))
    assert ceiled.detail["raw"].shape == (4, 6)
    assert ceiled.detail["ceiling_halving_ceiling"].shape == (3,)
    brainscore = raw.ceiled(ceiling, "explained_variance")
    assert brainscore.value == pytest.approx(raw.raw ** 2 / ceiling.raw)
    assert brainscore.error == raw.raw_error


def test_explicit_halves_are_used_as_given():
    from dynamic_vision.statistics.ceilings import behavioral_ceiling, rsa_ceiling

    assembly = _recordings(seed=5)
    halves = random_halves(assembly["stimulus_id"].values, 4, 9)
    given = split_half_ceiling(assembly, halves=halves)
    assert given.raw == pytest.approx(split_half_ceiling(assembly, n_splits=4, seed=9).raw)
    assert given.raw == pytest.approx(_direct(assembly, halves)[0], abs=1e-12)
    odd_even = [(np.flatnonzero(assembly["repetition"].values % 2 == 0),
                 np.flatnonzero(assembly["repetition"].values % 2 == 1))]
    assert split_half_ceiling(assembly, halves=odd_even).raw == pytest.approx(
        _direct(assembly, odd_even)[0], abs=1e-12)
    assert rsa_ceiling(assembly, halves=odd_even).detail.sizes["halving"] == 1
    signature = lambda trials: trials.values.mean(axis=1)  # noqa: E731
    assert np.isfinite(behavioral_ceiling(assembly, signature, halves=odd_even).raw)
    with pytest.raises(ValueError, match="puts rows in both halves"):
        split_half_ceiling(assembly, halves=[([0, 1], [1, 2])])


def test_mean_aggregation_matches_a_mean_over_neuroids():
    assembly = _recordings(seed=6)
    median = split_half_ceiling(assembly, n_splits=3, seed=1)
    mean = split_half_ceiling(assembly, n_splits=3, seed=1, aggregation="mean")
    corrected = median.detail["neuroid_ceiling"].values
    assert mean.raw != pytest.approx(median.raw)
    assert mean.raw == pytest.approx(np.mean(corrected), rel=0.05)
