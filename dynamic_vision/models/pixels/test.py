"""The pixels control model: block-averaged luminance contrast per frame."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import dynamic_vision as dv
from dynamic_vision.io.stimuli import StimulusSet
from dynamic_vision.io.video import write_video


@pytest.fixture(scope="module")
def stimuli(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pixels-clips")
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, size=(6, 128, 128, 3), dtype=np.uint8)
    write_video(folder / "noise.mkv", frames, 30.0)
    Image.fromarray(frames[0]).save(folder / "still.png")
    stimulus_set = StimulusSet.from_files({"noise": folder / "noise.mkv",
                                           "still": folder / "still.png"}, "pixels-test",
                                          image_duration_ms=200.0)
    return stimulus_set, frames


def block_means(frames: np.ndarray) -> np.ndarray:
    """Independent reference: BT.601 luma, contrast, then a loop over 8 x 8 blocks."""
    luma = frames[..., 0] * 0.299 + frames[..., 1] * 0.587 + frames[..., 2] * 0.114
    contrast = luma / 127.5 - 1.0
    out = np.empty((len(frames), 16, 16))
    for r in range(16):
        for c in range(16):
            out[:, r, c] = contrast[:, 8 * r:8 * r + 8, 8 * c:8 * c + 8].mean(axis=(1, 2))
    return out.reshape(len(frames), 256)


def test_frames_map_to_block_averages(stimuli):
    stimulus_set, frames = stimuli
    model = dv.load_model("pixels", pretrained=None, progress=False)
    bins = [(i * 1000 / 30, (i + 1) * 1000 / 30) for i in range(6)]  # one bin per frame
    model.start_recording("V1", bins)
    recording = model.look_at(stimulus_set.subset(["noise"]))
    assert recording.dims == ("presentation", "neuroid", "time_bin")
    assert recording.shape == (1, 256, 6)
    assert set(recording["layer"].values) == {"pixels"}
    assert recording["neuroid_id"].to_index().is_unique
    np.testing.assert_allclose(recording.values[0].T, block_means(frames), atol=1e-5)


def test_frames_average_into_coarser_bins(stimuli):
    stimulus_set, frames = stimuli
    model = dv.load_model("pixels", progress=False)
    model.start_recording("V1", [(0.0, 50.0)])  # frame 0 fully, frame 1 half
    value = model.look_at(stimulus_set.subset(["noise"])).values[0, :, 0]
    reference = block_means(frames)
    np.testing.assert_allclose(value, (reference[0] * 2 + reference[1]) / 3, atol=1e-5)


def test_an_image_is_constant_while_shown(stimuli):
    stimulus_set, frames = stimuli
    model = dv.load_model("pixels", progress=False)
    model.start_recording("V1", [(0.0, 100.0), (100.0, 200.0), (200.0, 400.0)])
    still = model.look_at(stimulus_set.subset(["still"])).values[0]
    for column in range(3):
        np.testing.assert_allclose(still[:, column], block_means(frames[:1])[0], atol=1e-5)


def test_grid_must_divide_the_size():
    from dynamic_vision.models.pixels.model import PixelsModel

    with pytest.raises(ValueError, match="multiple of grid"):
        PixelsModel(grid=7)
    assert PixelsModel(grid=8).neuroids().shape[0] == 64
