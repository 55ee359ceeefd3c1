"""The Brain-Score style example: registered lazily, loaded through the adapter, conformant."""

import torch

import dynamic_vision as dv
from dynamic_vision.models.submission_example import model as submission
from dynamic_vision.testing import check_model


def test_registered_names_are_the_model_list():
    registered = {name for name in dv.list_models()
                  if dv.model_registry.info(name).get("submission") == submission.__name__}
    assert registered == set(submission.get_model_list())


def test_adapter_uses_the_submission_functions():
    model = dv.load_model("example_cnn_wide", progress=False)
    assert model.identifier == "example_cnn_wide"
    assert model.layers == tuple(submission.get_layers("example_cnn_wide"))
    assert model.spec.bibtex == submission.get_bibtex("example_cnn_wide")
    assert (model.spec.kind, model.spec.input_size) == ("image", 32)
    reference = submission.get_model("example_cnn_wide")
    for key, value in reference.state_dict().items():
        assert torch.equal(model.module.state_dict()[key], value), key


def test_example_passes_the_model_checks():
    check_model("example_cnn")
