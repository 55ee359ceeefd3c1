"""Haemodynamic response: the canonical double-gamma HRF, convolution, TR binning, FIR delays.

To predict fMRI from a model, feature time series (sampled at the model's frame rate) are
either convolved with the canonical HRF and averaged into TRs, or averaged into TRs and then
expanded with finite-impulse-response delays so that the regression learns the response shape
per feature (the FIR model of voxelwise encoding).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

__all__ = ["double_gamma_hrf", "convolve_hrf", "bin_to_trs", "fir_delays", "HRF_LENGTH_S",
           "hrf_length_trs"]

#: Duration after which the canonical HRF is treated as over (seconds).
HRF_LENGTH_S = 32.0


def double_gamma_hrf(dt_s: float, length_s: float = HRF_LENGTH_S, peak_s: float = 6.0,
                     undershoot_s: float = 16.0, peak_dispersion: float = 1.0,
                     undershoot_dispersion: float = 1.0, ratio: float = 1.0 / 6.0) -> np.ndarray:
    """The canonical (SPM) double-gamma HRF sampled every ``dt_s`` seconds from 0.

    ``h(t) = Γpdf(t; peak/disp₁, disp₁) − ratio · Γpdf(t; undershoot/disp₂, disp₂)``, with
    SPM's defaults (peak 6 s, undershoot 16 s, dispersions 1, ratio 1/6), normalised to unit
    sum so that convolving a constant leaves its level unchanged.
    """
    if dt_s <= 0 or length_s <= 0:
        raise ValueError(f"dt_s and length_s must be positive, got {dt_s} and {length_s}.")
    t = np.arange(0.0, length_s, dt_s)
    response = (stats.gamma.pdf(t, peak_s / peak_dispersion, scale=peak_dispersion)
                - ratio * stats.gamma.pdf(t, undershoot_s / undershoot_dispersion,
                                          scale=undershoot_dispersion))
    return response / response.sum()


def convolve_hrf(features: np.ndarray, dt_s: float, hrf: np.ndarray | None = None) -> np.ndarray:
    """Causal convolution of time × feature series with an HRF sampled at ``dt_s``.

    The output has the input's length: sample ``k`` depends only on samples ``<= k``.
    """
    features = np.asarray(features, dtype=np.float64)
    kernel = double_gamma_hrf(dt_s) if hrf is None else np.asarray(hrf, dtype=np.float64)
    squeeze = features.ndim == 1
    features = features[:, None] if squeeze else features
    n = features.shape[0]
    size = n + kernel.size - 1
    spectrum = np.fft.rfft(features, size, axis=0) * np.fft.rfft(kernel, size)[:, None]
    out = np.fft.irfft(spectrum, size, axis=0)[:n]
    return out[:, 0] if squeeze else out


def bin_to_trs(values: np.ndarray, times_s: np.ndarray, tr_s: float,
               n_trs: int | None = None) -> np.ndarray:
    """Average time × feature samples into TRs ``[k·tr, (k+1)·tr)``.

    Parameters
    ----------
    values
        Samples × features.
    times_s
        Time of each sample (seconds from run start).
    tr_s
        Repetition time.
    n_trs
        Number of TRs (default: enough to cover the last sample).

    Raises
    ------
    ValueError
        When a TR receives no sample (the sampling is coarser than the TR).
    """
    values = np.asarray(values, dtype=np.float64)
    times_s = np.asarray(times_s, dtype=np.float64)
    index = np.floor(times_s / tr_s + 1e-9).astype(int)
    n_trs = int(index.max()) + 1 if n_trs is None else n_trs
    keep = (index >= 0) & (index < n_trs)
    sums = np.zeros((n_trs,) + values.shape[1:])
    np.add.at(sums, index[keep], values[keep])
    counts = np.bincount(index[keep], minlength=n_trs)
    if np.any(counts == 0):
        empty = int(np.flatnonzero(counts == 0)[0])
        raise ValueError(f"TR {empty} ({empty * tr_s:.2f}–{(empty + 1) * tr_s:.2f} s) has no "
                         f"sample; sample features at least once per TR of {tr_s} s.")
    return sums / counts.reshape((-1,) + (1,) * (values.ndim - 1))


def fir_delays(features: np.ndarray, delays: Sequence[int] = (1, 2, 3, 4)) -> np.ndarray:
    """Stack copies of TR × feature series shifted by ``delays`` TRs (zeros shifted in).

    Columns are ordered delay-major: all features at ``delays[0]``, then at ``delays[1]``, ...
    Row ``t`` of block ``d`` holds the features of row ``t - delays[d]``.
    """
    features = np.asarray(features, dtype=np.float64)
    n = features.shape[0]
    blocks = []
    for delay in delays:
        shifted = np.zeros_like(features)
        if delay >= 0:
            shifted[delay:] = features[: n - delay] if delay < n else 0.0
        else:
            shifted[:delay] = features[-delay:]
        blocks.append(shifted)
    return np.concatenate(blocks, axis=1)


def hrf_length_trs(tr_s: float, length_s: float = HRF_LENGTH_S) -> int:
    """The HRF's length in TRs: the gap :func:`dynamic_vision.statistics.splits.contiguous_chunk_splits`
    needs so that no response carries a test TR into training."""
    return int(np.ceil(length_s / tr_s))
