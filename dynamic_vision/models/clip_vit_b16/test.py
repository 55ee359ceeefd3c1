"""clip_vit_b16: the declaration is what timm's configuration of the tag gives, and at test size every
layer records its tokens."""

from dynamic_vision.models.clip_vit_b16 import SPEC
from dynamic_vision.models.clip_vit_b16.model import TIMM_NAME, ZOO
from dynamic_vision.modeling.libraries.timm_models import timm_spec
from dynamic_vision.testing.model_checks import layer_shapes


def test_declaration_matches_timm_configuration():
    derived = timm_spec(SPEC.identifier, TIMM_NAME, bibtex=SPEC.bibtex)
    for fact in ("layers", "input_size", "mean", "std", "weights", "kind", "fps"):
        assert getattr(derived, fact) == getattr(SPEC, fact), fact


def test_test_size_layers_record_tokens():
    spec, module = ZOO.build_module(pretrained=False, input_size=32)
    assert spec.identifier == "clip_vit_b16-random-input_size32"
    calls = layer_shapes(spec, module)
    assert [layer for layer, _ in calls] == list(spec.layers)
    assert all(shape == (2, 5, 768) for _, shape in calls), calls  # class token + 2 x 2 patches
