"""BOLD Moments end to end on an exact-format replica served over loopback HTTP.

The replica has the published layout: per subject and hemisphere a pickled ``(betas,
video_ids)`` pair with ``betas`` of shape (videos, repetitions, vertices) float64 and ``vid``
-prefixed ids, FreeSurfer ASCII ``.label`` ROI files, and the user-supplied video tree
``stimuli/test/NNNN.mp4``. Only the number of videos and vertices is small.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import http.server
import pickle
import threading

import numpy as np
import pytest

from dynamic_vision.cli import main
from dynamic_vision.data.boldmoments import (
    HEMISPHERES,
    ROIS,
    beta_name,
    label_name,
    stimulus_spec,
    stimulus_tree,
    subject_spec,
)
from dynamic_vision.io.datasets import DataAccessError, fetch, register_dataset, register_stimulus_set
from dynamic_vision.io.download import HashMismatchError
from dynamic_vision.core.registry import dataset_registry, stimulus_set_registry
from dynamic_vision.io.restricted_pickle import RestrictedPickleError
from dynamic_vision.io.user_data import register_user_tree, unregister_user_tree
from dynamic_vision.io.video import write_video

SUBJECTS = ("sub-01", "sub-02")
N_VERTICES, FPS = 60, 5.0
#: the published design in small: train videos seen 3 times, test videos 10 times
CLIPS = {"train": [f"{n:04d}" for n in range(1, 41)],
         "test": [f"{n:04d}" for n in range(1001, 1025)]}
N_REPS = {"train": 3, "test": 10}
N_CLIPS = 24  # test videos
PREFIX = "BMDReplica"
LABEL_DIR = "derivatives/versionB/fmriprep/sourcedata/freesurfer/fsaverage/label"
#: vertices of each ROI (overlapping V1/V2 on purpose: one neuroid per label)
ROI_VERTICES = {"V1": np.arange(0, 24), "V2": np.arange(20, 44), "MT": np.arange(50, 58)}


class NullModel:
    """Features unrelated to the videos (seeded by stimulus id): must rank below pixels."""

    identifier = "null-features"

    def visual_degrees(self):
        return 8.0

    def start_recording(self, region, time_bins, layers=None):
        self.region, self.time_bins = region, list(time_bins)

    def start_task(self, task, fitting_stimuli=None):
        raise NotImplementedError

    def look_at(self, stimuli, number_of_trials=1):
        from dynamic_vision.io.assemblies import neural_assembly

        ids = stimuli["stimulus_id"].astype(str).tolist()
        seeds = [int(hashlib.sha256(i.encode()).hexdigest()[:8], 16) for i in ids]
        values = np.stack([np.random.default_rng(s).normal(size=16) for s in seeds])
        bins = np.asarray(self.time_bins, float)
        return neural_assembly(np.repeat(values[:, :, None], len(bins), axis=2),
                               stimulus_id=ids, neuroid_id=np.arange(16), region=self.region,
                               time_bin_start=bins[:, 0], time_bin_end=bins[:, 1])


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def patterns(task) -> np.ndarray:
    """A 4x4 luminance pattern per clip: what the pixels model sees and V1 encodes."""
    rng = np.random.default_rng({"train": 11, "test": 12}[task])
    return rng.uniform(30, 225, size=(len(CLIPS[task]), 4, 4))


def write_clips(root):
    for task in ("train", "test"):
        folder = root / "stimuli" / task
        folder.mkdir(parents=True)
        for clip, pattern in zip(CLIPS[task], patterns(task)):
            frame = np.kron(pattern, np.ones((4, 4))).astype(np.uint8)
            frames = np.repeat(np.repeat(frame[None, :, :, None], 3, axis=3), int(3 * FPS),
                               axis=0)
            write_video(folder / f"{clip}.mp4", frames, fps=FPS)


def write_label(path, vertices):
    rows = [f"{v}  {v * 0.5:.3f}  {-v:.3f}  {v * 2.0:.3f} 0.9000000000" for v in vertices]
    path.write_text("#!ascii label  , from subject fsaverage vox2ras=TkReg\n"
                    f"{len(vertices)}\n" + "\n".join(rows) + "\n")


def write_betas(root, subject, seed):
    rng = np.random.default_rng(seed)
    folder = root / f"derivatives/versionB/fsaverage/GLM/{subject}/prepared_betas"
    folder.mkdir(parents=True)
    for hemisphere in HEMISPHERES:
        weights = rng.normal(size=(16, N_VERTICES))  # the same vertices in train and test
        for task in ("train", "test"):
            n, reps = len(CLIPS[task]), N_REPS[task]
            clean = (patterns(task).reshape(n, 16) / 255.0) @ weights
            betas = clean[:, None, :] + 0.3 * rng.normal(size=(n, reps, N_VERTICES))
            ids = [f"vid{clip}" for clip in CLIPS[task]]
            with open(folder / beta_name(subject, task, hemisphere), "wb") as handle:
                pickle.dump((betas.astype(np.float64), ids), handle)


def manifest_for(root, tmp_path):
    lines = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "stimuli" not in p.parts):
        data = path.read_bytes()
        lines.append(f"{path.relative_to(root).as_posix()}\t{len(data)}\t"
                     f"{hashlib.sha256(data).hexdigest()}")
    manifest = tmp_path / "manifest.txt"
    manifest.write_text("\n".join(lines) + "\n")
    return manifest


@pytest.fixture
def replica(tmp_path, monkeypatch):
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(tmp_path / "home"))
    remote = tmp_path / "remote"
    for n, subject in enumerate(SUBJECTS):
        write_betas(remote, subject, seed=n)
    (remote / LABEL_DIR).mkdir(parents=True)
    for roi in ROIS:
        for hemisphere in HEMISPHERES:
            write_label(remote / LABEL_DIR / label_name(roi, hemisphere), ROI_VERTICES[roi])
    manifest = manifest_for(remote, tmp_path)
    handler = functools.partial(_QuietHandler, directory=str(remote))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02},
                     daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    for subject in SUBJECTS:
        for task in ("train", "test"):
            register_dataset(subject_spec(subject, task, identifier=f"{PREFIX}.{subject}.{task}",
                                          base_url=url, manifest=manifest))
    register_user_tree(stimulus_tree(PREFIX, clips=CLIPS))
    register_stimulus_set(stimulus_spec(PREFIX))
    videos = tmp_path / "my_bmd_copy"
    write_clips(videos)
    yield remote, videos, manifest, url
    httpd.shutdown()
    httpd.server_close()
    for subject in SUBJECTS:
        for task in ("train", "test"):
            dataset_registry.unregister(f"{PREFIX}.{subject}.{task}")
    stimulus_set_registry.unregister(PREFIX)
    unregister_user_tree(PREFIX)


def test_real_manifest_pins_every_subject_split_and_label():
    spec = subject_spec("sub-03", "train")
    assert spec.access == "open" and spec.license == "CC0-1.0"
    names = {f.name: f for f in spec.files}
    train = names["sub-03_organized_betas_task-train_hemi-left_normalized.pkl"]
    assert train.size == 3932218149
    assert train.sha256 == "6c438e7690b92f7786285be206ef8c5822c5c511de52e133a972e84fed62b8fa"
    assert train.url.endswith("/ds005165/derivatives/versionB/fsaverage/GLM/sub-03/"
                              "prepared_betas/" + train.name)
    # layout check from the published sizes: 1000 videos x 3 reps x 163842 float64 + header
    assert train.size - 1000 * 3 * 163842 * 8 == 10149
    assert names["lh.MT_exvivo.thresh.label"].size == 23084
    assert len(spec.files) == 8
    assert "BOLDMoments.sub-10.test" in dataset_registry.list("BOLDMoments.*")


def _replica_spec(roi, metric, identifier=None):
    """The declaration of BOLDMoments.<roi>-<metric>, renamed for the replica."""
    from dynamic_vision.core.registry import benchmark_registry

    spec = benchmark_registry.entry(f"BOLDMoments.{roi}-{metric}").declaration
    return dataclasses.replace(spec, identifier=identifier or f"BMDReplica.{roi}-{metric}",
                               stimulus_set=PREFIX)


def test_download_verify_load_and_score(replica, capsys):
    from dynamic_vision.benchmarks.boldmoments.benchmark import build
    from dynamic_vision.models.pixels.model import PixelsModel
    from dynamic_vision.scoring import score

    remote, videos, _, _ = replica
    # the gated videos are missing until the user points at their copy
    with pytest.raises(DataAccessError, match=r"64 of 64 required files missing.*"
                                              r"stimuli/train/0001.mp4.*boldmomentsdataset"):
        stimulus_set_registry.load(PREFIX)
    assert main(["data", "verify", PREFIX, "--path", str(videos)]) == 0
    assert "remembered" in capsys.readouterr().out

    recordings = dataset_registry.load(f"{PREFIX}.sub-01.test")  # download + verify + load
    assert recordings.dims == ("presentation", "neuroid", "time_bin")
    assert recordings.sizes["presentation"] == N_CLIPS * N_REPS["test"]
    per_hemisphere = sum(len(v) for v in ROI_VERTICES.values())
    assert recordings.sizes["neuroid"] == 2 * per_hemisphere
    assert sorted(set(recordings["region"].values)) == ["MT", "V1", "V2"]
    assert recordings["stimulus_id"].values[0] == "1001"
    assert recordings["time_bin_end"].values.tolist() == [3000.0]
    # values are exactly the replica's betas at the label vertices
    with open(remote / "derivatives/versionB/fsaverage/GLM/sub-01/prepared_betas"
              / beta_name("sub-01", "test", "right"), "rb") as handle:
        betas, _ = pickle.load(handle)  # the test's own file, written above
    right_mt = recordings.isel(neuroid=(recordings["hemisphere"] == "right").values
                               & (recordings["region"] == "MT").values)
    np.testing.assert_allclose(right_mt.values[N_REPS["test"] * 3 + 2, :, 0],
                               betas[3, 2, ROI_VERTICES["MT"]], rtol=1e-6)
    assert right_mt["vertex"].values.tolist() == ROI_VERTICES["MT"].tolist()

    model = PixelsModel(grid=4, size=16, fps=FPS, identifier="pixels-4", progress=False)
    kwargs = dict(subjects=SUBJECTS, dataset=PREFIX, stimulus_set=PREFIX)
    rsa = score(model, build(_replica_spec("V1", "rsa"), **kwargs),
                cache=False)
    ridge = score(model, build(_replica_spec("V1", "ridge"), **kwargs),
                  cache=False)
    for result in (rsa, ridge):
        assert 0.8 < float(result.ceiling) <= 1.0  # planted signal is reliable over 10 reps
        assert np.isfinite(float(result.value))
        assert result.provenance["region"] == "V1"
    # V1 encodes a linear map of the pixels the model sees: both metrics find it; ridge is
    # fit on the 40 train videos and scored on the 24 test videos only
    assert float(rsa.raw) > 0.5
    assert float(ridge.raw) > 0.5
    assert ridge.provenance["n_held_out_stimuli"] == 40 + 24
    # recovery: features unrelated to the videos rank below the pixels that generated V1
    null_rsa = score(NullModel(), build(_replica_spec("V1", "rsa"), **kwargs),
                     cache=False)
    null_ridge = score(NullModel(), build(_replica_spec("V1", "ridge"), **kwargs), cache=False)
    assert float(null_rsa.raw) < float(rsa.raw) - 0.4
    assert float(null_ridge.raw) < float(ridge.raw) - 0.5

    # the replica's plugins pass their kinds' conformance checks
    from dynamic_vision.core.benchmark import register_benchmark
    from dynamic_vision.core.registry import benchmark_registry
    from dynamic_vision.testing import check_benchmark, check_dataset, check_stimulus_set

    check_dataset(f"{PREFIX}.sub-02.train")
    check_stimulus_set(PREFIX)
    for metric in ("rsa", "ridge"):
        identifier = f"{PREFIX}.MT-{metric}"
        register_benchmark(_replica_spec("MT", metric, identifier),
                           functools.partial(build, **kwargs))
        try:
            check_benchmark(identifier)
        finally:
            benchmark_registry.unregister(identifier)


def test_a_tampered_pickle_is_rejected_by_hash_before_it_is_read(replica):
    remote, _, _, _ = replica
    path = (remote / "derivatives/versionB/fsaverage/GLM/sub-02/prepared_betas"
            / beta_name("sub-02", "test", "left"))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte inside the betas
    path.write_bytes(bytes(data))
    with pytest.raises(HashMismatchError):
        fetch(f"{PREFIX}.sub-02.test", progress=False)


def test_a_pickle_constructing_objects_is_refused_even_with_a_matching_hash(
        replica, tmp_path):
    from dynamic_vision.data.boldmoments.betas import read_betas

    class Sneaky:
        def __reduce__(self):
            return (print, ("owned",))

    path = tmp_path / beta_name("sub-01", "test", "left")
    path.write_bytes(pickle.dumps((np.zeros((2, 3, 4)), [Sneaky(), "vid0002"])))
    with pytest.raises(RestrictedPickleError, match="builtins.print"):
        read_betas(path)


def test_ridge_fits_on_train_videos_and_tests_on_test_videos():
    import xarray as xr

    from dynamic_vision.benchmarks.boldmoments.benchmark import PublishedSplit

    target = xr.DataArray(np.zeros((5, 2)), dims=("presentation", "neuroid"), coords={
        "stimulus_id": ("presentation", ["0001", "0002", "1001", "0003", "1002"]),
        "split": ("presentation", ["train", "train", "test", "train", "test"])})
    (train, test), = PublishedSplit().split(target)
    assert train.tolist() == [0, 1, 3] and test.tolist() == [2, 4]
    with pytest.raises(ValueError, match="train and test"):
        PublishedSplit().split(target.isel(presentation=[0, 1]))
