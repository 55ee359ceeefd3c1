"""Behavioural consistency (Rajalingham et al., 2018): I1n, I2n and O2 signatures.

Everything starts from a *hit-rate matrix* ``HR[i, j]``: the probability of a correct answer
on image ``i`` (of object ``a``) when object ``j`` is the other choice of a 2-alternative task.
It is computed from

- model choice probabilities (``presentation × choice``): ``p[a] / (p[a] + p[j])``;
- human trials with a ``distractor`` coordinate: the fraction correct per (image, distractor);
- trials of an N-way task (no ``distractor``): ``n[a] / (n[a] + n[j])`` from choice counts.

Signatures (d' = Φ⁻¹(hit rate) − Φ⁻¹(false-alarm rate), capped at ±5 as Brain-Score does):

- ``i2n[i, j]``: hit rate ``HR[i, j]``; false alarms ``FA = mean over images i' of object j of
  (1 − HR[i', a])``; normalised by subtracting the mean d' of object ``a``'s images for the
  same distractor.
- ``i1n[i]``: hit rate averaged over distractors; false alarms of object ``a`` averaged over
  all images of other objects; normalised by object ``a``'s mean.
- ``o2[a, b]``: object-level hit rates (mean over ``a``'s images of ``HR[i, b]``), false alarms
  ``1 − HR_O[b, a]``.

The metric correlates (Pearson) the model's and the humans' signatures over their finite
entries; its error is the standard error of a BCa bootstrap over images
(``scipy.stats.bootstrap``, interval in ``detail["raw_ci"]``) and ``detail["p_value"]`` a
permutation test of the pairing of signature entries (``scipy.stats.permutation_test``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import xarray as xr
from scipy import special

from dynamic_vision.statistics.correlation import pearson_columns
from dynamic_vision.core.scores import Score

__all__ = ["HitRates", "hit_rates", "i1n", "i2n", "o2", "SIGNATURES", "BehavioralMetric",
           "signature_of"]

#: Largest |d'| (Brain-Score's cap); rates of exactly 0 or 1 otherwise give infinite d'.
D_PRIME_CAP = 5.0


@dataclass(frozen=True)
class HitRates:
    """Hit-rate matrix with its image and object labels."""

    rates: np.ndarray  # images × objects, NaN on each image's own object
    image_object: np.ndarray  # object index per image
    stimulus_ids: np.ndarray
    objects: np.ndarray

    def subset(self, rows: np.ndarray) -> HitRates:
        return HitRates(self.rates[rows], self.image_object[rows], self.stimulus_ids[rows],
                        self.objects)


def _d_prime(hit: np.ndarray, false_alarm: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.clip(special.ndtri(hit) - special.ndtri(false_alarm), -D_PRIME_CAP,
                       D_PRIME_CAP)


def _mean(values: np.ndarray, axis: int) -> np.ndarray:
    """``nanmean`` (NaN where nothing is finite), without its warnings: it runs in every
    bootstrap resample."""
    finite = ~np.isnan(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(finite, values, 0.0).sum(axis=axis) / finite.sum(axis=axis)


def hit_rates(assembly: xr.DataArray, objects: np.ndarray | None = None) -> HitRates:
    """The hit-rate matrix of model probabilities or of trials (see module docstring)."""
    for coord in ("stimulus_id", "label"):
        if coord not in assembly.coords:
            raise ValueError(f"Behavioural data need a '{coord}' coordinate on 'presentation'.")
    ids_all = np.asarray(assembly["stimulus_id"].values).astype(str)
    labels_all = np.asarray(assembly["label"].values).astype(str)
    if "choice" in assembly.dims:  # model probabilities
        names = np.asarray(assembly["choice"].values).astype(str)
        objects = np.unique(np.concatenate([names, labels_all])) if objects is None else objects
        p = np.asarray(assembly.transpose("presentation", "choice").values, dtype=np.float64)
        if np.any(~np.isfinite(p)) or np.any(p < 0):
            raise ValueError("Choice probabilities must be finite and non-negative.")
        column = {name: k for k, name in enumerate(names)}
        missing = [o for o in objects if o not in column]
        if missing:
            raise ValueError(f"The model gives no probability for objects {missing[:5]}; its "
                             f"'choice' coordinate must list every object.")
        p = p[:, [column[o] for o in objects]]
        counts = p
    else:  # trials
        if "choice" not in assembly.coords:
            raise ValueError("Trials need a 'choice' coordinate (the object chosen).")
        choices = np.asarray(assembly["choice"].values).astype(str)
        objects = np.unique(np.concatenate([labels_all, choices])) if objects is None \
            else objects
        counts = None
    index = {name: k for k, name in enumerate(objects)}
    ids, first, inverse = np.unique(ids_all, return_index=True, return_inverse=True)
    image_object = np.array([index[label] for label in labels_all[first]])
    n_images, n_objects = len(ids), len(objects)
    if counts is not None:
        totals = np.zeros((n_images, n_objects))
        np.add.at(totals, inverse, counts)
    elif "distractor" in assembly.coords:
        distractors = np.array([index[d] for d in np.asarray(
            assembly["distractor"].values).astype(str)])
        correct = (choices == labels_all).astype(np.float64)
        hits = np.zeros((n_images, n_objects))
        trials = np.zeros((n_images, n_objects))
        np.add.at(hits, (inverse, distractors), correct)
        np.add.at(trials, (inverse, distractors), 1.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            rates = hits / trials
        rates[np.arange(n_images), image_object] = np.nan
        return HitRates(rates, image_object, ids, np.asarray(objects))
    else:
        totals = np.zeros((n_images, n_objects))
        np.add.at(totals, (inverse, np.array([index[c] for c in choices])), 1.0)
    own = totals[np.arange(n_images), image_object][:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = own / (own + totals)
    rates[np.arange(n_images), image_object] = np.nan
    return HitRates(rates, image_object, ids, np.asarray(objects))


def _object_means(values: np.ndarray, image_object: np.ndarray, n_objects: int) -> np.ndarray:
    """Mean over each object's images (rows) of ``values``, ignoring NaN: ``objects × ...``
    (NaN where an object has no finite value). One matrix product per call: it runs in every
    bootstrap resample."""
    membership = np.zeros((n_objects, len(image_object)))
    membership[image_object, np.arange(len(image_object))] = 1.0
    finite = ~np.isnan(values)
    flat = values.reshape(len(values), -1)
    sums = membership @ np.where(finite, values, 0.0).reshape(flat.shape)
    counts = membership @ finite.reshape(flat.shape).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    return means.reshape((n_objects,) + values.shape[1:])


def _false_alarms(hr: HitRates) -> np.ndarray:
    """``FA[i, j]`` = mean over images of object j of (1 − HR[·, object of i])."""
    # miss[b, a] = mean over images of object b of (1 - HR[i, a])
    miss = _object_means(1.0 - hr.rates, hr.image_object, len(hr.objects))
    return miss[:, hr.image_object].T


def _normalize(values: np.ndarray, image_object: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    means = _object_means(values, image_object, int(image_object.max()) + 1)
    return values - means[image_object]


def i2n(hr: HitRates) -> np.ndarray:
    """Normalised image-by-distractor d' (images × objects; NaN where undefined)."""
    d = _d_prime(hr.rates, _false_alarms(hr))
    d[np.arange(len(d)), hr.image_object] = np.nan
    return _normalize(d, hr.image_object)


def i1n(hr: HitRates) -> np.ndarray:
    """Normalised per-image d' (images)."""
    hit = _mean(hr.rates, axis=1)
    n_objects = len(hr.objects)
    false_alarm = np.array([_mean(1.0 - hr.rates[hr.image_object != a, a], axis=0)
                            for a in range(n_objects)])
    d = _d_prime(hit, false_alarm[hr.image_object])
    return _normalize(d, hr.image_object)


def o2(hr: HitRates) -> np.ndarray:
    """Object-by-object d' (objects × objects; NaN on the diagonal)."""
    object_hits = _object_means(hr.rates, hr.image_object, len(hr.objects))
    d = _d_prime(object_hits, 1.0 - object_hits.T)
    np.fill_diagonal(d, np.nan)
    return d


SIGNATURES: dict[str, Callable[[HitRates], np.ndarray]] = {"i1n": i1n, "i2n": i2n, "o2": o2}


def signature_of(name: str) -> Callable[[xr.DataArray], np.ndarray]:
    """``trials → flattened signature``, e.g. for :func:`dynamic_vision.statistics.ceilings.
    behavioral_ceiling`."""
    function = SIGNATURES[name]
    return lambda assembly: function(hit_rates(assembly)).ravel()


def _consistency(a: np.ndarray, b: np.ndarray) -> float:
    valid = np.isfinite(a) & np.isfinite(b)
    if valid.sum() < 3:
        return float("nan")
    return float(pearson_columns(a[valid], b[valid]))


def _pearson_last(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x = x - x.mean(axis=-1, keepdims=True)
    y = y - y.mean(axis=-1, keepdims=True)
    return (x * y).sum(-1) / np.sqrt((x * x).sum(-1) * (y * y).sum(-1))


class BehavioralMetric:
    """Pearson consistency of a behavioural signature between model and humans.

    Parameters
    ----------
    signature
        ``"i2n"``, ``"i1n"`` or ``"o2"``.
    n_bootstrap
        Resamples of the BCa bootstrap over images (``scipy.stats.bootstrap``): its standard
        error is the score's error and its 95 % interval ``detail["raw_ci"]``. 0 skips it.
    n_permutations
        Permutations of the model–human pairing of signature entries
        (``scipy.stats.permutation_test``) for ``detail["p_value"]``. 0 skips it.
    seed
        Seed of both.
    """

    def __init__(self, signature: str = "i2n", n_bootstrap: int = 1000,
                 n_permutations: int = 999, seed: int = 0):
        if signature not in SIGNATURES:
            raise ValueError(f"Unknown behavioural signature {signature!r}; use one of "
                             f"{sorted(SIGNATURES)}.")
        self.signature = signature
        self.n_bootstrap = int(n_bootstrap)
        self.n_permutations = int(n_permutations)
        self.seed = seed

    def __call__(self, source: xr.DataArray, target: xr.DataArray) -> Score:
        from dynamic_vision.statistics.inference import bootstrap_interval, permutation_p_value

        human = hit_rates(target)
        model = hit_rates(source, objects=human.objects)
        position = {sid: k for k, sid in enumerate(model.stimulus_ids)}
        missing = [str(s) for s in human.stimulus_ids if s not in position]
        if missing:
            raise ValueError(f"{len(missing)} of {len(human.stimulus_ids)} target stimulus_ids "
                             f"are missing from the model's behaviour: {missing[:5]}. Show the "
                             f"model every stimulus of the target.")
        model = model.subset(np.array([position[s] for s in human.stimulus_ids]))
        function = SIGNATURES[self.signature]
        model_signature, human_signature = function(model), function(human)
        raw = _consistency(model_signature.ravel(), human_signature.ravel())
        n_images = len(human.stimulus_ids)
        error, low, high, p_value = (float("nan"),) * 4
        if self.n_bootstrap and n_images >= 3:
            def resampled(rows: np.ndarray) -> float:
                rows = np.asarray(rows, dtype=int)
                return _consistency(function(model.subset(rows)).ravel(),
                                    function(human.subset(rows)).ravel())

            def statistic(rows: np.ndarray, axis: int = -1) -> np.ndarray:
                rows = np.asarray(rows)
                flat = rows.reshape(-1, rows.shape[-1])
                return np.array([resampled(r) for r in flat]).reshape(rows.shape[:-1])

            interval = bootstrap_interval((np.arange(n_images),), statistic,
                                          n_resamples=self.n_bootstrap, seed=self.seed)
            error, low, high = interval.standard_error, interval.low, interval.high
        valid = np.isfinite(model_signature.ravel()) & np.isfinite(human_signature.ravel())
        if self.n_permutations and valid.sum() >= 3:
            _, p_value = permutation_p_value(human_signature.ravel()[valid],
                                             model_signature.ravel()[valid], _pearson_last,
                                             n_resamples=self.n_permutations, seed=self.seed)
        if self.signature == "o2":
            dims, coords = ("object", "distractor"), {"object": human.objects,
                                                      "distractor": human.objects}
        elif self.signature == "i2n":
            dims = ("presentation", "distractor")
            coords = {"stimulus_id": ("presentation", human.stimulus_ids),
                      "distractor": human.objects}
        else:
            dims, coords = ("presentation",), {"stimulus_id": ("presentation",
                                                               human.stimulus_ids)}
        detail = xr.Dataset({"model_signature": (dims, model_signature),
                             "target_signature": (dims, human_signature),
                             "raw_ci": ("bound", [low, high]),
                             "p_value": ((), p_value)},
                            coords={**coords, "bound": ["low", "high"]})
        return Score.from_raw(raw, error, detail=detail, signature=self.signature)
