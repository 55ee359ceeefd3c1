"""Test-session settings shared by the core tests and every plugin's ``test.py``.

Tests are offline and must never touch a user's real data directory: each session gets a fresh
``DYNAMIC_VISION_HOME``, and hubs are told to stay offline.
"""

import os
import tempfile

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("DYNAMIC_VISION_HOME", tempfile.mkdtemp(prefix="dynamic-vision-test-"))
os.environ.setdefault("TORCH_HOME", os.path.join(os.environ["DYNAMIC_VISION_HOME"], "torch"))
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def small_simmotion_home(tmp_path_factory):
    """The home of the reduced SimMotion (``tests/small_simmotion.py``), shared by its users."""
    return tmp_path_factory.mktemp("small-simmotion-home")
