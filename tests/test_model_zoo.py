"""The model zoo: declared facts match the models, pretrained weights fail fast offline and load
exactly when present, and random twins are reproducible."""

from __future__ import annotations

import functools
import hashlib
import http.server
import importlib
import socket
import subprocess
import sys
import threading
import time

import pytest
import torch

import dynamic_vision as dv
from dynamic_vision.modeling import weights
from dynamic_vision.modeling.activations.hooks import resolve_layers
from dynamic_vision.modeling.spec import ModelSpec
from dynamic_vision.modeling.zoo import ZooModel
from dynamic_vision.modeling.weights import WeightsNotFoundError

PRETRAINED = [name for name in dv.list_models()
              if dv.model_registry.info(name).get("random_twin_of") is None
              and f"{name}-random" in dv.model_registry]


def _zoo(identifier: str) -> ZooModel:
    """The model's ZooModel (a transformers family model wraps one)."""
    module = dv.model_registry.entry(identifier).target.partition(":")[0]
    zoo = importlib.import_module(module).ZOO
    return getattr(zoo, "zoo", zoo)


def test_zoo_is_complete():
    expected = {"r3d_18", "mc3_18", "r2plus1d_18", "s3d", "mvit_v1_b", "mvit_v2_s", "swin3d_t",
                "alexnet", "resnet18", "resnet50", "convnext_tiny", "efficientnet_b0",
                "deit_small_patch16_224"}
    assert expected <= set(PRETRAINED)


def test_listing_and_info_import_no_torch():
    code = ("import sys, dynamic_vision as dv; names = dv.list_models(); "
            "[dv.model_registry.info(n) for n in names]; "
            "assert 'r3d_18-random' in names; "
            "assert 'torch' not in sys.modules, 'listing imported torch'")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


@pytest.mark.parametrize("identifier", PRETRAINED)
def test_published_weights_are_named_and_cited(identifier):
    spec = _zoo(identifier).spec
    assert spec.bibtex.startswith("@")
    assert spec.weights.split(":")[0] in ("torchvision", "timm", "https", "transformers")


# Parameter counts published with torchvision's weights; timm publishes none in its config.
def _published_num_params(spec: ModelSpec) -> int | None:
    scheme, _, name = spec.weights.partition(":")
    if scheme != "torchvision":
        return None
    enum_name, _, member = name.partition(".")
    return getattr(weights._enum_owner(enum_name), member).meta["num_params"]


@pytest.mark.parametrize("identifier", PRETRAINED)
def test_full_size_architecture_fits_declaration(identifier):
    """At its declared size, every declared layer exists and the parameter count is the one
    published with the weights (so the weights will fit)."""
    zoo = _zoo(identifier)
    with torch.device("meta"):  # shapes only: no memory, no initialisation cost
        module = zoo.architecture(zoo.spec)
        module = zoo.adapt(module) if zoo.adapt is not None else module
    resolve_layers(module, zoo.spec.layers, identifier)
    published = _published_num_params(zoo.spec)
    if published is not None:
        assert sum(p.numel() for p in module.parameters()) == published


@pytest.fixture
def offline(monkeypatch, tmp_path):
    # The timed part is the failure path; importing torchvision and the hub client for the
    # first time (seconds on a busy machine) is what loading any model costs anyway.
    import huggingface_hub  # noqa: F401
    import torchvision.models  # noqa: F401

    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv(weights.OFFLINE_VARIABLE, "1")


@pytest.mark.parametrize("identifier", PRETRAINED)
def test_pretrained_identifier_fails_fast_offline(identifier, offline):
    start = time.perf_counter()
    with pytest.raises(WeightsNotFoundError) as info:
        dv.load_model(identifier)
    assert time.perf_counter() - start < 5
    message = str(info.value)
    assert f"'{identifier}'" in message and f"'{identifier}-random'" in message
    scheme, _, name = _zoo(identifier).spec.weights.partition(":")
    if scheme == "transformers":  # a hub snapshot, looked for in the hub cache
        from dynamic_vision.modeling.libraries.hub import repo_folder

        assert str(repo_folder(name) / "snapshots") in message and name in message
        return
    source = weights.weights_source(_zoo(identifier).spec.weights)
    assert source.url in message and str(source.path.parent) in message


def test_no_network_without_offline_flag_fails_fast(monkeypatch, tmp_path):
    """With no flag set, an unreachable download host is detected in seconds."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.delenv(weights.OFFLINE_VARIABLE, raising=False)

    def no_network(*args, **kwargs):
        raise OSError(101, "Network is unreachable")

    monkeypatch.setattr(socket, "create_connection", no_network)
    import torchvision.models  # noqa: F401  (see the offline fixture)

    start = time.perf_counter()
    with pytest.raises(WeightsNotFoundError, match="Network is unreachable") as info:
        dv.load_model("resnet18")
    assert time.perf_counter() - start < 5
    assert "resnet18-f37072fd.pth" in str(info.value) and "'resnet18-random'" in str(info.value)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _tiny_architecture(spec: ModelSpec) -> torch.nn.Module:
    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU(),
                               torch.nn.AdaptiveAvgPool2d(1))


def test_published_weights_are_loaded_exactly(tmp_path, monkeypatch):
    """A zoo model whose weights are served on 127.0.0.1: downloaded, verified, loaded."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.delenv(weights.OFFLINE_VARIABLE, raising=False)
    served = tmp_path / "served"
    served.mkdir()
    torch.manual_seed(123)
    published = _tiny_architecture(None)
    torch.save(published.state_dict(), served / "raw.pth")
    name = f"tiny-{hashlib.sha256((served / 'raw.pth').read_bytes()).hexdigest()[:8]}.pth"
    (served / "raw.pth").rename(served / name)
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(served)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/{name}"
        zoo = ZooModel(ModelSpec("tiny", "image", ("0",), 8, 10, weights=url), _tiny_architecture)
        spec, module = zoo.build_module()
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert spec.identifier == "tiny" and spec.weights == url
    for key, value in published.state_dict().items():
        assert torch.equal(module.state_dict()[key], value), key
    assert not module.training


def test_random_twin_is_reproducible_and_named():
    zoo = _zoo("resnet18")
    spec, first = zoo.build_module(pretrained=False, input_size=32)
    _, second = zoo.build_module(pretrained=False, input_size=32)
    assert spec.identifier == "resnet18-random-input_size32" and spec.weights is None
    for (key, a), b in zip(first.state_dict().items(), second.state_dict().values()):
        assert torch.equal(a, b), key
    state = torch.get_rng_state()
    zoo.build_module(pretrained=False, input_size=32)
    assert torch.equal(state, torch.get_rng_state()), "building must not consume the global RNG"


def test_random_twin_refuses_pretrained_and_fixed_geometry_refuses_resizing():
    with pytest.raises(ValueError, match="random weights by definition"):
        _zoo("resnet18").build_random(pretrained=True)
    with pytest.raises(ValueError, match="use 'mvit_v1_b-random'"):
        _zoo("mvit_v1_b").build_module(pretrained=True, input_size=32)


def test_random_twin_loads_as_a_model_commitment():
    model = dv.load_model("r3d_18-random", input_size=32, clip_length=4, progress=False)
    assert model.identifier == "r3d_18-random-input_size32-clip_length4"
    assert model.layers == _zoo("r3d_18").spec.layers


def test_taps_refuse_sequentials_which_would_run_them_twice():
    from dynamic_vision.modeling.zoo import channels_last_taps

    network = torch.nn.Sequential(torch.nn.Sequential(torch.nn.Identity()))
    with pytest.raises(ValueError, match="tap its last block"):
        channels_last_taps(["0"])(network)
