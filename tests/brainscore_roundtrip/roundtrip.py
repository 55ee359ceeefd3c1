"""The Brain-Score side of the BrainIO round trip; runs inside the brainscore-core 2.5.0
environment that ``make_env.sh`` builds (no dynamic_vision there).

    python roundtrip.py read MANIFEST.json OUT.json    # read what dynamic_vision wrote
    python roundtrip.py write FOLDER OUT.json          # write files for dynamic_vision to read

``read`` loads the stimulus set, the assembly and the score named in the manifest with
brainscore_core's own loaders and sha1 checks, and reports what it got (values, ids,
coordinates, the numbers Brain-Score's results database would store). ``write`` packages a
stimulus set and an assembly with brainscore_core's local packaging functions, stores a Score
(built as Brain-Score's neural benchmarks build it) with brainscore_core's ``write_netcdf``, and
reports what it wrote. Reports are JSON; floats are written with ``repr`` precision.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path

warnings.simplefilter("ignore")  # xarray/pandas deprecation chatter of the pinned versions

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import xarray as xr  # noqa: E402
from PIL import Image  # noqa: E402

from brainscore_core.metrics import Score  # noqa: E402
from brainscore_core.submission.database import (  # noqa: E402
    _retrieve_score_center, _retrieve_score_error)
from brainscore_core.supported_data_standards.brainio import fetch, packaging  # noqa: E402
from brainscore_core.supported_data_standards.brainio.assemblies import (  # noqa: E402
    AssemblyLoader, BehavioralAssembly, NeuroidAssembly)
from brainscore_core.supported_data_standards.brainio.stimuli import (  # noqa: E402
    StimulusSet, StimulusSetLoader)

IDENTIFIER = "test.RoundTrip2026"


def _plain(value):
    """JSON-ready values (numpy scalars and arrays, NaN as None)."""
    if isinstance(value, (np.ndarray, list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _coords(assembly) -> dict:
    """Every coordinate (MultiIndex levels included) as ``{name: [dim, values]}``."""
    flat = assembly.reset_index(list(assembly.indexes))
    return {name: [coord.dims[0] if coord.dims else None, _plain(coord.values)]
            for name, coord in flat.coords.items()}


def _sha1(path) -> str:
    return packaging.sha1_hash(str(path))


def _load_score(path: str, group: str | None = None) -> Score:
    return AssemblyLoader(cls=Score, file_path=path, group=group).load()


# -- read ---------------------------------------------------------------------------------------

def read(manifest_path: str, out_path: str) -> None:
    manifest = json.loads(Path(manifest_path).read_text())
    report: dict = {}

    stimuli = manifest["stimulus_set"]
    fetch.verify_sha1(stimuli["csv"], stimuli["csv_sha1"])
    fetch.verify_sha1(stimuli["zip"], stimuli["zip_sha1"])
    directory = fetch.unzip(stimuli["zip"])
    stimulus_set = StimulusSetLoader(cls=StimulusSet, csv_path=stimuli["csv"],
                                     stimuli_directory=directory).load()
    stimulus_set.identifier = stimuli["identifier"]
    # the check load_stimulus_set_from_s3 makes: the zip holds exactly the CSV's files
    present = {Path(directory) / name for name in os.listdir(directory)}
    assert set(stimulus_set.stimulus_paths.values()) == present
    report["stimulus_set"] = {
        "columns": list(stimulus_set.columns),
        "rows": {str(row["stimulus_id"]): {c: _plain(row[c]) for c in stimulus_set.columns}
                 for _, row in stimulus_set.iterrows()},
        "file_sha1": {str(sid): _sha1(path) for sid, path in stimulus_set.stimulus_paths.items()},
    }

    assembly_info = manifest["assembly"]
    fetch.verify_sha1(assembly_info["path"], assembly_info["sha1"])
    assembly_class = fetch.resolve_assembly_class(assembly_info["class"])
    assembly = assembly_class.from_files(assembly_info["path"],
                                         stimulus_set_identifier=stimuli["identifier"],
                                         stimulus_set=stimulus_set)
    assembly.validate()
    report["assembly"] = {
        "class": type(assembly).__name__, "dims": list(assembly.dims),
        "values": _plain(assembly.values), "coords": _coords(assembly),
        "attrs": {k: _plain(v) for k, v in assembly.attrs.items()
                  if isinstance(v, (str, int, float, np.generic))},
    }

    score_path = manifest["score"]["path"]
    score = _load_score(score_path)
    score.attrs["raw"] = _load_score(score_path, "raw")
    score.attrs["ceiling"] = _load_score(score_path, "ceiling")
    report["score"] = {
        "value": float(score.values), "error": _plain(score.attrs.get("error")),
        "model_identifier": score.attrs.get("model_identifier"),
        "benchmark_identifier": score.attrs.get("benchmark_identifier"),
        "comment": score.attrs.get("comment"),
        "raw": float(score.raw.values), "raw_error": _plain(score.raw.attrs.get("error")),
        "ceiling": float(score.ceiling.values),
        # what Brain-Score's results database stores for this score (update_score)
        "database": {"score_ceiled": _retrieve_score_center(score),
                     "score_raw": _retrieve_score_center(score.raw),
                     "error": _plain(_retrieve_score_error(score))},
    }
    try:
        fine = _load_score(score_path, "raw/raw")
        report["score"]["raw_raw"] = {"dims": list(fine.dims), "values": _plain(fine.values),
                                      "coords": _coords(fine)}
    except OSError:
        pass
    Path(out_path).write_text(json.dumps(report))


# -- write --------------------------------------------------------------------------------------

def _stimulus_set(folder: Path) -> StimulusSet:
    rng = np.random.RandomState(3)
    source = folder / "source"
    source.mkdir(parents=True, exist_ok=True)
    rows, paths = [], {}
    for index in range(12):
        stimulus_id = f"rt{index:02d}"
        path = source / f"image_{index + 1}.png"
        Image.fromarray(rng.randint(0, 256, (16, 16, 3)).astype(np.uint8)).save(path)
        paths[stimulus_id] = str(path)
        rows.append({"stimulus_id": stimulus_id, "object_name": f"obj{index % 3}",
                     "variation": index % 2, "size": 1.0 + 0.25 * index})
    proto = StimulusSet(pd.DataFrame(rows))
    proto.stimulus_paths = paths
    return proto


def _assembly(stimulus_ids: list[str]) -> NeuroidAssembly:
    rng = np.random.RandomState(4)
    repetitions = 2
    presentation_ids = [sid for _ in range(repetitions) for sid in stimulus_ids]
    values = rng.normal(size=(len(presentation_ids), 5, 2)).astype(np.float32)
    return NeuroidAssembly(values, dims=["presentation", "neuroid", "time_bin"], coords={
        "stimulus_id": ("presentation", presentation_ids),
        "repetition": ("presentation", [r for r in range(repetitions) for _ in stimulus_ids]),
        "neuroid_id": ("neuroid", [f"n{k}" for k in range(5)]),
        "region": ("neuroid", ["IT"] * 3 + ["V4"] * 2),
        "time_bin_start": ("time_bin", [70, 120]), "time_bin_end": ("time_bin", [120, 170]),
    })


def _score() -> Score:
    """A ceiled neural score shaped as Brain-Score's NeuralBenchmark returns it."""
    rng = np.random.RandomState(5)
    per_split = Score(rng.uniform(0.2, 0.6, size=(10, 4)), dims=["split", "neuroid"], coords={
        "split": np.arange(10), "neuroid_id": ("neuroid", [f"n{k}" for k in range(4)]),
        "region": ("neuroid", ["IT"] * 4)})
    medians = per_split.median("neuroid")
    raw = Score(float(medians.mean("split")))
    raw.attrs["raw"] = per_split
    raw.attrs["error"] = Score(float(medians.std("split")) / np.sqrt(10))
    ceiling = Score(0.82)
    ceiled = Score(float(raw.values) ** 2 / float(ceiling.values))
    ceiled.attrs["error"] = raw.attrs["error"]
    ceiled.attrs["raw"] = raw
    ceiled.attrs["ceiling"] = ceiling
    ceiled.attrs["model_identifier"] = "alexnet"
    ceiled.attrs["benchmark_identifier"] = "MajajHong2015public.IT-pls"
    ceiled.attrs["comment"] = "layers: {'IT': 'features.12'}"
    return ceiled


def _scalar_attrs(score: Score) -> Score:
    """0-d DataArray attrs (``error``) as numbers: netCDF attributes cannot hold arrays."""
    stored = score.copy()
    stored.attrs = {k: float(v) if isinstance(v, xr.DataArray) and v.ndim == 0 else v
                    for k, v in score.attrs.items()}
    return stored


def store_score(score: Score, path: Path) -> str:
    """Store a Score with brainscore_core's write_netcdf: the value (and scalar attrs) at the
    root, ``raw`` and ``ceiling`` (with their own ``raw``) as groups, as extras are stored."""
    sha1 = packaging.write_netcdf(_scalar_attrs(score), path)
    for key in ("raw", "ceiling"):
        if key in score.attrs:
            part = score.attrs[key]
            sha1 = packaging.write_netcdf(_scalar_attrs(part), path, append=True, group=key)
            if "raw" in part.attrs:
                sha1 = packaging.write_netcdf(part.attrs["raw"], path, append=True,
                                              group=f"{key}/raw")
    return sha1


def write(folder_name: str, out_path: str) -> None:
    folder = Path(folder_name)
    proto = _stimulus_set(folder)
    expected_rows = {row["stimulus_id"]: {c: _plain(row[c]) for c in proto.columns}
                     for _, row in proto.iterrows()}
    file_sha1 = {sid: _sha1(path) for sid, path in proto.stimulus_paths.items()}
    stimuli = packaging.package_stimulus_set_locally(proto, IDENTIFIER, downloads_path=folder)
    assembly = _assembly(list(expected_rows))
    packaged = packaging.package_data_assembly_locally(assembly, IDENTIFIER, IDENTIFIER,
                                                       "NeuroidAssembly", downloads_path=folder)
    score = _score()
    score_path = folder / "score.nc"
    score_sha1 = store_score(score, score_path)
    trials = BehavioralAssembly(np.array(["a", "b", "a"], dtype=object), dims=["presentation"],
                                coords={"stimulus_id": ("presentation", ["rt00", "rt01", "rt02"]),
                                        "truth": ("presentation", ["a", "a", "b"])})
    trials_sha1 = packaging.write_netcdf(trials, folder / "assy_test_Trials2026.nc")
    report = {
        "identifier": IDENTIFIER,
        "stimulus_set": {**stimuli, "rows": expected_rows, "file_sha1": file_sha1},
        "assembly": {**packaged, "values": _plain(assembly.values),
                     "coords": _coords(assembly)},
        "trials": {"path": str(folder / "assy_test_Trials2026.nc"), "sha1": trials_sha1,
                   "values": list(trials.values), "coords": _coords(trials)},
        "score": {"path": str(score_path), "sha1": score_sha1, "value": float(score.values),
                  "error": float(score.attrs["error"]), "raw": float(score.raw.values),
                  "ceiling": float(score.ceiling.values),
                  "raw_raw": {"values": _plain(score.raw.attrs["raw"].values),
                              "neuroid_id": list(score.raw.attrs["raw"]["neuroid_id"].values)},
                  "model_identifier": score.attrs["model_identifier"],
                  "benchmark_identifier": score.attrs["benchmark_identifier"]},
    }
    Path(out_path).write_text(json.dumps(report))


if __name__ == "__main__":
    command, argument, output = sys.argv[1:4]
    {"read": read, "write": write}[command](argument, output)
