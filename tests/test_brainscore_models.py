"""Brain-Score model code scores here unchanged, and equals the same network registered natively.

``tests/brainscore_models/`` holds one tiny network (``tiny-net``) written both ways Brain-Score
documents: a sample-model-submission module and a model plugin folder. This module registers
the same architecture natively (defined below, not imported from those files) and checks that
all three give the same score on SimMotion.V1-ridge (on the reduced SimMotion data of
``tests/small_simmotion.py``), from Python and from the command line. The
Brain-Score submission is extracted with the activation cache off, so its number is computed
independently; the other paths may reuse the native extraction, which the activation cache
allows only when model identity, weights, layers and preprocessing are all the same. (That a
committed region is honoured is shown on a small benchmark in test_brainscore_compat.py.)
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from dynamic_vision.cli import main
from dynamic_vision.core.registry import model_registry
from dynamic_vision.modeling.commitment import ModelCommitment
from dynamic_vision.modeling.spec import ModelSpec, register_model
from dynamic_vision.scoring import score
from tests import small_simmotion

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent / "brainscore_models"
SUBMISSION = f"{HERE}/sample_submission/models/base_models.py:tiny-net"
PLUGIN = f"{HERE}/tiny_plugin:tiny-net"
BENCHMARK = "SimMotion.V1-ridge"
LAYERS = ("relu1", "pool")


class TinyNet(nn.Module):
    """The architecture of ``tests/brainscore_models``, written here."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 5, stride=2, padding=2)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.relu2 = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.linear = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(self.relu2(self.conv2(self.relu1(self.conv1(x)))))
        return self.linear(torch.flatten(x, 1))


def native_spec(identifier: str = "tiny-net") -> ModelSpec:
    """The declaration a native plugin would write: an image model at 16 px, 30 fps."""
    return ModelSpec(identifier=identifier, kind="image", layers=LAYERS, input_size=16, fps=30.0)


def build_native(pretrained=None, **options):
    torch.manual_seed(7)  # the submission's weights
    return ModelCommitment(native_spec(), TinyNet().eval(), progress=False, **options)


@pytest.fixture(scope="module", autouse=True)
def reduced_simmotion(small_simmotion_home):
    with small_simmotion.served(small_simmotion_home):
        yield


@pytest.fixture(scope="module")
def native():
    """``tiny-net`` registered natively; it and the references registered by path in this
    module are removed afterwards."""
    before = set(model_registry.list())
    register_model(native_spec(), build_native, origin="tests.test_brainscore_models")
    yield "tiny-net"
    for identifier in set(model_registry.list()) - before:
        model_registry.unregister(identifier)


@pytest.fixture(scope="module")
def python_scores(native):
    """Scores from Python: native, the submission (extracted afresh) and the plugin folder."""
    return {
        "native": score(native, BENCHMARK, cache=False),
        "submission": score(SUBMISSION, BENCHMARK, cache=False,
                            model_options={"cache": False, "progress": False}),
        "plugin": score(PLUGIN, BENCHMARK, cache=False, model_options={"progress": False}),
    }


def test_the_converted_models_are_the_native_declaration(native):
    reference = model_registry.load(native)
    for identifier in (SUBMISSION, PLUGIN):
        model = model_registry.load(identifier, progress=False)
        assert model.spec.identity_items() == reference.spec.identity_items(), identifier
        for key, value in reference.module.state_dict().items():
            assert torch.equal(model.module.state_dict()[key], value), (identifier, key)


def test_submission_module_scores_like_the_native_network(python_scores):
    native, submission = python_scores["native"], python_scores["submission"]
    assert np.isfinite(native.value) and native.value > 0.05
    assert submission.value == native.value
    assert (submission.raw, submission.ceiling, submission.error) == \
        (native.raw, native.ceiling, native.error)
    np.testing.assert_array_equal(submission.detail["layer_raw"], native.detail["layer_raw"])
    assert submission.provenance["model"] == model_registry.entry(SUBMISSION).identifier
    assert submission.provenance["model"].startswith("base_models.")


def test_plugin_folder_scores_like_the_native_network(python_scores):
    native, plugin = python_scores["native"], python_scores["plugin"]
    assert plugin.value == native.value and plugin.raw == native.raw
    assert plugin.provenance["selected_layer"] == native.provenance["selected_layer"]


def test_the_cli_gives_the_same_numbers(python_scores, capsys):
    assert main(["score", "--models", f"{SUBMISSION},{PLUGIN}", "--benchmarks", BENCHMARK,
                 "--no-cache", "--json"]) == 0
    table = json.loads(capsys.readouterr().out)
    for reference, key in ((SUBMISSION, "submission"), (PLUGIN, "plugin")):
        row = table[reference][BENCHMARK]
        assert row["value"] == pytest.approx(python_scores[key].value, rel=1e-12), reference
        assert row["provenance"]["model"] == model_registry.entry(reference).identifier
