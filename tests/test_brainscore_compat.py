"""The Brain-Score compatibility layer: names that exist only while a model loads, the documented
behaviour of PytorchWrapper and load_preprocess_images, conversion, checks and errors."""

from __future__ import annotations

import functools
import importlib
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import dynamic_vision as dv
from dynamic_vision.core.errors import BrainScoreModelError, BrainScoreNameError
from dynamic_vision.modeling.brainscore import activations as bs_activations
from dynamic_vision.modeling.brainscore.checks import check_base_models
from dynamic_vision.modeling.brainscore.conversion import brain_model
from dynamic_vision.modeling.brainscore.references import load_module_file, parse_reference
from dynamic_vision.modeling.brainscore.shim import ROOTS, brainscore_names
from dynamic_vision.testing.benchmark_checks import TableModel, random_features

from .test_benchmarks_neural import N_BINS, PLANTED, make_benchmark
from .test_benchmarks_neural import recordings, stimuli  # noqa: F401  (fixtures)

HERE = Path(__file__).parent / "brainscore_models"
SUBMISSION_FILE = HERE / "sample_submission" / "models" / "base_models.py"
PLUGIN = HERE / "tiny_plugin"


@pytest.fixture(autouse=True)
def _forget_references():
    """Models registered by path during a test are removed afterwards."""
    before = set(dv.model_registry.list())
    yield
    for identifier in set(dv.model_registry.list()) - before:
        dv.model_registry.unregister(identifier)


def _importable(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def test_names_exist_only_while_a_model_loads():
    assert not any(_importable(root) for root in ROOTS)
    finders = list(sys.meta_path)
    with brainscore_names() as registry:
        from model_tools.activations.pytorch import PytorchWrapper, load_preprocess_images
        from brainscore_vision import model_registry
        from brainscore_vision.model_helpers.brain_transformation import ModelCommitment

        assert PytorchWrapper is bs_activations.PytorchWrapper
        assert load_preprocess_images is bs_activations.load_preprocess_images
        assert model_registry is registry
        assert ModelCommitment.__module__ == "dynamic_vision.modeling.brainscore.commitment"
    assert sys.meta_path == finders
    assert not any(name.split(".")[0] in ROOTS for name in sys.modules)
    assert not any(_importable(root) for root in ROOTS)
    model = dv.load_model(f"{SUBMISSION_FILE}:tiny-net", progress=False)
    assert model.identifier == "tiny-net"
    assert not any(name.split(".")[0] in ROOTS for name in sys.modules)


def test_an_installed_package_is_not_shadowed(tmp_path, monkeypatch):
    real = tmp_path / "model_tools"
    (real / "activations").mkdir(parents=True)
    (real / "__init__.py").write_text("REAL = True\n")
    (real / "activations" / "__init__.py").write_text("")
    (real / "activations" / "pytorch.py").write_text("PytorchWrapper = 'the real one'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        with brainscore_names():
            from model_tools.activations.pytorch import PytorchWrapper
            import brainscore_vision

            assert PytorchWrapper == "the real one"
            assert hasattr(brainscore_vision, "model_registry")  # still absent: served
        assert "brainscore_vision" not in sys.modules
    finally:
        for name in [n for n in sys.modules if n.startswith("model_tools")]:
            del sys.modules[name]


def test_names_that_are_not_provided_teach(tmp_path):
    plugin = tmp_path / "weights_plugin"
    plugin.mkdir()
    (plugin / "__init__.py").write_text(textwrap.dedent("""
        from brainscore_vision import model_registry
        from brainscore_vision.model_helpers.s3 import load_weight_file
        model_registry['x'] = lambda: None
    """))
    with pytest.raises(BrainScoreNameError, match=r"brainscore_vision.model_helpers.s3.*"
                       r"brainscore_vision.model_helpers.activations.pytorch"):
        dv.load_model(f"{plugin}:x")
    assert "brainscore_vision" not in sys.modules


def test_missing_third_party_packages_point_to_the_plugins_requirements(tmp_path):
    plugin = tmp_path / "needs_more"
    plugin.mkdir()
    (plugin / "requirements.txt").write_text("a_package_nobody_has\n")
    (plugin / "__init__.py").write_text("import a_package_nobody_has\n")
    with pytest.raises(ModuleNotFoundError, match="a_package_nobody_has.*requirements.txt"):
        dv.load_model(f"{plugin}:x")


def _images(folder: Path, n: int = 3) -> list[Path]:
    rng = np.random.default_rng(0)
    paths = []
    for index in range(n):
        path = folder / f"image_{index}.png"
        Image.fromarray(rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)).save(path)
        paths.append(path)
    Image.fromarray(rng.integers(0, 256, (20, 30), dtype=np.uint8)).save(folder / "grey.png")
    return paths


def test_load_preprocess_images_resizes_and_normalises(tmp_path):
    paths = _images(tmp_path)
    out = bs_activations.load_preprocess_images(paths, image_size=12)
    assert out.shape == (3, 3, 12, 12) and out.dtype == np.float32
    expected = np.asarray(Image.open(paths[1]).convert("RGB").resize((12, 12), Image.BILINEAR),
                          np.float32) / 255.0
    expected = (expected - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    np.testing.assert_allclose(out[1], expected.transpose(2, 0, 1), rtol=1e-5, atol=1e-5)
    custom = bs_activations.load_preprocess_images(paths[:1], 12, normalize_mean=(0, 0, 0),
                                                   normalize_std=(1, 1, 1))
    assert custom.min() >= 0 and custom.max() <= 1
    grey = bs_activations.load_preprocess_images([tmp_path / "grey.png"], 12)
    assert grey.shape == (1, 3, 12, 12)


def test_wrapper_records_layers_with_hooks(tmp_path):
    paths = _images(tmp_path)
    torch.manual_seed(0)
    network = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(),
                                  torch.nn.AdaptiveAvgPool2d(2), torch.nn.Flatten(),
                                  torch.nn.Linear(16, 5))
    wrapper = bs_activations.PytorchWrapper(
        network, functools.partial(bs_activations.load_preprocess_images, image_size=12),
        identifier="seq")
    activations = wrapper(paths, ["1", "logits"])
    assert activations.dims == ("presentation", "neuroid")
    assert activations.shape == (3, 4 * 10 * 10 + 5)
    assert list(np.unique(activations["layer"].values)) == ["1", "logits"]
    assert activations["neuroid_id"].values[0] == "1.0"
    with torch.no_grad():
        inputs = torch.from_numpy(bs_activations.load_preprocess_images(paths, 12))
        relu = network[1](network[0](inputs)).reshape(3, -1).numpy()
        logits = network(inputs).numpy()
    np.testing.assert_allclose(activations.sel(neuroid=activations["layer"] == "1"), relu,
                               rtol=1e-6)
    np.testing.assert_allclose(activations.sel(neuroid=activations["layer"] == "logits"), logits,
                               rtol=1e-6)
    assert wrapper.layer_name("logits") == "4"
    with pytest.raises(BrainScoreModelError, match="no layer 'features.2'"):
        wrapper.get_layer("features.2")


def test_preprocessing_maps_onto_the_model_declaration():
    network = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU())
    preprocessing = functools.partial(bs_activations.load_preprocess_images, image_size=40,
                                      normalize_mean=(0.5, 0.5, 0.5),
                                      normalize_std=(0.25, 0.25, 0.25))
    wrapper = bs_activations.PytorchWrapper(network, preprocessing, identifier="w")
    model = brain_model(wrapper, layers=["1", "logits"], progress=False)
    assert (model.spec.input_size, model.spec.mean, model.spec.std) == \
        (40, (0.5,) * 3, (0.25,) * 3)
    assert model.spec.layers == ("1",) and model.spec.kind == "image"
    with pytest.raises(BrainScoreModelError, match="function of image files"):
        brain_model(bs_activations.PytorchWrapper(network, lambda paths: paths), layers=["1"])
    inception = functools.partial(bs_activations.load_preprocess_images, image_size=40,
                                  preprocess_type="inception")
    with pytest.raises(BrainScoreModelError, match="inception"):
        brain_model(bs_activations.PytorchWrapper(network, inception), layers=["1"])
    with pytest.raises(BrainScoreModelError, match="layer 'nope' is not a module"):
        brain_model(wrapper, layers=["nope"])


def test_plugin_commitments_and_bibtex():
    committed = dv.load_model(f"{PLUGIN}:tiny-net-committed", progress=False)
    assert committed.region_layer_map == {"V1": "relu1", "MT": "pool"}
    from_json = dv.load_model(f"{PLUGIN}:tiny-net-json", progress=False)
    assert from_json.region_layer_map == {"V1": "pool", "MT": "pool"}
    free = dv.load_model(f"{PLUGIN}:tiny-net", progress=False)
    assert free.region_layer_map == {}
    assert free.spec.bibtex.startswith("@misc{tinyplugin2026")
    info = dv.model_registry.info(f"{PLUGIN}:tiny-net")
    assert info["brainscore_plugin"] == str(PLUGIN.resolve())
    assert info["brainscore_identifier"] == "tiny-net" and len(info["version"]) == 16


def test_unknown_names_and_paths_teach(tmp_path):
    with pytest.raises(KeyError, match=r"registers \['tiny-net', 'tiny-net-committed', "
                                       r"'tiny-net-json'\], not 'tiny-nett'"):
        dv.load_model(f"{PLUGIN}:tiny-nett")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        dv.load_model(f"{tmp_path}/nowhere:tiny-net")
    with pytest.raises(KeyError, match="does not list model 'other'"):
        dv.load_model(f"{SUBMISSION_FILE}:other")
    assert parse_reference("SimMotion.V1-ridge") is None
    assert parse_reference("resnet18") is None


def test_check_models_as_the_template_runs_it(capsys, tmp_path):
    module = load_module_file(SUBMISSION_FILE)
    assert check_base_models(module) == ["tiny-net"]
    assert "passed: tiny-net" in capsys.readouterr().out
    narrow = tmp_path / "narrow.py"
    narrow.write_text(SUBMISSION_FILE.read_text().replace("['relu1', 'pool']", "['linear']"))
    with pytest.raises(BrainScoreModelError, match=r"\{'linear': 10\} give fewer than 25"):
        check_base_models(load_module_file(narrow))


def test_check_model_command_accepts_a_submission_file(capsys):
    from dynamic_vision.cli import main

    assert main(["check-model", f"{SUBMISSION_FILE}:tiny-net", "--stimuli", "probe"]) == 0
    assert "is ready to submit" in capsys.readouterr().out


TUTORIAL_MODULE = textwrap.dedent('''
    # Shaped like the custom-model example of Brain-Score's tutorial: everything built at import.
    from model_tools.check_submission import check_models
    import numpy as np
    import torch
    from torch import nn
    import functools
    from model_tools.activations.pytorch import PytorchWrapper
    from brainscore import score_model
    from model_tools.brain_transformation import ModelCommitment
    from model_tools.activations.pytorch import load_preprocess_images

    class MyModel(nn.Module):
        def __init__(self):
            super(MyModel, self).__init__()
            self.conv1 = torch.nn.Conv2d(in_channels=3, out_channels=2, kernel_size=3)
            self.relu1 = torch.nn.ReLU()
            self.linear = torch.nn.Linear(int(np.power(32 - 3 + 1, 2) * 2), 30)
            self.relu2 = torch.nn.ReLU()

        def forward(self, x):
            x = self.relu1(self.conv1(x))
            return self.relu2(self.linear(x.view(x.size(0), -1)))

    preprocessing = functools.partial(load_preprocess_images, image_size=32)
    activations_model = PytorchWrapper(identifier='my-model', model=MyModel(),
                                       preprocessing=preprocessing)
    model = ModelCommitment(identifier='my-model', activations_model=activations_model,
                            layers=['conv1', 'relu1', 'relu2'])

    def get_model_list():
        return ['my-model']

    def get_model(name):
        assert name == 'my-model'
        wrapper = activations_model
        wrapper.image_size = 32
        return wrapper

    def get_layers(name):
        return ['conv1', 'relu1', 'relu2']

    def get_bibtex(model_identifier):
        return ''

    if __name__ == '__main__':
        check_models.check_base_models(__name__)
''')


class ProbeMean:
    """A one-line benchmark: the mean V1 response to the probe clips (to test score_model)."""

    identifier = "Probe.V1-mean"

    def __call__(self, candidate):
        from dynamic_vision.core.scores import Score
        from dynamic_vision.testing.probe_stimuli import probe_stimulus_set

        candidate.start_recording("V1", [(0, 100)])
        return Score.from_raw(float(np.nanmean(candidate.look_at(probe_stimulus_set()).values)))


def test_the_tutorials_module_shape_loads_and_score_model_scores(tmp_path, temporary_entries):
    path = tmp_path / "tutorial_model.py"
    path.write_text(TUTORIAL_MODULE)
    module = load_module_file(path)
    model = dv.load_model(f"{path}:my-model", progress=False)
    assert (model.layers, model.spec.input_size) == (("conv1", "relu1", "relu2"), 32)
    dv.benchmark_registry.register("Probe.V1-mean", ProbeMean, origin="test")
    temporary_entries.append(("benchmark", "Probe.V1-mean"))
    committed = module.model  # the tutorial's module-level ModelCommitment
    committed.region_layer_map["V1"] = "relu2"
    by_score_model = module.score_model("my-model", "Probe.V1-mean", committed)
    direct = ProbeMean()(brain_model(committed, progress=False))
    assert by_score_model.value == direct.value and np.isfinite(direct.value)


class CommittedTableModel(TableModel):
    """A layered model that has committed a layer to some regions."""

    def __init__(self, identifier, layers, region_layer_map):
        super().__init__(identifier, layers)
        self.region_layer_map = dict(region_layer_map)

    def default_layers(self, region):
        return [self.region_layer_map.get(region, self.committed_layer)]


def test_neural_benchmarks_honour_a_committed_layer(stimuli, recordings):  # noqa: F811
    """A committed region records its layer and selects nothing; its per-bin scores are that
    layer's held-out scores from the selecting run. Uncommitted regions still select."""
    layers = {"early": random_features(6, seed=7, n_steps=N_BINS), "middle": PLANTED,
              "late": random_features(6, seed=8, n_steps=N_BINS)}
    free = make_benchmark(stimuli, recordings)(TableModel("free", layers))
    assert free.provenance["selected_layer"] == "middle"
    committed = CommittedTableModel("committed", layers, {"V1": "late"})
    honoured = make_benchmark(stimuli, recordings)(committed)
    assert "layer_raw" not in honoured.detail and "selected_layer" not in honoured.provenance
    assert committed.looked_at == [len(make_benchmark(stimuli, recordings).held_out_stimuli)]
    np.testing.assert_allclose(honoured.detail["raw"].values,
                               free.detail["layer_raw"].sel(layer="late").values, rtol=1e-12)
    elsewhere = CommittedTableModel("elsewhere", layers, {"MT": "late"})
    assert make_benchmark(stimuli, recordings)(elsewhere) \
        .provenance["selected_layer"] == "middle"
