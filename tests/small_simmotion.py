"""SimMotion with fewer conditions, for tests that score a model end to end on SimMotion.V1-ridge.

``SimMotion.V1-ridge`` is scored exactly as registered (its declaration, factory, metric and
ceiling), on SimMotion data generated with fewer conditions: 88 clips instead of 256, about the
fewest whose public quarter still fills this benchmark's stratified splits (the data plugin's
own ``small`` variant does not). The full data cost minutes per model on two cores without
testing anything more. Every user shares one ``DYNAMIC_VISION_HOME`` per test session (the
``small_simmotion_home`` fixture of the root conftest), so the data are generated once and
scores and ceilings of the reduced data never meet the full benchmark's caches.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

SIMMOTION = {"SimMotion", "SimMotion.V1", "SimMotion.MT"}


def parameters():
    """The reduced SimMotion's parameters (88 clips)."""
    from dynamic_vision.data.simmotion.parameters import DEFAULT

    reduced = DEFAULT.reduced()
    return type(reduced)(**{
        **reduced.__dict__, "grating_directions": 8, "grating_temporal_frequencies": (4.0, 8.0),
        "grating_contrasts": (0.4, 0.8), "plaid_directions": 8,
        "plaid_spatial_frequencies": (0.04, 0.08, 0.16), "dot_directions": 8,
        "dot_coherences": (0.5, 1.0), "dot_clips_per_condition": 2})


@contextlib.contextmanager
def served(home: Path) -> Iterator[None]:
    """While open, the registered SimMotion data sets load the reduced data under ``home``."""
    import dynamic_vision as dv

    reduced = parameters()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DYNAMIC_VISION_HOME", str(home))
        for registry in (dv.dataset_registry, dv.stimulus_set_registry):
            load = registry.load

            def reduced_load(identifier, _load=load, **kwargs):
                if identifier in SIMMOTION:
                    kwargs.setdefault("parameters", reduced)
                return _load(identifier, **kwargs)

            patch.setattr(registry, "load", reduced_load)
        yield
