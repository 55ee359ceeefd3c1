"""Bring-your-own-files plugins: incomplete trees are explained, complete replicas score, and
the docs' dataset table agrees with ``dynamic-vision data list``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dynamic_vision.io.assemblies import fmri_assembly, save_assembly
from dynamic_vision.cli import main
from dynamic_vision.io.datasets import DataAccessError
from dynamic_vision.core.registry import stimulus_set_registry
from dynamic_vision.io.user_data import check_tree, expected_files, tree_root
from dynamic_vision.io.video import write_video

TR_S, FPS, MOVIE_S = 1.0, 5.0, 150


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(tmp_path / "home"))
    return tmp_path


def test_an_incomplete_tree_lists_what_is_missing_and_exits_non_zero(home, capsys):
    mine = home / "keles"
    (mine / "ds004798/sub-p41cs/ses-001/func").mkdir(parents=True)
    wrong = mine / "ds004798/sub-p41cs/ses-001/func/sub-p41cs_ses-001_task-movie_run-1_bold.nii.gz"
    wrong.write_bytes(b"truncated download")
    assert main(["data", "verify", "Keles2024.fMRI", "--path", str(mine)]) == 1
    out, err = capsys.readouterr()
    assert "recordings.nc: missing" in out
    assert f"{wrong.relative_to(mine).as_posix()}: size 18 bytes, expected 190906515" in out
    assert "run-2_bold.nii.gz" not in out  # optional raw files are checked only when present
    assert "ds004798" in err and "Preparing recordings" in err
    assert tree_root("Keles2024.fMRI") != mine.resolve()  # not remembered while incomplete

    assert main(["data", "verify", "Keles2024", "--path", str(mine)]) == 1
    assert "movie/bang_youre_dead.mp4: missing" in capsys.readouterr().out
    assert main(["data", "fetch", "Keles2024"]) == 1
    with pytest.raises(DataAccessError, match=r"1 of 1 required files missing "
                                              r"\(movie/bang_youre_dead.mp4\).*Rhodri Cusack"):
        stimulus_set_registry.load("Keles2024")


def _hrf(dt: float) -> np.ndarray:
    """Double-gamma HRF (SPM shape), computed here independently of dynamic_vision.benchmark_kinds.hrf."""
    from scipy.stats import gamma

    t = np.arange(0, 32, dt)
    h = gamma.pdf(t, 6) - gamma.pdf(t, 16) / 6
    return h / h.sum()


def _keles_replica(root: Path) -> None:
    rng = np.random.default_rng(4)
    n = int(MOVIE_S * FPS)
    levels = np.repeat(rng.uniform(30, 220, size=(n // 10, 2, 2)), 10, axis=0)  # 2 s scenes
    frames = np.kron(levels, np.ones((1, 8, 8)))[..., None].repeat(3, axis=3).astype(np.uint8)
    write_video(root / "movie" / "bang_youre_dead.mp4", frames, fps=FPS)
    drive = (levels.reshape(n, 4) - levels.mean()) / levels.std()
    bold = np.stack([np.convolve(drive[:, k], _hrf(1 / FPS))[:n] for k in range(4)], axis=1)
    per_tr = bold.reshape(MOVIE_S, int(FPS * TR_S), 4).mean(axis=1) @ rng.normal(size=(4, 30))
    per_tr /= per_tr.std()
    runs = [per_tr + 0.5 * rng.normal(size=per_tr.shape) for _ in range(2)]
    assembly = fmri_assembly(np.concatenate(runs), time_s=np.tile(np.arange(MOVIE_S) * TR_S, 2),
                             tr_s=TR_S, run=np.repeat([1, 2], MOVIE_S), subject="p41cs",
                             neuroid_id=[f"v{k}" for k in range(30)], region="cortex")
    assembly = assembly.assign_coords(stimulus_id=("time", ["bang_youre_dead"] * 2 * MOVIE_S))
    save_assembly(assembly, root / "recordings.nc")


def test_a_complete_replica_tree_verifies_and_scores(home, capsys):
    from dynamic_vision.models.pixels.model import PixelsModel
    from dynamic_vision.scoring import score

    mine = home / "keles"
    _keles_replica(mine)
    for identifier in ("Keles2024", "Keles2024.fMRI"):
        assert main(["data", "verify", identifier, "--path", str(mine)]) == 0
        assert tree_root(identifier) == mine.resolve()
    assert "all 1 required files present" in capsys.readouterr().out
    model = PixelsModel(grid=2, size=16, fps=FPS, identifier="pixels-2", progress=False)
    result = score(model, "Keles2024.cortex-ridge", cache=False)
    assert 0.5 < float(result.ceiling) <= 1.0
    assert float(result.raw) > 0.5  # the quadrant luminance drives the planted voxels
    listed = {row["identifier"]: row for row in _listed()}
    assert listed["Keles2024"]["fetched"] is True and listed["Keles2024.fMRI"]["fetched"]
    # with the files present, the plugins pass their kinds' conformance checks
    from dynamic_vision.testing import check_benchmark, check_dataset, check_stimulus_set

    check_dataset("Keles2024.fMRI")
    check_stimulus_set("Keles2024")
    check_benchmark("Keles2024.cortex-ridge")


def test_clip_lists_come_from_annotations_not_directory_order(home):
    from dynamic_vision.data.kinetics400_subset.selection import selection

    root = home / "k400"
    (root / "annotations").mkdir(parents=True)
    rows = [(label, f"id{label[0]}{k}", 10 * k, 10 * k + 10, "test")
            for label in ("zumba", "abseiling", "juggling") for k in (3, 1, 2)]
    table = pd.DataFrame(rows, columns=["label", "youtube_id", "time_start", "time_end", "split"])
    table.sample(frac=1.0, random_state=0).to_csv(root / "annotations/test.csv", index=False)
    chosen = selection(root, n_classes=2, n_per_class=2)
    assert chosen["path"].tolist() == ["test/ida1_000010_000020.mp4", "test/ida2_000020_000030.mp4",
                                       "test/idj1_000010_000020.mp4", "test/idj2_000020_000030.mp4"]
    # the registered rule (100 classes x 20) lists every clip of this small file, class by class
    expected = [f.path for f in expected_files("Kinetics400Subset", root)]
    assert expected[0] == "annotations/test.csv" and len(expected) == 1 + 9
    assert expected[1:4] == ["test/ida1_000010_000020.mp4", "test/ida2_000020_000030.mp4",
                             "test/ida3_000030_000040.mp4"]
    problems = check_tree("Kinetics400Subset", root)
    assert [p.path for p in problems] == expected[1:]


def test_ssv2_and_mcmahon_lists_are_read_in_their_declared_order(home):
    from dynamic_vision.data.ssv2_subset.selection import selection

    root = home / "ssv2"
    root.mkdir()
    (root / "labels.json").write_text(json.dumps({"Pushing something": "1",
                                                  "Holding something": "0"}))
    clips = [{"id": str(i), "label": "x", "template": t, "placeholders": []}
             for i, t in [(30, "Pushing [something]"), (7, "Holding [something]"),
                          (100, "Holding [something]"), (8, "Pushing [something]")]]
    (root / "validation.json").write_text(json.dumps(clips))
    chosen = selection(root, n_classes=2, n_per_class=1)
    assert chosen[["stimulus_id", "label"]].values.tolist() == [["7", 0], ["8", 1]]

    mine = home / "mcmahon"
    mine.mkdir()
    (mine / "train.csv").write_text("video_name\nb.mp4\na.mp4\n")
    (mine / "test.csv").write_text("video_name\nc.mp4\n")
    (mine / "annotations.csv").write_text("video_name,joint action\na.mp4,1\nb.mp4,2\nc.mp4,3\n")
    assert [f.path for f in expected_files("McMahon2023", mine)][3:] == [
        "videos/b.mp4", "videos/a.mp4", "videos/c.mp4"]


def _listed() -> list[dict]:
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["data", "list", "--json"]) == 0
    return json.loads(buffer.getvalue())


def test_published_digests_are_checked_and_nothing_is_written_into_the_users_tree(home):
    import hashlib

    from dynamic_vision.io.user_data import (
        ExpectedFile,
        UserTree,
        register_user_tree,
        unregister_user_tree,
    )

    register_user_tree(UserTree("TinyTree", [
        ExpectedFile("a.bin", size=3, sha256=hashlib.sha256(b"abc").hexdigest()),
        ExpectedFile("raw/b.bin", md5=hashlib.md5(b"xyz").hexdigest(), optional=True)],
        "Ask the lab."))
    try:
        mine = home / "tiny"
        (mine / "raw").mkdir(parents=True)
        (mine / "a.bin").write_bytes(b"abd")  # right size, wrong content
        (mine / "raw/b.bin").write_bytes(b"xyz")
        problems = check_tree("TinyTree", mine, hashes=True)
        assert [(p.path, p.problem.split()[0]) for p in problems] == [("a.bin", "sha256")]
        assert check_tree("TinyTree", mine) == []  # sizes only: the cheap check loaders run
        (mine / "a.bin").write_bytes(b"abc")
        (mine / "raw/b.bin").write_bytes(b"xyw")
        problems = check_tree("TinyTree", mine, hashes=True)
        assert [(p.path, p.problem.split()[0], p.optional) for p in problems] == [
            ("raw/b.bin", "md5", True)]
        assert sorted(p.name for p in mine.rglob("*")) == ["a.bin", "b.bin", "raw"]
    finally:
        unregister_user_tree("TinyTree")
