"""The restricted unpickler reads numpy data and refuses everything else, naming the class."""

from __future__ import annotations

import collections
import pickle

import numpy as np
import pandas as pd
import pytest

from dynamic_vision.io.restricted_pickle import RestrictedPickleError, load, loads


class _Payload:
    """Unpickling this would create a file: the attack the unpickler must stop."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (open, (str(self.target), "w"))


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_numpy_and_builtin_data_round_trip_at_every_protocol(protocol):
    betas = np.random.default_rng(0).normal(size=(3, 2, 5))
    data = (betas, np.array(["vid0001", "vid0002", "vid0003"]),
            {"n": np.int64(7), "dtype": np.dtype("float32"), "names": ["a", "b"],
             "flags": {True, False}, "c": 1 + 2j, "ordered": collections.OrderedDict(x=1)})
    restored = loads(pickle.dumps(data, protocol=protocol))
    np.testing.assert_array_equal(restored[0], betas)
    assert restored[0].dtype == np.float64
    assert restored[1].tolist() == ["vid0001", "vid0002", "vid0003"]
    assert restored[2]["n"] == 7 and restored[2]["dtype"] == np.float32
    assert restored[2]["flags"] == {True, False} and restored[2]["c"] == 1 + 2j


def test_a_file_path_loads(tmp_path):
    path = tmp_path / "x.pkl"
    path.write_bytes(pickle.dumps((np.eye(3), ["vid1"])))
    values, ids = load(path)
    np.testing.assert_array_equal(values, np.eye(3))
    assert ids == ["vid1"]


@pytest.mark.parametrize("protocol", [0, 2, 5])
def test_a_pickle_that_constructs_an_object_is_refused_and_never_runs(tmp_path, protocol):
    sentinel = tmp_path / "pwned"
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps({"betas": np.zeros(2), "x": _Payload(sentinel)},
                                  protocol=protocol))
    with pytest.raises(RestrictedPickleError) as error:
        load(path)
    assert "builtins.open" in str(error.value) or "io.open" in str(error.value)
    assert str(path) in str(error.value)
    assert not sentinel.exists()


@pytest.mark.parametrize("obj, named", [
    (collections.Counter(a=1), "collections.Counter"),
    (pd.DataFrame({"a": [1]}), "pandas"),
    (np.array([_Payload("x")], dtype=object), r"\.open"),
    (np.ma.masked_array([1, 2], mask=[0, 1]), "numpy.ma"),
])
def test_non_numpy_objects_are_refused_with_their_class_named(obj, named):
    with pytest.raises(RestrictedPickleError, match=named):
        loads(pickle.dumps(obj))


def test_refusal_is_an_unpickling_error():
    assert issubclass(RestrictedPickleError, pickle.UnpicklingError)
