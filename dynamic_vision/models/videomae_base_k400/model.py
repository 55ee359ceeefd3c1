"""VideoMAE-B: Video Masked Autoencoder, base (Tong et al., 2022), self-supervised then fine-tuned on Kinetics-400."""

from __future__ import annotations

from dynamic_vision.models.videomae_base_k400 import SPEC
from dynamic_vision.modeling.libraries.transformers_models import hub_family_model

#: The architecture of the published checkpoint (its config.json), so the random twin builds
#: offline; loading the weights checks it against the hub's configuration.
ARCHITECTURE = {"image_size": 224, "num_frames": 16, "tubelet_size": 2, "patch_size": 16, "hidden_size": 768,
                "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
                "use_mean_pooling": True}

ZOO = hub_family_model(SPEC, "videomae", "MCG-NJU/videomae-base-finetuned-kinetics", ARCHITECTURE)

build = ZOO.build
build_random = ZOO.build_random
