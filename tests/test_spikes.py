"""Spike binning aligned to logged movie frames, checked against a brute-force count."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dynamic_vision.io.spikes import count_spikes, movie_trials, split_ragged

N_FRAMES, FPS = 12, 30.0


def frame_table(rng, n_repeats=3, partial=True):
    """Frame onsets with jitter and a gap between repeats; an aborted repeat at the end."""
    rows, t = [], 5.0
    for _ in range(n_repeats):
        for frame in range(N_FRAMES):
            duration = 1 / FPS + rng.uniform(-0.002, 0.004)
            rows.append((t, t + duration, frame))
            t += duration
        t += 0.5
    if partial:
        for frame in range(5):
            rows.append((t, t + 1 / FPS, frame))
            t += 1 / FPS
    table = pd.DataFrame(rows, columns=["start_time", "stop_time", "frame"])
    return table.sample(frac=1.0, random_state=1)  # the reader must not trust row order


def brute_force(spikes_per_unit, table, frames_per_clip, frames_per_bin):
    """Independent count: walk every spike, find its frame by scanning the table."""
    ordered = table.sort_values("start_time").to_numpy()
    repeats = [ordered[i * N_FRAMES:(i + 1) * N_FRAMES] for i in range(len(ordered) // N_FRAMES)]
    repeats = [r for r in repeats if list(r[:, 2]) == list(range(N_FRAMES))]
    n_clips, n_bins = N_FRAMES // frames_per_clip, frames_per_clip // frames_per_bin
    counts = np.zeros((len(repeats) * n_clips, len(spikes_per_unit), n_bins), int)
    for r, rows in enumerate(repeats):
        for unit, spikes in enumerate(spikes_per_unit):
            for spike in spikes:
                for frame in range(N_FRAMES):
                    start = rows[frame, 0]
                    # a frame lasts until the next onset; the last one until its stop time
                    end = rows[frame + 1, 0] if frame + 1 < N_FRAMES else rows[frame, 1]
                    if start <= spike < end:
                        clip, within = divmod(frame, frames_per_clip)
                        counts[r * n_clips + clip, unit, within // frames_per_bin] += 1
    return counts


@pytest.mark.parametrize("frames_per_clip, frames_per_bin", [(6, 3), (12, 4), (4, 1)])
def test_counts_match_a_brute_force_count(frames_per_clip, frames_per_bin):
    rng = np.random.default_rng(0)
    table = frame_table(rng)
    span = (table["start_time"].min() - 0.2, table["stop_time"].max() + 0.2)
    spikes = [rng.uniform(*span, size=n) for n in (0, 5, 40, 300)]
    # spikes exactly on frame onsets belong to the frame that starts there
    spikes[1] = np.sort(table["start_time"].to_numpy())[[0, 3, 13, 20, 25]]
    trials = movie_trials(table, frames_per_clip=frames_per_clip, frames_per_bin=frames_per_bin)
    counts = count_spikes(spikes, trials.edges)
    expected = brute_force(spikes, table, frames_per_clip, frames_per_bin)
    np.testing.assert_array_equal(counts, expected)
    n_clips = N_FRAMES // frames_per_clip
    assert counts.shape == (3 * n_clips, 4, frames_per_clip // frames_per_bin)
    assert trials.clip.tolist() == list(range(n_clips)) * 3
    assert trials.repeat.tolist() == sorted(list(range(3)) * n_clips)
    assert counts[:, 0].sum() == 0 and counts[:, 1].sum() == 5


def test_bins_start_on_logged_frame_onsets():
    table = frame_table(np.random.default_rng(2), n_repeats=2, partial=False)
    trials = movie_trials(table, frames_per_clip=6, frames_per_bin=2)
    onsets = np.sort(table["start_time"].to_numpy())
    np.testing.assert_allclose(trials.edges[0], [onsets[0], onsets[2], onsets[4],
                                                 table.sort_values("start_time")
                                                 ["stop_time"].iloc[5]])
    np.testing.assert_allclose(trials.edges[3, :3], onsets[[18, 20, 22]])
    width = trials.frame_duration_ms * 2
    assert trials.time_bins_ms[1] == pytest.approx((width, 2 * width))


def test_split_ragged_follows_nwb_end_offsets():
    data = np.arange(7.0)
    parts = split_ragged(data, np.array([2, 2, 7]))
    assert [p.tolist() for p in parts] == [[0.0, 1.0], [], [2.0, 3.0, 4.0, 5.0, 6.0]]
    with pytest.raises(ValueError, match="end offsets"):
        split_ragged(data, np.array([3, 2]))


def test_bad_cuts_are_refused():
    table = frame_table(np.random.default_rng(0), n_repeats=1, partial=False)
    with pytest.raises(ValueError, match="divide"):
        movie_trials(table, frames_per_clip=6, frames_per_bin=4)
    with pytest.raises(ValueError, match="divide the movie"):
        movie_trials(table, frames_per_clip=5, frames_per_bin=5)
