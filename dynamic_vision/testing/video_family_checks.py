"""Checks shared by the curated Hugging Face video models' own ``test.py`` files.

A curated model (``videomae_base_k400``, ``timesformer_base_k400``, ...) declares its layers,
input size and clip length once in its ``ModelSpec`` and names the published configuration it
stands for (``ARCHITECTURE``, a :class:`~dynamic_vision.modeling.zoo.ZooModel` ``ZOO`` whose
``family`` knows how the configuration maps to layers). These functions check, for one such
plugin, that the declaration is what the architecture gives, that at test size every layer
records a (batch, channel, time, height, width) volume with one time step per tubelet of
frames, and that published weights refuse configuration overrides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["check_declaration_matches_architecture", "check_test_size_volumes",
           "check_published_weights_refuse_overrides"]


def check_declaration_matches_architecture(spec: Any, zoo: Any, architecture: Mapping[str, Any],
                                           tubelet: int) -> None:
    """The spec's layers, input size and clip length are those its family derives from the
    published configuration, whose every fact in ``architecture`` the configuration holds;
    each time step spans ``tubelet`` frames."""
    from dynamic_vision.modeling.libraries.transformers_models import family_spec

    derived = family_spec(spec.identifier, zoo.family, zoo.config, weights=spec.weights,
                          fps=spec.fps, bibtex=spec.bibtex)
    assert (derived.layers, derived.input_size, derived.clip_length) == \
        (spec.layers, spec.input_size, spec.clip_length)
    assert zoo.family.tubelet(zoo.config) == tubelet
    assert set(architecture) <= set(zoo.config.to_dict())


def check_test_size_volumes(identifier: str, zoo: Any, check_options: Mapping[str, Any],
                            tubelet: int) -> None:
    """At test size (``check_options``: a tiny configuration, input size and clip length), the
    random twin records every declared layer once, in order, as a (2, hidden, clip_length //
    tubelet, side, side) volume (side 1 for pooled ``post_layernorm`` outputs)."""
    from dynamic_vision.testing.model_checks import random_twin_layer_shapes

    spec, shapes = random_twin_layer_shapes(zoo, **check_options)
    assert spec.identifier.startswith(f"{identifier}-random-config")
    config = check_options["config"]
    patch = config.get("patch_size") or zoo.family.patch(zoo.config)
    steps = check_options["clip_length"] // tubelet
    for layer, shape in shapes.items():
        side = 1 if layer.startswith("post_layernorm") else check_options["input_size"] // patch
        assert shape == (2, config["hidden_size"], steps, side, side), (layer, shape)


def check_published_weights_refuse_overrides(spec: Any, zoo: Any) -> None:
    """A configuration override with published weights is refused (the weights would no
    longer fit), and the spec names weights from the transformers hub."""
    import pytest

    with pytest.raises(ValueError, match="published weights no longer fit"):
        zoo.build_module(pretrained=True, config={"hidden_size": 32})
    assert spec.weights.startswith("transformers:")
