"""The motion-energy model exposes exactly the SimMotion front end, in the recording layout."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import dynamic_vision as dv
from dynamic_vision.modeling.motion_energy import MotionEnergyBank, to_contrast
from dynamic_vision.io.stimuli import StimulusSet
from dynamic_vision.core.temporal import align_time
from dynamic_vision.io.video import write_video

BINS = [(0.0, 50.0), (50.0, 100.0), (100.0, 300.0), (300.0, 500.0)]


def grating_frames(direction: float, n_frames: int = 15, fps: float = 30.0,
                   size: int = 128) -> np.ndarray:
    coords = np.arange(size) + 0.5
    ys, xs = np.meshgrid(coords, coords, indexing="ij")
    angle = np.deg2rad(direction)
    along = xs * np.cos(angle) - ys * np.sin(angle)
    t = np.arange(n_frames)[:, None, None] / fps
    gray = np.rint(128 + 100 * np.cos(2 * np.pi * (0.08 * along[None] - 4.0 * t)))
    return np.repeat(gray.astype(np.uint8)[..., None], 3, axis=-1)


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("motion-energy-clips")
    frames = {"right": grating_frames(0.0), "left": grating_frames(180.0),
              "up-15fps": grating_frames(90.0, n_frames=8, fps=15.0)}
    files = {}
    for name, array in frames.items():
        fps = 15.0 if name.endswith("15fps") else 30.0
        files[name] = write_video(folder / f"{name}.mkv", array, fps)
    Image.fromarray(frames["right"][0]).save(folder / "still.png")
    files["still"] = folder / "still.png"
    stimuli = StimulusSet.from_files(files, "motion-energy-test", image_duration_ms=300.0)
    return stimuli, frames


@pytest.fixture(scope="module")
def model():
    return dv.load_model("motion-energy", pretrained=None, progress=False)


def expected(frames: np.ndarray, bins=BINS) -> np.ndarray:
    bank = MotionEnergyBank()
    values, starts, ends = bank.response_steps(bank.amplitudes(to_contrast(frames)))
    return align_time(values, starts, ends, bins, axis=0).T


def test_recordings_are_the_bank_energies_in_time_bins(model, clips):
    stimuli, frames = clips
    model.start_recording("MT", BINS)
    recording = model.look_at(stimuli)
    assert recording.dims == ("presentation", "neuroid", "time_bin")
    assert recording.shape == (4, 432, 4)
    assert list(recording["stimulus_id"].values) == list(stimuli["stimulus_id"])
    assert set(recording["region"].values) == {"MT"}
    assert set(recording["layer"].values) == {"energy"}
    assert recording["neuroid_id"].to_index().is_unique
    np.testing.assert_array_equal(recording["time_bin_end"].values, [50, 100, 300, 500])
    np.testing.assert_allclose(recording.values[0], expected(frames["right"]), rtol=1e-6)
    np.testing.assert_allclose(recording.values[1], expected(frames["left"]), rtol=1e-6)


def test_the_preferred_direction_wins(model, clips):
    stimuli, _ = clips
    model.start_recording("V1", [(100.0, 500.0)])
    recording = model.look_at(stimuli)
    preferred = recording["preferred_direction"].values
    for row, direction in ((0, 0.0), (1, 180.0), (2, 90.0)):
        assert preferred[int(recording.values[row, :, 0].argmax())] == direction


def test_clips_are_resampled_to_30_fps(model, clips):
    stimuli, frames = clips
    model.start_recording("V1", BINS)
    recording = model.look_at(stimuli.subset(["up-15fps"]))
    held = np.repeat(frames["up-15fps"], 2, axis=0)  # each 15 fps frame shown twice at 30 fps
    np.testing.assert_allclose(recording.values[0], expected(held), rtol=1e-6)


def test_an_image_is_held_for_its_duration(model, clips):
    stimuli, frames = clips
    bins = [(0.0, 100.0), (100.0, 200.0), (300.0, 400.0), (400.0, 600.0)]
    model.start_recording("V1", bins)
    still = model.look_at(stimuli.subset(["still"])).values[0]
    held = np.repeat(frames["right"][:1], 9, axis=0)  # 300 ms at 30 fps
    np.testing.assert_allclose(still, expected(held, bins), rtol=1e-6, atol=1e-12)
    assert still[:, 0].max() > 1e-3  # onset transient
    assert still[:, 2:].max() < 1e-4  # a still image has no motion energy once it settles


def test_trials_layers_and_misuse(model, clips):
    stimuli, _ = clips
    fresh = dv.load_model("motion-energy", progress=False)
    with pytest.raises(RuntimeError, match="start_recording"):
        fresh.look_at(stimuli)
    with pytest.raises(KeyError, match="only layer is 'energy'"):
        fresh.start_recording("V1", BINS, layers=["conv1"])
    fresh.start_recording("V1", BINS, layers=["energy"])
    twice = fresh.look_at(stimuli.subset(["right"]), number_of_trials=2)
    assert twice["repetition"].values.tolist() == [0, 1]
    np.testing.assert_array_equal(twice.values[0], twice.values[1])
    assert fresh.visual_degrees() == 8.0
    assert dv.load_model("motion-energy", pretrained=True).identifier == "motion-energy"


def test_direction_task_on_random_dots(model):
    dots = dv.load_stimulus_set("RandomDots", small=True, progress=False)
    fitting = dots[dots["stimulus_id"].str.endswith("_00")]
    testing = dots[dots["stimulus_id"].str.endswith("_01")]
    model.start_task("label", fitting)
    choices = model.look_at(testing)
    assert choices.dims == ("presentation",)
    accuracy = np.mean(choices.values == testing["label"].astype(str).to_numpy())
    assert accuracy == 1.0  # coherent dots: direction is plain in motion energy
    model.start_task("probabilities", fitting)
    probabilities = model.look_at(testing)
    assert probabilities.dims == ("presentation", "choice")
    np.testing.assert_allclose(probabilities.values.sum(axis=1), 1.0)
    model.start_task("passive")
