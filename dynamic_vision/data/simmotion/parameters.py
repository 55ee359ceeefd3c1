"""Every number that defines the simulated SimMotion data set, in one frozen dataclass.

Changing any value changes :meth:`SimMotionParameters.key`, hence the cache folder the data
are built into; bump :data:`GENERATOR_VERSION` whenever the generating code changes meaning.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from dynamic_vision.modeling.motion_energy import MotionEnergyBank
from dynamic_vision.core.storage import stable_hash

__all__ = ["SimMotionParameters", "GENERATOR_VERSION", "DEFAULT", "SMALL"]

#: Version of the generating code; part of the cache key.
GENERATOR_VERSION = 2


@dataclass(frozen=True)
class SimMotionParameters:
    """Stimuli, simulated populations and noise of SimMotion (see the folder's README).

    Stimuli
    -------
    size, fps, n_frames
        Clips are ``size`` x ``size`` pixels, ``n_frames`` frames at ``fps`` (1 s by default).
    grating_directions, grating_spatial_frequencies, grating_temporal_frequencies,
    grating_contrasts
        Full factorial of drifting sinusoidal gratings (cycles/pixel, Hz, Michelson contrast).
        Two contrasts give every V1 unit several driving stimuli, so cross-validated
        predictions are not at the mercy of one held-out grating.
    plaid_directions, plaid_spatial_frequencies, plaid_temporal_frequency, plaid_angle,
    plaid_contrast
        Plaids: two gratings (``plaid_contrast / 2`` each) whose directions lie
        ``plaid_angle / 2`` either side of the plaid's pattern direction.
    dot_directions, dot_coherences, dot_clips_per_condition, dot_count, dot_size, dot_speed
        Random-dot kinematograms: on each frame a fraction ``coherence`` of the dots steps
        ``dot_speed`` pixels in the signal direction; the others are replotted at random.
        Half the dots are white, half black, ``dot_size`` pixels square, on mid-gray.

    Populations
    -----------
    n_v1, v1_exponent
        V1 units are units of the motion-energy ``bank`` (a fixed-seed subset); their rate is
        ``baseline + peak * (amplitude / max amplitude) ** v1_exponent``, the amplitude being
        the square root of the unit's energy. Their latency is the bank's: its causal
        temporal filters plus ``bank.latency_ms``.
    n_mt, mt_direction_kappa, mt_rf_sigma, mt_semisaturation, mt_exponent, mt_extra_latency_ms
        MT units pool V1 energy over spatial and temporal frequency and over a Gaussian
        receptive field (``mt_rf_sigma`` pixels), weigh directions with a von Mises profile
        made opponent (zero mean over directions), divide by the direction-untuned pooled
        energy plus a semi-saturation constant, rectify and raise to an expansive exponent;
        they respond ``mt_extra_latency_ms`` after V1.
    baseline_rate, peak_rate
        Spontaneous and maximal firing rates (spikes/s).

    Recording
    ---------
    repetitions, bin_ms, window_ms
        Spike counts of ``repetitions`` trials per stimulus in ``bin_ms`` bins over
        ``[0, window_ms)``; stored as rates (spikes/s).
    gain_shape
        Trial-to-trial gain ~ Gamma(shape, 1 / shape) per trial and unit multiplies the rate
        before Poisson sampling (super-Poisson variability, Fano factor > 1).
    seed
        Root seed of every random choice.
    """

    size: int = 128
    fps: float = 30.0
    n_frames: int = 30
    grating_directions: int = 8
    grating_spatial_frequencies: tuple[float, ...] = (0.04, 0.08, 0.16)
    grating_temporal_frequencies: tuple[float, ...] = (4.0, 8.0)
    grating_contrasts: tuple[float, ...] = (0.4, 0.8)
    plaid_directions: int = 8
    plaid_spatial_frequencies: tuple[float, ...] = (0.04, 0.08)
    plaid_temporal_frequency: float = 4.0
    plaid_angle: float = 120.0
    plaid_contrast: float = 0.8
    dot_directions: int = 8
    dot_coherences: tuple[float, ...] = (0.25, 0.5, 1.0)
    dot_clips_per_condition: int = 6
    dot_count: int = 150
    dot_size: int = 3
    dot_speed: float = 3.0
    n_v1: int = 64
    v1_exponent: float = 1.1
    n_mt: int = 32
    mt_direction_kappa: float = 1.5
    mt_rf_sigma: float = 40.0
    mt_semisaturation: float = 0.1
    mt_exponent: float = 1.5
    mt_extra_latency_ms: float = 20.0
    baseline_rate: float = 5.0
    peak_rate: float = 100.0
    repetitions: int = 10
    bin_ms: float = 50.0
    window_ms: float = 1000.0
    gain_shape: float = 20.0
    seed: int = 2024
    bank: MotionEnergyBank = field(default_factory=MotionEnergyBank)

    def __post_init__(self) -> None:
        if self.bank.size != self.size or self.bank.fps != self.fps:
            raise ValueError(f"The motion-energy bank (size {self.bank.size}, fps "
                             f"{self.bank.fps}) must match the clips (size {self.size}, fps "
                             f"{self.fps}).")
        if self.repetitions < 2:
            raise ValueError("At least 2 repetitions are needed for split-half ceilings.")
        if self.n_v1 > self.bank.n_units:
            raise ValueError(f"n_v1={self.n_v1} exceeds the bank's {self.bank.n_units} units.")

    @property
    def time_bins(self) -> list[tuple[float, float]]:
        """The recording's ``(start_ms, end_ms)`` bins."""
        n_bins = int(round(self.window_ms / self.bin_ms))
        return [(i * self.bin_ms, (i + 1) * self.bin_ms) for i in range(n_bins)]

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly parameters (stored in the build's manifest)."""
        out = {key: list(value) if isinstance(value, tuple) else value
               for key, value in asdict(self).items() if key != "bank"}
        out["bank"] = self.bank.as_dict()
        return out

    def key(self) -> str:
        """The cache key: a hash of the parameters and :data:`GENERATOR_VERSION`."""
        return f"v{GENERATOR_VERSION}-{stable_hash(self.as_dict(), GENERATOR_VERSION)}"

    def reduced(self) -> SimMotionParameters:
        """A small variant for fast tests: fewer conditions, units and repetitions."""
        return replace(self, grating_directions=4, grating_spatial_frequencies=(0.08,),
                       grating_temporal_frequencies=(4.0,), grating_contrasts=(0.8,),
                       plaid_directions=2,
                       plaid_spatial_frequencies=(0.08,), dot_directions=4,
                       dot_coherences=(1.0,), dot_clips_per_condition=2, n_v1=8, n_mt=4,
                       repetitions=4)


DEFAULT = SimMotionParameters()
SMALL = DEFAULT.reduced()
