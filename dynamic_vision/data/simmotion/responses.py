"""Simulated V1 and MT populations driven by motion energy, and their noisy trials.

Pipeline (per stimulus): motion energy per frame, placed in time with the bank's latency
(:meth:`~dynamic_vision.modeling.motion_energy.MotionEnergyBank.response_steps`) → noise-free firing
rate per step for each unit → (MT) an extra latency → average into the recording's time
bins (:func:`dynamic_vision.core.temporal.align_time`, the same alignment models get) →
trial-to-trial gain and Poisson spike counts → rates in spikes/s.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dynamic_vision.data.simmotion.parameters import SimMotionParameters
from dynamic_vision.core.temporal import align_time

__all__ = ["v1_units", "mt_units", "v1_rates", "mt_rates", "bin_rates", "sample_trials"]


def v1_units(params: SimMotionParameters) -> pd.DataFrame:
    """The recorded V1 units: a fixed-seed subset of the bank's units (bank order kept).

    Returns the bank's unit table rows with an extra ``bank_index`` column.
    """
    rng = np.random.default_rng([params.seed, 2])
    index = np.sort(rng.choice(params.bank.n_units, size=params.n_v1, replace=False))
    table = params.bank.units().iloc[index].reset_index(drop=True)
    table.insert(0, "bank_index", index)
    table["neuroid_id"] = [f"V1_{i:03d}" for i in range(len(table))]
    return table


def mt_units(params: SimMotionParameters) -> pd.DataFrame:
    """The MT units: preferred direction (deg) and receptive-field centre (pixels)."""
    rng = np.random.default_rng([params.seed, 3])
    direction = rng.uniform(0.0, 360.0, size=params.n_mt)
    centre = rng.uniform(params.size / 4, 3 * params.size / 4, size=(params.n_mt, 2))
    return pd.DataFrame({"neuroid_id": [f"MT_{i:03d}" for i in range(params.n_mt)],
                         "direction": direction, "x": centre[:, 0], "y": centre[:, 1]})


def v1_rates(energies: np.ndarray, params: SimMotionParameters) -> np.ndarray:
    """Noise-free V1 rates (spikes/s), ``(n_stimuli, n_v1, steps)`` from bank energies.

    ``energies`` is ``(n_stimuli, steps, n_bank_units)``.

    Each unit's amplitude (the square root of its energy, see
    :meth:`~dynamic_vision.modeling.motion_energy.MotionEnergyBank.amplitudes`) is scaled by its
    maximum over the stimulus set and passed through a mildly expansive power law
    (``v1_exponent``).
    """
    selected = np.sqrt(energies[:, :, v1_units(params)["bank_index"].to_numpy()]
                       .astype(np.float64))
    scale = selected.max(axis=(0, 1), keepdims=True)
    drive = selected / np.where(scale > 0, scale, 1.0)
    rates = params.baseline_rate + params.peak_rate * drive**params.v1_exponent
    return np.moveaxis(rates, 1, 2)


def mt_rates(energies: np.ndarray, params: SimMotionParameters) -> np.ndarray:
    """Noise-free MT rates (spikes/s), ``(n_stimuli, n_mt, steps)`` from bank energies.

    Each MT unit pools energy over spatial and temporal frequency and over positions within a
    Gaussian receptive field, weighs directions with an opponent von Mises profile, divides by
    the direction-untuned pooled energy plus a semi-saturation constant (a fraction
    ``mt_semisaturation`` of the mean energy), rectifies and raises to ``mt_exponent``.
    """
    bank = params.bank
    n_stimuli, n_frames, _ = energies.shape
    n_dir, n_pos = bank.directions, bank.grid**2
    grid = energies.reshape(n_stimuli, n_frames, n_dir, -1, n_pos).astype(np.float64)
    by_position = grid.mean(axis=3)  # pool spatial and temporal frequency
    units = mt_units(params)
    centres = bank.centers()
    distance2 = ((centres[None, :, :] - units[["x", "y"]].to_numpy()[:, None, :]) ** 2).sum(-1)
    rf = np.exp(-distance2 / (2 * params.mt_rf_sigma**2))
    rf /= rf.sum(axis=1, keepdims=True)  # (n_mt, n_pos)
    pooled = np.einsum("sfdp,mp->smfd", by_position, rf)  # (stim, mt, frame, direction)
    bank_directions = np.deg2rad(np.arange(n_dir) * 360.0 / n_dir)
    preferred = np.deg2rad(units["direction"].to_numpy())
    tuning = np.exp(params.mt_direction_kappa
                    * (np.cos(bank_directions[None, :] - preferred[:, None]) - 1.0))
    tuning -= tuning.mean(axis=1, keepdims=True)  # opponent: zero response to flicker
    sigma = params.mt_semisaturation * energies.mean(dtype=np.float64)
    drive = np.einsum("smfd,md->smf", pooled, tuning) / (sigma + pooled.mean(axis=3))
    drive = np.clip(drive, 0.0, None) ** params.mt_exponent
    scale = drive.max(axis=(0, 2), keepdims=True)
    return params.baseline_rate + params.peak_rate * drive / np.where(scale > 0, scale, 1.0)


def bin_rates(rates: np.ndarray, step_start: np.ndarray, step_end: np.ndarray,
              params: SimMotionParameters, delay_ms: float = 0.0) -> np.ndarray:
    """Average rates ``(..., n_steps)`` over their steps (ms) into the recording's bins.

    ``delay_ms`` shifts every step later; before the first step the units fire at their
    baseline rate. The averaging is :func:`dynamic_vision.core.temporal.align_time`, the same
    alignment models get.
    """
    starts = np.asarray(step_start, dtype=np.float64) + delay_ms
    ends = np.asarray(step_end, dtype=np.float64) + delay_ms
    if starts[0] > 0:
        baseline = np.full(rates.shape[:-1] + (1,), params.baseline_rate)
        rates = np.concatenate([baseline, rates], axis=-1)
        starts, ends = np.r_[0.0, starts], np.r_[starts[0], ends]
    return align_time(rates, starts, ends, params.time_bins, axis=-1)


def sample_trials(binned: np.ndarray, params: SimMotionParameters,
                  rng: np.random.Generator) -> np.ndarray:
    """Noisy trials, ``(n_stimuli, repetitions, n_units, n_bins)`` rates from binned rates.

    Each trial multiplies a unit's rates by a Gamma(``gain_shape``, 1 / ``gain_shape``) gain,
    draws Poisson spike counts per bin and returns them as spikes/s.
    """
    n_stimuli, n_units, n_bins = binned.shape
    gain = rng.gamma(params.gain_shape, 1.0 / params.gain_shape,
                     size=(n_stimuli, params.repetitions, n_units, 1))
    bin_s = params.bin_ms / 1000.0
    counts = rng.poisson(binned[:, None, :, :] * gain * bin_s)
    return (counts / bin_s).astype(np.float32)
