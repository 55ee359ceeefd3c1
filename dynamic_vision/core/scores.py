"""The :class:`Score` a benchmark returns: ceiled value, raw value, ceiling, error, detail.

Ceiling conventions (how a raw score and a ceiling give the ceiled score) are named, documented
:class:`CeilingConvention` objects so that every number says how it was made
(``docs/metrics.md`` gives the derivations):

``"disattenuated"`` (the default)
    ``ceiled = raw / sqrt(ceiling)``. ``raw`` is a correlation with the trial-averaged data and
    ``ceiling`` the Spearman–Brown split-half reliability ``c`` of that average. A noise-free
    model correlates with the noisy average at most ``sqrt(c)`` (the correlation of the true
    signal with its noisy measurement), so the truth scores 1: the normalised correlation of
    Hsu et al. (2004) and Schoppe et al. (2016), Spearman's correction for attenuation with a
    noise-free model. Error: ``raw_error / sqrt(ceiling)``.
``"explained_variance"``
    ``ceiled = raw**2 / ceiling``: Brain-Score's neural convention (brainscore-vision 2.4.2's
    ``explained_variance``), the square of ``"disattenuated"`` for a positive ``raw``, so the
    truth scores 1 here too. As in Brain-Score, the error is the raw error copied unchanged.
``"disattenuated_per_split"``
    ``raw_k / sqrt(ceiling_k)`` per split ``k`` (the score's ``detail["split_raw"]`` and the
    ceiling's ``detail["split_ceiling"]``), then the mean over splits; error: the ``ddof=0``
    standard deviation over splits. Brain-Score's behavioural (I2n) convention.
``"ratio"``
    ``ceiled = raw / ceiling``. Kept by name for comparisons with older numbers; no built-in
    benchmark uses it: for a correlation it puts the noise-free truth at ``1 / sqrt(c)``, above
    1, so averages over benchmarks would favour the noisiest data.
``"none"``
    ``ceiled = raw`` (engineering tasks with no data ceiling; ``ceiling`` is reported as 1).

A score is never clipped: a ceiled value above 1 is reported as it is and flagged
(:attr:`Score.flags` holds ``"above_ceiling"``) when it exceeds 1 by more than its error. A
missing (NaN) or non-positive ceiling is refused with
:class:`~dynamic_vision.core.errors.ScoreGuardError`.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.core.errors import ScoreGuardError

__all__ = ["Score", "CeilingConvention", "CEILING_CONVENTIONS", "DEFAULT_CONVENTION",
           "apply_ceiling", "aggregate_ceilings"]


@dataclass(frozen=True)
class CeilingConvention:
    """How a raw score and a noise ceiling give the ceiled score.

    Attributes
    ----------
    name
        The registered name (a key of :data:`CEILING_CONVENTIONS`).
    formula
        The formula, in words, as ``info`` and the docs show it.
    value
        ``value(raw, ceiling) -> ceiled``.
    error
        ``error(raw, ceiling, raw_error) -> error of the ceiled value``.
    truth
        ``truth(ceiling) -> the raw score of the noise-free truth`` (on the raw score's scale),
        the quantity :func:`aggregate_ceilings` averages.
    """

    name: str
    formula: str
    value: Callable[[float, float], float]
    error: Callable[[float, float, float], float]
    truth: Callable[[float], float]

    @property
    def uses_ceiling(self) -> bool:
        """Whether the ceiled value depends on the ceiling at all (``"none"`` does not)."""
        return self.name != "none"

    def inverse_truth(self, raw: float) -> float:
        """The ceiling whose :attr:`truth` is ``raw``."""
        if self.name in ("disattenuated", "explained_variance", "disattenuated_per_split"):
            return float(np.sign(raw) * raw * raw)
        return float(raw)


def _signed_sqrt(c: float) -> float:
    # A negative reliability (an unreliable split) stays negative instead of vanishing.
    return float(np.sign(c) * math.sqrt(abs(c)))


CEILING_CONVENTIONS: dict[str, CeilingConvention] = {
    convention.name: convention for convention in (
        CeilingConvention("disattenuated", "raw / sqrt(ceiling)",
                          lambda raw, c: raw / math.sqrt(c),
                          lambda raw, c, error: error / math.sqrt(c), _signed_sqrt),
        CeilingConvention("explained_variance",
                          "raw**2 / ceiling (error: the raw error, unchanged)",
                          lambda raw, c: raw * raw / c,
                          lambda raw, c, error: error, _signed_sqrt),
        CeilingConvention("disattenuated_per_split",
                          "mean over splits of raw_k / sqrt(ceiling_k) (error: ddof-0 std over "
                          "splits)",
                          lambda raw, c: raw / math.sqrt(c),
                          lambda raw, c, error: error / math.sqrt(c), _signed_sqrt),
        CeilingConvention("ratio", "raw / ceiling", lambda raw, c: raw / c,
                          lambda raw, c, error: error / c, float),
        CeilingConvention("none", "raw", lambda raw, c: raw,
                          lambda raw, c, error: error, lambda c: 1.0),
    )
}

#: The convention of every correlation-based benchmark unless its declaration says otherwise.
DEFAULT_CONVENTION = "disattenuated"


def _convention(name: str) -> CeilingConvention:
    try:
        return CEILING_CONVENTIONS[name]
    except KeyError:
        raise ValueError(f"Unknown ceiling convention {name!r}; "
                         f"use one of {sorted(CEILING_CONVENTIONS)}.") from None


def _check_ceiling(ceiling: float, convention: CeilingConvention, who: str) -> None:
    if convention.uses_ceiling and not (math.isfinite(ceiling) and ceiling > 0):
        state = "missing (NaN)" if math.isnan(ceiling) else f"{ceiling:.4g}"
        raise ScoreGuardError(
            f"{who}: the ceiling is {state}; a ceiled score needs a positive ceiling. The data "
            f"carry no reliable signal for this comparison (check the repetitions, or the "
            f"neuroids/voxels and time bins kept), or report the raw score with convention "
            f"'none'.")


def apply_ceiling(raw: float, ceiling: float, convention: str = DEFAULT_CONVENTION) -> float:
    """The ceiled value of ``raw`` under a named convention (see module docstring).

    Raises
    ------
    ScoreGuardError
        When the convention uses the ceiling and it is missing (NaN) or not positive.
    """
    rule = _convention(convention)
    _check_ceiling(float(ceiling), rule, "apply_ceiling")
    return float(rule.value(raw, ceiling))


def aggregate_ceilings(ceilings: Sequence[float] | np.ndarray, convention: str = DEFAULT_CONVENTION,
                       how: str = "mean") -> float:
    """Aggregate several ceilings (time bins, splits) consistently with the raw scores.

    When the score is the mean (or median) of raw scores, the ceiling it is divided by must be
    aggregated on the raw score's scale: each ceiling is turned into the raw score the
    noise-free truth reaches (``sqrt(c)`` for ``"disattenuated"``), those are averaged the same
    way, and the result is turned back into a ceiling. The truth's mean raw score divided by the
    aggregate then gives exactly 1.

    Parameters
    ----------
    ceilings
        One ceiling per part.
    convention
        The ceiling convention of the score.
    how
        ``"mean"`` or ``"median"``, as the raw scores are aggregated.
    """
    rule = _convention(convention)
    values = np.asarray(ceilings, dtype=np.float64).ravel()
    if values.size == 0:
        return float("nan")
    reducer = {"mean": np.mean, "median": np.median}[how]
    on_raw_scale = np.array([rule.truth(float(c)) for c in values])
    return rule.inverse_truth(float(reducer(on_raw_scale)))


def _per_split_ceiled(score: Score, ceiling: Score) -> tuple[float, float, np.ndarray]:
    if "split_raw" not in score.detail or "split_ceiling" not in ceiling.detail:
        raise ValueError("The 'disattenuated_per_split' convention needs the score's "
                         "detail['split_raw'] and the ceiling's detail['split_ceiling'] (the same "
                         "splits, e.g. the same trial halves).")
    raw = np.asarray(score.detail["split_raw"].values, dtype=np.float64)
    ceilings = np.asarray(ceiling.detail["split_ceiling"].values, dtype=np.float64)
    if raw.shape != ceilings.shape:
        raise ValueError(f"{raw.size} score splits but {ceilings.size} ceiling splits.")
    for value in ceilings:
        _check_ceiling(float(value), CEILING_CONVENTIONS["disattenuated_per_split"],
                       "a ceiling split")
    per_split = raw / np.sqrt(ceilings)
    return float(per_split.mean()), float(per_split.std()), per_split


@dataclass(frozen=True)
class Score:
    """A benchmark's answer for one model.

    Attributes
    ----------
    value
        The ceiled score (the headline number). Equals ``raw`` when no ceiling applies.
    raw
        The metric's aggregate before ceiling (e.g. median-over-neuroids Pearson r, mean over
        splits).
    ceiling
        The data's noise ceiling on the metric's scale (NaN while not yet ceiled).
    error
        Standard error of ``value``, from the split-wise error of ``raw`` as the convention
        says (propagated for ``"disattenuated"``; copied for Brain-Score's
        ``"explained_variance"``).
    raw_error
        Standard error of ``raw`` across cross-validation splits (or bootstrap samples).
    convention
        Name of the ceiling convention, see :data:`CEILING_CONVENTIONS`.
    detail
        Everything finer than the aggregate: per split, per neuroid, per time bin, per layer,
        as variables of one :class:`xarray.Dataset` (e.g. ``detail["raw"]`` with dims
        ``split``, ``neuroid``, ``time_bin``; ``detail["ceiling"]`` per neuroid).
    provenance
        Who made it: model, benchmark, versions, seeds, library version.
    """

    value: float
    raw: float
    ceiling: float = float("nan")
    error: float = float("nan")
    raw_error: float = float("nan")
    convention: str = "none"
    detail: xr.Dataset = field(default_factory=xr.Dataset, compare=False)
    provenance: Mapping[str, Any] = field(default_factory=dict, compare=False)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_raw(cls, raw: float, raw_error: float = float("nan"),
                 detail: xr.Dataset | None = None, **provenance: Any) -> Score:
        """A not-yet-ceiled score, as metrics return it (``value == raw``)."""
        return cls(value=float(raw), raw=float(raw), error=float(raw_error),
                   raw_error=float(raw_error), convention="none",
                   detail=detail if detail is not None else xr.Dataset(),
                   provenance=dict(provenance))

    def ceiled(self, ceiling: float | Score, convention: str = DEFAULT_CONVENTION) -> Score:
        """This score divided by a noise ceiling under ``convention``.

        ``ceiling`` may be a float or a ceiling :class:`Score`, whose detail is kept under
        ``detail["ceiling_*"]``.

        Raises
        ------
        ScoreGuardError
            When the convention uses the ceiling and it is missing (NaN) or not positive.
        """
        rule = _convention(convention)
        ceiling_detail = xr.Dataset()
        ceiling_score = ceiling if isinstance(ceiling, Score) else None
        if ceiling_score is not None:
            ceiling_detail = ceiling_score.detail.rename(
                {name: f"ceiling_{name}" for name in ceiling_score.detail.data_vars})
            ceiling = ceiling_score.value
        ceiling = float(ceiling)
        who = f"Score of {self.provenance.get('benchmark', 'a metric')}"
        _check_ceiling(ceiling, rule, who)
        if convention == "disattenuated_per_split":
            if ceiling_score is None:
                raise ValueError("The 'disattenuated_per_split' convention needs the ceiling as "
                                 "a Score with per-split values (detail['split_ceiling']).")
            value, error, per_split = _per_split_ceiled(self, ceiling_score)
            ceiling_detail = ceiling_detail.assign(split_ceiled=("split", per_split))
        else:
            value = float(rule.value(self.raw, ceiling))
            error = float(abs(rule.error(self.raw, ceiling, self.raw_error)))
        detail = xr.merge([self.detail, ceiling_detail], compat="override",
                          combine_attrs="override") if ceiling_detail.data_vars else self.detail
        return replace(self, value=value, ceiling=ceiling, error=error,
                       convention=convention, detail=detail)

    @property
    def flags(self) -> tuple[str, ...]:
        """Warnings about the numbers, derived from them.

        ``"above_ceiling"``: the ceiled value exceeds 1 by more than its error (by any amount
        when the error is unknown). Such a value is reported, never clipped; it says the
        ceiling underestimates the data's reliability (few repetitions, a ceiling computed on
        other stimuli) or that the convention does not fit the metric.
        """
        if self.convention == "none" or not math.isfinite(self.value):
            return ()
        margin = self.error if math.isfinite(self.error) else 0.0
        return ("above_ceiling",) if self.value > 1.0 + margin else ()

    def with_provenance(self, **provenance: Any) -> Score:
        """A copy with more provenance entries."""
        return replace(self, provenance={**self.provenance, **provenance})

    # -- conversion ---------------------------------------------------------------------------
    def __float__(self) -> float:
        return float(self.value)

    def to_xarray(self) -> xr.DataArray:
        """The ceiled value as a 0-d DataArray with raw, ceiling and error as coordinates."""
        return xr.DataArray(
            self.value,
            coords={"raw": self.raw, "ceiling": self.ceiling, "error": self.error,
                    "raw_error": self.raw_error},
            attrs={"convention": self.convention, "flags": list(self.flags),
                   **_jsonable(dict(self.provenance))},
            name="score",
        )

    def to_dict(self, detail: bool = True) -> dict[str, Any]:
        """A JSON-ready dict (the on-disk and ``--json`` format)."""
        out: dict[str, Any] = {
            "value": _finite_or_none(self.value), "raw": _finite_or_none(self.raw),
            "ceiling": _finite_or_none(self.ceiling), "error": _finite_or_none(self.error),
            "raw_error": _finite_or_none(self.raw_error), "convention": self.convention,
            "flags": list(self.flags), "provenance": _jsonable(dict(self.provenance)),
        }
        if detail:
            out["detail"] = _jsonable(self.detail.to_dict(data="list"))
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Score:
        """Inverse of :meth:`to_dict`."""
        nan = float("nan")
        detail = _restore_nan(xr.Dataset.from_dict(data["detail"])) if data.get("detail") \
            else xr.Dataset()
        return cls(
            value=_none_to_nan(data["value"]), raw=_none_to_nan(data["raw"]),
            ceiling=_none_to_nan(data.get("ceiling", nan)),
            error=_none_to_nan(data.get("error", nan)),
            raw_error=_none_to_nan(data.get("raw_error", nan)),
            convention=data.get("convention", "none"), detail=detail,
            provenance=dict(data.get("provenance", {})),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), allow_nan=False)

    # -- display ------------------------------------------------------------------------------
    def _summary(self) -> str:
        parts = [f"{self.value:.4f}"]
        if not math.isnan(self.error):
            parts.append(f"± {self.error:.4f}")
        if self.convention != "none":
            parts.append(f"(raw {self.raw:.4f}, ceiling {self.ceiling:.4f}, {self.convention})")
        if self.flags:
            parts.append("[" + ", ".join(flag.replace("_", " ") for flag in self.flags) + "]")
        return " ".join(parts)

    def __repr__(self) -> str:
        who = ""
        if "model" in self.provenance or "benchmark" in self.provenance:
            who = f" {self.provenance.get('model', '?')} on {self.provenance.get('benchmark', '?')}"
        dims = ", ".join(f"{k}={v}" for k, v in self.detail.sizes.items())
        return f"<Score{who}: {self._summary()}{f'; detail [{dims}]' if dims else ''}>"

    def _repr_html_(self) -> str:
        rows = [("score", f"<b>{self.value:.4f}</b>"), ("error", f"{self.error:.4f}"),
                ("raw", f"{self.raw:.4f}"), ("ceiling", f"{self.ceiling:.4f}"),
                ("convention", html.escape(self.convention))]
        if self.flags:
            rows.append(("flags", html.escape(", ".join(self.flags))))
        rows += [(html.escape(str(k)), html.escape(str(v))) for k, v in self.provenance.items()]
        if self.detail.data_vars:
            rows.append(("detail", html.escape(", ".join(
                f"{name}{tuple(var.dims)}" for name, var in self.detail.data_vars.items()))))
        body = "".join(f"<tr><th style='text-align:left'>{k}</th><td style='text-align:left'>"
                       f"{v}</td></tr>" for k, v in rows)
        return f"<table class='dynamic-vision-score'>{body}</table>"

    # -- plots --------------------------------------------------------------------------------
    def plot(self, by: str = "time_bin", ax: Any = None, variable: str = "raw") -> Any:
        """Plot ``detail[variable]`` against one of its dimensions (e.g. ``time_bin``,
        ``layer``), averaging over the others. Returns the matplotlib Axes."""
        from dynamic_vision.core.plotting import plot_score_detail

        return plot_score_detail(self, by=by, ax=ax, variable=variable)


def _finite_or_none(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _none_to_nan(x: Any) -> float:
    return float("nan") if x is None else float(x)


def _restore_nan(dataset: xr.Dataset) -> xr.Dataset:
    """JSON has no NaN: :func:`_jsonable` wrote ``null``; numeric variables get NaN back."""
    def fix(array: xr.DataArray) -> xr.DataArray:
        if array.dtype != object:
            return array
        values = array.values
        if all(v is None or isinstance(v, (int, float)) for v in values.ravel()):
            return array.copy(data=np.array([np.nan if v is None else v
                                             for v in values.ravel()], float).reshape(values.shape))
        return array

    dataset = dataset.assign({name: fix(var) for name, var in dataset.data_vars.items()})
    return dataset.assign_coords({name: fix(coord) for name, coord in dataset.coords.items()})


def _jsonable(obj: Any) -> Any:
    """Replace numpy scalars/arrays and non-finite floats so that strict JSON accepts them."""
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return _jsonable(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return str(obj)
