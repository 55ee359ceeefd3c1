"""vjepa2_vitl_fpc64_256: the declaration agrees with the architecture it declares, and at test size every
layer records a (batch, channel, time, height, width) volume with one step per 2 frame(s)."""

import dataclasses

import pytest

pytest.importorskip("transformers")

from dynamic_vision.models.vjepa2_vitl_fpc64_256 import CHECK_OPTIONS, SPEC  # noqa: E402
from dynamic_vision.models.vjepa2_vitl_fpc64_256.model import ARCHITECTURE, ZOO  # noqa: E402
from dynamic_vision.modeling.libraries.transformers_models import family_spec  # noqa: E402
from dynamic_vision.testing.model_checks import layer_shapes  # noqa: E402


def test_declaration_is_what_the_architecture_gives():
    derived = family_spec(SPEC.identifier, ZOO.family, ZOO.config, weights=SPEC.weights,
                          fps=SPEC.fps, bibtex=SPEC.bibtex)
    assert (derived.layers, derived.input_size, derived.clip_length) == \
        (SPEC.layers, SPEC.input_size, SPEC.clip_length)
    assert ZOO.family.tubelet(ZOO.config) == 2
    assert set(ARCHITECTURE) <= set(ZOO.config.to_dict())


def test_test_size_layers_record_volumes():
    spec, module = ZOO.build_module(pretrained=False, **CHECK_OPTIONS)
    assert spec.weights is None and spec.identifier.startswith("vjepa2_vitl_fpc64_256-random-config")
    calls = layer_shapes(spec, module)
    assert [layer for layer, _ in calls] == list(spec.layers), "each layer once, in order"
    patch = CHECK_OPTIONS["config"].get("patch_size") or ZOO.family.patch(ZOO.config)
    steps = 4 // 2
    for layer, shape in calls:
        side = 1 if layer.startswith("post_layernorm") else 32 // patch
        assert shape == (2, 32, steps, side, side), (layer, shape)


def test_published_weights_refuse_configuration_overrides():
    with pytest.raises(ValueError, match="published weights no longer fit"):
        ZOO.build_module(pretrained=True, config={"hidden_size": 32})
    assert dataclasses.replace(SPEC).weights.startswith("transformers:")
