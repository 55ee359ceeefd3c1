"""``Savasegal2023.cortex-ridge``: HRF-convolved ridge from model features to every prepared
vertex.

Runs of the same movie are repetitions (each film seen once per subject, so subjects are
the repetitions); continuous cross-validation with an HRF-length gap
(:class:`~dynamic_vision.benchmark_kinds.FMRIBenchmark`).
"""

from __future__ import annotations

from dynamic_vision.benchmark_kinds import FMRIBenchmark


def cortex_ridge() -> FMRIBenchmark:
    """The whole prepared cortical surface (``region == "cortex"``)."""
    from dynamic_vision.data.savasegal2023 import BIBTEX

    return FMRIBenchmark("Savasegal2023.cortex-ridge", assembly="Savasegal2023.fMRI",
                         stimuli="Savasegal2023", region="cortex", response="hrf",
                         visual_degrees=20.0, version=1, bibtex=BIBTEX)
