"""Brain-Score's behavioural consistencies I2n, I1n and I1 (``metrics/i1i2``, Rajalingham 2018).

Matrices are ``image × choice``, rows and columns sorted (by ``stimulus_id`` and by object name).

- Model (:func:`model_matrix`): for image ``i`` and object ``c`` other than its true object,
  ``p(i, c) = P(c) / (P(c) + P(truth))`` from the model's class probabilities ``P``.
- Humans (:func:`human_matrix`, one half of the trials): ``E(i, c)`` = trials of image ``i``
  answered ``c`` / trials of ``i`` in which ``c`` was the distractor; the columns are the
  distinct answers in those trials.
- d' (:func:`dprimes`): hit rate ``1 - E(i, c)``, false-alarm rate the mean over images ``j``
  of object ``c`` of ``E(j, truth_i)``; ``Φ⁻¹(hit) - Φ⁻¹(fa)`` clipped to [-5, 5].
- Normalised variants (``i2n``, ``i1n``) subtract, per (true object, choice), the mean over
  that object's images; collapsed ones (``i1n``, ``i1``) average over choices per image.
- Consistency (:func:`correlate`): Pearson r over the entries where the human matrix is
  defined.

Per split (of :func:`~dynamic_vision.statistics.brainscore.splits.trial_halves`) the score is
``r(model, half 1)`` and the ceiling ``r(half 1, half 2)`` (no Spearman–Brown correction); both
are averaged over the 2 splits with a ``ddof=0`` standard deviation as error, and the ceiled
value is ``score_k / sqrt(ceiling_k)`` per split, averaged (Brain-Score's Rajalingham2018
``ceil_score``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["ChoiceMatrix", "SIGNATURES", "model_matrix", "human_matrix", "dprimes", "signature",
           "correlate", "consistency", "BehaviorResult"]

#: Brain-Score's signatures: (normalised, collapsed over choices).
SIGNATURES = {"i2n": (True, False), "i1n": (True, True), "i1": (False, True)}
CLIP = 5.0


@dataclass(frozen=True)
class ChoiceMatrix:
    """An ``image × choice`` matrix with its sorted labels and each image's true object."""

    ids: np.ndarray
    choices: np.ndarray
    truth: np.ndarray
    values: np.ndarray


def _nanmean(values: np.ndarray, axis: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices stay NaN
        return np.nanmean(values, axis=axis)


def model_matrix(probabilities: np.ndarray, ids: Sequence[str], choices: Sequence[str],
                 truth: Sequence[str]) -> ChoiceMatrix:
    """``P(c) / (P(c) + P(truth))`` per image and other object (NaN at the true object)."""
    ids, choices = np.asarray(ids).astype(str), np.asarray(choices).astype(str)
    truth = np.asarray(truth).astype(str)
    P = np.asarray(probabilities, dtype=np.float64)
    rows, columns = np.argsort(ids), np.argsort(choices)
    ids, truth, choices, P = ids[rows], truth[rows], choices[columns], P[rows][:, columns]
    position = {c: k for k, c in enumerate(choices)}
    missing = sorted(set(truth) - set(position))
    if missing:
        raise ValueError(f"The model gives no probability for true objects {missing[:5]}.")
    p_truth = P[np.arange(len(ids)), [position[t] for t in truth]]
    with np.errstate(invalid="ignore", divide="ignore"):
        values = P / (P + p_truth[:, None])
    values[truth[:, None] == choices[None, :]] = np.nan
    return ChoiceMatrix(ids, choices, truth, values)


def human_matrix(image: Sequence[str], truth: Sequence[str], distractor: Sequence[str],
                 choice: Sequence[str]) -> ChoiceMatrix:
    """``E(i, c)`` of the given trials (one row per image shown, one column per answer)."""
    image, truth = np.asarray(image).astype(str), np.asarray(truth).astype(str)
    distractor, choice = np.asarray(distractor).astype(str), np.asarray(choice).astype(str)
    ids, image_index = np.unique(image, return_inverse=True)
    choices = np.unique(choice)
    position = {c: k for k, c in enumerate(choices)}
    image_truth = np.empty(len(ids), dtype=object)
    image_truth[image_index] = truth
    answered = np.zeros((len(ids), len(choices)))
    np.add.at(answered, (image_index, [position[c] for c in choice]), 1.0)
    offered = np.zeros((len(ids), len(choices)))
    known = np.array([d in position for d in distractor])
    np.add.at(offered, (image_index[known], [position[d] for d in distractor[known]]), 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = answered / offered
    values[offered == 0] = np.nan
    values[image_truth.astype(str)[:, None] == choices[None, :]] = np.nan
    return ChoiceMatrix(ids, choices, image_truth.astype(str), values)


def dprimes(matrix: ChoiceMatrix) -> ChoiceMatrix:
    """d' per image and choice: hit ``1 - E(i, c)``, false alarm the mean over the images of
    object ``c`` of ``E(j, truth_i)``; clipped to [-5, 5] (NaN stays NaN)."""
    column = {c: k for k, c in enumerate(matrix.choices)}
    n_images, n_choices = matrix.values.shape
    false_alarm = np.full((n_images, n_choices), np.nan)
    for c, name in enumerate(matrix.choices):
        of_object = matrix.truth == name
        for i in range(n_images):
            own = column.get(matrix.truth[i])
            if own is not None and of_object.any():
                false_alarm[i, c] = _nanmean(matrix.values[of_object, own], axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = stats.norm.ppf(1.0 - matrix.values) - stats.norm.ppf(false_alarm)
    d = np.clip(d, -CLIP, CLIP)
    d[matrix.truth[:, None] == matrix.choices[None, :]] = np.nan
    return ChoiceMatrix(matrix.ids, matrix.choices, matrix.truth, d)


def signature(matrix: ChoiceMatrix, name: str) -> ChoiceMatrix:
    """The d' matrix of ``matrix`` normalised and/or collapsed as ``name`` says.

    A collapsed signature has one column (``choices == ["mean"]``).
    """
    normalized, collapsed = SIGNATURES[name]
    d = dprimes(matrix)
    values = d.values.copy()
    if normalized:
        for obj in np.unique(d.truth):
            rows = d.truth == obj
            values[rows] = values[rows] - _nanmean(values[rows], axis=0)
    if collapsed:
        return ChoiceMatrix(d.ids, np.array(["mean"]), d.truth, _nanmean(values, axis=1)[:, None])
    return ChoiceMatrix(d.ids, d.choices, d.truth, values)


def correlate(source: ChoiceMatrix, target: ChoiceMatrix) -> float:
    """Pearson r over the entries where ``target`` (the humans) is defined.

    ``source`` is aligned to ``target``'s images and choices by name.
    """
    rows = {s: k for k, s in enumerate(source.ids)}
    columns = {c: k for k, c in enumerate(source.choices)}
    missing = [s for s in target.ids if s not in rows]
    if missing:
        raise ValueError(f"{len(missing)} images of the trials have no model answer, e.g. "
                         f"'{missing[0]}'.")
    aligned = np.full(target.values.shape, np.nan)
    usable = [k for k, c in enumerate(target.choices) if c in columns]
    aligned[:, usable] = source.values[[rows[s] for s in target.ids]][
        :, [columns[target.choices[k]] for k in usable]]
    keep = ~np.isnan(target.values)
    if np.isnan(aligned[keep]).any():
        raise ValueError(f"The model's signature is undefined at {int(np.isnan(aligned[keep]).sum())}"
                         f" entries where the humans' is defined.")
    return float(stats.pearsonr(aligned[keep], target.values[keep]).statistic)


@dataclass(frozen=True)
class BehaviorResult:
    """Per-split score, ceiling and ceiled value of one signature (see module docstring)."""

    score: np.ndarray
    ceiling: np.ndarray
    ceiled: np.ndarray
    model_signature: ChoiceMatrix
    half_signatures: list[tuple[ChoiceMatrix, ChoiceMatrix]]


def consistency(model: ChoiceMatrix, image: np.ndarray, truth: np.ndarray, distractor: np.ndarray,
                choice: np.ndarray, halves: Sequence[tuple[np.ndarray, np.ndarray]],
                name: str = "i2n") -> BehaviorResult:
    """Score, ceiling and ceiled value per trial-half split (Brain-Score's procedure)."""
    model_signature = signature(model, name)
    scores, ceilings, signatures = [], [], []
    for first, second in halves:
        first_half, second_half = (
            signature(human_matrix(image[rows], truth[rows], distractor[rows], choice[rows]),
                      name) for rows in (np.asarray(first), np.asarray(second)))
        scores.append(correlate(model_signature, first_half))
        ceilings.append(correlate(first_half, second_half))
        signatures.append((first_half, second_half))
    scores, ceilings = np.asarray(scores), np.asarray(ceilings)
    with np.errstate(invalid="ignore"):
        ceiled = scores / np.sqrt(ceilings)
    return BehaviorResult(scores, ceilings, ceiled, model_signature, signatures)
