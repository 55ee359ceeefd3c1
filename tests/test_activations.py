"""The extraction engine against direct forward passes, and its cache.

Every test uses random weights, tiny inputs (32–48 px) and a few short clips written losslessly,
so that what the engine records can be compared with the model run by hand on the same frames.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch
import torchvision
from torchvision.models.feature_extraction import create_feature_extractor

from dynamic_vision.core import storage
from dynamic_vision.io import video
from dynamic_vision.modeling.activations import extract_activations
from dynamic_vision.modeling.activations import store as store_module
from dynamic_vision.modeling.spec import ModelSpec
from dynamic_vision.io.stimuli import StimulusSet

torch.set_num_threads(1)

SIZE = 40


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    """Two videos of different lengths and sizes (30 fps) and one still image."""
    folder = tmp_path_factory.mktemp("media")
    rng = np.random.default_rng(0)
    files = {}
    for name, (n_frames, height, width) in {"clip_a": (12, 48, 64), "clip_b": (20, 56, 44)}.items():
        # Smooth content: lossless codecs and resizing stay well-conditioned.
        base = rng.integers(0, 255, size=(1, height // 8, width // 8, 3)).astype(np.float64)
        drift = np.linspace(0, 60, n_frames)[:, None, None, None]
        small = np.clip(base + drift * rng.standard_normal((n_frames, 1, 1, 3)), 0, 255)
        frames = np.repeat(np.repeat(small, 8, axis=1), 8, axis=2).astype(np.uint8)
        frames = frames + rng.integers(0, 20, size=frames.shape, dtype=np.uint8)
        files[name] = video.write_video(folder / f"{name}.mkv", frames, 30.0)
    from PIL import Image

    image = rng.integers(0, 255, size=(36, 50, 3), dtype=np.uint8)
    Image.fromarray(image).save(folder / "still.png")
    files["still"] = folder / "still.png"
    return StimulusSet.from_files(files, identifier="engine-test", image_duration_ms=150.0)


@pytest.fixture(scope="module")
def resnet():
    torch.manual_seed(0)
    return torchvision.models.resnet18().eval()


@pytest.fixture(scope="module")
def r3d():
    torch.manual_seed(0)
    return torchvision.models.video.r3d_18().eval()


IMAGE_SPEC = ModelSpec("resnet18-test", "image", ("layer2", "layer4", "fc"), SIZE, 15.0)
VIDEO_SPEC = ModelSpec("r3d_18-test", "video", ("layer1", "layer3", "avgpool"), 32, 15.0,
                       clip_length=4)


def normalised(frames: np.ndarray, spec: ModelSpec) -> torch.Tensor:
    """Reference preprocessing: (T, H, W, 3) uint8 → (T, 3, H, W) float, ImageNet-normalised."""
    x = frames.astype(np.float32) / 255.0
    x = (x - np.array(spec.mean, np.float32)) / np.array(spec.std, np.float32)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))


def decoded(stimuli: StimulusSet, stimulus_id: str, spec: ModelSpec) -> np.ndarray:
    return video.read_frames(stimuli.get_path(stimulus_id), fps=spec.fps, size=spec.input_size,
                             resize="center_crop")


class ForwardCounter:
    """Counts forward calls of a module and the batch size of each."""

    def __init__(self, module: torch.nn.Module):
        self.batches: list[int] = []
        self.handle = module.register_forward_pre_hook(
            lambda _m, args: self.batches.append(args[0].shape[0]))

    def close(self) -> None:
        self.handle.remove()


def test_frame_wise_extraction_equals_per_frame_forward(media, resnet):
    acts = extract_activations(resnet, IMAGE_SPEC, media, reduction=None, cache=False,
                               batch_size=7, progress=False)
    extractor = create_feature_extractor(resnet, {"layer2": "layer2", "layer4": "layer4",
                                                  "fc": "fc"})
    for row, stimulus_id in enumerate(["clip_a", "clip_b"]):
        frames = decoded(media, stimulus_id, IMAGE_SPEC)
        # 12 frames at 30 fps = 400 ms → 6 frames at 15 fps; 20 frames → 10.
        assert len(frames) == {"clip_a": 6, "clip_b": 10}[stimulus_id]
        assert int(acts["fc"]["n_steps"][row]) == len(frames)
        for t, frame in enumerate(normalised(frames, IMAGE_SPEC)):
            with torch.no_grad():
                expected = extractor(frame[None])  # one frame at a time
            for layer, value in expected.items():
                got = acts[layer].values[row, :, t]
                np.testing.assert_allclose(got, value.reshape(-1).numpy(), rtol=0, atol=1e-5)
        assert np.isnan(acts["fc"].values[row, :, len(frames):]).all()
    starts = acts["fc"]["step_start_ms"].values
    np.testing.assert_allclose(starts[:3], [0.0, 1000 / 15, 2000 / 15])


def test_still_image_is_one_forward_pass_broadcast_over_time(media, resnet):
    still = media.subset(["still"])
    counter = ForwardCounter(resnet)
    try:
        acts = extract_activations(resnet, IMAGE_SPEC, still, reduction=None, cache=False,
                                   progress=False)
    finally:
        counter.close()
    assert counter.batches == [1]
    layer4 = acts["layer4"]
    # 150 ms at 15 fps covers three frames; all three carry the same forward pass.
    assert int(layer4["n_steps"][0]) == 3 and layer4.sizes["time_step"] == 3
    values = layer4.values[0]
    np.testing.assert_array_equal(values[:, 0], values[:, 2])
    frame = video.read_frames(media.get_path("still"), size=SIZE, resize="center_crop")
    with torch.no_grad():
        expected = create_feature_extractor(resnet, {"layer4": "out"})(
            normalised(frame, IMAGE_SPEC))["out"]
    np.testing.assert_allclose(values[:, 0], expected.reshape(-1).numpy(), atol=1e-5)


def test_video_model_block_windows_equal_direct_clip_forward(media, r3d):
    acts = extract_activations(r3d, VIDEO_SPEC, media, reduction=None, cache=False,
                               batch_size=3, progress=False, window="block")
    extractor = create_feature_extractor(r3d, {name: name for name in VIDEO_SPEC.layers})
    row = 1  # clip_b: 10 frames at 15 fps → windows [0..3], [4..7], [8, 9, 9, 9]
    frames = decoded(media, "clip_b", VIDEO_SPEC)
    clips = normalised(frames[[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9]], VIDEO_SPEC)
    clips = clips.reshape(3, 4, 3, 32, 32).transpose(1, 2)  # (windows, C, L, H, W)
    with torch.no_grad():
        expected = extractor(clips)
    for layer, value in expected.items():
        steps_per_window = value.shape[2]
        per_step = value.movedim(2, 1).reshape(3 * steps_per_window, -1).numpy()
        kept = int(np.ceil(10 * steps_per_window / 4))  # steps on padding frames are dropped
        got = acts[layer].values[row]
        assert int(acts[layer]["n_steps"][row]) == kept
        np.testing.assert_allclose(got[:, :kept].T, per_step[:kept], rtol=0, atol=1e-5)
        step_ms = 1000 * 4 / steps_per_window / 15
        np.testing.assert_allclose(acts[layer]["step_end_ms"].values[:2], [step_ms, 2 * step_ms])
    # layer1 keeps the time resolution (4 steps per 4-frame window): one step per frame.
    assert acts["layer1"].attrs["step_ms"] == pytest.approx(1000 / 15)


def test_image_shown_to_video_model_is_a_static_clip(media, r3d):
    frame = video.read_frames(media.get_path("still"), size=32, resize="center_crop")
    clip = normalised(np.repeat(frame, 4, axis=0), VIDEO_SPEC).transpose(0, 1)[None]
    with torch.no_grad():
        expected = create_feature_extractor(r3d, {"layer3": "out"})(clip)["out"][0]
    block = extract_activations(r3d, VIDEO_SPEC, media.subset(["still"]), ["layer3"],
                                reduction=None, cache=False, progress=False, window="block")
    got = block["layer3"].values[0]
    np.testing.assert_allclose(got.T, expected.movedim(1, 0).reshape(expected.shape[1], -1),
                               atol=1e-5)
    # Causal windows: the static clip's last step, held while the image is shown (150 ms at
    # 15 fps = 3 frames = 2 steps of the default stride of 2 frames).
    counter = ForwardCounter(r3d)
    try:
        causal = extract_activations(r3d, VIDEO_SPEC, media.subset(["still"]), ["layer3"],
                                     reduction=None, cache=False, progress=False)["layer3"]
    finally:
        counter.close()
    assert counter.batches == [1]
    assert int(causal["n_steps"][0]) == 2 and causal.attrs["step_ms"] == pytest.approx(2000 / 15)
    for step in range(2):
        np.testing.assert_allclose(causal.values[0, :, step], expected[:, -1].reshape(-1),
                                   atol=1e-5)


def test_causal_windows_see_no_future(media, r3d):
    acts = extract_activations(r3d, VIDEO_SPEC, media.subset(["clip_a"]), ["layer1"],
                               reduction=None, cache=False, window="causal", window_stride=1,
                               progress=False)
    frames = decoded(media, "clip_a", VIDEO_SPEC)  # 6 frames
    assert int(acts["layer1"]["n_steps"][0]) == 6
    extractor = create_feature_extractor(r3d, {"layer1": "out"})
    for t in (0, 4):
        window = frames[np.maximum(np.arange(t - 3, t + 1), 0)]
        with torch.no_grad():
            out = extractor(normalised(window, VIDEO_SPEC).transpose(0, 1)[None])["out"]
        np.testing.assert_allclose(acts["layer1"].values[0, :, t],
                                   out[0, :, -1].reshape(-1).numpy(), atol=1e-5)


def test_default_is_causal_with_a_stride_of_half_a_clip(media, r3d):
    """Windows end every clip_length // 2 = 2 frames; each step is the last output step of the
    window ending at its start, so changing a frame changes no earlier step."""
    counter = ForwardCounter(r3d)
    try:
        acts = extract_activations(r3d, VIDEO_SPEC, media.subset(["clip_b"]),
                                   ["layer3", "avgpool"], reduction=None, cache=False,
                                   batch_size=64, progress=False)
    finally:
        counter.close()
    frames = decoded(media, "clip_b", VIDEO_SPEC)  # 10 frames: windows end at 0, 2, 4, 6, 8
    assert counter.batches == [5]  # 2.5 times the 2 block windows (3 with the padded one)
    extractor = create_feature_extractor(r3d, {"layer3": "layer3", "avgpool": "avgpool"})
    ends = [0, 2, 4, 6, 8]
    windows = np.stack([frames[np.maximum(np.arange(e - 3, e + 1), 0)] for e in ends])
    clips = torch.stack([normalised(w, VIDEO_SPEC).transpose(0, 1) for w in windows])
    with torch.no_grad():
        expected = extractor(clips)
    for layer, value in expected.items():
        got = acts[layer]
        assert got.attrs["window"] == "causal" and got.attrs["window_stride"] == 2
        assert int(got["n_steps"][0]) == 5
        np.testing.assert_allclose(got["step_start_ms"].values, np.array(ends) * 1000 / 15)
        last = value[:, :, -1] if value.ndim == 5 else value
        np.testing.assert_allclose(got.values[0].T, last.reshape(5, -1).numpy(), atol=1e-5)


def test_workers_decode_the_same_frames(media, resnet):
    kwargs = dict(reduction="random_projection", n_components=64, cache=False, progress=False)
    in_process = extract_activations(resnet, IMAGE_SPEC, media, ["layer4"], **kwargs)
    with_worker = extract_activations(resnet, IMAGE_SPEC, media, ["layer4"], num_workers=1,
                                      **kwargs)
    np.testing.assert_array_equal(in_process["layer4"].values, with_worker["layer4"].values)


def test_random_projection_is_seeded_and_preserves_geometry(media, resnet):
    full = extract_activations(resnet, IMAGE_SPEC, media, ["layer2"], reduction=None,
                               cache=False, progress=False)["layer2"]
    reduced = [extract_activations(resnet, IMAGE_SPEC, media, ["layer2"], n_components=400,
                                   seed=seed, cache=False, progress=False)["layer2"]
               for seed in (0, 0, 1)]
    assert reduced[0].sizes["neuroid"] == 400 and full.sizes["neuroid"] == 128 * 5 * 5
    np.testing.assert_array_equal(reduced[0].values, reduced[1].values)
    assert not np.allclose(reduced[0].values[:, :, 0], reduced[2].values[:, :, 0])
    # Johnson–Lindenstrauss: pairwise distances between time steps survive the projection.
    x = np.concatenate([full.values[i, :, :n] for i, n in enumerate(full["n_steps"].values)], 1).T
    y = np.concatenate([reduced[0].values[i, :, :n]
                        for i, n in enumerate(full["n_steps"].values)], 1).T
    i, j = np.triu_indices(len(x), k=1)
    distinct = np.linalg.norm(x[i] - x[j], axis=1) > 0  # a still's broadcast steps are equal
    i, j = i[distinct], j[distinct]
    ratio = np.linalg.norm(y[i] - y[j], axis=1) / np.linalg.norm(x[i] - x[j], axis=1)
    assert abs(np.median(ratio) - 1) < 0.1 and ratio.min() > 0.7 and ratio.max() < 1.3


def test_cache_hit_is_fast_and_identical(media, r3d):
    kwargs = dict(n_components=32, chunk_size=2, progress=False)
    start = time.perf_counter()
    first = extract_activations(r3d, VIDEO_SPEC, media, **kwargs)
    cold = time.perf_counter() - start
    counter = ForwardCounter(r3d)
    try:
        start = time.perf_counter()
        second = extract_activations(r3d, VIDEO_SPEC, media, **kwargs)
        warm = time.perf_counter() - start
    finally:
        counter.close()
    assert counter.batches == []
    for layer in VIDEO_SPEC.layers:
        np.testing.assert_array_equal(first[layer].values, second[layer].values)
    assert cold / warm >= 20, f"cache hit only {cold / warm:.1f}x faster ({cold:.3f}s vs {warm:.3f}s)"
    directory = storage.home("activations", "r3d_18-test", first["layer1"].attrs["cache_key"])
    layer_folders = sorted(p.name.split("-")[0] for p in directory.iterdir() if p.is_dir()
                           and p.name != "leases")
    assert layer_folders == sorted(VIDEO_SPEC.layers)
    for folder in directory.iterdir():
        if folder.is_dir() and folder.name != "leases":  # 3 stimuli in chunks of 2 and 1
            assert len(list(folder.glob("*.npy"))) == len(list(folder.glob("*.json"))) == 2
    assert (directory / "manifest.json").is_file()
    assert not list((directory / "leases").glob("*.lock"))  # every lease was given back


def test_interrupted_extraction_resumes_with_identical_values(media, resnet, monkeypatch):
    spec = ModelSpec("resnet18-resume", "image", ("layer3",), SIZE, 15.0)
    # Six rows, three distinct files: each file is computed once.
    order = ["clip_a", "clip_b", "clip_b", "clip_a", "still", "still"]
    six = StimulusSet.from_files({f"{sid}_{k}": media.get_path(sid) for k, sid in enumerate(order)},
                                 identifier="resume-test", image_duration_ms=150.0)
    kwargs = dict(n_components=48, chunk_size=2, progress=False)
    reference = extract_activations(resnet, spec, six, cache=False, **kwargs)["layer3"]
    np.testing.assert_array_equal(reference.values[0], reference.values[3])

    original = store_module.LayerStore.write
    written = []

    def crash_after_one(self, entries, step_ms):
        if len(written) == 1:
            raise KeyboardInterrupt("simulated interruption")
        written.append(original(self, entries, step_ms))
        return written[-1]

    monkeypatch.setattr(store_module.LayerStore, "write", crash_after_one)
    with pytest.raises(KeyboardInterrupt):
        extract_activations(resnet, spec, six, **kwargs)
    monkeypatch.setattr(store_module.LayerStore, "write", original)
    key = reference.attrs["cache_key"]
    directory = storage.home("activations", "resnet18-resume", key)
    assert len(list(directory.rglob("*.json"))) == 2  # the manifest and one chunk record
    assert not list((directory / "leases").glob("*.lock"))

    counter = ForwardCounter(resnet)
    try:
        resumed = extract_activations(resnet, spec, six, **kwargs)["layer3"]
    finally:
        counter.close()
    # Only the still (one forward pass) is computed; clip_a and clip_b come from the store.
    assert counter.batches == [1]
    np.testing.assert_array_equal(resumed.values, reference.values)
    assert list(resumed["stimulus_id"].values) == list(six["stimulus_id"])


def test_no_cache_switch_writes_nothing(media, resnet, monkeypatch, tmp_path):
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(tmp_path))
    monkeypatch.setenv("DYNAMIC_VISION_NO_CACHE", "1")
    extract_activations(resnet, IMAGE_SPEC, media.subset(["still"]), ["fc"], progress=False)
    assert not (tmp_path / "activations").exists()


def test_cache_key_tracks_weights_and_ignores_metadata(media, tmp_path, monkeypatch):
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(tmp_path))
    torch.manual_seed(1)
    net = torchvision.models.resnet18().eval()
    still = media.subset(["still"])
    first = extract_activations(net, IMAGE_SPEC, still, ["fc"], progress=False)["fc"]
    labelled = still.assign(label=["cat"])
    again = extract_activations(net, IMAGE_SPEC, labelled, ["fc"], progress=False)["fc"]
    assert again.attrs["cache_key"] == first.attrs["cache_key"]
    with torch.no_grad():
        net.fc.weight.mul_(2.0)  # in-place change: the fingerprint must notice
    changed = extract_activations(net, IMAGE_SPEC, still, ["fc"], progress=False)["fc"]
    assert changed.attrs["cache_key"] != first.attrs["cache_key"]
    assert not np.allclose(changed.values, first.values)


def test_unknown_layer_names_the_model_and_suggests(media, resnet):
    with pytest.raises(KeyError, match=r"resnet18-test has no layer 'layer5'.*did you mean"):
        extract_activations(resnet, IMAGE_SPEC, media, ["layer5"], cache=False, progress=False)


@pytest.mark.parametrize("workers", [0, 1])
def test_unreadable_stimulus_names_it_and_leaves_no_chunk(media, resnet, tmp_path, monkeypatch,
                                                          workers):
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(tmp_path / "home"))
    broken = tmp_path / "broken.mkv"
    broken.write_bytes(b"not a video at all")
    stimuli = media.subset(["still"]).copy()
    stimuli.loc[len(stimuli)] = {**stimuli.iloc[0].to_dict(), "stimulus_id": "bad",
                                 "path": str(broken), "fps": 30.0, "n_frames": 3}
    with pytest.raises(video.MediaError, match="bad"):
        extract_activations(resnet, IMAGE_SPEC, stimuli, ["fc"], num_workers=workers,
                            progress=False)
    assert not list((tmp_path / "home").rglob("*.npz"))


def test_pca_reduction_fits_on_the_first_steps(media, resnet):
    from sklearn.decomposition import PCA

    from dynamic_vision.modeling.activations.reduction import PCAReduction

    full = extract_activations(resnet, IMAGE_SPEC, media, ["layer4"], reduction=None,
                               cache=False, progress=False)["layer4"]
    reduced = extract_activations(resnet, IMAGE_SPEC, media, ["layer4"], cache=False,
                                  reduction=PCAReduction(n_components=4, fit_samples=8),
                                  progress=False)["layer4"]
    steps = np.concatenate([full.values[i, :, :n].T
                            for i, n in enumerate(full["n_steps"].values)])
    # Documented fit set: the first 8 time steps in stimulus-set order (clip_a's 6, clip_b's 2).
    reference = PCA(n_components=4, svd_solver="full").fit(steps[:8])
    for row, n in enumerate(full["n_steps"].values):
        expected = reference.transform(full.values[row, :, :n].T)
        got = reduced.values[row, :, :n].T
        signs = np.sign(np.sum(got * expected, axis=0))
        np.testing.assert_allclose(got * signs, expected, atol=2e-3 * np.abs(expected).max())


def test_bfloat16_autocast_stays_close(media, resnet):
    kwargs = dict(reduction=None, cache=False, progress=False)
    exact = extract_activations(resnet, IMAGE_SPEC, media.subset(["clip_a"]), ["layer4"],
                                **kwargs)["layer4"].values
    fast = extract_activations(resnet, IMAGE_SPEC, media.subset(["clip_a"]), ["layer4"],
                               dtype="bfloat16", **kwargs)["layer4"].values
    assert fast.dtype == np.float32
    r = np.corrcoef(exact.ravel(), fast.ravel())[0, 1]
    assert r > 0.99 and not np.array_equal(exact, fast)


def test_a_module_reused_within_the_pass_is_refused(media, resnet):
    # torchvision's BasicBlock applies its one ReLU module twice.
    with pytest.raises(RuntimeError, match=r"'layer1.0.relu' of resnet18-test ran 2 times"):
        extract_activations(resnet, IMAGE_SPEC, media.subset(["still"]), ["layer1.0.relu"],
                            cache=False, progress=False)
