"""Pretrained-weight resolution: download from a loopback server, verification, offline errors."""

from __future__ import annotations

import functools
import hashlib
import http.server
import pickle
import threading
import time
from pathlib import Path

import huggingface_hub  # noqa: F401  (imported up front: timed tests time failures, not imports)
import pytest
import torch
import torchvision.models  # noqa: F401

from dynamic_vision.modeling import weights
from dynamic_vision.modeling.weights import (
    WeightsNotFoundError,
    WeightsVerificationError,
    fetch_weights,
    hash_prefix,
    load_state_dict,
    load_weights,
    weights_source,
)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 serving ``tmp_path / 'served'``; yields (folder, base URL)."""
    folder = tmp_path / "served"
    folder.mkdir()
    handler = functools.partial(_Quiet, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield folder, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(autouse=True)
def torch_home(tmp_path, monkeypatch):
    home = tmp_path / "torch_home"
    monkeypatch.setenv("TORCH_HOME", str(home))
    monkeypatch.delenv(weights.OFFLINE_VARIABLE, raising=False)
    return home


def _tiny() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(), torch.nn.Linear(4, 2))


def _publish(folder: Path, module: torch.nn.Module, stem: str = "tiny") -> str:
    """Save ``module``'s state dict under torchvision's naming rule; returns the file name."""
    raw = folder / "raw.pth"
    torch.save(module.state_dict(), raw)
    digest = hashlib.sha256(raw.read_bytes()).hexdigest()
    name = f"{stem}-{digest[:8]}.pth"
    raw.rename(folder / name)
    return name


def test_hash_prefix_follows_torch_hub_rule():
    assert hash_prefix("r3d_18-b3b3357e.pth") == "b3b3357e"
    assert hash_prefix("efficientnet_b0_rwightman-7f5810bc.pth") == "7f5810bc"
    assert hash_prefix("model.safetensors") is None


def test_torchvision_names_resolve_to_torch_hub_checkpoints(torch_home):
    source = weights_source("torchvision:R3D_18_Weights.KINETICS400_V1")
    assert source.url == "https://download.pytorch.org/models/r3d_18-b3b3357e.pth"
    assert source.path == torch_home / "hub" / "checkpoints" / "r3d_18-b3b3357e.pth"
    assert source.sha256 == "b3b3357e"
    with pytest.raises(ValueError, match="R3D_18_Weights"):
        weights_source("torchvision:R3D_18_Weights.NOPE")
    with pytest.raises(ValueError, match="Unknown weights name"):
        weights_source("somewhere:else")


def test_download_from_loopback_verifies_and_loads(server, torch_home):
    folder, base = server
    original = _tiny()
    name = _publish(folder, original)
    path = fetch_weights(f"{base}/{name}", progress=False)
    assert path == torch_home / "hub" / "checkpoints" / name
    assert hashlib.sha256(path.read_bytes()).hexdigest().startswith(hash_prefix(name))
    assert [p.name for p in path.parent.iterdir()] == [name]  # no partial files left

    fresh = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    load_weights(fresh, f"{base}/{name}")
    for (key, a), b in zip(original.state_dict().items(), fresh.state_dict().values()):
        assert torch.equal(a, b), key

    # Once on disk, the file is used without the network (server gone, offline flag set).
    (folder / name).unlink()
    assert fetch_weights(f"{base}/{name}", download=False) == path


def test_hash_mismatch_is_an_error_and_leaves_nothing(server, torch_home):
    folder, base = server
    good = _publish(folder, _tiny())
    bad = "tiny-deadbeef.pth"
    (folder / good).rename(folder / bad)
    with pytest.raises(WeightsVerificationError, match="deadbeef"):
        fetch_weights(f"{base}/{bad}", progress=False)
    checkpoints = torch_home / "hub" / "checkpoints"
    assert not checkpoints.exists() or list(checkpoints.iterdir()) == []


def test_missing_file_on_server_is_a_teaching_error(server):
    _, base = server
    with pytest.raises(WeightsNotFoundError, match="download failed") as info:
        fetch_weights(f"{base}/absent-0123abcd.pth", model="tiny", progress=False)
    assert "tiny-random" in str(info.value)


def test_offline_flag_fails_at_once_with_where_and_how(monkeypatch, torch_home):
    monkeypatch.setenv(weights.OFFLINE_VARIABLE, "1")
    start = time.perf_counter()
    with pytest.raises(WeightsNotFoundError) as info:
        fetch_weights("torchvision:R3D_18_Weights.KINETICS400_V1", model="r3d_18")
    assert time.perf_counter() - start < 5
    message = str(info.value)
    assert str(torch_home / "hub" / "checkpoints" / "r3d_18-b3b3357e.pth") in message
    assert "https://download.pytorch.org/models/r3d_18-b3b3357e.pth" in message
    assert "TORCH_HOME" in message and "'r3d_18-random'" in message
    assert "DYNAMIC_VISION_OFFLINE" in message


@pytest.mark.parametrize("url", [
    "https://weights.invalid/models/x-0123abcd.pth",  # name resolution fails
    "http://127.0.0.1:9/x-0123abcd.pth",  # nothing listens on the discard port
])
def test_unreachable_host_fails_fast(url):
    start = time.perf_counter()
    with pytest.raises(WeightsNotFoundError, match="cannot be reached|did not answer"):
        fetch_weights(url, model="tiny")
    assert time.perf_counter() - start < 5


def test_timm_weights_offline_name_the_hub_cache(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.perf_counter()
    with pytest.raises(WeightsNotFoundError) as info:
        fetch_weights("timm:deit_small_patch16_224.fb_in1k", model="deit_small")
    assert time.perf_counter() - start < 5
    message = str(info.value)
    assert "models--timm--deit_small_patch16_224.fb_in1k" in message
    assert "huggingface.co/timm/deit_small_patch16_224.fb_in1k" in message
    assert "HF_HUB_OFFLINE" in message and "deit_small-random" in message


def test_present_but_corrupt_file_is_rejected(torch_home):
    source = weights_source("torchvision:R3D_18_Weights.KINETICS400_V1")
    source.path.parent.mkdir(parents=True)
    source.path.write_bytes(b"not the published file")
    with pytest.raises(WeightsVerificationError, match="delete it"):
        fetch_weights(source)


class _Payload:
    def __reduce__(self):
        return (print, ("code ran",))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_state_dicts_never_unpickle_code(tmp_path):
    path = tmp_path / "evil.pth"
    path.write_bytes(pickle.dumps({"weight": _Payload()}))
    with pytest.raises(WeightsVerificationError, match="re-save it"):
        load_state_dict(path)


def test_state_dict_wrappers_are_unwrapped(tmp_path):
    module = _tiny()
    torch.save({"state_dict": module.state_dict(), "epoch": 3}, tmp_path / "ckpt.pth")
    state = load_state_dict(tmp_path / "ckpt.pth")
    assert set(state) == set(module.state_dict())


class _HubHandler(http.server.BaseHTTPRequestHandler):
    """The two requests hf_hub_download makes: HEAD for metadata, GET for the bytes."""

    files: dict[str, bytes] = {}

    def log_message(self, *args):
        pass

    def _answer(self, body: bool) -> None:
        content = self.files.get(self.path)
        if content is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("X-Repo-Commit", "a" * 40)
        self.send_header("ETag", f'"{hashlib.sha256(content).hexdigest()}"')
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if body:
            self.wfile.write(content)

    def do_HEAD(self):
        self._answer(body=False)

    def do_GET(self):
        self._answer(body=True)


def test_timm_weights_download_into_the_hub_cache(tmp_path, monkeypatch):
    from safetensors.torch import save

    tensors = {"weight": torch.arange(6, dtype=torch.float32).reshape(2, 3)}
    _HubHandler.files = {
        "/timm/deit_small_patch16_224.fb_in1k/resolve/main/model.safetensors": save(tensors)}
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HubHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{httpd.server_address[1]}")
    try:
        path = fetch_weights("timm:deit_small_patch16_224.fb_in1k", progress=False)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert path.is_relative_to(tmp_path / "hub" / "models--timm--deit_small_patch16_224.fb_in1k")
    assert torch.equal(load_state_dict(path)["weight"], tensors["weight"])
    # Now cached: found without any server.
    assert fetch_weights("timm:deit_small_patch16_224.fb_in1k", download=False) == path
