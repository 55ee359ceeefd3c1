"""RandomDots.direction-logistic: chance for a blind model; rises with coherence for motion-energy."""

from __future__ import annotations

import numpy as np
import pytest

from dynamic_vision import load_benchmark, score
from dynamic_vision.testing.benchmark_checks import TableModel

IDENTIFIER = "RandomDots.direction-logistic"


def test_input_independent_model_is_at_chance():
    benchmark = load_benchmark(IDENTIFIER)
    blind = TableModel("blind", {"features": lambda row: np.ones(16)})
    result = score(blind, benchmark)
    assert result.provenance["chance"] == pytest.approx(1 / 8)
    assert result.value == pytest.approx(1 / 8, abs=0.06)
    assert np.all(result.detail["coherence_raw"].values < 0.3)


@pytest.mark.slow
def test_motion_energy_accuracy_rises_with_coherence():
    result = score("motion-energy", IDENTIFIER)
    per_coherence = result.detail["coherence_raw"]
    coherences = per_coherence["coherence"].values
    accuracy = per_coherence.values
    assert np.all(np.diff(coherences) > 0)
    shown = dict(zip(coherences.tolist(), accuracy.tolist()))
    assert accuracy[-1] > 0.9, shown
    assert accuracy[-1] > accuracy[0] + 0.1, shown
    one_clip = 1.0 / result.detail["coherence_n"].values.min()
    assert np.all(np.diff(accuracy) >= -one_clip), shown  # noise of one clip per level
    assert result.value > 3 * result.provenance["chance"]
