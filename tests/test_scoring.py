import json
import math

import numpy as np
import pytest
import xarray as xr

import dynamic_vision as dv
from dynamic_vision.core.scores import CEILING_CONVENTIONS, Score, aggregate_ceilings, apply_ceiling
from dynamic_vision.scoring import score_cache_path

from .conftest import ConstantModel, MeanActivationBenchmark


def test_score_of_object_on_registered_benchmark_is_consistent(toy_entries):
    model = ConstantModel()
    result = dv.score(model, "Toy.V1-mean")
    assert isinstance(result, dv.Score)
    assert result.ceiling == pytest.approx(0.8)
    assert result.convention == "disattenuated"
    assert result.value == pytest.approx(apply_ceiling(result.raw, result.ceiling,
                                                       "disattenuated"))
    assert result.value == pytest.approx(result.raw / math.sqrt(0.8))
    assert result.error == pytest.approx(0.02 / math.sqrt(0.8))
    assert result.provenance["model"] == "constant-model"
    assert result.provenance["benchmark"] == "Toy.V1-mean"
    assert result.provenance["benchmark_version"] == 3
    assert result.provenance["dynamic_vision_version"] == dv.__version__
    assert result.provenance["seed"] == 7
    assert list(result.detail["raw"].dims) == ["split"]


EXPECTED = {  # (value, error) of raw 0.6 ± 0.05 under a ceiling of 0.9
    "disattenuated": (0.6 / math.sqrt(0.9), 0.05 / math.sqrt(0.9)),
    "explained_variance": (0.36 / 0.9, 0.05),  # Brain-Score copies the raw error
    "ratio": (0.6 / 0.9, 0.05 / 0.9),
    "none": (0.6, 0.05),
}


@pytest.mark.parametrize("convention", sorted(EXPECTED))
def test_ceiled_is_the_documented_function_of_raw_and_ceiling(convention):
    raw = Score.from_raw(0.6, 0.05, xr.Dataset({"raw": ("neuroid", [0.5, 0.7])}))
    ceiling = Score.from_raw(0.9, 0.01, xr.Dataset({"consistency": ("neuroid", [0.85, 0.95])}))
    ceiled = raw.ceiled(ceiling, convention)
    value, error = EXPECTED[convention]
    assert ceiled.value == pytest.approx(value)
    assert ceiled.raw == 0.6 and ceiled.ceiling == 0.9
    assert ceiled.error == pytest.approx(error)
    assert set(ceiled.detail.data_vars) == {"raw", "ceiling_consistency"}


def test_every_convention_is_tested():
    assert set(EXPECTED) | {"disattenuated_per_split"} == set(CEILING_CONVENTIONS)


def test_per_split_convention_ceils_each_split_then_averages():
    raw = Score.from_raw(0.55, 0.05, xr.Dataset({"split_raw": ("split", [0.5, 0.6])}))
    ceiling = Score.from_raw(0.7, 0.1, xr.Dataset({"split_ceiling": ("split", [0.6, 0.8])}))
    ceiled = raw.ceiled(ceiling, "disattenuated_per_split")
    per_split = np.array([0.5 / math.sqrt(0.6), 0.6 / math.sqrt(0.8)])
    assert ceiled.value == pytest.approx(per_split.mean())
    assert ceiled.error == pytest.approx(per_split.std())  # ddof 0, as Brain-Score
    np.testing.assert_allclose(ceiled.detail["split_ceiled"].values, per_split)
    with pytest.raises(ValueError, match="needs the score's detail"):
        Score.from_raw(0.5).ceiled(ceiling, "disattenuated_per_split")


def test_the_noise_free_truth_scores_one_under_the_default():
    """A noise-free model correlates sqrt(c) with data of reliability c."""
    for c in (0.3, 0.64, 0.95):
        assert Score.from_raw(math.sqrt(c)).ceiled(c).value == pytest.approx(1.0)
        assert Score.from_raw(math.sqrt(c)).ceiled(c, "explained_variance").value == \
            pytest.approx(1.0)
        assert Score.from_raw(math.sqrt(c)).ceiled(c, "ratio").value > 1.0  # why not ratio


def test_ceilings_aggregate_on_the_raw_scale():
    ceilings = np.array([0.25, 0.5, 0.81])
    truth = np.sqrt(ceilings)  # each part's noise-free raw score
    for how, reduce in (("mean", np.mean), ("median", np.median)):
        aggregate = aggregate_ceilings(ceilings, "disattenuated", how)
        assert reduce(truth) / math.sqrt(aggregate) == pytest.approx(1.0)
    assert aggregate_ceilings(ceilings, "ratio") == pytest.approx(ceilings.mean())
    assert aggregate_ceilings([-0.04, 0.64], "disattenuated") == pytest.approx(0.09)


def test_scores_are_never_clipped_and_are_flagged_above_the_ceiling():
    above = Score.from_raw(0.9, 0.01).ceiled(0.5)
    assert above.value == pytest.approx(0.9 / math.sqrt(0.5))
    assert above.flags == ("above_ceiling",)
    assert "above ceiling" in repr(above) and above.to_dict()["flags"] == ["above_ceiling"]
    within_error = Score.from_raw(0.72, 0.05).ceiled(0.5)  # 1.018 ± 0.07
    assert within_error.value > 1 and within_error.flags == ()
    assert Score.from_raw(0.5, 0.01).ceiled(0.5).flags == ()
    assert Score.from_raw(1.5).ceiled(1.0, "none").flags == ()


@pytest.mark.parametrize("ceiling", [float("nan"), 0.0, -0.2])
def test_a_missing_or_non_positive_ceiling_is_refused(ceiling):
    from dynamic_vision.core.errors import ScoreGuardError

    with pytest.raises(ScoreGuardError, match="ceiled score needs a positive ceiling"):
        Score.from_raw(0.5).with_provenance(benchmark="Toy.V1-x").ceiled(ceiling)
    with pytest.raises(ScoreGuardError, match="Toy.V1-x"):
        Score.from_raw(0.5).with_provenance(benchmark="Toy.V1-x").ceiled(ceiling)
    with pytest.raises(ScoreGuardError):
        apply_ceiling(0.5, ceiling)
    assert Score.from_raw(0.5).ceiled(ceiling, "none").value == 0.5  # no ceiling used


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
    assert "0.5976" in repr(score) and "ceiling 0.7000" in repr(score)
    assert "<table" in score._repr_html_() and "0.5976" in score._repr_html_()
    assert float(score) == pytest.approx(0.5 / math.sqrt(0.7))
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
