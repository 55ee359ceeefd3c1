"""The :class:`Score` a benchmark returns: ceiled value, raw value, ceiling, error, detail.

Ceiling conventions (how a raw score and a ceiling give the ceiled score) are named, documented
functions so that every number says how it was made:

``"ratio"``
    ``ceiled = raw / ceiling``. Our default for correlations, RSA, decoding and behaviour.
``"explained_variance"``
    ``ceiled = (raw / ceiling)**2``: Brain-Score's neural convention, where ``raw`` is a Pearson
    r and ``ceiling`` the split-half (Spearman–Brown corrected) consistency; following Yamins et
    al. 2014 it takes the model's and the data's reliability to be equal, so the squared
    disattenuated correlation is ``(r(X, Y) / r(Y, Y))**2``.
``"none"``
    ``ceiled = raw`` (engineering tasks with no data ceiling; ``ceiling`` is reported as 1).

A score is never clipped: a ceiled value above 1 is shown as it is.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import xarray as xr

__all__ = ["Score", "CEILING_CONVENTIONS", "apply_ceiling"]


def _ratio(raw: float, ceiling: float) -> float:
    return raw / ceiling


def _explained_variance(raw: float, ceiling: float) -> float:
    return (raw / ceiling) ** 2


def _none(raw: float, ceiling: float) -> float:
    return raw


#: Name → (ceiled value function, derivative with respect to raw, used to propagate the error).
CEILING_CONVENTIONS: dict[str, tuple[Callable[[float, float], float], Callable[[float, float], float]]] = {
    "ratio": (_ratio, lambda raw, ceiling: 1.0 / ceiling),
    "explained_variance": (_explained_variance, lambda raw, ceiling: 2.0 * abs(raw) / ceiling**2),
    "none": (_none, lambda raw, ceiling: 1.0),
}


def apply_ceiling(raw: float, ceiling: float, convention: str = "ratio") -> float:
    """The ceiled value of ``raw`` under a named convention (see module docstring)."""
    try:
        function, _ = CEILING_CONVENTIONS[convention]
    except KeyError:
        raise ValueError(f"Unknown ceiling convention {convention!r}; "
                         f"use one of {sorted(CEILING_CONVENTIONS)}.") from None
    return float(function(raw, ceiling))


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
        Standard error of ``value``, propagated from the split-wise error of ``raw``.
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

    def ceiled(self, ceiling: float | Score, convention: str = "ratio") -> Score:
        """This score divided by a noise ceiling under ``convention``.

        ``ceiling`` may be a float or a ceiling :class:`Score`, whose detail is kept under
        ``detail["ceiling_*"]``.
        """
        ceiling_detail = xr.Dataset()
        if isinstance(ceiling, Score):
            ceiling_detail = ceiling.detail.rename(
                {name: f"ceiling_{name}" for name in ceiling.detail.data_vars})
            ceiling = ceiling.value
        ceiling = float(ceiling)
        value = apply_ceiling(self.raw, ceiling, convention)
        _, derivative = CEILING_CONVENTIONS[convention]
        error = abs(derivative(self.raw, ceiling)) * self.raw_error
        detail = xr.merge([self.detail, ceiling_detail], compat="override",
                          combine_attrs="override") if ceiling_detail.data_vars else self.detail
        return replace(self, value=value, ceiling=ceiling, error=float(error),
                       convention=convention, detail=detail)

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
            attrs={"convention": self.convention, **_jsonable(dict(self.provenance))},
            name="score",
        )

    def to_dict(self, detail: bool = True) -> dict[str, Any]:
        """A JSON-ready dict (the on-disk and ``--json`` format)."""
        out: dict[str, Any] = {
            "value": _finite_or_none(self.value), "raw": _finite_or_none(self.raw),
            "ceiling": _finite_or_none(self.ceiling), "error": _finite_or_none(self.error),
            "raw_error": _finite_or_none(self.raw_error), "convention": self.convention,
            "provenance": _jsonable(dict(self.provenance)),
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
