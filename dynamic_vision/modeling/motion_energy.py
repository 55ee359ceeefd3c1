"""Spatiotemporal Gabor motion energy (Adelson & Bergen 1985; Simoncelli & Heeger 1998).

A :class:`MotionEnergyBank` turns a grayscale clip into the energies of direction-selective
units: quadrature pairs of space-time oriented filters over direction, spatial frequency,
temporal frequency and position. The same bank is the front end of the simulated SimMotion
recordings and the ``motion-energy`` model, so that model can be checked to recover the data.

Construction
------------
Each unit is separable into a complex spatial Gabor ``g`` (a local Gaussian envelope times a
complex carrier, at one of ``directions // 2`` orientations) and a complex causal temporal
filter ``h`` (a gamma envelope times a complex carrier at the preferred temporal frequency).
With ``S(t) = <frame(t), g>`` the spatial response, a grating drifting towards the carrier's
direction makes ``S(t)`` rotate as ``exp(-i w t)``; filtering it in time with
``h(t) = env(t) exp(-i w0 t)`` responds to that direction, with ``exp(+i w0 t)`` to the
opposite one. The real and imaginary parts of the result are the quadrature pair of the
Adelson–Bergen construction; the unit's energy is their sum of squares. Temporal filters have
zero gain at 0 Hz, so a static image evokes an onset transient only.

Coordinates: ``x`` grows to the right, ``y`` downwards (image rows); a direction of 0 degrees is
rightward motion and 90 degrees is upward motion on the screen. Spatial frequencies are in
cycles per pixel of the ``size`` x ``size`` input, temporal frequencies in Hz.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["MotionEnergyBank", "to_contrast", "LUMA_WEIGHTS", "TRUNCATION_SIGMAS"]

#: ITU-R BT.601 luma weights used to turn RGB frames into luminance.
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)
#: Spatial Gabors are truncated to this many envelope standard deviations.
TRUNCATION_SIGMAS = 3.0


def to_contrast(frames: np.ndarray) -> np.ndarray:
    """Luminance contrast in [-1, 1] of ``(T, H, W, 3)`` RGB or ``(T, H, W)`` gray uint8 frames.

    Mid-gray (127.5) maps to 0; black to -1 and white to +1.
    """
    frames = np.asarray(frames)
    if frames.ndim == 4 and frames.shape[-1] == 3:
        luminance = frames.astype(np.float32) @ LUMA_WEIGHTS
    elif frames.ndim == 3:
        luminance = frames.astype(np.float32)
    else:
        raise ValueError("Frames must be (T, H, W, 3) RGB or (T, H, W) gray, "
                         f"got shape {frames.shape}.")
    return luminance / np.float32(127.5) - np.float32(1.0)


@dataclass(frozen=True)
class MotionEnergyBank:
    """A bank of direction-selective motion-energy units.

    Parameters
    ----------
    size
        Side of the square input in pixels; clips are resized to ``size`` x ``size``.
    fps
        Frame rate the temporal filters are sampled at.
    directions
        Number of preferred directions, evenly spaced over 360 degrees (even: each spatial
        orientation serves two opposite directions).
    spatial_frequencies
        Preferred spatial frequencies, cycles per pixel.
    temporal_frequencies
        Preferred temporal frequencies, Hz (below ``fps / 2``).
    grid
        Receptive-field centres form a ``grid`` x ``grid`` lattice over the input.
    envelope_cycles
        Spatial Gaussian standard deviation in carrier cycles (``sigma = envelope_cycles / sf``);
        0.3 gives broad tuning, about 2.5 octaves of spatial-frequency bandwidth and an
        orientation half-width near 30 degrees, as in many V1 complex cells.
    temporal_tau_ms, temporal_order
        The causal gamma envelope ``(t / tau)^order exp(-t / tau)`` of the temporal filters; it
        peaks at ``order * tau`` ms, which sets the units' response latency.
    temporal_support_ms
        Length of the temporal filters.
    latency_ms
        A pure delay (conduction time) added to the filters' own causal delay: the response to
        frame ``i`` starts at ``latency_ms + 1000 i / fps`` (see :meth:`response_steps`).
    """

    size: int = 128
    fps: float = 30.0
    directions: int = 8
    spatial_frequencies: tuple[float, ...] = (0.04, 0.08, 0.16)
    temporal_frequencies: tuple[float, ...] = (4.0, 8.0)
    grid: int = 3
    envelope_cycles: float = 0.3
    temporal_tau_ms: float = 25.0
    temporal_order: int = 2
    temporal_support_ms: float = 300.0
    latency_ms: float = 20.0

    def __post_init__(self) -> None:
        if self.directions < 2 or self.directions % 2:
            raise ValueError(f"directions must be an even number >= 2, got {self.directions}.")
        if any(tf >= self.fps / 2 for tf in self.temporal_frequencies):
            raise ValueError(f"temporal_frequencies {self.temporal_frequencies} must lie below "
                             f"the Nyquist frequency fps / 2 = {self.fps / 2} Hz.")
        if self.latency_ms < 0:
            raise ValueError(f"latency_ms must be >= 0, got {self.latency_ms}.")
        if any(sf <= 0 or sf >= 0.5 for sf in self.spatial_frequencies):
            raise ValueError(f"spatial_frequencies {self.spatial_frequencies} must lie in "
                             "(0, 0.5) cycles per pixel.")

    # -- description --------------------------------------------------------------------------
    @property
    def n_units(self) -> int:
        """Number of units (output columns of :meth:`energies`)."""
        return (self.directions * len(self.spatial_frequencies) * len(self.temporal_frequencies)
                * self.grid**2)

    def centers(self) -> np.ndarray:
        """Receptive-field centres, ``(grid**2, 2)`` as ``(x, y)`` pixels, row-major."""
        ticks = (np.arange(self.grid) + 1.0) * self.size / (self.grid + 1)
        ys, xs = np.meshgrid(ticks, ticks, indexing="ij")
        return np.stack([xs.ravel(), ys.ravel()], axis=1)

    def units(self) -> pd.DataFrame:
        """One row per unit, in the column order of :meth:`energies`.

        Columns: ``neuroid_id``, ``direction`` (deg), ``orientation`` (deg, of the carrier's
        stripes' normal, in [0, 180)), ``spatial_frequency`` (cycles/pixel),
        ``temporal_frequency`` (Hz), ``speed`` (preferred, pixels/s), ``x``, ``y`` (pixels).
        """
        step = 360.0 / self.directions
        rows = []
        for d in range(self.directions):
            direction = d * step
            for sf in self.spatial_frequencies:
                for tf in self.temporal_frequencies:
                    for x, y in self.centers():
                        rows.append({
                            "neuroid_id": f"me_dir{direction:05.1f}_sf{sf:.3f}_tf{tf:04.1f}"
                                          f"_x{x:05.1f}_y{y:05.1f}",
                            "direction": direction, "orientation": direction % 180.0,
                            "spatial_frequency": float(sf), "temporal_frequency": float(tf),
                            "speed": float(tf / sf), "x": float(x), "y": float(y)})
        return pd.DataFrame(rows)

    def as_dict(self) -> dict[str, object]:
        """The parameters as a JSON-friendly dict (for cache keys and provenance)."""
        return {key: list(value) if isinstance(value, tuple) else value
                for key, value in asdict(self).items()}

    # -- filters ------------------------------------------------------------------------------
    def spatial_filters(self) -> Any:
        """Complex spatial Gabors as a sparse ``(n_spatial, size * size)`` complex matrix.

        Row order: orientation, spatial frequency, position. Each Gabor is truncated to a
        disc of radius ``TRUNCATION_SIGMAS`` envelope standard deviations, has zero mean and
        unit envelope sum, so a full-contrast grating at the preferred frequency and
        orientation gives a response of modulus about 0.5.
        """
        real, imag = _spatial_filters(self)
        return real + 1j * imag

    def temporal_filters(self) -> np.ndarray:
        """Complex causal temporal filters, ``(2, n_temporal_frequencies, n_taps)`` complex128.

        Index 0 along the first axis responds to motion towards the spatial carrier's direction,
        index 1 to the opposite direction. Tap ``k`` weighs the frame shown ``k`` frames ago,
        sampling the continuous filter at the middle of that frame, ``(k + 1/2) / fps``. Each
        filter sums to zero (no response to a static input after its onset transient).
        """
        n_taps = max(1, int(round(self.temporal_support_ms * self.fps / 1000.0)))
        t_ms = (np.arange(n_taps) + 0.5) * 1000.0 / self.fps
        envelope = (t_ms / self.temporal_tau_ms) ** self.temporal_order * np.exp(
            -t_ms / self.temporal_tau_ms)
        envelope /= envelope.sum()
        out = np.empty((2, len(self.temporal_frequencies), n_taps), dtype=np.complex128)
        for sign_index, sign in enumerate((-1.0, 1.0)):
            for k, tf in enumerate(self.temporal_frequencies):
                carrier = np.exp(sign * 2j * np.pi * tf * t_ms / 1000.0)
                carrier -= (envelope * carrier).sum()  # zero gain at 0 Hz
                out[sign_index, k] = envelope * carrier
        return out

    def reference_energies(self) -> np.ndarray:
        """Per temporal frequency: the steady energy of an optimal full-contrast grating.

        The spatial filters answer such a grating with modulus 1/2 (see
        :meth:`spatial_filters`); this is that response, filtered in time, squared. The
        :meth:`energies` are expressed in these units, so every unit's features are on the
        same scale whatever its spatial or temporal frequency.
        """
        temporal = self.temporal_filters()[0]
        t_s = (np.arange(temporal.shape[-1]) + 0.5) / self.fps
        tf = np.asarray(self.temporal_frequencies)[:, None]
        # A grating drifting towards the carrier makes S(t) = exp(-i w t) / 2 (see module doc).
        gain = np.abs((temporal * np.exp(2j * np.pi * tf * t_s[None, :])).sum(axis=1))
        return (0.5 * gain) ** 2

    # -- responses ----------------------------------------------------------------------------
    def spatial_responses(self, contrast: np.ndarray) -> np.ndarray:
        """Complex responses of the spatial filters, ``(T, n_spatial)``, to ``(T, size, size)``.

        ``contrast`` is luminance contrast as returned by :func:`to_contrast`.
        """
        contrast = np.asarray(contrast, dtype=np.float32)
        if contrast.ndim != 3 or contrast.shape[1:] != (self.size, self.size):
            raise ValueError(f"Expected contrast frames of shape (T, {self.size}, {self.size}), "
                             f"got {contrast.shape}; resize clips to the bank's size first.")
        flat = contrast.reshape(len(contrast), -1).T
        real, imag = _spatial_filters(self)
        # Sparse products: the truncated filters touch a small part of the frame, and sparse
        # kernels run single-threaded, which keeps them fast on a busy machine.
        return (real @ flat).T.astype(np.float64) - 1j * (imag @ flat).T.astype(np.float64)

    def energies(self, contrast: np.ndarray) -> np.ndarray:
        """Motion energy per frame, ``(T, n_units)`` float32, in the order of :meth:`units`.

        Energies are in units of :meth:`reference_energies`: about 1 for a full-contrast
        grating at a unit's preferred orientation, spatial and temporal frequency (a little
        less, as removing each Gabor's mean takes a little of its gain).

        Parameters
        ----------
        contrast
            ``(T, size, size)`` luminance contrast (see :func:`to_contrast`) sampled at
            :attr:`fps`. Filtering is causal: the energy at frame ``t`` depends on frames
            ``<= t``; frames before the clip are taken as mid-gray.
        """
        return self.energies_from_spatial(self.spatial_responses(contrast))

    def energies_from_spatial(self, spatial: np.ndarray) -> np.ndarray:
        """:meth:`energies` from precomputed :meth:`spatial_responses` ``(T, n_spatial)``."""
        n_frames = spatial.shape[0]
        n_orient = self.directions // 2
        n_sf, n_pos = len(self.spatial_frequencies), self.grid**2
        spatial = spatial.reshape(n_frames, n_orient, n_sf, n_pos)
        temporal = self.temporal_filters()
        reference = self.reference_energies()
        out = np.empty((n_frames, 2, n_orient, n_sf, len(self.temporal_frequencies), n_pos),
                       dtype=np.float32)
        for sign_index in range(2):
            for k in range(len(self.temporal_frequencies)):
                filtered = np.zeros_like(spatial)
                for lag, weight in enumerate(temporal[sign_index, k][:n_frames]):
                    filtered[lag:] += weight * spatial[:n_frames - lag]
                energy = filtered.real**2 + filtered.imag**2
                out[:, sign_index, :, :, k, :] = energy / reference[k]
        # Direction d < directions/2 is orientation d's carrier direction (sign index 0);
        # direction d + directions/2 is the opposite one (sign index 1).
        return out.reshape(n_frames, self.n_units)

    def amplitudes(self, contrast: np.ndarray) -> np.ndarray:
        """The square root of :meth:`energies`: the modulus of each unit's quadrature pair.

        Proportional to stimulus contrast (energy grows with its square), about 1 for a
        full-contrast grating at a unit's preferred parameters.
        """
        return np.sqrt(self.energies(contrast))

    def response_steps(self, energies: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Energies placed in time: ``(values, step_start_ms, step_end_ms)``.

        The response to frame ``i`` occupies ``[latency + 1000 i / fps, latency +
        1000 (i + 1) / fps)``; when ``latency_ms > 0`` a leading step of zero energy covers
        ``[0, latency)``. Pass the result to :func:`dynamic_vision.core.temporal.align_time` (with
        ``axis=0``) to average into time bins.

        Parameters
        ----------
        energies
            ``(T, ...)`` per-frame values, as returned by :meth:`energies`.
        """
        energies = np.asarray(energies)
        index = np.arange(len(energies), dtype=np.float64)
        starts = self.latency_ms + index * 1000.0 / self.fps
        ends = starts + 1000.0 / self.fps
        if self.latency_ms > 0:
            silent = np.zeros((1,) + energies.shape[1:], dtype=energies.dtype)
            energies = np.concatenate([silent, energies], axis=0)
            starts, ends = np.r_[0.0, starts], np.r_[self.latency_ms, ends]
        return energies, starts, ends


@functools.lru_cache(maxsize=4)
def _spatial_filters(bank: MotionEnergyBank) -> tuple[Any, Any]:
    """Real and imaginary parts of the truncated Gabors, as float32 CSR matrices."""
    import scipy.sparse

    coords = np.arange(bank.size, dtype=np.float64) + 0.5
    ys, xs = np.meshgrid(coords, coords, indexing="ij")
    rows, cols, values = [], [], []
    row = 0
    for o in range(bank.directions // 2):
        angle = np.deg2rad(o * 360.0 / bank.directions)
        # Image rows grow downwards, so "upwards" (90 deg) is -y.
        along = xs * np.cos(angle) - ys * np.sin(angle)
        for sf in bank.spatial_frequencies:
            sigma = bank.envelope_cycles / sf
            for cx, cy in bank.centers():
                distance2 = (xs - cx) ** 2 + (ys - cy) ** 2
                support = np.flatnonzero(distance2.ravel() <= (TRUNCATION_SIGMAS * sigma) ** 2)
                envelope = np.exp(-distance2.ravel()[support] / (2 * sigma**2))
                envelope /= envelope.sum()
                gabor = envelope * np.exp(2j * np.pi * sf * along.ravel()[support])
                gabor -= envelope * gabor.sum()  # zero mean: blind to uniform luminance
                rows.append(np.full(len(support), row))
                cols.append(support)
                values.append(gabor)
                row += 1
    rows_, cols_, values_ = np.concatenate(rows), np.concatenate(cols), np.concatenate(values)
    shape = (row, bank.size * bank.size)

    def matrix(part: np.ndarray) -> Any:
        out = scipy.sparse.csr_matrix((part.astype(np.float32), (rows_, cols_)), shape=shape)
        out.sort_indices()
        return out

    return matrix(values_.real), matrix(values_.imag)
