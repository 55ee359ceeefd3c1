"""ViViT-B 16x2: Video Vision Transformer, base, tubelets of 2 x 16 x 16 (Arnab et al., 2021), trained on Kinetics-400."""

from __future__ import annotations

from dynamic_vision.models.vivit_b_16x2_k400 import SPEC
from dynamic_vision.modeling.libraries.transformers_models import hub_family_model

#: The architecture of the published checkpoint (its config.json), so the random twin builds
#: offline; loading the weights checks it against the hub's configuration.
ARCHITECTURE = {"image_size": 224, "num_frames": 32, "tubelet_size": [2, 16, 16], "hidden_size": 768,
                "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072}

ZOO = hub_family_model(SPEC, "vivit", "google/vivit-b-16x2-kinetics400", ARCHITECTURE)

build = ZOO.build
build_random = ZOO.build_random
