"""HRF shape, convolution, TR binning and FIR delays against direct computations."""

import math

import numpy as np
import pytest

from dynamic_vision.benchmark_kinds.hrf import bin_to_trs, convolve_hrf, double_gamma_hrf, fir_delays, \
    hrf_length_trs
from dynamic_vision.statistics.splits import assert_no_leakage, contiguous_chunk_splits


def _gamma_pdf(t, shape):
    return t ** (shape - 1) * math.exp(-t) / math.gamma(shape) if t > 0 else 0.0


def test_double_gamma_matches_its_formula_and_spm_shape():
    dt = 0.1
    hrf = double_gamma_hrf(dt)
    direct = np.array([_gamma_pdf(t, 6) - _gamma_pdf(t, 16) / 6 for t in np.arange(0, 32, dt)])
    np.testing.assert_allclose(hrf, direct / direct.sum(), rtol=1e-10, atol=1e-14)
    t_peak = np.argmax(hrf) * dt
    t_trough = np.argmin(hrf) * dt
    assert t_peak == pytest.approx(5.0, abs=0.1)  # mode of Γ(6, 1)
    assert 14.0 < t_trough < 16.5 and hrf.min() < 0
    assert hrf.sum() == pytest.approx(1.0)


def test_convolution_is_causal_and_matches_numpy():
    rng = np.random.default_rng(0)
    signal = rng.normal(size=(200, 3))
    kernel = double_gamma_hrf(0.5)
    out = convolve_hrf(signal, 0.5)
    for k in range(3):
        np.testing.assert_allclose(out[:, k], np.convolve(signal[:, k], kernel)[:200], atol=1e-12)
    impulse = np.zeros(100)
    impulse[40] = 1.0
    response = convolve_hrf(impulse, 0.5)
    assert np.all(response[:40] == pytest.approx(0.0, abs=1e-12))


def test_bin_to_trs_averages_samples_and_names_empty_trs():
    times = np.arange(0, 6, 0.5)  # 2 Hz, TR = 2 s → 4 samples per TR
    values = np.arange(12.0)[:, None]
    np.testing.assert_allclose(bin_to_trs(values, times, 2.0)[:, 0], [1.5, 5.5, 9.5])
    with pytest.raises(ValueError, match=r"^TR 1 \(2\.00–4\.00 s\) has no sample; sample "
                                         r"features at least once per TR of 2\.0 s\.$"):
        bin_to_trs(values[[0, 8]], times[[0, 8]], 2.0)


def test_fir_delays_shift_each_feature():
    features = np.random.default_rng(1).normal(size=(20, 3))
    delays = (0, 1, 3, -2)
    out = fir_delays(features, delays)
    assert out.shape == (20, 12)
    for block, delay in enumerate(delays):
        for t in range(20):
            source = t - delay
            expected = features[source] if 0 <= source < 20 else np.zeros(3)
            np.testing.assert_array_equal(out[t, 3 * block:3 * block + 3], expected)


def test_gap_of_hrf_length_prevents_leakage():
    gap = hrf_length_trs(tr_s=2.0)
    assert gap == 16
    splits = contiguous_chunk_splits(300, 5, gap)
    assert_no_leakage(splits, gap - 1)
    with pytest.raises(AssertionError, match=r"leaks"):
        assert_no_leakage(contiguous_chunk_splits(300, 5, 2), gap - 1)
