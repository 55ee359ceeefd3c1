"""V-JEPA 2 ViT-L: joint-embedding predictive video encoder, large (Assran et al., 2025), self-supervised."""

from __future__ import annotations

from dynamic_vision.models.vjepa2_vitl_fpc64_256 import SPEC
from dynamic_vision.modeling.libraries.transformers_models import hub_family_model

#: The architecture of the published checkpoint (its config.json), so the random twin builds
#: offline; loading the weights checks it against the hub's configuration.
ARCHITECTURE = {"crop_size": 256, "frames_per_clip": 64, "tubelet_size": 2, "patch_size": 16,
                "hidden_size": 1024, "num_hidden_layers": 24, "num_attention_heads": 16, "mlp_ratio": 4.0}

ZOO = hub_family_model(SPEC, "vjepa2", "facebook/vjepa2-vitl-fpc64-256", ARCHITECTURE)

build = ZOO.build
build_random = ZOO.build_random
