"""vjepa2_vitl_fpc64_256: the declaration agrees with the architecture it declares, and at test size every
layer records a (batch, channel, time, height, width) volume with one step per 2 frame(s)."""

import pytest

pytest.importorskip("transformers")

from dynamic_vision.models.vjepa2_vitl_fpc64_256 import CHECK_OPTIONS, SPEC  # noqa: E402
from dynamic_vision.models.vjepa2_vitl_fpc64_256.model import ARCHITECTURE, ZOO  # noqa: E402
from dynamic_vision.testing import video_family_checks as checks  # noqa: E402

TUBELET = 2  # frames per time step


def test_declaration_is_what_the_architecture_gives():
    checks.check_declaration_matches_architecture(SPEC, ZOO, ARCHITECTURE, TUBELET)


def test_test_size_layers_record_volumes():
    checks.check_test_size_volumes(SPEC.identifier, ZOO, CHECK_OPTIONS, TUBELET)


def test_published_weights_refuse_configuration_overrides():
    checks.check_published_weights_refuse_overrides(SPEC, ZOO)
