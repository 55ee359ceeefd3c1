"""Damaged caches are named, moved aside and computed again; damaged data files name themselves."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dynamic_vision.benchmark_kinds.ceiling_cache import cached_ceiling, ceiling_cache_path
from dynamic_vision.core.errors import DamagedFileError, RepairedCacheWarning
from dynamic_vision.core.registry import benchmark_registry, model_registry
from dynamic_vision.core.scores import Score
from dynamic_vision.scoring import score, score_cache_path

DAMAGE = {"truncated": b'{"value": 0.5, "raw"', "binary": b"\x00\xff\xfe garbage",
          "wrong shape": b'{"unexpected": true}', "empty": b""}


class Fixed:
    """A benchmark whose score is a constant, counting its calls."""

    identifier = "Healing.V1-fixed"
    version = 1

    def __init__(self):
        self.calls = 0

    def __call__(self, candidate):
        self.calls += 1
        return Score.from_raw(0.25).ceiled(0.5, "ratio")


class Idle:
    """A brain model the constant benchmark never needs to show stimuli to."""

    identifier = "healing-model"

    def visual_degrees(self):
        return 8.0

    def start_recording(self, region, time_bins, recording_type=None):
        raise AssertionError("the constant benchmark records nothing")

    start_task = look_at = start_recording


@pytest.fixture
def registered(tmp_path, monkeypatch):
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(tmp_path))
    benchmark = Fixed()
    benchmark_registry.register(benchmark.identifier, lambda: benchmark, version=1)
    model_registry.register("healing-model", lambda **_: Idle(), version=1)
    yield benchmark
    benchmark_registry.unregister(benchmark.identifier)
    model_registry.unregister("healing-model")


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_score_is_recomputed_and_named(registered, damage):
    first = score("healing-model", registered.identifier)
    path = score_cache_path("healing-model", registered.identifier, 1, 1)
    assert path.is_file() and registered.calls == 1
    path.write_bytes(DAMAGE[damage])
    with pytest.warns(RepairedCacheWarning, match=str(path).replace("\\", "\\\\")):
        again = score("healing-model", registered.identifier)
    assert registered.calls == 2 and again.value == first.value == 0.5
    assert path.with_name(path.name + ".damaged").read_bytes() == DAMAGE[damage]
    assert json.loads(path.read_text())["value"] == 0.5  # replaced by a good one
    assert score("healing-model", registered.identifier).value == 0.5 and registered.calls == 2


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_ceiling_is_recomputed(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(tmp_path))
    computed = []

    def compute():
        computed.append(1)
        return Score.from_raw(0.8, 0.01)

    assert cached_ceiling("Healing.V1-x", 1, "abc", compute).value == 0.8
    path = ceiling_cache_path("Healing.V1-x", 1, "abc")
    path.write_bytes(DAMAGE[damage])
    with pytest.warns(RepairedCacheWarning, match="moved it to"):
        assert cached_ceiling("Healing.V1-x", 1, "abc", compute).value == 0.8
    assert len(computed) == 2 and Score.from_dict(json.loads(path.read_text())).value == 0.8


def test_damaged_data_files_name_themselves(tmp_path):
    from dynamic_vision.io.assemblies import load_assembly, neural_assembly, save_assembly
    from dynamic_vision.io.stimuli import StimulusSet, load_stimulus_set_file, save_stimulus_set
    from dynamic_vision.io.video import write_video

    assembly = neural_assembly(np.zeros((2, 3, 1)), stimulus_id=["a", "b"],
                               neuroid_id=["n0", "n1", "n2"], region="V1", time_bin_start=[0],
                               time_bin_end=[100])
    path = tmp_path / "V1.nc"
    save_assembly(assembly, path)
    path.write_bytes(path.read_bytes()[:200])  # truncated
    with pytest.raises(DamagedFileError, match="V1.nc") as caught:
        load_assembly(path)
    assert caught.value.path == path

    clip = tmp_path / "clip.mkv"
    write_video(clip, np.zeros((2, 8, 8, 3), np.uint8), fps=10)
    folder = tmp_path / "stimuli"
    save_stimulus_set(StimulusSet.from_files({"clip": clip}, identifier="x"), folder)
    csv = next(folder.glob("*.csv"))
    csv.write_text('stimulus_id,path\n"unterminated,quote\n')
    with pytest.raises(DamagedFileError, match=csv.name):
        load_stimulus_set_file(folder)
