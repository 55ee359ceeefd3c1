"""Assembly constructors, repetition averaging, alignment, netCDF round trips, brainio files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from dynamic_vision.io.assemblies import (
    ENCODING_ATTR,
    MissingStimuliError,
    align_by_stimulus,
    average_repetitions,
    behavioral_assembly,
    fmri_assembly,
    load_assembly,
    neural_assembly,
    read_brainio_netcdf,
    save_assembly,
)

RNG = np.random.default_rng(7)
ATTRS = {"nested": {"a": [1, 2.5, (3, "x")], "none": None}, "missing": None, "flag": True,
         "array": np.arange(4, dtype=np.int16), "text": "MT", "ratio": 0.25,
         "count": np.int64(3), "names": ["a", "b"], "nan": float("nan")}


def make_neural(dtype=np.float32):
    ids = ["s1", "s2", "s1", "s3", "s2", "s1"]
    return neural_assembly(
        RNG.normal(size=(6, 4, 3)).astype(dtype), stimulus_id=ids,
        neuroid_id=[f"n{i}" for i in range(4)], region=["MT", "MT", "MST", "MST"],
        time_bin_start=[0, 50, 100], time_bin_end=[50, 100, 150], attrs=ATTRS,
        presentation_coords={"direction": [0.0, 90.0, 0.0, 180.0, 90.0, 0.0],
                             "trial": np.arange(6), "session": ["x", "x", "y", "y", "y", "y"]},
        neuroid_coords={"animal": "m1", "snr": np.linspace(0, 1, 4)})


def test_neural_constructor_follows_the_contract():
    a = make_neural()
    assert a.dims == ("presentation", "neuroid", "time_bin")
    assert a["repetition"].values.tolist() == [0, 0, 1, 0, 1, 2]  # occurrence count
    assert a["region"].values.tolist() == ["MT", "MT", "MST", "MST"]
    assert a["animal"].values.tolist() == ["m1"] * 4
    assert not a.indexes  # flat coordinates, no index
    with pytest.raises(ValueError, match="'neuroid_id' needs 4 values"):
        neural_assembly(np.zeros((2, 4, 1)), stimulus_id=["a", "b"], neuroid_id=[1, 2],
                        region="V1", time_bin_start=[0], time_bin_end=[10])
    with pytest.raises(ValueError, match="end after it starts"):
        neural_assembly(np.zeros((1, 1, 1)), stimulus_id=["a"], neuroid_id=[1], region="V1",
                        time_bin_start=[10], time_bin_end=[10])
    two_d = neural_assembly(np.zeros((2, 3)), stimulus_id=["a", "b"], neuroid_id=[1, 2, 3],
                            region="IT", time_bin_start=70, time_bin_end=170)
    assert two_d.shape == (2, 3, 1) and two_d["time_bin_end"].values.tolist() == [170]


def assert_exact(a: xr.DataArray, b: xr.DataArray) -> None:
    xr.testing.assert_identical(a, b)
    assert a.dtype == b.dtype and a.name == b.name
    for name in a.coords:
        assert a[name].dtype == b[name].dtype, name
    assert set(a.attrs) == set(b.attrs)
    for key, value in a.attrs.items():
        other = b.attrs[key]
        assert type(other) is type(value), key
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, other)
            assert value.dtype == other.dtype
        elif isinstance(value, float) and np.isnan(value):
            assert np.isnan(other)
        else:
            assert other == value, key


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16])
def test_neural_round_trip(tmp_path, dtype):
    a = make_neural(dtype)
    a.name = "rates"
    a["snr"].attrs = {"units": "dB", "meta": {"k": None}}
    path = save_assembly(a, tmp_path / "neural.nc")
    b = load_assembly(path)
    assert_exact(a, b)
    assert b["snr"].attrs == {"units": "dB", "meta": {"k": None}}
    assert ENCODING_ATTR not in b.attrs
    assert not list(tmp_path.glob(".*.tmp"))


def test_fmri_round_trip(tmp_path):
    f = fmri_assembly(RNG.normal(size=(12, 5)), time_s=np.arange(12) * 1.5, tr_s=1.5,
                      run=np.repeat([1, 2], 6), subject="sub-01",
                      neuroid_id=[f"v{i}" for i in range(5)], region="hMT+",
                      attrs={"space": "MNI152", "hrf": None})
    assert f.dims == ("time", "neuroid") and f.attrs["tr_s"] == 1.5
    assert f["run"].values.tolist() == [1] * 6 + [2] * 6
    assert_exact(f, load_assembly(save_assembly(f, tmp_path / "fmri.nc")))


def test_behavioral_round_trip(tmp_path):
    b = behavioral_assembly(stimulus_id=["a", "b", "a"], choice=["left", "right", "left"],
                            label=["left", "left", "left"], subject=["p1", "p1", "p2"],
                            reaction_time_ms=[410.5, 380.0, np.nan], attrs={"task": None})
    assert b.dims == ("presentation",) and b.values.tolist() == ["left", "right", "left"]
    assert_exact(b, load_assembly(save_assembly(b, tmp_path / "behaviour.nc")))


def test_save_is_atomic_and_refuses_multiindex(tmp_path):
    a = make_neural().set_index(presentation=["stimulus_id", "repetition"])
    with pytest.raises(ValueError, match="MultiIndex"):
        save_assembly(a, tmp_path / "x.nc")
    bad = make_neural()
    bad.attrs["object"] = object()
    with pytest.raises(ValueError, match="Cannot store an attr"):
        save_assembly(bad, tmp_path / "x.nc")
    assert not list(tmp_path.iterdir())


def test_average_repetitions_matches_pandas():
    a = make_neural()
    a.values[2, 1, 0] = np.nan  # a missing trial is ignored, not propagated
    mean = average_repetitions(a)
    assert mean["stimulus_id"].values.tolist() == ["s1", "s2", "s3"]  # first appearance
    frame = a.to_dataframe(name="v").reset_index()
    frame["stimulus_id"] = np.repeat(a["stimulus_id"].values, 12)
    reference = frame.groupby(["stimulus_id", "neuroid", "time_bin"])["v"].mean()
    for i, sid in enumerate(["s1", "s2", "s3"]):
        expected = reference.loc[sid].to_numpy().reshape(4, 3)
        np.testing.assert_allclose(mean.values[i], expected, rtol=1e-6)
    assert mean.dtype == np.float32
    coords = set(mean.coords)
    assert {"stimulus_id", "direction", "neuroid_id", "region", "animal", "time_bin_start",
            "time_bin_end"} <= coords
    assert not {"repetition", "trial", "session"} & coords  # vary within a stimulus
    assert mean["direction"].values.tolist() == [0.0, 90.0, 180.0]
    assert mean.attrs["text"] == "MT"


def test_align_by_stimulus():
    target = make_neural()
    source = average_repetitions(target).isel(presentation=[2, 0, 1])
    aligned = align_by_stimulus(source, target)
    assert aligned["stimulus_id"].values.tolist() == target["stimulus_id"].values.tolist()
    np.testing.assert_array_equal(aligned.values[1], source.values[2])  # s2
    with pytest.raises(MissingStimuliError, match="lacks 1 of the target's stimuli: 's3'"):
        align_by_stimulus(source.isel(presentation=[1, 2]), target)
    with pytest.raises(ValueError, match="one source presentation per stimulus"):
        align_by_stimulus(target, target)


def brainio_replica(path, name: str | None, compress: bool):
    """A file laid out as brainio writes it: one data variable, flat coords per dimension,
    legacy ``image_id``, neuroid-first dims (as in the MajajHong2015 file)."""
    values = RNG.normal(size=(3, 4, 1)).astype(np.float32)  # neuroid, presentation, time_bin
    assembly = xr.DataArray(values, dims=("neuroid", "presentation", "time_bin"), coords={
        "neuroid": pd.MultiIndex.from_arrays([["Chabo_L_M_5_9", "b", "c"], ["IT", "IT", "V4"]],
                                             names=["neuroid_id", "region"]),
        "presentation": pd.MultiIndex.from_arrays(
            [["im1", "im2", "im1", "im2"], [0, 0, 1, 1], ["car", "dog", "car", "dog"]],
            names=["image_id", "repetition", "category_name"]),
        "time_bin": pd.MultiIndex.from_arrays([[70], [170]],
                                              names=["time_bin_start", "time_bin_end"])},
        name=name)
    flat = assembly.reset_index(["neuroid", "presentation", "time_bin"])
    if compress:
        flat.to_dataset(name="data").to_netcdf(path, engine="netcdf4",
                                               encoding={"data": {"zlib": True,
                                                                  "complevel": 9}})
    else:
        flat.to_netcdf(path, engine="netcdf4")
    return values


@pytest.mark.parametrize("name,compress", [(None, True), (None, False),
                                           ("dicarlo.MajajHong2015.public", False)])
def test_read_brainio_netcdf(tmp_path, name, compress):
    path = tmp_path / "assy_dicarlo_Test.nc"
    values = brainio_replica(path, name, compress)
    a = read_brainio_netcdf(path)
    assert a.dims == ("presentation", "neuroid", "time_bin")
    np.testing.assert_array_equal(a.values, values.transpose(1, 0, 2))
    assert a["stimulus_id"].values.tolist() == ["im1", "im2", "im1", "im2"]
    assert a["image_id"].values.tolist() == ["im1", "im2", "im1", "im2"]
    assert a["neuroid_id"].values.tolist() == ["Chabo_L_M_5_9", "b", "c"]
    assert a["region"].values.tolist() == ["IT", "IT", "V4"]
    assert a["time_bin_start"].values.tolist() == [70]
    assert not a.indexes
    assert average_repetitions(a)["stimulus_id"].values.tolist() == ["im1", "im2"]
