"""Models: declarations (specs), the model zoo, weights, brain-model commitments, layer
selection, hand-made feature models and the activation-extraction engine.

The model-authoring API (names below) is imported on first use, so that a plugin folder's
registration stays cheap:

>>> from dynamic_vision.modeling import ModelSpec, register_model   # registration
>>> from dynamic_vision.modeling import ZooModel, torchvision_architecture  # model.py
"""

from dynamic_vision.core.exports import lazy_exports

_NAMES = {
    "ModelSpec": "dynamic_vision.modeling.spec",
    "register_model": "dynamic_vision.modeling.spec",
    "IMAGENET_MEAN": "dynamic_vision.modeling.spec",
    "IMAGENET_STD": "dynamic_vision.modeling.spec",
    "KINETICS_MEAN": "dynamic_vision.modeling.spec",
    "KINETICS_STD": "dynamic_vision.modeling.spec",
    "RANDOM_SUFFIX": "dynamic_vision.modeling.spec",
    "ZooModel": "dynamic_vision.modeling.zoo",
    "torchvision_architecture": "dynamic_vision.modeling.zoo",
    "timm_architecture": "dynamic_vision.modeling.zoo",
    "channels_last_taps": "dynamic_vision.modeling.zoo",
    "token_taps": "dynamic_vision.modeling.zoo",
    "ModelCommitment": "dynamic_vision.modeling.commitment",
    "FeatureModel": "dynamic_vision.modeling.feature_model",
    "LayerSelector": "dynamic_vision.modeling.layer_selection",
    "SubmissionSpec": "dynamic_vision.modeling.submission",
    "register_submission": "dynamic_vision.modeling.submission",
    "submission_hook": "dynamic_vision.modeling.submission",
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
