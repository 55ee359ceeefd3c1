"""``Berezutskaya2021.cortex-ridge``: HRF-convolved ridge from model features to every prepared
vertex.

Runs of the same movie are repetitions (one run per subject, so subjects are the
repetitions); continuous cross-validation with an HRF-length gap
(:class:`~dynamic_vision.benchmark_kinds.FMRIBenchmark`).
"""

from __future__ import annotations

from dynamic_vision.benchmark_kinds import FMRIBenchmark


def cortex_ridge() -> FMRIBenchmark:
    """The whole prepared cortical surface (``region == "cortex"``)."""
    from dynamic_vision.data.berezutskaya2021 import BIBTEX

    return FMRIBenchmark("Berezutskaya2021.cortex-ridge", assembly="Berezutskaya2021.fMRI",
                         stimuli="Berezutskaya2021", region="cortex", response="hrf",
                         visual_degrees=20.0, version=1, bibtex=BIBTEX)
