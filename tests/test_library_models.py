"""Models by name from libraries: naming, listing, teaching errors, random twins, layer rules,
safe cache paths, the optional transformers extra, and bf16 autocast within tolerance."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

import dynamic_vision as dv
from dynamic_vision.core.errors import MissingDependencyError, UnknownIdentifierError
from dynamic_vision.modeling.activations.hooks import LayerRecorder

torch.set_num_threads(1)


def test_plain_listing_asks_no_library():
    code = textwrap.dedent("""
        import sys, dynamic_vision as dv
        from dynamic_vision.cli import main
        names = dv.list_models()
        [dv.model_registry.info(n) for n in names]
        assert "videomae_base_k400-random" in names and not any("/" in n for n in names)
        main(["list", "models"])
        heavy = sorted({m.split(".")[0] for m in sys.modules} & {"torch", "timm", "torchvision",
                                                                 "transformers", "pytorchvideo"})
        assert not heavy, heavy
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr


def test_cli_lists_the_models_of_a_library():
    import timm

    from dynamic_vision.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["list", "models", "timm/*"]) == 0
    listed = out.getvalue().split()
    assert listed == sorted(f"timm/{name}" for name in timm.list_models())
    assert "timm/vit_base_patch16_224" in listed


def test_a_pattern_asks_only_the_provider_it_names():
    assert "timm/resnet18" in dv.list_models("timm/resnet1*")
    assert not any(name.startswith("timm/") for name in dv.list_models("*resnet18*"))
    videos = dv.list_models("torchvision/*")
    assert {"torchvision/r3d_18", "torchvision/resnet18", "torchvision/swin3d_t"} <= set(videos)
    assert "transformers/MCG-NJU/videomae-base" in dv.list_models("transformers/*")


@pytest.mark.parametrize(("identifier", "suggestion"), [
    ("timm/resnt18", "timm/resnet18"), ("torchvision/r3d18", "torchvision/r3d_18"),
    ("transformers/videomea", "transformers/videomae")])
def test_unknown_library_names_teach(identifier, suggestion):
    with pytest.raises(UnknownIdentifierError) as info:
        dv.load_model(identifier)
    assert suggestion in info.value.suggestions
    prefix = identifier.split("/")[0]
    assert f"list_models('{prefix}/*')" in str(info.value)


def test_unknown_timm_tag_and_plain_names_teach():
    with pytest.raises(UnknownIdentifierError, match="no pretrained tag 'nope'"):
        dv.model_registry.entry("timm/resnet18.nope")
    with pytest.raises(UnknownIdentifierError, match=r"'timm/<name>' \(any timm"):
        dv.load_model("vit_base_patch16_224")


def test_every_library_offers_random_twins():
    timm_twin = dv.load_model("timm/resnet18-random", input_size=32, progress=False)
    assert timm_twin.identifier == "timm/resnet18-random-input_size32"
    assert dv.model_registry.info("timm/resnet18-random")["random_twin_of"] == "timm/resnet18"
    video = dv.load_model("torchvision/r3d_18-random", input_size=32, clip_length=4,
                          progress=False)
    assert video.identifier == "torchvision/r3d_18-random-input_size32-clip_length4"
    assert video.spec.weights is None and video.spec.kind == "video"
    with pytest.raises(ValueError, match="random weights by definition"):
        dv.load_model("torchvision/r3d_18-random", pretrained=True)


def test_library_configuration_sets_what_the_model_is_shown():
    resnet = dv.model_registry.info("timm/resnet18")
    assert (resnet["input_size"], resnet["fps"], resnet["weights"]) == \
        (224, 30.0, "timm:resnet18.a1_in1k")
    r3d = dv.model_registry.info("torchvision/r3d_18")  # frame_rate=15, clip_len=16 in its docs
    assert (r3d["input_size"], r3d["fps"], r3d["clip_length"]) == (112, 15.0, 16)
    swin = dv.model_registry.info("torchvision/swin3d_t")
    assert (swin["input_size"], swin["fps"], swin["clip_length"]) == (224, 15.0, 32)


# A builder per torchvision family: every declared layer runs exactly once per forward pass.
FAMILY_EXAMPLES = ["alexnet", "vgg11", "resnet18", "regnet_x_400mf", "densenet121", "googlenet",
                   "inception_v3", "shufflenet_v2_x0_5", "squeezenet1_1", "mnasnet0_5",
                   "mobilenet_v3_small", "efficientnet_b0", "convnext_tiny", "swin_t", "vit_b_16",
                   "maxvit_t", "r3d_18", "s3d", "mvit_v2_s", "swin3d_t"]


@pytest.mark.parametrize("name", FAMILY_EXAMPLES)
def test_torchvision_layer_rules_name_layers_that_run_once(name):
    provider = dv.model_registry.providers()["torchvision/"].resolve()
    zoo = provider.cached(name)
    spec = zoo.spec
    # shapes only; RegNet's builder computes its widths with tensors, so it builds on the CPU
    with torch.device("cpu" if name.startswith("regnet") else "meta"):
        module = zoo.architecture(spec)
        module = zoo.adapt(module) if zoo.adapt is not None else module
        size = (spec.input_size, spec.input_size)
        shape = (1, 3, spec.clip_length, *size) if spec.kind == "video" else (1, 3, *size)
        calls = []
        with torch.no_grad(), LayerRecorder(module, spec.layers,
                                            lambda layer, _out: calls.append(layer)):
            module.eval()(torch.zeros(shape))
    assert calls == list(spec.layers)
    assert 3 <= len(spec.layers) <= 9


def test_timm_layer_rule_stages_or_quarter_blocks():
    assert dv.model_registry.info("timm/resnet18")["layers"] == [
        "act1", "layer1", "layer2", "layer3", "layer4", "global_pool"]
    assert dv.model_registry.info("timm/vit_base_patch16_224")["layers"] == [
        "blocks.2", "blocks.5", "blocks.8", "blocks.11", "norm"]
    assert dv.model_registry.info("timm/convnext_tiny")["layers"][-1] == "head.global_pool"


def test_layers_can_be_overridden_and_are_checked():
    model = dv.load_model("timm/resnet18-random", input_size=32, layers=["layer2"],
                          progress=False)
    assert model.layers == ("layer2",)
    with pytest.raises(KeyError, match="did you mean 'layer2'"):
        dv.load_model("timm/resnet18-random", input_size=32, layers=["layer_2"])


def test_identifiers_with_slashes_never_become_paths():
    from dynamic_vision.core import storage
    from dynamic_vision.scoring import score_cache_path

    path = score_cache_path("transformers/MCG-NJU/videomae-base", "SimMotion.V1-ridge", 1, 2)
    assert path.parent == storage.home("scores", "SimMotion.V1-ridge")
    assert "/" not in path.name and path.name.startswith("transformers_MCG-NJU_videomae-base-")
    assert score_cache_path("timm/resnet18", "SimMotion.V1-ridge") != \
        score_cache_path("timm_resnet18", "SimMotion.V1-ridge")


def test_missing_transformers_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)  # as if it were not installed
    provider = dv.model_registry.providers()["transformers/"].resolve()
    monkeypatch.setattr(provider, "_zoo", {})
    dv.model_registry.unregister("transformers/vivit")
    with pytest.raises(MissingDependencyError, match=r'pip install "dynamic-vision\[transformers\]"'):
        dv.load_model("transformers/vivit")
    assert "transformers/vivit" not in dv.model_registry


def test_bfloat16_autocast_stays_within_tolerance(tmp_path):
    """The documented tolerance of ``dtype="bfloat16"``: every layer's activations correlate
    above 0.99 with float32 ones and differ by less than 10 % (relative Frobenius norm)."""
    from dynamic_vision.testing.probe_stimuli import probe_stimulus_set

    stimuli = probe_stimulus_set(tmp_path)
    stimuli = stimuli[stimuli["stimulus_id"].isin(["bar-right-w3", "bar-still"])]
    for identifier, options in [("timm/resnet18-random", {"input_size": 32, "fps": 4}),
                                ("torchvision/r3d_18-random",
                                 {"input_size": 32, "clip_length": 4, "fps": 4})]:
        runs = {}
        for dtype in (None, "bfloat16"):
            model = dv.load_model(identifier, **options, dtype=dtype, reduction=None,
                                  cache=False, progress=False)
            runs[dtype] = model.activations(stimuli)
        for layer, full in runs[None].items():
            a, b = full.values, runs["bfloat16"][layer].values
            a, b = a[np.isfinite(a)], b[np.isfinite(b)]
            error = np.linalg.norm(a - b) / np.linalg.norm(a)
            assert np.corrcoef(a, b)[0, 1] > 0.99 and error < 0.1, (identifier, layer, error)
