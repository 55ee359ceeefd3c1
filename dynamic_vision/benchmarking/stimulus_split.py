"""The public / held-out split a benchmark declares over its stimuli.

Anything a model is allowed to *tune* on a benchmark (which layer stands for a region, a
readout's hyper-parameters, a behavioural decoder) sees only the **public** stimuli; the
headline score is computed on the **held-out** stimuli alone. Brain-Score keeps the same
separation between public and private data.

The split is a pure function of the stimulus ids, an optional class label per stimulus and a
seed: the same ids give the same split in any order, on any machine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["StimulusSplit", "declare_split"]


@dataclass(frozen=True)
class StimulusSplit:
    """Which stimulus ids are public (tuning) and which are held out (scoring).

    Attributes
    ----------
    public
        Ids that layer selection and other tuning may see.
    held_out
        Ids on which the reported score is computed; never used for tuning.
    """

    public: tuple[str, ...]
    held_out: tuple[str, ...]

    def __post_init__(self) -> None:
        overlap = set(self.public) & set(self.held_out)
        if overlap:
            raise ValueError(f"Stimuli cannot be both public and held out: {sorted(overlap)[:5]}.")
        if not self.held_out:
            raise ValueError("A stimulus split needs at least one held-out stimulus.")

    def to_dict(self) -> dict[str, list[str]]:
        return {"public": list(self.public), "held_out": list(self.held_out)}


def _rank_key(stimulus_id: str, seed: int) -> str:
    # A hash rank instead of a shuffled position makes the split independent of row order.
    return hashlib.sha256(f"{seed}:{stimulus_id}".encode()).hexdigest()


def declare_split(stimulus_ids: Sequence[str], *, held_out_fraction: float = 0.5,
                  stratify: Sequence[object] | None = None, seed: int = 0) -> StimulusSplit:
    """Split stimulus ids into public and held-out parts, stratified by class when given.

    Parameters
    ----------
    stimulus_ids
        Unique stimulus ids.
    held_out_fraction
        Fraction of each class (or of all ids) that is held out; rounded, at least one per class
        with two or more members.
    stratify
        Optional class per id (e.g. the ``category`` or ``label`` column), so both parts keep
        the class proportions.
    seed
        Seed of the deterministic, order-independent assignment.

    Returns
    -------
    StimulusSplit
        Public and held-out ids, each in the order of ``stimulus_ids``.
    """
    ids = [str(s) for s in stimulus_ids]
    if len(set(ids)) != len(ids):
        raise ValueError("declare_split needs unique stimulus ids.")
    if not 0.0 < held_out_fraction < 1.0:
        raise ValueError(f"held_out_fraction must lie in (0, 1), got {held_out_fraction}.")
    classes = [None] * len(ids) if stratify is None else list(stratify)
    if len(classes) != len(ids):
        raise ValueError(f"stratify has {len(classes)} entries for {len(ids)} stimulus ids.")
    held: set[str] = set()
    by_class: dict[object, list[str]] = {}
    for stimulus_id, label in zip(ids, classes):
        by_class.setdefault(label, []).append(stimulus_id)
    for members in by_class.values():
        ranked = sorted(members, key=lambda s: _rank_key(s, seed))
        n_held = int(np.round(held_out_fraction * len(ranked)))
        if len(ranked) >= 2:
            n_held = min(max(n_held, 1), len(ranked) - 1)
        held.update(ranked[:n_held])
    return StimulusSplit(public=tuple(s for s in ids if s not in held),
                         held_out=tuple(s for s in ids if s in held))
