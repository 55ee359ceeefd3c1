"""Score plots: detail lookup, labelled axes, the standard PNGs of a scoring run."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402
from PIL import Image  # noqa: E402

from dynamic_vision.core.plotting import (  # noqa: E402
    detail_along,
    plot_score_detail,
    save_standard_plots,
)
from dynamic_vision.core.scores import Score  # noqa: E402

STARTS = np.arange(0.0, 200.0, 50.0)


def neural_score(model: str, benchmark: str, scale: float, layers: list[str] | None = None):
    raw = scale * np.array([0.1, 0.5, 0.7, 0.6])
    detail = xr.Dataset(
        {"raw": ("time_bin", raw), "raw_error": ("time_bin", np.full(4, 0.02)),
         "ceiled": ("time_bin", raw / 0.8), "ceiling": ("time_bin", np.full(4, 0.8))},
        coords={"time_bin_start": ("time_bin", STARTS), "time_bin_end": ("time_bin", STARTS + 50)})
    if layers:
        detail["layer_raw"] = (("layer", "time_bin"),
                               np.outer(np.linspace(0.2, 1.0, len(layers)), raw))
        detail = detail.assign_coords(layer=layers)
    result = Score.from_raw(raw.mean(), 0.02, detail=detail).ceiled(0.8)
    return result.with_provenance(model=model, benchmark=benchmark)


def test_detail_along_averages_other_dimensions():
    result = neural_score("m", "B.V1-ridge", 1.0, layers=["a", "b", "c"])
    by_layer = detail_along(result, "layer")
    assert by_layer.dims == ("layer",)
    np.testing.assert_allclose(by_layer.values, np.linspace(0.2, 1.0, 3) * 0.475)
    np.testing.assert_allclose(detail_along(result, "time_bin").values, [0.1, 0.5, 0.7, 0.6])


def test_missing_detail_names_what_the_score_holds():
    result = neural_score("m", "B.V1-ridge", 1.0)
    with pytest.raises(ValueError, match=r"no 'raw' detail along 'layer'.*raw\('time_bin',\)"):
        detail_along(result, "layer")


def test_plot_score_detail_labels_axes_in_milliseconds():
    result = neural_score("m", "B.V1-ridge", 1.0)
    ax = result.plot(by="time_bin")
    assert ax.get_xlabel() == "time from stimulus onset (ms)"
    assert ax.get_ylabel() == "raw score"
    assert ax.get_title() == "m on B.V1-ridge"
    x, y = ax.lines[0].get_data()
    np.testing.assert_allclose(x, STARTS + 25)
    np.testing.assert_allclose(y, [0.1, 0.5, 0.7, 0.6])
    layer_ax = plot_score_detail(neural_score("m", "B", 1.0, ["l1", "l2"]), by="layer")
    assert [t.get_text() for t in layer_ax.get_xticklabels()] == ["l1", "l2"]


def test_save_standard_plots_writes_three_pngs(tmp_path):
    scores = {}
    for i, model in enumerate(["motion-energy", "pixels", "r3d_18-random"]):
        for benchmark in ["SimMotion.V1-ridge", "SimMotion.MT-ridge"]:
            layers = ["layer1", "layer2", "layer3"] if model == "r3d_18-random" else None
            scores[(model, benchmark)] = neural_score(model, benchmark, 1.0 - 0.3 * i, layers)
    written = save_standard_plots(scores, tmp_path / "out")
    names = sorted(p.name for p in written)
    assert names == ["scores_by_layer.png", "scores_by_model.png", "scores_by_time_bin.png"]
    for path in written:
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.size[0] > 400 and image.size[1] > 300
            assert np.asarray(image.convert("L")).std() > 5  # not blank
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_scores_without_detail_still_give_the_per_model_plot(tmp_path):
    scores = {("m", "Task.x-logistic"): Score.from_raw(0.5).with_provenance(model="m")}
    written = save_standard_plots(scores, tmp_path)
    assert [p.name for p in written] == ["scores_by_model.png"]
