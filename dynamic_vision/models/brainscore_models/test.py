"""Brain-Score models by location resolve through the model registry."""

import sys
import textwrap

import pytest

import dynamic_vision as dv

PLUGIN = textwrap.dedent("""
    import functools
    import torch
    from brainscore_vision import model_registry
    from brainscore_vision.model_helpers.activations.pytorch import (PytorchWrapper,
                                                                      load_preprocess_images)
    from brainscore_vision.model_helpers.brain_transformation import ModelCommitment

    def _wrapper():
        network = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU())
        return PytorchWrapper(network, functools.partial(load_preprocess_images, image_size=20),
                              identifier='mini')

    model_registry['mini'] = lambda: ModelCommitment(identifier='mini',
                                                     activations_model=_wrapper(), layers=['1'])
""")


@pytest.fixture
def plugin(tmp_path):
    folder = tmp_path / "mini_plugin"
    folder.mkdir()
    (folder / "__init__.py").write_text(PLUGIN)
    yield folder
    registered = dv.model_registry.entry(f"{folder}:mini").identifier
    dv.model_registry.unregister(f"{folder}:mini")  # the alias
    dv.model_registry.unregister(registered)


def test_a_reference_registers_without_importing_the_plugin(plugin):
    info = dv.model_registry.info(f"{plugin}:mini")
    assert info["brainscore_identifier"] == "mini" and info["brainscore_plugin"] == str(plugin)
    assert info["identifier"].startswith("mini_plugin.") and info["identifier"].endswith(":mini")
    assert "/" not in info["identifier"] and info["alias"] == f"{plugin}:mini"
    assert not any("mini_plugin" in name for name in sys.modules)
    model = dv.load_model(f"{plugin}:mini", progress=False)
    assert (model.identifier, model.layers, model.spec.input_size) == ("mini", ("1",), 20)


def test_plain_identifiers_are_not_references():
    with pytest.raises(dv.UnknownIdentifierError, match="Unknown model 'no-such-model'"):
        dv.load_model("no-such-model")
    assert "SimMotion.V1-ridge" not in dv.model_registry
