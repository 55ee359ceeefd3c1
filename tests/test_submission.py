"""Brain-Score submission modules become registered models."""

from __future__ import annotations

import sys
import textwrap

import pytest
import torch

from dynamic_vision.modeling.commitment import ModelCommitment
from dynamic_vision.core.registry import Registry
from dynamic_vision.modeling.submission import SubmissionModel, register_submission

MODULE = textwrap.dedent('''
    import functools
    import torch

    def load_preprocess_images(paths, image_size):  # stands in for model-tools' function
        raise NotImplementedError

    class PytorchWrapper:  # the shape of model-tools' wrapper
        def __init__(self, identifier, model, preprocessing):
            self.identifier = identifier
            self._model = model
            self.preprocessing = preprocessing

    def get_model_list():
        return ["wrapped", "plain"]

    def get_model(name):
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU())
        if name == "wrapped":
            return PytorchWrapper(name, net, functools.partial(load_preprocess_images,
                                                               image_size=64))
        return net

    def get_layers(name):
        return ["0", "1"]

    def get_bibtex(name):
        return "@misc{x, title={x}}"
''')


@pytest.fixture
def submission_module(tmp_path, monkeypatch):
    (tmp_path / "my_submission.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "my_submission"
    sys.modules.pop("my_submission", None)


def test_names_come_from_get_model_list(submission_module):
    registry = Registry("model")
    assert register_submission(submission_module, registry=registry) == ["wrapped", "plain"]
    assert registry.list() == ["plain", "wrapped"]
    info = registry.info("plain")
    assert info["target"] == "my_submission:get_model('plain')"
    assert info["submission"] == "my_submission"


def test_wrapper_image_size_and_plain_module_defaults(submission_module):
    registry = Registry("model")
    register_submission(submission_module, registry=registry)
    wrapped = registry.load("wrapped", progress=False)
    assert isinstance(wrapped, ModelCommitment)
    assert (wrapped.spec.kind, wrapped.spec.input_size, wrapped.layers) == ("image", 64, ("0", "1"))
    plain = registry.load("plain", pretrained=False, progress=False)
    assert plain.spec.input_size == 224 and plain.spec.bibtex.startswith("@misc")
    assert isinstance(plain.module, torch.nn.Sequential)


def test_names_that_the_module_does_not_list_are_refused(submission_module):
    registry = Registry("model")
    register_submission(submission_module, names=["missing"], registry=registry)
    with pytest.raises(KeyError, match="does not list model 'missing'.*'wrapped', 'plain'"):
        registry.load("missing")


def test_modules_without_the_interface_are_named(tmp_path, monkeypatch):
    (tmp_path / "half_done.py").write_text("def get_model_list():\n    return ['a']\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(TypeError, match="'half_done' lacks get_model, get_layers, get_bibtex"):
        SubmissionModel("half_done", "a")()


def test_registering_the_same_module_twice_is_harmless(submission_module):
    registry = Registry("model")
    register_submission(submission_module, names=["plain"], registry=registry, origin="x")
    register_submission(submission_module, names=["plain"], registry=registry, origin="x")
    assert registry.list() == ["plain"]


def test_third_party_entry_point_modules_register_through_the_hook(tmp_path, monkeypatch):
    import pluggy

    from dynamic_vision.core.plugins import PluginSpec

    (tmp_path / "their_models.py").write_text(
        MODULE + "\nfrom dynamic_vision.modeling.submission import submission_hook\n"
                 "dynamic_vision_register = submission_hook(__name__)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import their_models

    manager = pluggy.PluginManager("dynamic_vision")
    manager.add_hookspecs(PluginSpec)
    manager.register(their_models)
    registries = {"model": Registry("model")}
    manager.hook.dynamic_vision_register(registries=registries)
    sys.modules.pop("their_models", None)
    assert registries["model"].list() == ["plain", "wrapped"]
    assert isinstance(registries["model"].load("plain", progress=False), ModelCommitment)
