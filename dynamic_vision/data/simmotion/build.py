"""Generate the simulated SimMotion data on demand, clip by clip, cache them, and load them.

Each clip is rendered, written as a lossless video and passed through the parameters'
:class:`~dynamic_vision.modeling.motion_energy.MotionEnergyBank` only when something asks for
it: showing six clips builds six. The simulated V1 and MT recordings need every clip's motion
energy (units are normalised over the whole stimulus set and trials are drawn from one random
stream), so loading them builds the clips still missing, then simulates both populations once.
Everything is a deterministic function of
:class:`~dynamic_vision.data.simmotion.parameters.SimMotionParameters`: clips built one by one,
in any order and by any number of processes, are byte-identical to those of a full build.

Layout of ``$DYNAMIC_VISION_HOME/data/SimMotion/<parameters key>/``::

    parameters.json              what the key stands for
    stimuli/<stimulus_id>.mkv    clips (lossless FFV1)
    energies/<stimulus_id>.npy   each clip's motion energy (what the recordings are built from)
    V1.nc, MT.nc                 repetition-resolved recordings (spikes/s)

Every file is written atomically. Work in progress is leased
(:class:`~dynamic_vision.core.lease.Lease`): processes that need the same clips split them and
wait for each other's, and only one simulates the recordings; a killed process's leases are
reclaimed by the next one that asks.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from dynamic_vision.core import storage
from dynamic_vision.core.lease import Lease, claim_each
from dynamic_vision.data.simmotion import BIBTEX
from dynamic_vision.data.simmotion.parameters import DEFAULT, SMALL, SimMotionParameters
from dynamic_vision.data.simmotion.responses import (
    bin_rates,
    mt_rates,
    mt_units,
    sample_trials,
    v1_rates,
    v1_units,
)
from dynamic_vision.data.simmotion.stimuli import METADATA_COLUMNS, conditions, render

__all__ = [
    "REGIONS",
    "CITATION",
    "DESCRIPTION",
    "data_root",
    "build",
    "build_clips",
    "build_recordings",
    "catalog",
    "load_stimulus_set",
    "load_random_dots",
    "load_recordings",
    "load_v1",
    "load_mt",
]

logger = logging.getLogger(__name__)

REGIONS = ("V1", "MT")
STIMULUS_FOLDER = "stimuli"
ENERGY_FOLDER = "energies"
DIGEST_FOLDER = "digests"
LEASE_FOLDER = ".leases"
PARAMETERS_FILE = "parameters.json"
VIDEO_SUFFIX = ".mkv"

DESCRIPTION = ("SIMULATED data, not recorded from a brain: drifting gratings, plaids and "
               "random-dot kinematograms shown to a simulated population of V1 "
               "spatiotemporal-Gabor motion-energy units and of MT units that pool and "
               "normalise their energy (Adelson & Bergen 1985; Simoncelli & Heeger 1998), with "
               "Poisson-like trial noise. Generated on first use, offline and deterministically.")

CITATION = BIBTEX

#: Column types of the stimulus set, as its loaders have always returned them.
_MEDIA_DTYPES = {"stimulus_id": "str", "path": "str", "fps": "float64", "n_frames": "int64",
                 "duration_ms": "float64", "width": "int64", "height": "int64"}


def _parameters(small: bool, parameters: SimMotionParameters | None) -> SimMotionParameters:
    if parameters is not None:
        return parameters
    return SMALL if small else DEFAULT


def data_root(parameters: SimMotionParameters = DEFAULT) -> Path:
    """The cache folder of the data built from ``parameters``."""
    return storage.home("data", "SimMotion", parameters.key())


def _video_path(root: Path, stimulus_id: str) -> Path:
    return root / STIMULUS_FOLDER / f"{stimulus_id}{VIDEO_SUFFIX}"


def _energy_path(root: Path, stimulus_id: str) -> Path:
    return root / ENERGY_FOLDER / f"{stimulus_id}.npy"


def _digest_path(root: Path, stimulus_id: str) -> Path:
    return root / DIGEST_FOLDER / f"{stimulus_id}.sha256"


def _clip_intact(root: Path, stimulus_id: str) -> bool:
    """Whether the clip's video is the one written: its sha256 matches the digest recorded
    beside it. A damaged video, or a damaged digest (then the video cannot be trusted), is
    moved aside, named, and False returned, so that the clip is rendered again."""
    from dynamic_vision.io.stimuli import file_sha256  # memoised: the activation keys reuse it

    video, digest = _video_path(root, stimulus_id), _digest_path(root, stimulus_id)
    if not video.is_file():
        return False
    try:
        recorded = digest.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return _adopt(video, digest)
    except (OSError, ValueError) as error:
        recorded = f"unreadable ({error})"
    if not re.fullmatch(r"[0-9a-f]{64}", recorded):
        storage.quarantine(digest, "not a sha256 digest")
        storage.quarantine(video, f"its digest {digest.name} was damaged")
        return False
    if file_sha256(video) != recorded:
        storage.quarantine(video, f"its sha256 differs from the one recorded in {digest}")
        return False
    return True


def _adopt(video: Path, digest: Path) -> bool:
    """A clip written before digests were kept: record its digest if it is readable media."""
    from dynamic_vision.io.stimuli import file_sha256
    from dynamic_vision.io.video import probe

    try:
        probe(video)
    except (OSError, ValueError) as error:  # MediaError is an OSError
        storage.quarantine(video, str(error))
        return False
    _write_digest(digest, file_sha256(video))
    return True


def _write_digest(path: Path, digest: str) -> None:
    with storage.atomic_write(path, "w") as handle:
        handle.write(digest + "\n")


def _energy_intact(root: Path, stimulus_id: str) -> bool:
    """Whether the clip's motion energy is a complete array; a damaged one is moved aside,
    named, and False returned."""
    path = _energy_path(root, stimulus_id)
    if not path.is_file():
        return False
    try:
        energy = np.load(path, mmap_mode="r", allow_pickle=False)
        if energy.ndim != 2 or not np.issubdtype(energy.dtype, np.floating):
            raise ValueError(f"a {energy.ndim}-d {energy.dtype} array, not a 2-d float one")
    except (OSError, ValueError, EOFError) as error:
        storage.quarantine(path, f"{type(error).__name__}: {error}")
        return False
    return True


def _check_parameters_file(root: Path, parameters: SimMotionParameters) -> None:
    """Write ``parameters.json`` (what the folder's key stands for) where it is missing; a
    damaged one is moved aside, named, and written again."""
    path = root / PARAMETERS_FILE
    expected = {"key": parameters.key(), "parameters": parameters.as_dict()}
    expected = json.loads(json.dumps(expected))
    found = storage.read_json_cache(path)  # moves an unreadable one aside, naming it
    if found == expected:
        return
    if found is not None:
        storage.quarantine(path, "it does not describe these parameters")
    storage.atomic_write_json(path, expected)


def _lease(root: Path, name: str, what: str) -> Lease:
    return Lease(root / LEASE_FOLDER / f"{name}.lease", what=what)


def catalog(parameters: SimMotionParameters = DEFAULT) -> pd.DataFrame:
    """Every clip's row of the ``SimMotion`` stimulus set, built without touching a file.

    Paths point where :func:`build_clips` writes the clips; the media facts follow from the
    parameters (the first clip a process writes is probed to confirm them, and a test
    compares them with probed files).
    """
    root = data_root(parameters).resolve()
    table = conditions(parameters)
    n = len(table)
    media = pd.DataFrame({
        "stimulus_id": table["stimulus_id"].to_numpy(),
        "path": [str(_video_path(root, sid)) for sid in table["stimulus_id"]],
        "fps": np.full(n, float(parameters.fps)),
        "n_frames": np.full(n, int(parameters.n_frames)),
        "duration_ms": np.full(n, _duration_ms(parameters)),
        "width": np.full(n, int(parameters.size)),
        "height": np.full(n, int(parameters.size)),
    }).astype(_MEDIA_DTYPES)
    metadata = table[list(METADATA_COLUMNS)].reset_index(drop=True)
    for column in metadata.columns:
        if metadata[column].dtype == object:
            metadata[column] = metadata[column].astype("str")
    return pd.concat([media, metadata], axis=1)


def _duration_ms(parameters: SimMotionParameters) -> float:
    return float(parameters.n_frames * 1000.0 / parameters.fps)


def build_clips(parameters: SimMotionParameters = DEFAULT,
                stimulus_ids: Sequence[str] | None = None, *, energies: bool = False,
                progress: bool = True) -> int:
    """Make sure the clips ``stimulus_ids`` (default: all) exist; returns how many this
    process rendered.

    A clip is rendered once and both its video and its motion energy are written. With
    ``energies``, a clip whose video exists but whose energy does not (a cache written by an
    earlier version) is rendered again for its energy.
    """
    root = data_root(parameters)
    rows = conditions(parameters).set_index("stimulus_id", drop=False)
    wanted = list(rows.index) if stimulus_ids is None else list(stimulus_ids)
    unknown = [sid for sid in wanted if sid not in rows.index]
    if unknown:
        raise KeyError(f"SimMotion has no clip {unknown[0]!r} ({len(unknown)} unknown ids); see "
                       f"dynamic_vision.data.simmotion.build.catalog().")

    def done(sid: str) -> bool:
        # Damaged files are moved aside (and named) here, so that they are written again.
        return _clip_intact(root, sid) and (not energies or _energy_intact(root, sid))

    from tqdm.auto import tqdm

    _check_parameters_file(root, parameters)
    missing = [sid for sid in wanted if not done(sid)]
    if not missing:
        return 0
    logger.info("Simulating %d SimMotion clips into %s (cached afterwards).", len(missing), root)
    with tqdm(total=len(missing), desc="Simulating SimMotion clips", unit="clip",
              disable=not progress) as bar:
        return claim_each(missing, lambda sid: _lease(root, f"clip-{sid}", f"SimMotion clip {sid}"),
                          done, lambda sid: _build_clip(root, parameters, rows.loc[sid]),
                          progress=lambda sid: bar.update())


#: Parameter keys whose written clips this process has probed against the catalog.
_PROBED: dict[str, bool] = {}


def _build_clip(root: Path, params: SimMotionParameters, row: pd.Series) -> None:
    """Render one clip; write its missing video and energy, atomically (energy first)."""
    from dynamic_vision.io.stimuli import file_sha256
    from dynamic_vision.io.video import probe, write_video
    from dynamic_vision.modeling.motion_energy import to_contrast

    sid = row["stimulus_id"]
    gray = render(params, row)
    energy_path, video_path = _energy_path(root, sid), _video_path(root, sid)
    if not energy_path.is_file():
        steps = params.bank.response_steps(params.bank.energies(to_contrast(gray)))
        with storage.atomic_write(energy_path) as handle:
            np.save(handle, steps[0], allow_pickle=False)
    if not video_path.is_file():
        write_video(video_path, np.repeat(gray[..., None], 3, axis=-1), params.fps)
        _write_digest(_digest_path(root, sid), file_sha256(video_path))
        if _PROBED.get(params.key()):
            return
        _PROBED[params.key()] = True  # the first clip a process writes stands for the rest
        info = probe(video_path)
        facts = (info.fps, info.n_frames, info.duration_ms, info.width, info.height)
        expected = (float(params.fps), params.n_frames, _duration_ms(params), params.size,
                    params.size)
        if facts != expected:  # the catalog states these facts without probing
            video_path.unlink()
            raise RuntimeError(f"SimMotion clip {sid!r} probes as (fps, frames, ms, width, "
                               f"height) {facts}, not {expected}: the video writer changed.")


def build_recordings(parameters: SimMotionParameters = DEFAULT, *,
                     progress: bool = True) -> Path:
    """Make sure ``V1.nc`` and ``MT.nc`` exist (building every clip first); returns the
    folder. One process simulates; others wait for it."""
    root = data_root(parameters)
    if all((root / f"{region}.nc").is_file() for region in REGIONS):
        return root
    with _lease(root, "recordings", "the SimMotion recordings"):
        if all((root / f"{region}.nc").is_file() for region in REGIONS):
            return root
        build_clips(parameters, energies=True, progress=progress)
        _simulate(root, parameters)
    return root


def _simulate(root: Path, params: SimMotionParameters) -> None:
    from dynamic_vision.io.assemblies import save_assembly

    table = conditions(params)
    energies = np.stack([np.load(_energy_path(root, sid), allow_pickle=False)
                         for sid in table["stimulus_id"]])
    frames = energies.shape[1] - (1 if params.bank.latency_ms > 0 else 0)  # a silent step
    _, starts, ends = params.bank.response_steps(np.zeros((frames, 1), dtype=energies.dtype))
    rates = {"V1": bin_rates(v1_rates(energies, params), starts, ends, params),
             "MT": bin_rates(mt_rates(energies, params), starts, ends, params,
                             delay_ms=params.mt_extra_latency_ms)}
    units = {"V1": v1_units(params), "MT": mt_units(params)}
    for index, region in enumerate(REGIONS):
        rng = np.random.default_rng([params.seed, 10 + index])
        trials = sample_trials(rates[region], params, rng)
        assembly = _assembly(trials, table, units[region], region, params)
        save_assembly(assembly, root / f"{region}.nc")


def build(parameters: SimMotionParameters = DEFAULT, *, progress: bool = True) -> Path:
    """The folder holding all the data of ``parameters`` (every clip and both recordings),
    built first where missing.

    Parameters
    ----------
    parameters
        What to simulate; :data:`~dynamic_vision.data.simmotion.parameters.DEFAULT` is the
        registered data set and ``SMALL`` a reduced one for tests.
    progress
        Show a progress bar while building.
    """
    return build_recordings(parameters, progress=progress)


def _assembly(trials: np.ndarray, table: Any, units: Any, region: str,
              params: SimMotionParameters) -> xr.DataArray:
    from dynamic_vision.io.assemblies import neural_assembly

    n_stimuli, n_reps, n_units, n_bins = trials.shape
    bins = np.asarray(params.time_bins)
    per_trial = {column: np.repeat(table[column].to_numpy(), n_reps)
                 for column in METADATA_COLUMNS}
    names = {"direction": "preferred_direction", "spatial_frequency": "preferred_spatial_frequency",
             "temporal_frequency": "preferred_temporal_frequency", "x": "rf_x", "y": "rf_y"}
    return neural_assembly(
        trials.reshape(n_stimuli * n_reps, n_units, n_bins),
        stimulus_id=np.repeat(table["stimulus_id"].to_numpy(), n_reps),
        repetition=np.tile(np.arange(n_reps), n_stimuli),
        neuroid_id=units["neuroid_id"].to_numpy(), region=region,
        time_bin_start=bins[:, 0], time_bin_end=bins[:, 1],
        presentation_coords=per_trial,
        neuroid_coords={name: units[column].to_numpy(dtype=np.float64)
                        for column, name in names.items() if column in units.columns},
        attrs={"identifier": f"SimMotion.{region}", "simulated": True,
               "description": DESCRIPTION, "units": "spikes/s",
               "stimulus_set_identifier": "SimMotion", "parameters_key": params.key(),
               "bin_ms": params.bin_ms, "citation": CITATION})


# -- loaders (registry targets) -----------------------------------------------------------------


def _select(table: pd.DataFrame, identifier: str, stimulus_ids: Sequence[str] | None,
            sample: int | None) -> pd.DataFrame:
    """The requested rows: ``stimulus_ids`` in that order, or ``sample`` rows spread evenly
    over the set (keeping their row labels), or all."""
    from dynamic_vision.io.stimuli import StimulusError

    if stimulus_ids is not None and sample is not None:
        raise ValueError("Pass stimulus_ids or sample, not both.")
    if stimulus_ids is not None:
        position = {sid: i for i, sid in enumerate(table["stimulus_id"])}
        wanted = list(stimulus_ids)
        unknown = [sid for sid in wanted if sid not in position]
        if unknown:
            raise StimulusError(f"Stimulus set '{identifier}' has no stimulus {unknown[0]!r} "
                                f"({len(unknown)} unknown ids); every SimMotion clip id is in "
                                f"dynamic_vision.data.simmotion.build.catalog().",
                                stimulus_id=unknown[0])
        return table.iloc[[position[sid] for sid in wanted]].reset_index(drop=True)
    if sample is not None:
        if sample < 1:
            raise ValueError(f"sample must be a positive number of stimuli, got {sample}.")
        rows = np.unique(np.linspace(0, len(table) - 1, min(sample, len(table))).astype(int))
        return table.iloc[rows]
    return table


def load_stimulus_set(small: bool = False, parameters: SimMotionParameters | None = None,
                      progress: bool = True, stimulus_ids: Sequence[str] | None = None,
                      sample: int | None = None) -> Any:
    """The ``SimMotion`` stimulus set: every clip, with its metadata columns.

    Only the clips asked for are built: ``stimulus_ids`` (in that order) or ``sample`` clips
    spread evenly over the set.
    """
    from dynamic_vision.io.stimuli import StimulusSet

    params = _parameters(small, parameters)
    table = _select(catalog(params), "SimMotion", stimulus_ids, sample)
    build_clips(params, list(table["stimulus_id"]), progress=progress)
    return StimulusSet(table, identifier="SimMotion")


def load_random_dots(small: bool = False, parameters: SimMotionParameters | None = None,
                     progress: bool = True, stimulus_ids: Sequence[str] | None = None,
                     sample: int | None = None) -> Any:
    """The ``RandomDots`` stimulus set: the random-dot clips, ``label`` = direction (deg).

    Only the clips asked for are built (see :func:`load_stimulus_set`).
    """
    from dynamic_vision.io.stimuli import StimulusSet

    params = _parameters(small, parameters)
    table = catalog(params)
    dots = table[table["kind"] == "dots"].reset_index(drop=True)
    dots = _select(dots, "RandomDots", stimulus_ids, sample)
    build_clips(params, list(dots["stimulus_id"]), progress=progress)
    dots = StimulusSet(dots, identifier="RandomDots")
    dots["label"] = dots["direction"].round().astype(np.int64)
    dots.identifier = "RandomDots"
    return dots


def load_recordings(region: str, small: bool = False,
                    parameters: SimMotionParameters | None = None,
                    progress: bool = True) -> xr.DataArray:
    """Repetition-resolved simulated recordings of ``region`` (``"V1"`` or ``"MT"``).

    Dims ``(presentation, neuroid, time_bin)``, values in spikes/s, one presentation per
    trial with ``stimulus_id`` and ``repetition`` coords.
    """
    if region not in REGIONS:
        raise ValueError(f"SimMotion simulates the regions {REGIONS}, not {region!r}.")
    from dynamic_vision.core.errors import DamagedFileError
    from dynamic_vision.io.assemblies import load_assembly

    params = _parameters(small, parameters)
    folder = build_recordings(params, progress=progress)
    try:
        return load_assembly(folder / f"{region}.nc")
    except DamagedFileError as error:  # generated here: simulate it again
        storage.quarantine(error.path, str(error))
        return load_assembly(build_recordings(params, progress=progress) / f"{region}.nc")


def load_v1(**kwargs: Any) -> xr.DataArray:
    """``SimMotion.V1``: see :func:`load_recordings`."""
    return load_recordings("V1", **kwargs)


def load_mt(**kwargs: Any) -> xr.DataArray:
    """``SimMotion.MT``: see :func:`load_recordings`."""
    return load_recordings("MT", **kwargs)
