"""Time is causal by default: no time bin depends on a frame shown after the bin ends.

Every registered model (video adapters, frame-wise networks and feature models), in its
test-sized configuration and its default extraction mode, watches a clip and the same clip with
every frame from 500 ms on replaced. Bins ending by 500 ms must not change; later bins must
(otherwise the test could not fail). A latency delays the response and a bin before any frame
gets the model's silence.
"""

from __future__ import annotations

import numpy as np
import pytest

from dynamic_vision.core.registry import model_registry
from dynamic_vision.core.temporal import align_time
from dynamic_vision.io import video
from dynamic_vision.io.stimuli import StimulusSet
from dynamic_vision.testing.model_checks import load_for_checks, restrained_threads

CUT_MS = 500.0
SOURCE_FPS = 30.0
BINS = [(start, start + 50.0) for start in np.arange(-100.0, 1100.0, 50.0)]


def _models() -> list[str]:
    """One identifier per registered model (a published model and its random twin are one)."""
    names = []
    for identifier in model_registry.list():
        metadata = model_registry.entry(identifier).metadata
        if metadata.get("random_twin_of") in names:
            continue
        names.append(identifier)
    return names


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> StimulusSet:
    """A 1.2-s clip of smooth moving texture, and the same clip changed from 500 ms on."""
    folder = tmp_path_factory.mktemp("causal")
    rng = np.random.default_rng(13)
    n_frames = 36  # 48 x 48 pixels: 6 x 6 blocks of 8
    coarse = rng.uniform(0, 255, size=(n_frames + 8, 6, 6, 3))
    frames = np.stack([np.kron(coarse[t:t + 8].mean(0), np.ones((8, 8, 1)))
                       for t in range(n_frames)]).astype(np.uint8)
    changed = frames.copy()
    first_changed = int(np.ceil(CUT_MS * SOURCE_FPS / 1000.0))  # frame 15 starts at 500 ms
    changed[first_changed:] = 255 - changed[first_changed:]
    files = {"original": video.write_video(folder / "original.mkv", frames, SOURCE_FPS),
             "changed": video.write_video(folder / "changed.mkv", changed, SOURCE_FPS)}
    return StimulusSet.from_files(files, identifier="causal-probe")


@pytest.mark.slow
@pytest.mark.parametrize("identifier", _models())
def test_no_bin_sees_frames_shown_after_it_ends(identifier, clips):
    model = load_for_checks(identifier)
    layers = list(getattr(model, "layers", []) or [])
    with restrained_threads():
        if layers:
            model.start_recording("probe", BINS, layers=layers)
        else:
            model.start_recording("probe", BINS)
        recording = model.look_at(clips)
    ids = list(recording["stimulus_id"].values)
    original = recording.values[ids.index("original")]
    changed = recording.values[ids.index("changed")]
    ends = np.array([end for _, end in BINS])
    before = ends <= CUT_MS
    scale = np.abs(original).max()
    difference = np.abs(changed - original).max(axis=0) / scale  # per bin
    assert difference[before].max() <= 1e-5, (
        f"{identifier}: bins ending at {ends[before][difference[before] > 1e-5].tolist()} ms "
        f"changed when only frames from {CUT_MS:g} ms on changed (default extraction mode)")
    assert difference[~before].max() > 1e-3, \
        f"{identifier}: changing frames after {CUT_MS:g} ms changed no later bin"
    # Before the clip starts the model has seen nothing: every stimulus gets the same value.
    np.testing.assert_array_equal(original[:, ends <= 0], changed[:, ends <= 0])


def test_block_windows_see_the_future_by_name(clips):
    """The non-causal rule stays available by name, and it does see the future."""
    import dynamic_vision as dv
    from dynamic_vision.modeling.activations import extract_activations

    model = dv.load_model("r3d_18-random", input_size=32, progress=False)  # 16-frame windows
    options = dict(model.extraction, window="block")

    with restrained_threads():
        steps = extract_activations(model.module, model.spec, clips, ["layer4"], **options)
    aligned = [align_time(steps["layer4"].values[i], steps["layer4"]["step_start_ms"].values,
                          steps["layer4"]["step_end_ms"].values, BINS, latency_ms=0.0)
               for i in range(2)]
    ends = np.array([end for _, end in BINS])
    early = (ends > 0) & (ends <= CUT_MS)
    assert np.abs(aligned[0][:, early] - aligned[1][:, early]).max() > 1e-3


def test_latency_delays_every_step():
    values = np.arange(1.0, 5.0)[None, :]  # four 100-ms steps: 1, 2, 3, 4
    starts, ends = np.arange(4) * 100.0, np.arange(1, 5) * 100.0
    bins = [(-50.0, 0.0), (0.0, 100.0), (100.0, 200.0), (150.0, 250.0), (500.0, 600.0)]
    np.testing.assert_allclose(align_time(values, starts, ends, bins, latency_ms=0.0),
                               [[0.0, 1.0, 2.0, 2.5, 4.0]])
    # 50 ms of latency: silent until 50 ms, then each step arrives 50 ms late.
    np.testing.assert_allclose(align_time(values, starts, ends, bins, latency_ms=50.0),
                               [[0.0, 0.5, 1.5, 2.0, 4.0]])
    # Data keep the nearest-step rule.
    np.testing.assert_allclose(align_time(values, starts, ends, bins)[0, 0], 1.0)
    with pytest.raises(ValueError, match="latency_ms must be a finite, non-negative"):
        align_time(values, starts, ends, bins, latency_ms=-5.0)


def test_model_latency_option(clips):
    import dynamic_vision as dv

    base = dv.load_model("r3d_18-random", input_size=32, clip_length=4, progress=False)
    late = dv.load_model("r3d_18-random", input_size=32, clip_length=4, progress=False,
                         latency_ms=100.0)
    assert late.latency_ms == 100.0
    bins = [(start, start + 100.0) for start in np.arange(0.0, 1000.0, 100.0)]
    with restrained_threads():
        for model in (base, late):
            model.start_recording("MT", bins, layers=["layer2"])
        early, delayed = base.look_at(clips), late.look_at(clips)
    np.testing.assert_array_equal(delayed.values[:, :, 0], 0.0)  # nothing arrived yet
    np.testing.assert_allclose(delayed.values[:, :, 1:], early.values[:, :, :-1], rtol=1e-5,
                               atol=1e-6)
    assert delayed.attrs["latency_ms"] == 100.0
    with pytest.raises(ValueError, match="latency_ms of model 'r3d_18-random-input_size32"):
        dv.load_model("r3d_18-random", input_size=32, clip_length=4, latency_ms=-1)
