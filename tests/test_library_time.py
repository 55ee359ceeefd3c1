"""Time for every family of library models: each layer's output steps, read from the engine's
public coordinates (``step_start_ms`` / ``step_end_ms`` of ``extract_activations``), cover exactly
the frames their tubelets and temporal strides summarise.

Clips of 16 frames at 10 fps (a frame lasts 100 ms) are shown in consecutive windows (block
mode). A layer that keeps ``T'`` of a window's ``L`` frames gives steps of ``L / T'`` frames. For
the transformer families the tests also check *which* frames a step summarises: with every block
reduced to the identity (its linear maps zeroed), changing one frame must change exactly the step
whose interval holds that frame.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import dynamic_vision as dv
from dynamic_vision.io import video
from dynamic_vision.io.stimuli import StimulusSet
from dynamic_vision.modeling.activations import extract_activations

torch.set_num_threads(1)

FPS, N_FRAMES, CHANGED = 10.0, 16, 5  # frame 5 is shown during [500, 600) ms


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """Two 16-frame clips that differ only in frame 5."""
    folder = tmp_path_factory.mktemp("time")
    rng = np.random.default_rng(0)
    base = np.repeat(np.repeat(rng.integers(0, 255, (N_FRAMES, 6, 6, 3)), 8, 1), 8, 2)
    other = base.copy()
    other[CHANGED] = 255 - other[CHANGED]
    files = {name: video.write_video(folder / f"{name}.mkv", frames.astype(np.uint8), FPS)
             for name, frames in (("base", base), ("changed", other))}
    return StimulusSet.from_files(files, identifier="time-test")


def _steps(model, stimuli, **options):
    return extract_activations(model.module, model.spec, stimuli, window="block",
                               reduction=None, cache=False, progress=False, **options)


def _assert_steps(recording, frames_per_step: float) -> None:
    step = 100.0 * frames_per_step
    n = int(np.ceil(N_FRAMES / frames_per_step))
    np.testing.assert_allclose(recording["step_start_ms"].values[:n], np.arange(n) * step)
    np.testing.assert_allclose(recording["step_end_ms"].values[:n], np.arange(1, n + 1) * step)
    assert (recording["n_steps"].values == n).all(), recording["n_steps"].values


def _changed_steps(recording) -> list[int]:
    values = recording.values  # (presentation, neuroid, time_step)
    return [t for t in range(values.shape[2])
            if not np.allclose(values[0, :, t], values[1, :, t], atol=1e-5)]


def _identity_blocks(module: torch.nn.Module) -> None:
    """Zero every linear map inside the transformer blocks: each block passes tokens through."""
    depth = max(len(m) for m in module.modules() if isinstance(m, torch.nn.ModuleList))
    for blocks in module.modules():
        if isinstance(blocks, torch.nn.ModuleList) and len(blocks) == depth:
            for linear in blocks.modules():
                if isinstance(linear, torch.nn.Linear):
                    torch.nn.init.zeros_(linear.weight)
                    if linear.bias is not None:
                        torch.nn.init.zeros_(linear.bias)


# -- frame-wise image models -----------------------------------------------------------------------
@pytest.mark.parametrize("identifier", ["timm/resnet18-random", "torchvision/resnet18-random"])
def test_image_models_give_one_step_per_frame(clips, identifier):
    model = dv.load_model(identifier, input_size=32, fps=FPS, progress=False)
    for recording in _steps(model, clips, layers=model.layers[-2:]).values():
        _assert_steps(recording, 1)


# -- convolutional video models --------------------------------------------------------------------
CNN_CASES = {
    # identifier, clip length: frames per step for each declared layer
    ("torchvision/r3d_18-random", 4): {"stem": 1, "layer1": 1, "layer2": 2, "layer3": 4,
                                       "layer4": 4, "avgpool": 4},
    ("torchvision/mvit_v2_s-random", 4): {"blocks.0.volume": 2, "blocks.15.volume": 2},
    ("torchvision/swin3d_t-random", 4): {"features.0.1.volume": 2, "features.6.1.volume": 2},
    ("x3d_xs-random", 4): {"blocks.0": 1, "blocks.4": 1, "blocks.5.pool": 4},
    ("slowfast_r50-random", 8): {"blocks.1.slow": 4, "blocks.1.fast": 1, "blocks.4.slow": 4,
                                 "blocks.4.fast": 1, "blocks.5": 8},
}


@pytest.mark.parametrize(("case", "expected"), CNN_CASES.items(), ids=[c[0] for c in CNN_CASES])
def test_convolutional_video_models_map_temporal_strides_to_steps(clips, case, expected):
    identifier, clip_length = case
    if identifier.startswith(("x3d", "slowfast")):
        pytest.importorskip("pytorchvideo")
    model = dv.load_model(identifier, input_size=32, clip_length=clip_length, fps=FPS,
                          progress=False)
    recordings = _steps(model, clips.iloc[:1], layers=list(expected))
    for layer, frames_per_step in expected.items():
        _assert_steps(recordings[layer], frames_per_step)


# -- transformer video models ----------------------------------------------------------------------
TINY = dict(hidden_size=32, intermediate_size=64, num_attention_heads=2, num_hidden_layers=4)
TRANSFORMER_CASES = {
    # identifier: (extra configuration, frames per step)
    "transformers/videomae": ({}, 2),
    "transformers/timesformer": ({}, 1),
    "transformers/vivit": ({}, 2),
    "transformers/vjepa2": (dict(mlp_ratio=2.0, pred_hidden_size=32, pred_num_attention_heads=2,
                                 pred_num_hidden_layers=1, pred_mlp_ratio=2.0), 2),
    "transformers/xclip": (dict(mit_hidden_size=32, mit_intermediate_size=64,
                                mit_num_attention_heads=2, patch_size=16), 1),
}


@pytest.mark.parametrize(("identifier", "case"), TRANSFORMER_CASES.items(),
                         ids=list(TRANSFORMER_CASES))
def test_transformer_tubelets_map_to_steps_exactly(clips, identifier, case):
    pytest.importorskip("transformers")
    extra, frames_per_step = case
    config = {key: value for key, value in {**TINY, **extra}.items()
              if key != "intermediate_size" or "vjepa2" not in identifier}
    model = dv.load_model(identifier, config=config, input_size=32, clip_length=4, fps=FPS,
                          progress=False)
    blocks = [layer for layer in model.layers if not layer.startswith("post_layernorm")]
    recordings = _steps(model, clips, layers=model.layers)
    for layer in model.layers:
        _assert_steps(recordings[layer], frames_per_step)
    _identity_blocks(model.module)
    recordings = _steps(model, clips, layers=blocks)
    for layer in blocks:
        changed = _changed_steps(recordings[layer])
        start = recordings[layer]["step_start_ms"].values[changed]
        end = recordings[layer]["step_end_ms"].values[changed]
        assert len(changed) == 1 and start[0] <= CHANGED * 100 < end[0], (layer, changed)
