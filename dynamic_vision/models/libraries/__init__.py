"""Models by name from maintained libraries: ``timm/<name>``, ``torchvision/<name>``,
``transformers/<family or hub id>``.

Registration only: three providers, each made of a prefix and a lazy target, so listing the
registry imports none of these libraries. An identifier under a prefix is resolved when it is
asked for (see :mod:`dynamic_vision.modeling.libraries`); ``list_models("timm/*")`` asks the
library for its names.
"""

from dynamic_vision.core.registry import model_registry

_LIBRARIES = "dynamic_vision.modeling.libraries"

model_registry.register_provider(
    "timm/", f"{_LIBRARIES}.timm_models:PROVIDER",
    description="any timm image model, frame by frame")
model_registry.register_provider(
    "torchvision/", f"{_LIBRARIES}.torchvision_models:PROVIDER",
    description="any torchvision image or video classification builder")
model_registry.register_provider(
    "transformers/", f"{_LIBRARIES}.transformers_models:PROVIDER",
    requires={"transformers": "dynamic-vision[transformers]"},
    description="Hugging Face video models (VideoMAE, TimeSformer, ViViT, V-JEPA 2, X-CLIP) "
                "by family or hub model id")
