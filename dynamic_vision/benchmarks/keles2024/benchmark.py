"""``Keles2024.cortex-ridge``: HRF-convolved ridge from model features to every prepared vertex.

Runs of the same movie are repetitions (2 per subject); continuous cross-validation with an
HRF-length gap (:class:`~dynamic_vision.benchmark_kinds.FMRIBenchmark`).
"""

from __future__ import annotations

from dynamic_vision.benchmark_kinds import FMRIBenchmark


def cortex_ridge() -> FMRIBenchmark:
    """The whole prepared cortical surface (``region == "cortex"``)."""
    from dynamic_vision.data.keles2024 import BIBTEX

    return FMRIBenchmark("Keles2024.cortex-ridge", assembly="Keles2024.fMRI",
                         stimuli="Keles2024", region="cortex", response="hrf",
                         visual_degrees=20.0, version=1, bibtex=BIBTEX)
