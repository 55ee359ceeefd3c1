"""Brain-Score's ``ModelCommitment`` as a declaration of how a base model meets the brain.

In a Brain-Score model plugin::

    model_registry["myalexnet"] = lambda: ModelCommitment(
        identifier="myalexnet", activations_model=get_model("myalexnet"),
        layers=get_layers("myalexnet"))

Brain-Score's class selects a layer per region on its public benchmarks when no
``region_layer_map`` is given. Here the object only records what it was given;
:func:`~dynamic_vision.modeling.brainscore.conversion.brain_model` turns it into this library's
:class:`~dynamic_vision.modeling.commitment.ModelCommitment`, whose benchmarks honour a given
``region_layer_map`` and otherwise choose the layer themselves (on their public stimuli).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dynamic_vision.core.errors import BrainScoreModelError

__all__ = ["ModelCommitment"]


class ModelCommitment:
    """A base model committed to the brain: Brain-Score's constructor, recorded as given.

    Parameters
    ----------
    identifier
        The model's name.
    activations_model
        A :class:`~dynamic_vision.modeling.brainscore.activations.PytorchWrapper`.
    layers
        The layers offered to brain regions (dotted module names, or ``"logits"``).
    behavioral_readout_layer
        The layer behavioural tasks read (default: the last of ``layers``).
    region_layer_map
        ``{region: layer}`` commitments; regions without one get a layer chosen by each
        benchmark.
    visual_degrees
        The visual angle the model's input spans (Brain-Score's default: 8).
    """

    def __init__(self, identifier: str, activations_model: Any, layers: Sequence[str],
                 behavioral_readout_layer: str | None = None,
                 region_layer_map: Mapping[str, str] | None = None, visual_degrees: float = 8):
        if isinstance(layers, str):
            layers = [layers]
        if not layers:
            raise BrainScoreModelError(f"ModelCommitment '{identifier}' needs at least one "
                                       f"layer.")
        self._identifier = str(identifier)
        self.activations_model = activations_model
        self.layers = list(layers)
        self.behavioral_readout_layer = behavioral_readout_layer
        self.region_layer_map = dict(region_layer_map or {})
        self._visual_degrees = float(visual_degrees)

    @property
    def identifier(self) -> str:
        return self._identifier

    def visual_degrees(self) -> float:
        return self._visual_degrees

    def __repr__(self) -> str:
        return (f"ModelCommitment({self._identifier!r}, layers={self.layers}, "
                f"region_layer_map={self.region_layer_map or None})")
