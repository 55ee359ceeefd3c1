"""Writing the leaderboard site: pages, plots and downloads, each file atomically."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dynamic_vision.core import storage
from dynamic_vision.scale.export import to_bibtex, to_csv, to_json
from dynamic_vision.scale.leaderboard.aggregate import Board, build_board
from dynamic_vision.scale.leaderboard.pages import (
    benchmark_page,
    failures_page,
    index_page,
    model_page,
    slug,
)
from dynamic_vision.scale.leaderboard.plots import benchmark_plot, detail_plots

__all__ = ["Site", "build_leaderboard"]


@dataclass
class Site:
    """What :func:`build_leaderboard` wrote."""

    folder: Path
    board: Board
    pages: list[Path] = field(default_factory=list)
    images: list[Path] = field(default_factory=list)

    @property
    def index(self) -> Path:
        return self.folder / "index.html"

    @property
    def n_models(self) -> int:
        return len(self.board.models)

    @property
    def n_benchmarks(self) -> int:
        return len(self.board.benchmarks)


def _write(path: Path, text: str) -> Path:
    with storage.atomic_write(path, "w") as handle:
        handle.write(text)
    return path


def build_leaderboard(rows: Iterable[dict[str, Any]], folder: str | os.PathLike[str], *,
                      title: str = "dynamic_vision leaderboard", plots: bool = True) -> Site:
    """Write the leaderboard site of ``rows`` (as :meth:`ResultStore.rows` returns them).

    Parameters
    ----------
    rows
        Stored rows; the newest benchmark version and model revision are shown, every row is
        in the downloads.
    folder
        Output folder (created; existing pages are replaced).
    title
        Page title.
    plots
        Draw the PNG plots (score by layer / time bin, models per benchmark).

    Returns
    -------
    Site
    """
    from tqdm.auto import tqdm

    rows = list(rows)
    folder = Path(folder)
    board = build_board(rows)
    site = Site(folder, board)
    for sub in ("models", "benchmarks"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    site.pages.append(_write(site.index, index_page(board, title)))
    site.pages.append(_write(folder / "failures.html", failures_page(rows)))
    _write(folder / "results.csv", to_csv(rows))
    _write(folder / "results.json", to_json(rows))
    _write(folder / "results.bib", to_bibtex(board.benchmarks))

    for model in tqdm(board.models, desc="leaderboard models", disable=len(board.models) < 20):
        figures: dict[str, list[tuple[str, str]]] = {}
        for benchmark in board.benchmarks:
            row = board.cells.get((model, benchmark))
            if plots and row is not None:
                figures[benchmark] = detail_plots(row, folder / "models",
                                                  f"{slug(model)}--{slug(benchmark)}")
                site.images += [folder / "models" / name for _, name in figures[benchmark]]
        site.pages.append(_write(folder / "models" / f"{slug(model)}.html",
                                 model_page(board, model, figures)))
    for benchmark in board.benchmarks:
        image = None
        if plots:
            values = {m: (board.value(m, benchmark),
                          (board.cells.get((m, benchmark)) or {}).get("error"))
                      for m in board.models}
            path = benchmark_plot(values, benchmark, folder / "benchmarks" /
                                  f"{slug(benchmark)}.png")
            if path is not None:
                site.images.append(path)
                image = path.name
        site.pages.append(_write(folder / "benchmarks" / f"{slug(benchmark)}.html",
                                 benchmark_page(board, benchmark, image,
                                                to_bibtex([benchmark]))))
    return site
