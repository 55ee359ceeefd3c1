"""TimeSformer-B: divided space-time attention transformer, base (Bertasius et al., 2021), trained on Kinetics-400."""

from __future__ import annotations

from dynamic_vision.models.timesformer_base_k400 import SPEC
from dynamic_vision.modeling.libraries.transformers_models import hub_family_model

#: The architecture of the published checkpoint (its config.json), so the random twin builds
#: offline; loading the weights checks it against the hub's configuration.
ARCHITECTURE = {"image_size": 224, "num_frames": 8, "patch_size": 16, "hidden_size": 768,
                "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
                "attention_type": "divided_space_time"}

ZOO = hub_family_model(SPEC, "timesformer", "facebook/timesformer-base-finetuned-k400", ARCHITECTURE)

build = ZOO.build
build_random = ZOO.build_random
