"""Generate the simulated SimMotion data on first use, cache them, and load them.

The build renders every clip, writes it as a lossless video, computes its motion energy with
the parameters' :class:`~dynamic_vision.modeling.motion_energy.MotionEnergyBank`, simulates the V1 and
MT populations and saves their noisy trials as assemblies. Everything is a deterministic
function of :class:`~dynamic_vision.data.simmotion.parameters.SimMotionParameters`: two builds
give byte-identical files (their sha256 are listed in ``manifest.json``).

Layout of ``$DYNAMIC_VISION_HOME/data/SimMotion/<parameters key>/``::

    manifest.json           parameters, file hashes (written last)
    stimuli/                <stimulus_id>.mkv clips, stimulus_set.csv (+ .json side-car)
    V1.nc, MT.nc            repetition-resolved recordings (spikes/s)

The folder is built under a temporary name beside it and renamed into place, so a reader
never sees a half-built data set, and concurrent first uses cannot corrupt each other.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.core import storage
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
    "load_stimulus_set",
    "load_random_dots",
    "load_recordings",
    "load_v1",
    "load_mt",
]

logger = logging.getLogger(__name__)

REGIONS = ("V1", "MT")
MANIFEST = "manifest.json"
STIMULUS_FOLDER = "stimuli"
VIDEO_SUFFIX = ".mkv"

DESCRIPTION = ("SIMULATED data, not recorded from a brain: drifting gratings, plaids and "
               "random-dot kinematograms shown to a simulated population of V1 "
               "spatiotemporal-Gabor motion-energy units and of MT units that pool and "
               "normalise their energy (Adelson & Bergen 1985; Simoncelli & Heeger 1998), with "
               "Poisson-like trial noise. Generated on first use, offline and deterministically.")

CITATION = BIBTEX


def _parameters(small: bool, parameters: SimMotionParameters | None) -> SimMotionParameters:
    if parameters is not None:
        return parameters
    return SMALL if small else DEFAULT


def data_root(parameters: SimMotionParameters = DEFAULT) -> Path:
    """The cache folder of the data built from ``parameters``."""
    return storage.home("data", "SimMotion", parameters.key())


def build(parameters: SimMotionParameters = DEFAULT, *, progress: bool = True) -> Path:
    """The folder holding the data of ``parameters``, built first if it is not cached.

    Parameters
    ----------
    parameters
        What to simulate; :data:`~dynamic_vision.data.simmotion.parameters.DEFAULT` is the
        registered data set and ``SMALL`` a reduced one for tests.
    progress
        Show a progress bar while building.
    """
    folder = data_root(parameters)
    if (folder / MANIFEST).is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = storage.scratch_dir(folder.parent, prefix=f".{folder.name}.building-")
    try:
        logger.info("Simulating SimMotion into %s (first use; cached afterwards).", folder)
        _build_into(scratch, parameters, progress)
        try:
            os.rename(scratch, folder)
        except OSError:
            if not (folder / MANIFEST).is_file():  # not a concurrent build that won the race
                raise
            shutil.rmtree(scratch, ignore_errors=True)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return folder


def _build_into(root: Path, params: SimMotionParameters, progress: bool) -> None:
    from tqdm.auto import tqdm

    from dynamic_vision.io.assemblies import save_assembly
    from dynamic_vision.modeling.motion_energy import to_contrast
    from dynamic_vision.io.stimuli import StimulusSet, save_stimulus_set
    from dynamic_vision.io.video import write_video

    table = conditions(params)
    stimulus_folder = root / STIMULUS_FOLDER
    stimulus_folder.mkdir()
    files, steps = {}, []
    for _, row in tqdm(table.iterrows(), total=len(table), desc="Simulating SimMotion clips",
                       unit="clip", disable=not progress):
        gray = render(params, row)
        path = stimulus_folder / f"{row['stimulus_id']}{VIDEO_SUFFIX}"
        write_video(path, np.repeat(gray[..., None], 3, axis=-1), params.fps)
        files[row["stimulus_id"]] = path
        steps.append(params.bank.response_steps(params.bank.energies(to_contrast(gray))))
    stimulus_set = StimulusSet.from_files(files, "SimMotion", metadata=table, progress=False)
    save_stimulus_set(stimulus_set, stimulus_folder)

    energies = np.stack([values for values, _, _ in steps])
    _, starts, ends = steps[0]
    rates = {"V1": bin_rates(v1_rates(energies, params), starts, ends, params),
             "MT": bin_rates(mt_rates(energies, params), starts, ends, params,
                             delay_ms=params.mt_extra_latency_ms)}
    units = {"V1": v1_units(params), "MT": mt_units(params)}
    for index, region in enumerate(REGIONS):
        rng = np.random.default_rng([params.seed, 10 + index])
        trials = sample_trials(rates[region], params, rng)
        assembly = _assembly(trials, table, units[region], region, params)
        save_assembly(assembly, root / f"{region}.nc")

    hashes = {path.relative_to(root).as_posix(): storage.sha256_file(path)
              for path in sorted(root.rglob("*")) if path.is_file()}
    storage.atomic_write_json(root / MANIFEST, {"parameters": params.as_dict(),
                                                "key": params.key(), "files": hashes})


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


def load_stimulus_set(small: bool = False, parameters: SimMotionParameters | None = None,
                      progress: bool = True) -> Any:
    """The ``SimMotion`` stimulus set: every clip, with its metadata columns."""
    from dynamic_vision.io.stimuli import load_stimulus_set_file

    folder = build(_parameters(small, parameters), progress=progress)
    return load_stimulus_set_file(folder / STIMULUS_FOLDER, identifier="SimMotion")


def load_random_dots(small: bool = False, parameters: SimMotionParameters | None = None,
                     progress: bool = True) -> Any:
    """The ``RandomDots`` stimulus set: the random-dot clips, ``label`` = direction (deg)."""
    stimuli = load_stimulus_set(small, parameters, progress)
    dots = stimuli[stimuli["kind"] == "dots"].reset_index(drop=True)
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
    from dynamic_vision.io.assemblies import load_assembly

    folder = build(_parameters(small, parameters), progress=progress)
    return load_assembly(folder / f"{region}.nc")


def load_v1(**kwargs: Any) -> xr.DataArray:
    """``SimMotion.V1``: see :func:`load_recordings`."""
    return load_recordings("V1", **kwargs)


def load_mt(**kwargs: Any) -> xr.DataArray:
    """``SimMotion.MT``: see :func:`load_recordings`."""
    return load_recordings("MT", **kwargs)
