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
from typing import Any

import numpy as np

__all__ = ["StimulusSplit", "declare_split", "PartitionedStimuli", "HeldOutStimuli"]


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


class PartitionedStimuli:
    """A benchmark's stimuli and their public/held-out split, both made on first use.

    Parameters
    ----------
    source
        A :class:`~dynamic_vision.benchmark_kinds.data_source.LazyData` of the StimulusSet.
    held_out_fraction
        See :func:`declare_split`; ``None`` holds every stimulus out and declares no split.
    stratify
        Stimulus-set columns whose joint classes both parts keep in proportion.
    seed
        Seed of the split.
    """

    def __init__(self, source: Any, *, held_out_fraction: float | None,
                 stratify: Sequence[str] = (), seed: int = 0, owner: str = "benchmark"):
        self._source = source
        self.held_out_fraction = held_out_fraction
        self.stratify = tuple(stratify)
        self.seed = seed
        self.owner = owner
        self._split: StimulusSplit | None = None

    @property
    def stimuli(self) -> Any:
        return self._source.get()

    def classes(self, ids: Sequence[str] | None = None) -> list[str] | None:
        """The joint ``stratify`` class of each stimulus (all, or of ``ids``), or None."""
        if not self.stratify:
            return None
        stimuli = self.stimuli
        missing = [c for c in self.stratify if c not in stimuli.columns]
        if missing:
            raise ValueError(f"'{self.owner}' stratifies by {missing}, which stimulus set "
                             f"'{getattr(stimuli, 'identifier', '?')}' lacks.")
        table = stimuli.set_index(stimuli["stimulus_id"].astype(str))
        if ids is not None:
            table = table.loc[list(ids)]
        joint = table[self.stratify[0]].astype(str)
        for column in self.stratify[1:]:
            joint = joint + "|" + table[column].astype(str)
        return joint.tolist()

    @property
    def split(self) -> StimulusSplit | None:
        if self.held_out_fraction is None:
            return None
        if self._split is None:
            self._split = declare_split(self.stimuli["stimulus_id"].astype(str).tolist(),
                                        held_out_fraction=self.held_out_fraction,
                                        stratify=self.classes(), seed=self.seed)
        return self._split

    def ids(self, part: str = "held_out") -> list[str]:
        """Ids of the ``"held_out"`` or ``"public"`` stimuli (every id when there is no split)."""
        if part not in ("held_out", "public"):
            raise ValueError(f"part must be 'held_out' or 'public', got {part!r}.")
        split = self.split
        if split is None:
            if part == "public":
                raise ValueError(f"'{self.owner}' declares no public split.")
            return self.stimuli["stimulus_id"].astype(str).tolist()
        return list(getattr(split, part))

    def subset(self, part: str = "held_out") -> Any:
        """The StimulusSet of one part."""
        return self.stimuli.subset(self.ids(part))

    def evaluation_splits(self, n_splits: int, train_size: float = 0.9,
                          part: str = "held_out", min_test: int = 10
                          ) -> list[tuple[list[str], list[str]]]:
        """Cross-validation splits within one part of the stimuli, as sorted stimulus ids.

        ``n_splits`` random splits with ``train_size`` of the stimuli for training, stratified
        like the public/held-out split, seeded with ``seed``, independent of row order. Every
        test split holds at least ``min_test`` stimuli: when ``1 - train_size`` of the part is
        fewer, the training part shrinks to leave ``min_test`` (e.g. 64 stimuli: 54 / 10).

        Raises
        ------
        ScoreGuardError
            When the part has fewer than ``2 * min_test`` stimuli.
        """
        from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit

        from dynamic_vision.core.errors import ScoreGuardError

        ids = np.sort(np.asarray(self.ids(part), dtype=str))
        n = len(ids)
        n_train = int(np.floor(train_size * n))
        if n - n_train < min_test:
            if n < 2 * min_test:
                raise ScoreGuardError(
                    f"'{self.owner}': the {part} part holds {n} stimuli; cross-validated "
                    f"correlations need test splits of at least {min_test} stimuli and as many "
                    f"to train on. Hold out more stimuli (held_out_fraction) or use more.")
            n_train = n - min_test
        classes = self.classes(ids.tolist())
        if classes is not None:
            folds = StratifiedShuffleSplit(n_splits, train_size=n_train,
                                           random_state=self.seed).split(ids, classes)
        else:
            folds = ShuffleSplit(n_splits, train_size=n_train,
                                 random_state=self.seed).split(ids)
        return [(ids[np.sort(train)].tolist(), ids[np.sort(test)].tolist())
                for train, test in folds]


class HeldOutStimuli:
    """The public and held-out stimuli of a benchmark that keeps its
    :class:`PartitionedStimuli` as ``_partition``."""

    _partition: PartitionedStimuli

    @property
    def public_stimuli(self) -> Any:
        """The stimuli that layer selection, fitting and other tuning may see."""
        return self._partition.subset("public")

    @property
    def held_out_stimuli(self) -> Any:
        """The stimuli the reported score is computed on."""
        return self._partition.subset("held_out")
