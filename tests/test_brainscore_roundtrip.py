"""BrainIO both ways, judged by brainscore_core 2.5.0 itself, in its own environment.

``tests/brainscore_roundtrip/make_env.sh`` builds (once) a virtual environment with
brainscore-core 2.5.0 and its pinned dependencies (numpy<2, xarray<2022.6, pandas<3; no torch);
``roundtrip.py`` runs there. This module writes a stimulus set (images and videos), a neural
assembly and a Score with this library, has brainscore_core read them (with its sha1 checks and
loaders) and compares what it got; then has brainscore_core package its own stimulus set,
assembly and Score and reads those here.

Where the environment cannot be built (no network, no Python >= 3.11) the tests are skipped,
except under ``CI=true``, where that is a failure.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from PIL import Image

import dynamic_vision as dv
from dynamic_vision.core.scores import Score, apply_ceiling
from dynamic_vision.io.assemblies import neural_assembly
from dynamic_vision.io.brainio_files import (read_brainio_assembly, read_brainio_stimulus_set,
                                             sha1_file,
                                             write_brainio_assembly, write_brainio_stimulus_set)
from dynamic_vision.io.brainio_scores import read_brainscore_score, write_brainscore_score
from dynamic_vision.io.datasets import DataSpec, register_dataset, register_stimulus_set
from dynamic_vision.io.remote_file import RemoteFile
from dynamic_vision.io.stimuli import StimulusSet
from dynamic_vision.io.video import write_video

pytestmark = pytest.mark.slow

FOLDER = Path(__file__).parent / "brainscore_roundtrip"
OURS = "test.Ours2026"


@pytest.fixture(scope="session")
def brainscore_python() -> str:
    """The Python of the brainscore-core environment (built on first use)."""
    try:
        built = subprocess.run(["bash", str(FOLDER / "make_env.sh")], capture_output=True,
                               text=True, timeout=900)
        failure = None if built.returncode == 0 else built.stderr[-3000:]
    except (OSError, subprocess.TimeoutExpired) as error:
        failure = repr(error)
    if failure is not None:
        message = (f"The brainscore-core 2.5.0 environment could not be built by "
                   f"{FOLDER / 'make_env.sh'}:\n{failure}")
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    return built.stdout.strip().splitlines()[-1]


def brainscore(python: str, command: str, argument: Path, folder: Path) -> dict:
    """Run ``roundtrip.py command argument`` in the brainscore-core environment."""
    output = folder / f"{command}-report.json"
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    ran = subprocess.run([python, str(FOLDER / "roundtrip.py"), command, str(argument),
                          str(output)], capture_output=True, text=True, env=environment,
                         timeout=300)
    assert ran.returncode == 0, f"brainscore_core failed:\n{ran.stderr[-4000:]}"
    return json.loads(output.read_text())


# -- what this library writes -----------------------------------------------------------------

def our_stimuli(folder: Path) -> StimulusSet:
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True)
    files = {}
    for index in range(6):
        path = folder / f"still_{index}.png"
        Image.fromarray(rng.integers(0, 256, (24, 24, 3), dtype=np.uint8)).save(path)
        files[f"img{index}"] = path
    for index in range(3):
        frames = rng.integers(0, 256, (5, 24, 24, 3), dtype=np.uint8)
        files[f"clip{index}"] = write_video(folder / f"clip_{index}.mp4", frames, fps=10)
    ids = list(files)
    metadata = pd.DataFrame({"stimulus_id": ids, "object_name": [f"o{i % 3}" for i in range(9)],
                             "variation": [i % 2 for i in range(9)],
                             "speed": np.linspace(0.5, 4.5, 9)})
    return StimulusSet.from_files(files, OURS, metadata=metadata)


def our_assembly(stimuli: StimulusSet) -> xr.DataArray:
    rng = np.random.default_rng(1)
    ids = stimuli["stimulus_id"].tolist() * 2
    return neural_assembly(rng.normal(size=(len(ids), 4, 3)).astype(np.float32), stimulus_id=ids,
                           neuroid_id=["a1", "a2", "b1", "b2"], region=["MT", "MT", "V1", "V1"],
                           time_bin_start=[0, 50, 100], time_bin_end=[50, 100, 150],
                           attrs={"species": "simulated", "reliable": True})


def our_score() -> Score:
    detail = xr.Dataset({"raw": ("time_bin", [0.31, 0.42, 0.38]),
                         "ceiling": ("time_bin", [0.71, 0.8, 0.77])},
                        coords={"time_bin_start": ("time_bin", [0.0, 50.0, 100.0])})
    return (Score.from_raw(0.37, 0.021, detail=detail).ceiled(0.76, "ratio")
            .with_provenance(model="r3d_18", benchmark="MajajHong2015.IT-pls", region="IT",
                             selected_layer="layer3", seed=0))


@pytest.fixture(scope="module")
def ours_read_by_brainscore(brainscore_python, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ours")
    stimuli = our_stimuli(folder / "media")
    files = write_brainio_stimulus_set(stimuli, OURS, folder / "out")
    assembly = our_assembly(stimuli)
    assembly_file = write_brainio_assembly(assembly, OURS, folder / "out",
                                           stimulus_set_identifier=OURS)
    score = our_score()
    score_file = write_brainscore_score(score, folder / "out" / "score.nc")
    manifest = {"stimulus_set": {"identifier": OURS, "csv": str(files["csv"].path),
                                 "zip": str(files["zip"].path), "csv_sha1": files["csv"].sha1,
                                 "zip_sha1": files["zip"].sha1},
                "assembly": {"path": str(assembly_file.path), "sha1": assembly_file.sha1,
                             "class": "NeuroidAssembly"},
                "score": {"path": str(score_file.path), "sha1": score_file.sha1}}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    report = brainscore(brainscore_python, "read", folder / "manifest.json", folder)
    return stimuli, assembly, score, files, report


def test_brainscore_reads_our_stimulus_set(ours_read_by_brainscore):
    stimuli, _, _, files, report = ours_read_by_brainscore
    assert files["csv"].path.name == "stimulus_test_Ours2026.csv"
    read = report["stimulus_set"]
    assert list(read["rows"]) == stimuli["stimulus_id"].tolist()
    assert set(read["columns"]) == {"stimulus_id", "object_name", "variation", "speed",
                                    "filename"}
    for _, row in stimuli.iterrows():
        theirs = read["rows"][row["stimulus_id"]]
        assert (theirs["object_name"], theirs["variation"]) == (row["object_name"],
                                                                row["variation"])
        assert theirs["speed"] == pytest.approx(row["speed"], rel=1e-15)
        assert read["file_sha1"][row["stimulus_id"]] == sha1_file(row["path"])
    assert read["rows"]["clip1"]["filename"] == "clip1.mp4"


def test_brainscore_reads_our_assembly(ours_read_by_brainscore):
    stimuli, assembly, _, _, report = ours_read_by_brainscore
    read = report["assembly"]
    assert read["class"] == "NeuroidAssembly"
    assert read["dims"] == ["presentation", "neuroid", "time_bin"]
    np.testing.assert_array_equal(np.asarray(read["values"], np.float32), assembly.values)
    coords = read["coords"]
    for name in ("stimulus_id", "repetition", "neuroid_id", "region", "time_bin_start",
                 "time_bin_end"):
        assert coords[name][0] == assembly[name].dims[0], name
        assert coords[name][1] == assembly[name].values.tolist(), name
    # Brain-Score merged the stimulus set's metadata onto presentations
    object_of = dict(zip(stimuli["stimulus_id"], stimuli["object_name"]))
    assert coords["object_name"][1] == [object_of[s] for s in assembly["stimulus_id"].values]
    assert read["attrs"]["stimulus_set_identifier"] == OURS
    assert read["attrs"]["species"] == "simulated"
    assert read["attrs"]["reliable"] == "true"  # booleans travel as JSON text


def test_brainscore_reads_our_score(ours_read_by_brainscore):
    _, _, score, _, report = ours_read_by_brainscore
    read = report["score"]
    assert read["value"] == score.value and read["raw"] == score.raw
    assert read["ceiling"] == score.ceiling
    assert read["error"] == score.error and read["raw_error"] == score.raw_error
    assert read["model_identifier"] == "r3d_18"
    assert read["benchmark_identifier"] == "MajajHong2015public.IT-pls"
    assert read["comment"] == "layers: {'IT': 'layer3'}"
    assert read["database"] == {"score_ceiled": score.value, "score_raw": score.raw,
                                "error": score.error}
    assert read["raw_raw"]["values"] == score.detail["raw"].values.tolist()


# -- what brainscore_core writes --------------------------------------------------------------

@pytest.fixture(scope="module")
def theirs(brainscore_python, tmp_path_factory):
    folder = tmp_path_factory.mktemp("theirs")
    report = brainscore(brainscore_python, "write", folder, folder)
    return folder, report


def test_we_read_brainscores_stimulus_set_and_assembly(theirs):
    folder, report = theirs
    written = report["stimulus_set"]
    assert sha1_file(written["csv_path"]) == written["csv_sha1"]
    assert sha1_file(written["zip_path"]) == written["zip_sha1"]
    stimuli = read_brainio_stimulus_set(written["csv_path"], written["zip_path"],
                                identifier=report["identifier"])
    assert stimuli.identifier == "test.RoundTrip2026"
    assert stimuli["stimulus_id"].tolist() == list(written["rows"])
    for _, row in stimuli.iterrows():
        expected = written["rows"][row["stimulus_id"]]
        assert (row["object_name"], row["variation"], row["size"]) == \
            (expected["object_name"], expected["variation"], expected["size"])
        assert sha1_file(row["path"]) == written["file_sha1"][row["stimulus_id"]]
        assert row["n_frames"] == 1
    assembly = read_brainio_assembly(report["assembly"]["path"], stimuli)
    assert sha1_file(report["assembly"]["path"]) == report["assembly"]["sha1"]
    np.testing.assert_array_equal(assembly.values,
                                  np.asarray(report["assembly"]["values"], np.float32))
    for name, (dim, values) in report["assembly"]["coords"].items():
        assert assembly[name].dims == (dim,) and assembly[name].values.tolist() == values, name
    assert assembly.attrs["stimulus_set_identifier"] == "test.RoundTrip2026"
    assert set(assembly["object_name"].values) == {"obj0", "obj1", "obj2"}
    trials = read_brainio_assembly(report["trials"]["path"])
    assert trials.values.tolist() == report["trials"]["values"]
    assert trials["truth"].values.tolist() == report["trials"]["coords"]["truth"][1]


def test_brainscores_files_load_as_pinned_data_plugins(theirs, monkeypatch, tmp_path):
    """Pinned by the sha1s brainscore_core reported, served from file:// URLs, through the
    registries (downloaded, verified, loaded)."""
    folder, report = theirs
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(tmp_path))
    written = report["stimulus_set"]

    def remote(path: str, sha1: str) -> RemoteFile:
        return RemoteFile(url=Path(path).as_uri(), sha256=None, size=None,
                          name=Path(path).name, sha1=sha1)

    stimulus_spec = DataSpec(
        identifier="test.RoundTrip2026", files=[remote(written["csv_path"], written["csv_sha1"]),
                                                remote(written["zip_path"], written["zip_sha1"])],
        loader="brainio_stimulus_set", bibtex="", license="CC0", access="open",
        description="written by brainscore_core 2.5.0")
    dataset_spec = DataSpec(
        identifier="test.RoundTrip2026.assembly", loader="brainio_netcdf", bibtex="",
        files=[remote(report["assembly"]["path"], report["assembly"]["sha1"])],
        license="CC0", access="open", description="written by brainscore_core 2.5.0")
    register_stimulus_set(stimulus_spec)
    register_dataset(dataset_spec)
    try:
        stimuli = dv.load_stimulus_set("test.RoundTrip2026")
        recordings = dv.load_dataset("test.RoundTrip2026.assembly")
    finally:
        dv.stimulus_set_registry.unregister("test.RoundTrip2026")
        dv.dataset_registry.unregister("test.RoundTrip2026.assembly")
    assert sorted(stimuli["stimulus_id"]) == sorted(written["rows"])
    np.testing.assert_array_equal(recordings.values,
                                  np.asarray(report["assembly"]["values"], np.float32))


def test_we_read_brainscores_score(theirs):
    _, report = theirs
    expected = report["score"]
    score = read_brainscore_score(expected["path"])
    assert (score.value, score.raw, score.ceiling, score.error) == \
        (expected["value"], expected["raw"], expected["ceiling"], expected["error"])
    assert score.value == pytest.approx(score.raw ** 2 / score.ceiling, rel=1e-12)
    if score.convention != "external":  # a registered convention reproduces Brain-Score's
        assert apply_ceiling(score.raw, score.ceiling, score.convention) == \
            pytest.approx(score.value, rel=1e-9)
    assert score.provenance["model"] == "alexnet"
    assert score.provenance["benchmark"] == "MajajHong2015public.IT-pls"
    np.testing.assert_array_equal(score.detail["raw"].values, expected["raw_raw"]["values"])
    assert score.detail["raw"]["neuroid_id"].values.tolist() == \
        expected["raw_raw"]["neuroid_id"]
