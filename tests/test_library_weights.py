"""Published weights of library models load through each library's real path, offline, from
files the tests save locally; a missing weight fails within seconds, naming where it looked."""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
import time

import pytest
import torch

import dynamic_vision as dv
from dynamic_vision.core.errors import WeightsNotFoundError
from dynamic_vision.modeling import weights
from dynamic_vision.testing.hub_cache import save_to_hub_cache

torch.set_num_threads(1)


@pytest.fixture
def caches(monkeypatch, tmp_path):
    """Empty torch.hub and Hugging Face caches, downloads forbidden."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv(weights.OFFLINE_VARIABLE, "1")
    return tmp_path


def _fresh(identifier: str) -> None:
    """Forget a provider-made entry so that it is resolved again in these caches."""
    dv.model_registry.unregister(identifier)
    provider = dv.model_registry.providers()[identifier.split("/")[0] + "/"].resolve()
    provider._zoo.clear()


def _assert_same_outputs(module: torch.nn.Module, reference: torch.nn.Module,
                         example: torch.Tensor) -> None:
    with torch.no_grad():
        ours, theirs = module(example), reference(example)
    ours = getattr(ours, "last_hidden_state", ours)
    theirs = getattr(theirs, "last_hidden_state", theirs)
    assert torch.equal(ours, theirs)


# -- timm ----------------------------------------------------------------------------------------
def test_timm_weights_load_from_the_hub_cache(caches):
    import safetensors.torch
    import timm

    torch.manual_seed(7)
    published = timm.create_model("resnet18", pretrained=False).eval()
    snapshot = save_to_hub_cache(caches / "hub", "timm/resnet18.a1_in1k")
    safetensors.torch.save_file(published.state_dict(), str(snapshot / "model.safetensors"))
    _fresh("timm/resnet18")
    model = dv.load_model("timm/resnet18", progress=False)
    assert (model.identifier, model.spec.weights) == ("timm/resnet18", "timm:resnet18.a1_in1k")
    _assert_same_outputs(model.module, published, torch.rand(2, 3, 64, 64))


def test_missing_timm_weights_teach_within_seconds(caches):
    _fresh("timm/resnet18")
    start = time.perf_counter()
    with pytest.raises(WeightsNotFoundError) as info:
        dv.load_model("timm/resnet18")
    assert time.perf_counter() - start < 5
    message = str(info.value)
    assert str(caches / "hub" / "models--timm--resnet18.a1_in1k") in message
    assert "'timm/resnet18-random'" in message and "HF_HUB_OFFLINE" in message


# -- torchvision ---------------------------------------------------------------------------------
class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_torchvision_weights_download_verify_and_load(caches, monkeypatch, tmp_path):
    """The builder's default weights, served on 127.0.0.1 under a name whose hash is right."""
    import torchvision.models

    monkeypatch.delenv(weights.OFFLINE_VARIABLE)
    torch.manual_seed(3)
    published = torchvision.models.squeezenet1_1().eval()
    served = tmp_path / "served"
    served.mkdir()
    torch.save(published.state_dict(), served / "raw.pth")
    digest = hashlib.sha256((served / "raw.pth").read_bytes()).hexdigest()[:8]
    (served / "raw.pth").rename(served / f"squeezenet1_1-{digest}.pth")
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(served)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    enum = torchvision.models.SqueezeNet1_1_Weights.IMAGENET1K_V1
    monkeypatch.setattr(enum.value, "url",
                        f"http://127.0.0.1:{httpd.server_address[1]}/squeezenet1_1-{digest}.pth")
    try:
        _fresh("torchvision/squeezenet1_1")
        model = dv.load_model("torchvision/squeezenet1_1", progress=False)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert (caches / "torch" / "hub" / "checkpoints" / f"squeezenet1_1-{digest}.pth").is_file()
    assert model.spec.weights == "torchvision:SqueezeNet1_1_Weights.IMAGENET1K_V1"
    _assert_same_outputs(model.module, published, torch.rand(2, 3, 64, 64))


def test_missing_torchvision_weights_teach_within_seconds(caches):
    _fresh("torchvision/r3d_18")
    start = time.perf_counter()
    with pytest.raises(WeightsNotFoundError) as info:
        dv.load_model("torchvision/r3d_18")
    assert time.perf_counter() - start < 5
    message = str(info.value)
    assert str(caches / "torch" / "hub" / "checkpoints" / "r3d_18-b3b3357e.pth") in message
    assert "'torchvision/r3d_18-random'" in message


# -- transformers --------------------------------------------------------------------------------
transformers = pytest.importorskip("transformers")
TINY = dict(hidden_size=32, intermediate_size=64, num_attention_heads=2, num_hidden_layers=2)


def test_transformers_weights_load_with_from_pretrained(caches):
    """A fine-tuned checkpoint saved with save_pretrained: its backbone is what we load."""
    torch.manual_seed(5)
    config = transformers.VideoMAEConfig(**TINY, image_size=32, num_frames=4, num_labels=3)
    published = transformers.VideoMAEForVideoClassification(config).eval()
    save_to_hub_cache(caches / "hub", "test-org/tiny-videomae", published, files={
        "preprocessor_config.json": {"image_mean": [0.4, 0.4, 0.4], "image_std": [0.2] * 3}})
    model = dv.load_model("transformers/test-org/tiny-videomae", progress=False)
    assert model.spec.weights == "transformers:test-org/tiny-videomae"
    assert (model.spec.input_size, model.spec.clip_length) == (32, 4)
    assert model.spec.mean == pytest.approx((0.4,) * 3) and model.spec.std == pytest.approx((0.2,) * 3)
    clips = torch.rand(2, 3, 4, 32, 32)  # the engine's layout; VideoMAE takes (B, T, C, H, W)
    with torch.no_grad():
        ours = model.module(clips).last_hidden_state
        theirs = published.videomae(clips.transpose(1, 2)).last_hidden_state
    assert torch.equal(ours, theirs)


def test_xclip_vision_tower_loads_from_a_whole_xclip_checkpoint(caches):
    torch.manual_seed(6)
    vision = dict(TINY, image_size=32, patch_size=16, num_frames=4, mit_hidden_size=32,
                  mit_intermediate_size=64, mit_num_attention_heads=2)
    config = transformers.XCLIPConfig(vision_config=vision, text_config=dict(TINY),
                                      projection_dim=16, prompt_layers=1)
    published = transformers.XCLIPModel(config).eval()
    save_to_hub_cache(caches / "hub", "test-org/tiny-xclip", published)
    model = dv.load_model("transformers/test-org/tiny-xclip", progress=False)
    clips = torch.rand(2, 3, 4, 32, 32)
    with torch.no_grad():
        ours = model.module(clips).last_hidden_state
        frames = clips.transpose(1, 2).reshape(8, 3, 32, 32)
        theirs = published.vision_model(frames).last_hidden_state
    assert torch.equal(ours, theirs)


def test_a_curated_declaration_that_disagrees_with_the_hub_is_refused(caches):
    config = transformers.VideoMAEConfig(**TINY, image_size=32, num_frames=4)
    save_to_hub_cache(caches / "hub", "MCG-NJU/videomae-base-finetuned-kinetics",
                      transformers.VideoMAEModel(config))
    with pytest.raises(RuntimeError, match="disagree on"):
        dv.load_model("videomae_base_k400")


def test_missing_transformers_files_teach_within_seconds(caches):
    start = time.perf_counter()
    with pytest.raises(WeightsNotFoundError) as info:  # not even a config.json
        dv.model_registry.entry("transformers/test-org/absent")
    assert time.perf_counter() - start < 5
    assert str(caches / "hub" / "models--test-org--absent" / "snapshots") in str(info.value)
    # a config but no weights: the random twin builds, the published model does not
    config = transformers.VideoMAEConfig(**TINY, image_size=32, num_frames=4)
    save_to_hub_cache(caches / "hub", "test-org/config-only", config)
    twin = dv.load_model("transformers/test-org/config-only-random", progress=False)
    assert twin.spec.weights is None
    start = time.perf_counter()
    with pytest.raises(WeightsNotFoundError, match="pretrained weights") as info:
        dv.load_model("transformers/test-org/config-only")
    assert time.perf_counter() - start < 5
    assert "models--test-org--config-only" in str(info.value)
    assert "'transformers/test-org/config-only-random'" in str(info.value)
    start = time.perf_counter()
    with pytest.raises(WeightsNotFoundError, match="MCG-NJU/videomae-base-finetuned-kinetics"):
        dv.load_model("videomae_base_k400")
    assert time.perf_counter() - start < 5
