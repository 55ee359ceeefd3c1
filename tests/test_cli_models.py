"""``dynamic-vision new model`` and ``dynamic-vision check-model``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from dynamic_vision.cli import main
from dynamic_vision.modeling.spec import ModelSpec
from dynamic_vision.modeling.zoo import ZooModel
from dynamic_vision.core.registry import model_registry


@pytest.fixture
def scaffolded(tmp_path):
    """A scaffolded plugin folder; whatever it registers in this process is removed after."""
    assert main(["new", "model", "my_net", "--dir", str(tmp_path)]) == 0
    folder = tmp_path / "my_net"
    yield folder
    model_registry.unregister("my_net")
    for name in [m for m in sys.modules if m == "my_net" or m.startswith("my_net.")]:
        del sys.modules[name]
    if str(tmp_path) in sys.path:
        sys.path.remove(str(tmp_path))


def test_scaffold_writes_a_plugin_folder(scaffolded, capsys):
    assert sorted(p.name for p in scaffolded.iterdir()) == ["__init__.py", "model.py", "test.py"]
    init = (scaffolded / "__init__.py").read_text()
    assert "import torch" not in init and 'register_model(SPEC, f"{__name__}.model")' in init
    assert "$" not in "".join(p.read_text() for p in scaffolded.iterdir())


def test_scaffold_passes_its_own_tests(scaffolded, tmp_path):
    env = dict(os.environ, DYNAMIC_VISION_HOME=str(tmp_path / "home"), HF_HUB_OFFLINE="1")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(scaffolded / "test.py"), "-q", "-p",
         "no:cacheprovider", "--rootdir", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_scaffold_passes_check_model(scaffolded, capsys):
    assert main(["check-model", str(scaffolded), "--stimuli", "probe"]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out
    for check in ("records declared layers", "recording is deterministic",
                  "time bins follow the stimulus", "label task", "mock recording"):
        assert f"PASS  {check}" in out
    assert "'my_net' is ready to submit." in out


@pytest.mark.slow
def test_check_model_builds_only_the_clips_it_shows(scaffolded, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(tmp_path / "fresh-home"))
    assert main(["check-model", str(scaffolded)]) == 0  # default: a few SimMotion clips
    assert "PASS  mock recording on 6 SimMotion stimuli" in capsys.readouterr().out
    clips = list((tmp_path / "fresh-home" / "data" / "SimMotion").glob("*/stimuli/*.mkv"))
    assert len(clips) == 6


def test_check_model_on_a_registered_identifier(capsys):
    assert main(["check-model", "example_cnn", "--stimuli", "probe"]) == 0
    assert "'example_cnn' is ready to submit." in capsys.readouterr().out


class _Broken(torch.nn.Module):
    """A network whose second layer yields NaN."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 2, 3, stride=4)
        self.poison = torch.nn.Identity()

    def forward(self, frames):
        return self.poison(self.conv(frames) * float("nan"))


@pytest.fixture
def broken_model():
    zoo = ZooModel(ModelSpec("broken-net", "image", ("conv", "poison"), 16, 10.0),
                   lambda spec: _Broken())
    model_registry.register("broken-net", zoo.build, origin="test_cli_models")
    yield "broken-net"
    model_registry.unregister("broken-net")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_check_model_says_what_failed_and_why(broken_model, capsys):
    assert main(["check-model", broken_model, "--stimuli", "probe"]) == 1
    out = capsys.readouterr().out
    assert "PASS  loads as brain model" in out
    assert "FAIL  records declared layers" in out and "are not finite" in out
    assert "FAIL  mock recording" in out
    assert "checks failed; fix them and run `dynamic-vision check-model broken-net` again" in out


def test_check_model_errors_teach(tmp_path, capsys):
    assert main(["check-model", "example_cn"]) == 1
    assert "Did you mean 'example_cnn'" in capsys.readouterr().err
    (tmp_path / "not_a_plugin").mkdir()
    assert main(["check-model", str(tmp_path / "not_a_plugin")]) == 1
    assert "has no __init__.py" in capsys.readouterr().err


def test_new_model_refuses_bad_names_and_existing_folders(tmp_path, capsys):
    assert main(["new", "model", "9lives", "--dir", str(tmp_path)]) == 1
    assert "not a valid model identifier" in capsys.readouterr().err
    assert main(["new", "model", "twice", "--dir", str(tmp_path)]) == 0
    assert main(["new", "model", "twice", "--dir", str(tmp_path)]) == 1
    assert "exists already" in capsys.readouterr().err


def test_check_model_pretrained_reports_missing_weights(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("DYNAMIC_VISION_OFFLINE", "1")
    assert main(["check-model", "resnet18", "--stimuli", "probe", "--pretrained"]) == 1
    out = capsys.readouterr().out
    assert "PASS  records declared layers" in out
    assert "FAIL  published weights load" in out and "resnet18-f37072fd.pth" in out
    assert "'resnet18-random'" in out


def test_scaffold_inside_the_package_checks_by_path_and_by_identifier(tmp_path):
    """A contributor's route: scaffold in dynamic_vision/models, then check-model the folder and
    the identifier (each in a fresh process, which discovers the new plugin folder)."""
    import shutil
    import uuid

    import dynamic_vision

    models = Path(dynamic_vision.__file__).parent / "models"
    name = f"scaffold_check_{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, DYNAMIC_VISION_HOME=str(tmp_path / "home"), HF_HUB_OFFLINE="1")

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "dynamic_vision.cli", *args], env=env,
                              capture_output=True, text=True, timeout=600)

    try:
        assert cli("new", "model", name, "--dir", str(models)).returncode == 0
        for target in (str(models / name), name):
            result = cli("check-model", target, "--stimuli", "probe")
            assert result.returncode == 0, result.stdout + result.stderr
            assert f"'{name}' is ready to submit." in result.stdout
            assert "registered twice" not in result.stdout + result.stderr
    finally:
        shutil.rmtree(models / name, ignore_errors=True)
