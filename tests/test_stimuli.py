"""StimulusSet: construction from files, validation, access, hashing, CSV round trip."""

from __future__ import annotations

import pickle
import shutil

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from dynamic_vision.io import stimuli, video
from dynamic_vision.io.stimuli import (
    MEDIA_COLUMNS,
    StimulusError,
    StimulusSet,
    load_stimulus_set_file,
    save_stimulus_set,
)


@pytest.fixture
def media(tmp_path):
    rng = np.random.default_rng(1)
    folder = tmp_path / "media"
    video.write_video(folder / "v1.mkv", rng.integers(0, 256, (10, 16, 24, 3), np.uint8), 10)
    video.write_video(folder / "v2.mp4", rng.integers(0, 256, (5, 16, 24, 3), np.uint8), 25)
    Image.fromarray(rng.integers(0, 256, (20, 30, 3), np.uint8)).save(folder / "still.png")
    return folder


@pytest.fixture
def stimulus_set(media):
    metadata = pd.DataFrame({
        "stimulus_id": ["a", "b", "c"], "label": ["x", None, "z"],
        "direction": [0.5, np.nan, 90.0], "k": [1, 2, 3], "flag": [True, False, True],
        "category": pd.Categorical(["u", "v", "u"])})
    return StimulusSet.from_files({"a": media / "v1.mkv", "b": media / "v2.mp4",
                                   "c": media / "still.png"}, "test-set", metadata=metadata,
                                  image_duration_ms=250.0)


def test_from_files_probes_media(stimulus_set, media):
    assert list(stimulus_set.columns[:len(MEDIA_COLUMNS)]) == list(MEDIA_COLUMNS)
    assert stimulus_set.identifier == "test-set"
    row = stimulus_set.set_index("stimulus_id")
    assert row.loc["a", "fps"] == 10 and row.loc["a", "n_frames"] == 10
    assert row.loc["a", "duration_ms"] == pytest.approx(1000.0)
    assert row.loc["b", "n_frames"] == 5 and row.loc["b", "duration_ms"] == pytest.approx(200.0)
    assert np.isnan(row.loc["c", "fps"]) and row.loc["c", "n_frames"] == 1
    assert row.loc["c", "duration_ms"] == 250.0
    assert (row.loc["c", "width"], row.loc["c", "height"]) == (30, 20)
    assert stimulus_set.is_image.tolist() == [False, False, True]
    assert stimulus_set.get_path("c") == (media / "still.png").resolve()
    assert stimulus_set["n_frames"].dtype == np.int64


def test_sequence_of_files_uses_stems(media):
    s = StimulusSet.from_files([media / "v1.mkv", media / "still.png"], "stems")
    assert s["stimulus_id"].tolist() == ["v1", "still"]


def test_slicing_keeps_type_and_identifier(stimulus_set):
    for part in (stimulus_set.iloc[:2], stimulus_set[stimulus_set["fps"] > 0],
                 stimulus_set[["stimulus_id", "path"]], stimulus_set.copy()):
        assert isinstance(part, StimulusSet) and part.identifier == "test-set"
    for derived in (pd.concat([stimulus_set.iloc[:1], stimulus_set.iloc[1:]]),
                    stimulus_set.merge(pd.DataFrame({"stimulus_id": ["a"], "extra": [1]}),
                                       how="left"),
                    pickle.loads(pickle.dumps(stimulus_set))):
        assert isinstance(derived, StimulusSet) and derived.identifier == "test-set"
    other = stimulus_set.copy()
    other.identifier = "other"
    assert pd.concat([stimulus_set, other]).identifier is None  # ambiguous: not guessed
    sub = stimulus_set.subset(["c", "a"])
    assert isinstance(sub, StimulusSet) and sub["stimulus_id"].tolist() == ["c", "a"]
    assert sub.identifier == "test-set"
    with pytest.raises(StimulusError, match="'nope'"):
        stimulus_set.subset(["a", "nope"])
    with pytest.raises(StimulusError, match="no stimulus 'zz'"):
        stimulus_set.get_path("zz")


def test_validation_names_the_stimulus(stimulus_set, media, tmp_path):
    assert stimulus_set.validate() is stimulus_set
    with pytest.raises(StimulusError, match="repeats the stimulus_id 'a'"):
        StimulusSet.from_files({"a": media / "v1.mkv"} | {"b": media / "v2.mp4"}, "x").pipe(
            lambda s: StimulusSet(pd.concat([s, s]), identifier="dup").validate())
    broken = stimulus_set.copy()
    broken.loc[1, "path"] = str(tmp_path / "gone.mp4")
    with pytest.raises(StimulusError, match="'b'.*gone.mp4") as info:
        broken.validate()
    assert info.value.stimulus_id == "b"
    impossible = stimulus_set.copy()
    impossible.loc[2, "duration_ms"] = np.nan
    with pytest.raises(StimulusError, match="'c'.*impossible media facts"):
        impossible.validate(media=False)
    bad = tmp_path / "bad.mkv"
    bad.write_bytes(b"not a video at all" * 100)
    with pytest.raises(StimulusError) as info:
        StimulusSet.from_files({"good": media / "v1.mkv", "broken": bad}, "x")
    assert info.value.stimulus_id == "broken" and info.value.path == bad
    assert "broken" in str(info.value) and str(bad) in str(info.value)
    with pytest.raises(StimulusError, match="no row for 1 stimuli"):
        StimulusSet.from_files({"a": media / "v1.mkv", "b": media / "v2.mp4"}, "x",
                               metadata=pd.DataFrame({"stimulus_id": ["a"], "label": [1]}))


def test_read_frames_via_the_set_names_the_stimulus(stimulus_set, media, tmp_path):
    assert stimulus_set.read_frames("a", fps=20).shape == (20, 16, 24, 3)
    assert sum(len(c) for c in stimulus_set.iter_frames("b", chunk_frames=2)) == 5
    truncated = tmp_path / "cut.mkv"
    data = (media / "v1.mkv").read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    s = StimulusSet(stimulus_set.copy(), identifier="t")
    s.loc[0, "path"] = str(truncated)
    with pytest.raises(video.MediaError) as info:
        s.read_frames("a")
    assert info.value.stimulus_id == "a" and "'a'" in str(info.value)
    assert str(truncated) in str(info.value)


def test_content_hash(stimulus_set, media, tmp_path, monkeypatch):
    digest = stimulus_set.content_hash()
    assert digest == stimulus_set.copy().content_hash() and len(digest) == 64
    # Moving the files keeps the hash: only their contents count.
    moved = tmp_path / "moved"
    shutil.copytree(media, moved)
    relocated = stimulus_set.copy()
    relocated["path"] = [str(moved / p.split("/")[-1]) for p in relocated["path"]]
    assert relocated.content_hash() == digest
    changed = stimulus_set.copy()
    changed.loc[0, "label"] = "other"
    assert changed.content_hash() != digest
    assert stimulus_set.subset(["b", "a", "c"]).content_hash() != digest
    (moved / "v1.mkv").write_bytes((moved / "v1.mkv").read_bytes() + b"\0")
    assert relocated.content_hash() != digest
    (moved / "still.png").unlink()
    with pytest.raises(StimulusError, match="'c'.*still.png"):
        relocated.content_hash()


def test_file_digests_are_computed_once(media, monkeypatch):
    calls = []
    original = stimuli.sha256_file
    monkeypatch.setattr(stimuli, "sha256_file", lambda p: calls.append(p) or original(p))
    monkeypatch.setattr(stimuli, "_digests", {})
    s = StimulusSet.from_files([media / "v1.mkv", media / "still.png"], "once")
    first = s.content_hash()
    assert s.content_hash() == first and s.copy().content_hash() == first
    assert len(calls) == 2


def test_csv_round_trip_is_exact(stimulus_set, tmp_path):
    csv_path = save_stimulus_set(stimulus_set, tmp_path / "saved")
    text = csv_path.read_text()
    assert "../media/v1.mkv" in text and str(tmp_path) not in text  # relative paths
    loaded = load_stimulus_set_file(tmp_path / "saved")
    assert isinstance(loaded, StimulusSet) and loaded.identifier == "test-set"
    pd.testing.assert_frame_equal(pd.DataFrame(loaded), pd.DataFrame(stimulus_set))
    assert loaded["label"].isna().tolist() == [False, True, False]
    again = load_stimulus_set_file(csv_path)
    pd.testing.assert_frame_equal(pd.DataFrame(again), pd.DataFrame(stimulus_set))
    assert loaded.content_hash() == stimulus_set.content_hash()


def test_plain_csv_is_probed(media, tmp_path):
    csv = media / "mine.csv"
    csv.write_text("stimulus_id,path,label\nv,v1.mkv,cat\ns,still.png,dog\n")
    s = load_stimulus_set_file(csv)
    assert s.identifier == "mine" and s["label"].tolist() == ["cat", "dog"]
    assert s.set_index("stimulus_id").loc["v", "n_frames"] == 10


def test_unsavable_column_is_refused(stimulus_set, tmp_path):
    odd = stimulus_set.copy()
    odd["mixed"] = ["a", 1, None]
    with pytest.raises(ValueError, match="'mixed'"):
        save_stimulus_set(odd, tmp_path / "odd")
    assert not (tmp_path / "odd" / "stimulus_set.csv").exists()


def test_truncated_video_fails_extraction_and_caches_nothing(media, tmp_path, monkeypatch):
    """Through the activation engine: the error names the stimulus and its file, and no
    activation chunk is stored for the set."""
    torch = pytest.importorskip("torch")
    from dynamic_vision.modeling.activations.engine import extract_activations
    from dynamic_vision.modeling.spec import ModelSpec

    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(tmp_path / "home"))
    frames = np.random.default_rng(2).integers(0, 256, (30, 16, 16, 3), np.uint8)
    whole = video.write_video(tmp_path / "whole.mkv", frames, 30)
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    stimuli = StimulusSet.from_files({"fine": media / "v1.mkv", "cut": cut}, "truncated")
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 2, 3), torch.nn.AdaptiveAvgPool2d(1),
                              torch.nn.Flatten())
    spec = ModelSpec("tiny-test", "image", ("2",), 16, 10.0)
    with pytest.raises(video.MediaError) as info:
        extract_activations(net, spec, stimuli, progress=False, reduction=None)
    assert info.value.stimulus_id == "cut" and info.value.path == cut
    assert "'cut'" in str(info.value) and str(cut) in str(info.value)
    home = tmp_path / "home"
    assert not home.exists() or not [p for p in home.rglob("*") if p.is_file()
                                      and p.suffix in (".npz", ".npy", ".nc")]
