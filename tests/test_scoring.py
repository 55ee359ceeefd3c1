import json
import math

import numpy as np
import pytest
import xarray as xr

import dynamic_vision as dv
from dynamic_vision.core.scores import CEILING_CONVENTIONS, Score, apply_ceiling
from dynamic_vision.scoring import score_cache_path

from .conftest import ConstantModel, MeanActivationBenchmark


def test_score_of_object_on_registered_benchmark_is_consistent(toy_entries):
    model = ConstantModel()
    result = dv.score(model, "Toy.V1-mean")
    assert isinstance(result, dv.Score)
    assert result.ceiling == pytest.approx(0.8)
    assert result.convention == "ratio"
    assert result.value == pytest.approx(apply_ceiling(result.raw, result.ceiling, "ratio"))
    assert result.value == pytest.approx(result.raw / 0.8)
    assert result.error == pytest.approx(0.02 / 0.8)
    assert result.provenance["model"] == "constant-model"
    assert result.provenance["benchmark"] == "Toy.V1-mean"
    assert result.provenance["benchmark_version"] == 3
    assert result.provenance["dynamic_vision_version"] == dv.__version__
    assert result.provenance["seed"] == 7
    assert list(result.detail["raw"].dims) == ["split"]


@pytest.mark.parametrize("convention", sorted(CEILING_CONVENTIONS))
def test_ceiled_is_the_documented_function_of_raw_and_ceiling(convention):
    raw = Score.from_raw(0.6, 0.05, xr.Dataset({"raw": ("neuroid", [0.5, 0.7])}))
    ceiling = Score.from_raw(0.9, 0.01, xr.Dataset({"consistency": ("neuroid", [0.85, 0.95])}))
    ceiled = raw.ceiled(ceiling, convention)
    expected = {"ratio": 0.6 / 0.9, "explained_variance": (0.6 / 0.9) ** 2, "none": 0.6}[convention]
    assert ceiled.value == pytest.approx(expected)
    assert ceiled.raw == 0.6 and ceiled.ceiling == 0.9
    derivative = {"ratio": 1 / 0.9, "explained_variance": 1.2 / 0.81, "none": 1.0}[convention]
    assert ceiled.error == pytest.approx(0.05 * derivative)
    assert set(ceiled.detail.data_vars) == {"raw", "ceiling_consistency"}


def test_scores_are_never_clipped():
    assert Score.from_raw(0.9).ceiled(0.5).value == pytest.approx(1.8)


def test_unknown_convention_is_an_error():
    with pytest.raises(ValueError, match="Unknown ceiling convention 'bogus'"):
        apply_ceiling(0.5, 0.5, "bogus")


def test_score_json_round_trip_and_display():
    detail = xr.Dataset({"raw": (("split", "time_bin"), np.array([[0.1, np.nan], [0.3, 0.4]]))},
                        coords={"time_bin_start": ("time_bin", [0, 50])})
    score = Score.from_raw(0.5, 0.1, detail, seed=0).ceiled(0.7).with_provenance(model="m")
    text = score.to_json()
    back = Score.from_dict(json.loads(text))
    assert back == score
    np.testing.assert_array_equal(back.detail["raw"].values, detail["raw"].values)
    assert back.detail["raw"].dtype == np.float64
    assert back.provenance == {"seed": 0, "model": "m"}
    assert "0.7143" in repr(score) and "ceiling 0.7000" in repr(score)
    assert "<table" in score._repr_html_() and "0.7143" in score._repr_html_()
    assert float(score) == pytest.approx(0.5 / 0.7)
    assert float(score.to_xarray().coords["raw"]) == 0.5


def test_scores_of_identifiers_are_cached_and_can_be_disabled(toy_entries, monkeypatch, tmp_path):
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(tmp_path))  # a cache no other test has filled
    calls = []
    original = MeanActivationBenchmark.__call__

    def counting(self, candidate):
        calls.append(1)
        return original(self, candidate)

    monkeypatch.setattr(MeanActivationBenchmark, "__call__", counting)
    first = dv.score("constant-model", "Toy.V1-mean")
    second = dv.score("constant-model", "Toy.V1-mean")
    assert len(calls) == 1
    assert second == first
    path = score_cache_path("constant-model", "Toy.V1-mean", 1, 3)
    assert path.exists() and json.loads(path.read_text())["value"] == pytest.approx(first.value)
    assert not list(path.parent.glob(".*.tmp"))  # atomic: no temp files left behind

    monkeypatch.setenv("DYNAMIC_VISION_NO_CACHE", "1")
    dv.score("constant-model", "Toy.V1-mean")
    assert len(calls) == 2


def test_score_rejects_what_is_neither_identifier_nor_object():
    with pytest.raises(TypeError, match="model must be an identifier or a BrainModel"):
        dv.score(object(), MeanActivationBenchmark())


def test_score_plots_by_time_bin_need_a_detail():
    score = Score.from_raw(0.5)
    assert math.isnan(score.ceiling)
