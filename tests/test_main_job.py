"""The README's main job, in-process: score models on the SimMotion benchmarks, write results.

The command is ``dynamic-vision score --models motion-energy,pixels,... --benchmarks
'SimMotion.*,RandomDots.*' --output DIR``; here it runs on two models and two benchmarks so
that it stays quick, then again to check that the second run is served from the caches.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from dynamic_vision.cli import main

MODELS = "motion-energy,pixels"
BENCHMARKS = "SimMotion.V1-*,RandomDots.*"


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("main-job")
    code = main(["score", "--models", MODELS, "--benchmarks", BENCHMARKS,
                 "--output", str(folder)])
    return folder, code


@pytest.mark.slow
def test_main_job_writes_json_results(first_run):
    folder, code = first_run
    assert code == 0
    summary = json.loads((folder / "results.json").read_text())
    pairs = {(entry["model"], entry["benchmark"]) for entry in summary}
    assert pairs == {(m, b) for m in MODELS.split(",")
                     for b in ("SimMotion.V1-ridge", "RandomDots.direction-logistic")}
    for entry in summary:
        assert np.isfinite(entry["value"])
        assert (folder / f"{entry['model']}__{entry['benchmark']}.json").exists()
    detail = json.loads((folder / "motion-energy__SimMotion.V1-ridge.json").read_text())
    assert len(detail["detail"]["data_vars"]["ceiled"]["data"]) == 20


@pytest.mark.slow
def test_main_job_writes_plots_with_content(first_run):
    folder, _ = first_run
    for name in ("scores_by_model.png", "scores_by_time_bin.png"):
        with Image.open(folder / name) as image:
            assert image.format == "PNG"
            assert np.asarray(image.convert("L")).std() > 5


@pytest.mark.slow
def test_second_run_is_served_from_the_cache(first_run, tmp_path, capsys, monkeypatch):
    from dynamic_vision.benchmark_kinds import NeuralBenchmark, TaskBenchmark

    def recompute(self, candidate):
        raise AssertionError(f"{self.identifier} was recomputed instead of read from the cache")

    monkeypatch.setattr(NeuralBenchmark, "__call__", recompute)
    monkeypatch.setattr(TaskBenchmark, "__call__", recompute)
    code = main(["score", "--models", MODELS, "--benchmarks", BENCHMARKS,
                 "--output", str(tmp_path)])
    assert code == 0
    table = capsys.readouterr().out
    assert "motion-energy" in table and "SimMotion.V1-ridge" in table
    assert (tmp_path / "scores_by_model.png").exists()


def test_model_options_are_parsed_per_model():
    from dynamic_vision.cli.scoring import parse_model_options

    parsed = parse_model_options(["resnet18-random:input_size=64", "resnet18-random:device=cpu",
                                  "pixels:grid=[8, 8]"], ["resnet18-random", "pixels"])
    assert parsed == {"resnet18-random": {"input_size": 64, "device": "cpu"},
                      "pixels": {"grid": [8, 8]}}
    with pytest.raises(ValueError, match="must look like MODEL:KEY=VALUE"):
        parse_model_options(["input_size=64"], ["pixels"])
    with pytest.raises(ValueError, match="names model 'alexnet', which is not in --models"):
        parse_model_options(["alexnet:input_size=64"], ["pixels"])


def test_model_options_enter_the_score_cache_key():
    from dynamic_vision.scoring import score_cache_path

    plain = score_cache_path("resnet18-random", "SimMotion.V1-ridge", 1, 2)
    small = score_cache_path("resnet18-random", "SimMotion.V1-ridge", 1, 2, {"input_size": 64})
    assert plain != small
    assert plain == score_cache_path("resnet18-random", "SimMotion.V1-ridge", 1, 2, {})
