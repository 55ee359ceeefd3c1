"""X-CLIP-B/32: video vision tower of X-CLIP, base, 32 px patches (Ni et al., 2022), trained on Kinetics-400."""

from __future__ import annotations

from dynamic_vision.models.xclip_base_patch32 import SPEC
from dynamic_vision.modeling.libraries.transformers_models import hub_family_model

#: The architecture of the published checkpoint (its config.json), so the random twin builds
#: offline; loading the weights checks it against the hub's configuration.
ARCHITECTURE = {"image_size": 224, "num_frames": 8, "patch_size": 32, "hidden_size": 768,
                "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072}

ZOO = hub_family_model(SPEC, "xclip", "microsoft/xclip-base-patch32", ARCHITECTURE)

build = ZOO.build
build_random = ZOO.build_random
