"""Writing BrainIO files and Brain-Score-form scores, and reading them back, in this environment
(brainscore_core's own reading is tested in test_brainscore_roundtrip.py)."""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from PIL import Image

from dynamic_vision.core.scores import Score
from dynamic_vision.io.assemblies import behavioral_assembly, neural_assembly
from dynamic_vision.io.brainio_files import (read_brainio_assembly, read_brainio_stimulus_set,
                                             sha1_file,
                                             write_brainio_assembly, write_brainio_stimulus_set)
from dynamic_vision.io.brainio_scores import read_brainscore_score, write_brainscore_score
from dynamic_vision.io.stimuli import StimulusSet


@pytest.fixture
def stimuli(tmp_path):
    rng = np.random.default_rng(0)
    files = {}
    for index in range(4):
        path = tmp_path / "media" / f"f{index}.png"
        path.parent.mkdir(exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)).save(path)
        files[f"s{index}"] = path
    metadata = pd.DataFrame({"stimulus_id": list(files), "label": ["a", "b", "a", "b"],
                             "contrast": [0.1, 0.2, 0.3, 0.4]})
    return StimulusSet.from_files(files, "lab.Test2026", metadata=metadata)


def test_stimulus_sets_round_trip_with_brainio_names_and_stable_sha1(stimuli, tmp_path):
    files = write_brainio_stimulus_set(stimuli, "lab.Test2026", tmp_path / "out")
    assert (files["csv"].path.name, files["zip"].path.name) == \
        ("stimulus_lab_Test2026.csv", "stimulus_lab_Test2026.zip")
    with zipfile.ZipFile(files["zip"].path) as archive:
        assert sorted(archive.namelist()) == ["s0.png", "s1.png", "s2.png", "s3.png"]
    table = pd.read_csv(files["csv"].path)
    assert list(table.columns) == ["stimulus_id", "label", "contrast", "filename"]
    assert files["csv"].sha1 == sha1_file(files["csv"].path)
    again = write_brainio_stimulus_set(stimuli, "lab.Test2026", tmp_path / "again")
    assert (again["csv"].sha1, again["zip"].sha1) == (files["csv"].sha1, files["zip"].sha1)
    read = read_brainio_stimulus_set(files["csv"].path)
    assert read.identifier == "lab_Test2026"  # from the file name when not given
    assert read["stimulus_id"].tolist() == stimuli["stimulus_id"].tolist()
    assert read["label"].tolist() == stimuli["label"].tolist()
    for original, copy in zip(stimuli["path"], read["path"]):
        assert sha1_file(original) == sha1_file(copy)
    rewritten = write_brainio_stimulus_set(read, "lab.Test2026", tmp_path / "rewritten")
    assert rewritten["csv"].sha1 == files["csv"].sha1  # 'filename' replaced, not doubled


def test_stimulus_set_errors_name_the_problem(stimuli, tmp_path):
    bad = stimuli.copy()
    bad["stimulus_id"] = ["a/b", "c", "d", "e"]
    with pytest.raises(ValueError, match=r"\['a/b.png'\] cannot name files"):
        write_brainio_stimulus_set(bad, "x", tmp_path)
    named = stimuli.copy()
    named["stimulus_path_within_store"] = ["one", "two", "three", "four"]
    files = write_brainio_stimulus_set(named, "x", tmp_path)
    with zipfile.ZipFile(files["zip"].path) as archive:
        assert "three.png" in archive.namelist()
    missing = stimuli.copy()
    missing.loc[0, "path"] = str(tmp_path / "gone.png")
    with pytest.raises(FileNotFoundError, match="gone.png"):
        write_brainio_stimulus_set(missing, "x", tmp_path)
    assert not list(tmp_path.glob(".*.tmp"))


def test_assemblies_round_trip(stimuli, tmp_path):
    ids = stimuli["stimulus_id"].tolist() * 3
    assembly = neural_assembly(np.arange(len(ids) * 2 * 2, dtype=np.float32).reshape(-1, 2, 2),
                               stimulus_id=ids, neuroid_id=["n1", "n2"], region="IT",
                               time_bin_start=[70, 120], time_bin_end=[120, 170],
                               attrs={"meta": {"a": 1}, "none": None})
    written = write_brainio_assembly(assembly, "lab.Test2026", tmp_path,
                                     stimulus_set_identifier="x")
    assert written.path.name == "assy_lab_Test2026.nc" and written.sha1 == sha1_file(written.path)
    with xr.open_dataset(written.path, engine="h5netcdf") as opened:
        assert list(opened.data_vars) == ["data"]
        assert opened["data"].encoding["zlib"] and opened["data"].encoding["complevel"] == 9
        assert opened.attrs["stimulus_set_identifier"] == "x"
        assert opened.attrs["meta"] == '{"a": 1}' and "none" not in opened.attrs
    read = read_brainio_assembly(written.path, stimuli)
    np.testing.assert_array_equal(read.values, assembly.values)
    assert read["stimulus_id"].values.tolist() == ids
    assert read["label"].values.tolist() == stimuli["label"].tolist() * 3
    trials = behavioral_assembly(stimulus_id=["s0", "s1"], choice=["a", "b"], label=["a", "a"],
                                 subject="h1")
    read_trials = read_brainio_assembly(write_brainio_assembly(trials, "lab.Trials", tmp_path).path)
    assert read_trials.values.tolist() == trials.values.tolist()


def test_assembly_validation_names_what_is_missing(tmp_path):
    no_ids = xr.DataArray(np.zeros((2, 3)), dims=("presentation", "neuroid"),
                          coords={"stimulus_id": ("presentation", ["a", "b"])})
    with pytest.raises(ValueError, match=r"'neuroid' needs the coordinates \['neuroid_id'\]"):
        write_brainio_assembly(no_ids, "x", tmp_path)
    wrong = xr.DataArray(np.zeros((2, 3)), dims=("presentation", "voxel"),
                         coords={"stimulus_id": ("presentation", ["a", "b"])})
    with pytest.raises(ValueError, match="NeuroidAssembly has dims"):
        write_brainio_assembly(wrong, "x", tmp_path, assembly_class="NeuroidAssembly")


def test_scores_round_trip_through_brainscore_form(tmp_path):
    detail = xr.Dataset({"raw": (("split", "neuroid"), np.full((3, 2), 0.4)),
                         "layer_raw": (("layer",), [0.1, 0.2])},
                        coords={"layer": ["l1", "l2"], "neuroid_id": ("neuroid", ["a", "b"])},
                        attrs={"selected_layer": "l2", "flag": True})
    score = (Score.from_raw(0.4, 0.05, detail=detail).ceiled(0.8, "explained_variance")
             .with_provenance(model="m", benchmark="not-registered", seed=3))
    written = write_brainscore_score(score, tmp_path / "score.nc")
    with xr.open_dataarray(written.path, engine="h5netcdf") as root:
        assert float(root) == score.value
        assert root.attrs["error"] == score.error and root.attrs["model_identifier"] == "m"
        assert root.attrs["benchmark_identifier"] == "not-registered"
    read = read_brainscore_score(written.path)
    assert read == score  # value, raw, ceiling, error, raw_error, convention
    assert read.provenance == score.provenance
    np.testing.assert_array_equal(read.detail["raw"], detail["raw"])
    assert read.detail.attrs["flag"] == "true"
    unceiled = Score.from_raw(0.3, 0.01)
    back = read_brainscore_score(write_brainscore_score(unceiled, tmp_path / "raw.nc").path)
    assert back.to_dict(detail=False) == unceiled.to_dict(detail=False)  # no ceiling group
    with pytest.raises(FileNotFoundError):
        read_brainscore_score(tmp_path / "nothing.nc")
