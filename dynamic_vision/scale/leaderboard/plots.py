"""PNG figures of the leaderboard: a score's detail by layer and by time bin, and a benchmark's
models side by side. Figures are built without pyplot, so no display or global state is used."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from dynamic_vision.core import storage

__all__ = ["DETAIL_DIMENSIONS", "detail_plots", "benchmark_plot"]

#: Dimensions of a score's detail that get their own plot, with their titles.
DETAIL_DIMENSIONS = {"layer": "score by layer", "time_bin": "score by time bin"}


def _save(figure: Any, path: Path) -> Path:
    figure.tight_layout()
    with storage.atomic_write(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=80)
    return path


def detail_plots(row: dict[str, Any], folder: Path, stem: str) -> list[tuple[str, str]]:
    """Plot a finished row's detail along each of :data:`DETAIL_DIMENSIONS` it has, one panel
    per dimension in one PNG (one figure per row keeps large sites quick to build).

    Returns ``(caption, file name)`` of the PNG written into ``folder``, or nothing.
    """
    if row.get("status") != "done" or not row.get("detail"):
        return []
    from matplotlib.figure import Figure

    from dynamic_vision.core.plotting import plot_score_detail
    from dynamic_vision.core.scores import Score

    score = Score.from_dict({k: row.get(k) for k in ("value", "raw", "ceiling", "error",
                                                      "raw_error", "convention", "detail")}
                            | {"provenance": {"model": row["model"],
                                              "benchmark": row["benchmark"]}})
    if "raw" not in score.detail.data_vars:
        return []
    dimensions = [d for d in DETAIL_DIMENSIONS if d in score.detail["raw"].dims]
    if not dimensions:
        return []
    figure = Figure(figsize=(4.6 * len(dimensions), 3.3))
    axes = figure.subplots(1, len(dimensions), squeeze=False)[0]
    for ax, dimension in zip(axes, dimensions):
        plot_score_detail(score, by=dimension, ax=ax, variable="raw")
        ax.set_title(DETAIL_DIMENSIONS[dimension], fontsize=10)
    name = f"{stem}-detail.png"
    _save(figure, folder / name)
    return [(" and ".join(DETAIL_DIMENSIONS[d] for d in dimensions), name)]


def benchmark_plot(values: dict[str, tuple[float | None, float | None]], title: str,
                   path: Path) -> Path | None:
    """A horizontal bar per model (ceiled value ± error); models without a value are left out."""
    shown = sorted(((m, v, e) for m, (v, e) in values.items() if v is not None),
                   key=lambda item: item[1])
    if not shown:
        return None
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 0.9 + 0.32 * len(shown)))
    ax = figure.subplots()
    errors = [e if e is not None and math.isfinite(e) else 0.0 for _, _, e in shown]
    ax.barh([m for m, _, _ in shown], [v for _, v, _ in shown], xerr=errors, color="#3b6ea8")
    ax.axvline(0.0, color="0.5", linewidth=0.8)
    ax.axvline(1.0, color="0.3", linewidth=0.8, linestyle="--")  # where the noise-free truth scores
    ax.set_xlabel("ceiled score (truth = 1; tasks: accuracy, not ceiled)")
    ax.set_title(title, fontsize=10)
    return _save(figure, path)
