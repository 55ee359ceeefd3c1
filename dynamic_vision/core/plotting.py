"""Score plots: per model, per layer and per time bin.

:func:`plot_score_detail` draws one score's detail against one dimension (``Score.plot`` calls
it); :func:`save_standard_plots` writes the three standard figures of a scoring run as PNGs.

A detail variable is found by name: ``variable`` itself when it has the requested dimension,
else ``<by>_<variable>`` (benchmarks keep per-layer values as ``layer_raw`` beside the headline
``raw`` per time bin). Other dimensions are averaged. Errors, when the detail holds
``<name>_error`` with the same dimensions, are drawn as bars or bands.
"""

from __future__ import annotations

import io
import logging
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.core import storage

__all__ = ["plot_score_detail", "save_standard_plots", "detail_along"]

logger = logging.getLogger(__name__)

_AXIS_LABELS = {
    "time_bin": "time from stimulus onset (ms)",
    "layer": "layer (network order)",
    "neuroid": "neuroid",
    "split": "cross-validation split",
}


def detail_along(score: Any, by: str, variable: str = "raw") -> xr.DataArray:
    """The detail variable of ``score`` as a 1-d DataArray along ``by`` (others averaged).

    Raises
    ------
    ValueError
        When the score holds no such detail; the message lists what it holds.
    """
    detail: xr.Dataset = score.detail
    for name in (variable, f"{by}_{variable}"):
        if name in detail.data_vars and by in detail[name].dims:
            values = detail[name]
            others = [d for d in values.dims if d != by]
            return values.mean(dim=others, skipna=True) if others else values
    held = ", ".join(f"{name}{tuple(var.dims)}" for name, var in detail.data_vars.items())
    raise ValueError(f"This score has no '{variable}' detail along '{by}'. It holds: "
                     f"{held or 'no detail'}.")


def _error_along(score: Any, by: str, variable: str) -> np.ndarray | None:
    for name in (f"{variable}_error", f"{by}_{variable}_error"):
        if name in score.detail.data_vars and score.detail[name].dims == (by,):
            return score.detail[name].values
    return None


def _positions(values: xr.DataArray, by: str) -> tuple[np.ndarray, list[str] | None]:
    """x positions and, for categorical dimensions, tick labels."""
    if by == "time_bin" and "time_bin_start" in values.coords:
        return (values["time_bin_start"].values + values["time_bin_end"].values) / 2.0, None
    if by in values.coords and np.issubdtype(values[by].dtype, np.number):
        return values[by].values.astype(float), None
    labels = [str(v) for v in values[by].values] if by in values.coords else None
    return np.arange(values.sizes[by], dtype=float), labels


def _title(score: Any) -> str:
    model = score.provenance.get("model")
    benchmark = score.provenance.get("benchmark")
    return f"{model} on {benchmark}" if model and benchmark else ""


def plot_score_detail(score: Any, by: str = "time_bin", ax: Any = None,
                      variable: str = "raw") -> Any:
    """Plot one score's detail against a dimension.

    Parameters
    ----------
    score
        A :class:`~dynamic_vision.core.scores.Score` with detail along ``by``.
    by
        The dimension on the x axis: ``"time_bin"``, ``"layer"``, ``"neuroid"``, ...
    ax
        Matplotlib Axes to draw into; a new figure when None.
    variable
        Detail variable (``"raw"``, ``"ceiled"``, ``"ceiling"``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    values = detail_along(score, by, variable)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5, 3.5))
    x, labels = _positions(values, by)
    y = values.values.astype(float)
    error = _error_along(score, by, variable)
    ax.plot(x, y, marker="o")
    if error is not None:
        ax.fill_between(x, y - error, y + error, alpha=0.25)
    if labels is not None:
        ax.set_xticks(x)
        ax.set_xticklabels(labels, rotation=45, ha="right")
    ax.set_xlabel(_AXIS_LABELS.get(by, by))
    ax.set_ylabel(f"{variable} score")
    ax.set_title(_title(score))
    ax.axhline(0.0, color="0.6", linewidth=0.8)
    return ax


def _new_figure(n_panels: int, width: float = 5.0, height: float = 3.8) -> tuple[Any, list[Any]]:
    from matplotlib.figure import Figure

    columns = min(n_panels, 3)
    rows = math.ceil(n_panels / columns)
    figure = Figure(figsize=(width * columns, height * rows), layout="constrained")
    axes = [figure.add_subplot(rows, columns, i + 1) for i in range(n_panels)]
    return figure, axes


def _save(figure: Any, path: Path) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    with storage.atomic_write(path, "wb") as handle:
        handle.write(buffer.getvalue())
    return path


def _plot_by_model(scores: Mapping[tuple[str, str], Any], path: Path) -> Path:
    models = list(dict.fromkeys(m for m, _ in scores))
    benchmarks = list(dict.fromkeys(b for _, b in scores))
    figure, (ax,) = _new_figure(1, width=max(6.0, 1.6 * len(benchmarks) * max(1, len(models)) / 2))
    width = 0.8 / len(models)
    for index, model in enumerate(models):
        values = [scores[(model, b)].value if (model, b) in scores else np.nan for b in benchmarks]
        below, above = zip(*[_bar_interval(scores.get((model, b))) for b in benchmarks])
        x = np.arange(len(benchmarks)) + (index - (len(models) - 1) / 2) * width
        ax.bar(x, values, width=width, yerr=[below, above], capsize=3, label=model)
    ax.set_xticks(np.arange(len(benchmarks)))
    ax.set_xticklabels([_benchmark_label(b, scores) for b in benchmarks], rotation=20, ha="right")
    ax.set_xlabel("benchmark (ceiling convention)")
    ax.set_ylabel("score: ceiled (truth = 1); tasks: accuracy, not ceiled")
    ax.set_title("Score per model (bars: 95 % bootstrap interval, else ± error)")
    ax.axhline(0.0, color="0.6", linewidth=0.8)
    if any(score.convention != "none" for score in scores.values()):
        ax.axhline(1.0, color="0.3", linewidth=0.8, linestyle="--")
    ax.legend(title="model", fontsize="small")
    return _save(figure, path)


def _bar_interval(score: Any) -> tuple[float, float]:
    """Distances below and above a bar: the ceiled 95 % interval when the score has one,
    else its error."""
    if score is None:
        return 0.0, 0.0
    if "ceiled_ci" in score.detail and score.detail["ceiled_ci"].dims == ("bound",):
        low, high = (float(v) for v in score.detail["ceiled_ci"].values)
        if np.isfinite(low) and np.isfinite(high):
            return max(score.value - low, 0.0), max(high - score.value, 0.0)
    error = score.error if np.isfinite(score.error) else 0.0
    return error, error


def _benchmark_label(benchmark: str, scores: Mapping[tuple[str, str], Any]) -> str:
    conventions = {s.convention for (_, b), s in scores.items() if b == benchmark}
    shown = {"disattenuated": "raw/√c", "explained_variance": "raw²/c", "none": "not ceiled",
             "ratio": "raw/c", "disattenuated_per_split": "raw/√c per split"}
    return f"{benchmark} ({', '.join(shown.get(c, c) for c in sorted(conventions))})"


def _plot_lines(scores: Mapping[tuple[str, str], Any], by: str, variable: str,
                ylabel: str, title: str, path: Path) -> Path | None:
    panels: dict[str, list[tuple[str, xr.DataArray]]] = {}
    for (model, benchmark), result in scores.items():
        try:
            values = detail_along(result, by, variable)
        except ValueError:
            continue
        panels.setdefault(benchmark, []).append((model, values))
    if not panels:
        logger.info("No score has '%s' detail along '%s'; %s not written.", variable, by, path)
        return None
    figure, axes = _new_figure(len(panels))
    for ax, (benchmark, lines) in zip(axes, panels.items()):
        shared_labels = None
        for model, values in lines:
            x, labels = _positions(values, by)
            if labels is not None and len(lines) > 1:
                # Models have different layers: compare them by relative depth.
                x = x / max(len(x) - 1, 1)
            elif labels is not None:
                shared_labels = labels
            ax.plot(x, values.values, marker="o", label=model)
        if shared_labels is not None:
            ax.set_xticks(np.arange(len(shared_labels)))
            ax.set_xticklabels(shared_labels, rotation=45, ha="right", fontsize="small")
            ax.set_xlabel(_AXIS_LABELS.get(by, by))
        elif by == "layer":
            ax.set_xlabel("relative layer depth (0 = first recorded layer, 1 = last)")
        else:
            ax.set_xlabel(_AXIS_LABELS.get(by, by))
        ax.set_ylabel(ylabel)
        ax.set_title(benchmark)
        ax.axhline(0.0, color="0.6", linewidth=0.8)
        ax.legend(title="model", fontsize="small")
    figure.suptitle(title)
    return _save(figure, path)


def save_standard_plots(scores: Mapping[tuple[str, str], Any],
                        folder: str | os.PathLike[str]) -> list[Path]:
    """Write the standard figures of a scoring run into ``folder``.

    - ``scores_by_model.png``: the ceiled score of every model on every benchmark (task
      accuracies are not ceiled; each benchmark's convention is in its label), with the 95 %
      bootstrap interval where the score has one, else its error; a dashed line marks 1,
      where the noise-free truth scores;
    - ``scores_by_layer.png``: held-out raw score of each recorded layer, per benchmark
      (models that were scored layer by layer);
    - ``scores_by_time_bin.png``: the ceiled score of each time bin, per benchmark.

    A figure for which no score has the detail is not written.

    Parameters
    ----------
    scores
        ``{(model_identifier, benchmark_identifier): Score}``.
    folder
        Output folder (created if needed).

    Returns
    -------
    list of Path
        The files written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if not scores:
        return []
    written = [_plot_by_model(scores, folder / "scores_by_model.png")]
    by_layer = _plot_lines(scores, "layer", "raw", "raw score (held-out stimuli)",
                           "Score per layer", folder / "scores_by_layer.png")
    by_time = _plot_lines(scores, "time_bin", "ceiled", "score (ceiled; truth = 1)",
                          "Score per time bin", folder / "scores_by_time_bin.png")
    written += [p for p in (by_layer, by_time) if p is not None]
    return written
