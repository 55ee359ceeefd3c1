"""Alignment of model time steps to time bins, against a brute-force millisecond sampler."""

from __future__ import annotations

import numpy as np
import pytest

from dynamic_vision.core.temporal import align_time, frame_intervals, overlap_weights


def sampled_average(values, starts, ends, bins, resolution=0.01):
    """Independent reference: average the step on screen at each sampled instant of a bin."""
    out = []
    for bin_start, bin_end in bins:
        times = np.arange(bin_start + resolution / 2, bin_end, resolution)
        on = [(times >= s) & (times < e) for s, e in zip(starts, ends)]
        counts = np.array([mask.sum() for mask in on], dtype=float)
        out.append(values @ (counts / counts.sum()))
    return np.stack(out, axis=-1)


def test_frame_intervals():
    starts, ends = frame_intervals(3, 25.0)
    np.testing.assert_allclose(starts, [0, 40, 80])
    np.testing.assert_allclose(ends, [40, 80, 120])
    with pytest.raises(ValueError, match="fps must be positive"):
        frame_intervals(3, 0)


def test_overlap_weights_by_hand():
    starts, ends = frame_intervals(4, 10.0)  # steps of 100 ms
    weights = overlap_weights(starts, ends, [(0, 100), (50, 250), (390, 400)])
    np.testing.assert_allclose(weights, [[1, 0, 0, 0],
                                         [0.25, 0.5, 0.25, 0],
                                         [0, 0, 0, 1]])
    np.testing.assert_allclose(weights.sum(axis=1), 1)


def test_bins_outside_the_steps_take_the_nearest_step():
    starts, ends = frame_intervals(3, 10.0)  # 0–300 ms
    weights = overlap_weights(starts, ends, [(400, 500), (-100, -50)])
    np.testing.assert_allclose(weights, [[0, 0, 1], [1, 0, 0]])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_align_time_matches_sampled_reference(seed):
    rng = np.random.default_rng(seed)
    fps = rng.uniform(8, 40)
    n_steps = int(rng.integers(3, 12))
    starts, ends = frame_intervals(n_steps, fps)
    values = rng.standard_normal((5, n_steps))
    edges = np.sort(rng.uniform(0, ends[-1], size=6))
    bins = list(zip(edges[:-1], edges[1:]))
    got = align_time(values, starts, ends, bins)
    np.testing.assert_allclose(got, sampled_average(values, starts, ends, bins), atol=2e-3)


def test_align_time_axis_and_dtype():
    starts, ends = frame_intervals(4, 10.0)
    values = np.arange(4 * 3).reshape(4, 3)  # integers, time on axis 0
    got = align_time(values, starts, ends, [(0, 200), (200, 400)], axis=0)
    assert got.shape == (2, 3) and np.issubdtype(got.dtype, np.floating)
    np.testing.assert_allclose(got, [[1.5, 2.5, 3.5], [7.5, 8.5, 9.5]])


def test_nan_steps_spoil_only_bins_that_use_them():
    starts, ends = frame_intervals(4, 10.0)
    values = np.array([[1.0, 3.0, np.nan, np.nan]])
    got = align_time(values, starts, ends, [(0, 200), (100, 300)])
    np.testing.assert_allclose(got[0, 0], 2.0)
    assert np.isnan(got[0, 1])


def test_errors():
    with pytest.raises(ValueError, match="3 time steps along axis -1, but 2 step intervals"):
        align_time(np.zeros((2, 3)), [0, 10], [10, 20], [(0, 10)])
    with pytest.raises(ValueError, match="must end after it starts"):
        overlap_weights([0, 10], [10, 10], [(0, 10)])
    with pytest.raises(ValueError, match="must end after it starts"):
        overlap_weights([0], [10], [(5, 5)])
