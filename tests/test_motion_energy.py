"""The motion-energy filter bank: tuning, invariances, causality, and an independent reference."""

from __future__ import annotations

import numpy as np
import pytest

from dynamic_vision.modeling.motion_energy import MotionEnergyBank, to_contrast
from dynamic_vision.core.temporal import align_time

BANK = MotionEnergyBank(size=64, spatial_frequencies=(0.08, 0.16), grid=2)


def grating(bank: MotionEnergyBank, direction: float, sf: float, tf: float,
            n_frames: int = 24, contrast: float = 1.0) -> np.ndarray:
    coords = np.arange(bank.size) + 0.5
    ys, xs = np.meshgrid(coords, coords, indexing="ij")
    angle = np.deg2rad(direction)
    along = xs * np.cos(angle) - ys * np.sin(angle)
    t = np.arange(n_frames)[:, None, None] / bank.fps
    return contrast * np.cos(2 * np.pi * (sf * along[None] - tf * t))


def steady_energy(bank: MotionEnergyBank, frames: np.ndarray) -> np.ndarray:
    return bank.energies(frames)[12:].mean(axis=0)


def test_units_table_matches_energy_columns():
    units = BANK.units()
    assert len(units) == BANK.n_units == 8 * 2 * 2 * 4
    assert units["neuroid_id"].is_unique
    energies = BANK.energies(np.zeros((3, 64, 64), dtype=np.float32))
    assert energies.shape == (3, BANK.n_units)
    assert np.all(energies == 0)


@pytest.mark.parametrize("direction", [0.0, 45.0, 90.0, 180.0, 315.0])
def test_preferred_direction_and_frequency_win(direction):
    units = BANK.units()
    energy = steady_energy(BANK, grating(BANK, direction, 0.16, 8.0))
    best = units.iloc[int(np.argmax(energy))]
    assert best["direction"] == direction
    assert best["spatial_frequency"] == 0.16
    # Direction selectivity: the same filter's opposite-direction twin responds far less.
    same = (units["spatial_frequency"] == 0.16) & (units["temporal_frequency"] == 8.0) & \
        (units["x"] == best["x"]) & (units["y"] == best["y"])
    preferred = energy[(same & (units["direction"] == direction)).to_numpy()][0]
    opposite = energy[(same & (units["direction"] == (direction + 180) % 360)).to_numpy()][0]
    assert preferred > 5 * opposite


def test_full_contrast_optimal_grating_has_modulus_one_half_spatially():
    responses = BANK.spatial_responses(grating(BANK, 0.0, 0.08, 4.0, n_frames=4))
    # Column 0: orientation 0, spatial frequency 0.08, first position.
    assert np.allclose(np.abs(responses[:, 0]), 0.5, atol=0.04)


def test_energy_is_phase_invariant_and_contrast_squared():
    frames = grating(BANK, 90.0, 0.08, 4.0, n_frames=40)
    energy = BANK.energies(frames)[15:]
    preferred = energy.mean(axis=0).argmax()
    trace = energy[:, preferred]
    assert trace.std() / trace.mean() < 0.05  # quadrature pair: no ripple at the carrier
    half = BANK.energies(frames * 0.5)[15:, preferred]
    assert np.allclose(half, trace / 4, rtol=1e-4)


def test_static_image_gives_an_onset_transient_only():
    still = np.repeat(grating(BANK, 0.0, 0.08, 0.0, n_frames=1), 20, axis=0)
    energy = BANK.energies(still)
    n_taps = BANK.temporal_filters().shape[-1]
    assert energy[1:n_taps].max() > 1e-3
    assert energy[n_taps:].max() < 1e-9


def test_filtering_is_causal():
    frames = grating(BANK, 0.0, 0.08, 4.0)
    changed = frames.copy()
    changed[15:] = np.random.default_rng(0).uniform(-1, 1, size=changed[15:].shape)
    np.testing.assert_array_equal(BANK.energies(frames)[:15], BANK.energies(changed)[:15])


def test_matches_the_adelson_bergen_construction():
    """Reference: real even/odd spatial and temporal filters, the four separable products
    combined into two oriented quadrature pairs, convolved directly (no complex arithmetic),
    in units of the reference energies."""
    rng = np.random.default_rng(1)
    frames = rng.uniform(-1, 1, size=(12, 64, 64)).astype(np.float32)
    spatial = BANK.spatial_filters().toarray()  # (n_spatial, pixels): even = Re, odd = Im
    temporal = BANK.temporal_filters()
    n_taps = temporal.shape[-1]
    units = BANK.units()
    n_orient, n_sf, n_tf, n_pos = 4, 2, 2, 4
    flat = frames.reshape(12, -1).astype(np.float64)
    even_s, odd_s = flat @ spatial.real.T, flat @ spatial.imag.T
    reference = np.empty((12, BANK.n_units))
    for index, unit in units.iterrows():
        d = int(round(unit["direction"] / 45.0))
        o, sign = d % n_orient, d // n_orient
        s = list(BANK.spatial_frequencies).index(unit["spatial_frequency"])
        k = list(BANK.temporal_frequencies).index(unit["temporal_frequency"])
        p = int(np.flatnonzero((BANK.centers() == [unit["x"], unit["y"]]).all(axis=1))[0])
        column = (o * n_sf + s) * n_pos + p
        h = temporal[sign, k]
        even_t, odd_t = h.real, h.imag
        for t in range(12):
            lags = np.arange(min(t + 1, n_taps))
            se, so = even_s[t - lags, column], odd_s[t - lags, column]
            # S = se - i so (response to conj(g)); (h * S) = (he + i ho)(se - i so)
            first = (even_t[lags] * se + odd_t[lags] * so).sum()
            second = (odd_t[lags] * se - even_t[lags] * so).sum()
            reference[t, index] = (first**2 + second**2) / BANK.reference_energies()[k]
    np.testing.assert_allclose(BANK.energies(frames), reference, rtol=2e-4, atol=1e-9)
    assert n_tf == len(BANK.temporal_frequencies)


def test_optimal_grating_energy_is_about_one():
    energy = steady_energy(BANK, grating(BANK, 0.0, 0.16, 8.0))
    assert 0.85 < energy.max() < 1.05
    np.testing.assert_allclose(BANK.amplitudes(grating(BANK, 0.0, 0.16, 8.0)) ** 2,
                               BANK.energies(grating(BANK, 0.0, 0.16, 8.0)), rtol=1e-5)


def test_response_steps_add_the_latency():
    energies = np.ones((6, 3), dtype=np.float32)
    values, starts, ends = BANK.response_steps(energies)
    assert values.shape == (7, 3) and np.all(values[0] == 0)
    assert starts[0] == 0 and ends[0] == BANK.latency_ms
    np.testing.assert_allclose(starts[1:], BANK.latency_ms + np.arange(6) * 1000 / 30)
    binned = align_time(values, starts, ends, [(0.0, 20.0), (20.0, 100.0)], axis=0)
    np.testing.assert_allclose(binned, [[0, 0, 0], [1, 1, 1]])


def test_to_contrast_maps_gray_levels():
    frames = np.array([[[[0, 0, 0], [255, 255, 255]]]], dtype=np.uint8)
    np.testing.assert_allclose(to_contrast(frames), [[[-1.0, 1.0]]], atol=1e-6)
    with pytest.raises(ValueError, match="Frames must be"):
        to_contrast(np.zeros((2, 2)))


def test_invalid_banks_are_refused():
    with pytest.raises(ValueError, match="even"):
        MotionEnergyBank(directions=3)
    with pytest.raises(ValueError, match="Nyquist"):
        MotionEnergyBank(temporal_frequencies=(20.0,))
    with pytest.raises(ValueError, match="resize"):
        BANK.energies(np.zeros((2, 32, 32)))
