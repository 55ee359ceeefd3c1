"""HTML of the leaderboard pages: the sortable table, a page per model and per benchmark, and
the failures page. Every page is self-contained (inline CSS and JS)."""

from __future__ import annotations

import html
import math
import re
from typing import Any

from dynamic_vision.core import storage
from dynamic_vision.scale.leaderboard.aggregate import COLUMN_TITLES, Board, Cell
from dynamic_vision.scale.leaderboard.assets import SCRIPT, STYLE

__all__ = ["slug", "page", "index_page", "model_page", "benchmark_page", "failures_page"]

_MODES = {"flat": "flat", "brain-score": "brainScore"}  # aggregation → JS dataset key


def slug(identifier: str) -> str:
    """A file-name-safe, collision-free name for an identifier."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", identifier)[:80]
    return f"{safe}-{storage.stable_hash(identifier, length=6)}"


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _number(value: float | None, digits: int = 3) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _shade(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return ""
    level = max(0.0, min(1.0, value))
    return f' style="background: hsl(210, 60%, {97 - 22 * level:.0f}%)"'


def page(title: str, body: str, root: str = "", script: bool = False) -> str:
    """A complete HTML document; ``root`` is the relative path to the site's top folder."""
    nav = (f'<nav><a href="{root}index.html">Leaderboard</a>'
           f'<a href="{root}failures.html">Failures</a>'
           f'<a href="{root}results.csv">results.csv</a><a href="{root}results.json">'
           f'results.json</a><a href="{root}results.bib">results.bib</a></nav>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(title)}</title><style>{STYLE}</style></head>"
            f"<body><h1>{_e(title)}</h1>{nav}{body}"
            + (f"<script>{SCRIPT}</script>" if script else "") + "</body></html>\n")


def _aggregate_cell(cells: dict[str, Cell]) -> str:
    attributes = []
    for mode, key in _MODES.items():
        cell = cells[mode]
        data_key = re.sub(r"([A-Z])", lambda m: "-" + m.group(1).lower(), key)
        if cell.value is not None:
            attributes.append(f'data-{data_key}="{cell.value!r}"')
        attributes.append(f'data-{data_key}-text="{_number(cell.value)}"')
    shown = cells["flat"]
    partial = " partial" if shown.present < shown.total else ""
    sort = "" if shown.value is None else repr(shown.value)
    return (f'<td class="aggregate{partial}" data-sort="{sort}" '
            f'{" ".join(attributes)} title="{shown.present} of {shown.total} benchmarks">'
            f'<span class="v">{_number(shown.value)}</span>'
            f'<small class="coverage">{shown.coverage}</small></td>')


def _benchmark_cell(board: Board, model: str, benchmark: str) -> str:
    row = board.cells.get((model, benchmark))
    classes = "benchmark-column"
    if row is None:
        return f'<td class="{classes} missing" data-sort="" title="not run">—</td>'
    if row["status"] == "failed":
        return (f'<td class="{classes} failed" data-sort="" title="failed: '
                f'{_e(row.get("failure_kind"))}">failed</td>')
    if row["status"] != "done":
        return f'<td class="{classes} missing" data-sort="" title="{_e(row["status"])}">…</td>'
    error = row.get("error")
    title = f"± {error:.3f}" if error is not None and math.isfinite(error) else ""
    above = _above_ceiling(row)
    if above:
        title += " (above the ceiling by more than its error)"
    return (f'<td class="{classes}" data-sort="{row["value"]!r}" title="{title}"'
            f'{_shade(row["value"])}>{_number(row["value"])}{" &uarr;" if above else ""}</td>')


def _above_ceiling(row: dict[str, Any]) -> bool:
    """The flag a Score computes (:attr:`Score.flags`), from the stored numbers."""
    value, error = row.get("value"), row.get("error")
    if row.get("convention") in (None, "none") or value is None or not math.isfinite(value):
        return False
    margin = error if error is not None and math.isfinite(error) else 0.0
    return value > 1.0 + margin


def index_page(board: Board, title: str) -> str:
    """The leaderboard table."""
    head = ['<th class="sortable" data-column="model">model</th>']
    head += [f'<th class="sortable aggregate" data-column="{_e(c)}">'
             f'{_e(COLUMN_TITLES.get(c, c))}</th>' for c in board.columns]
    head += [f'<th class="sortable benchmark-column" data-column="{_e(b)}">'
             f'<a href="benchmarks/{slug(b)}.html">{_e(b)}</a></th>' for b in board.benchmarks]
    body = []
    for model in board.models:
        cells = [f'<td data-sort="{_e(model)}"><a href="models/{slug(model)}.html">'
                 f'{_e(model)}</a></td>']
        cells += [_aggregate_cell({mode: board.aggregates[mode][model][c] for mode in _MODES})
                  for c in board.columns]
        cells += [_benchmark_cell(board, model, b) for b in board.benchmarks]
        body.append(f'<tr data-model="{_e(model)}">{"".join(cells)}</tr>')
    controls = (
        '<div class="controls"><input type="search" id="filter" placeholder="Filter models…">'
        '<label>Aggregation <select id="aggregation"><option value="flat">mean of benchmarks'
        '</option><option value="brainScore">Brain-Score (benchmarks → regions → groups)'
        '</option></select></label><label><input type="checkbox" id="show-benchmarks" '
        'checked> benchmark columns</label></div>')
    note = ('<p class="note">Aggregates average the benchmarks that finished; the small '
            'number is the coverage (finished / all). Missing and failed cells are never '
            'counted as 0. The average covers ceiled scores only (neural and behavioural, '
            'raw / &radic;ceiling unless a benchmark states otherwise); task accuracies have '
            'no ceiling and are shown in their own column, never averaged with them. A score '
            'above 1 by more than its error is marked &uarr;. Click a column to sort; missing '
            'values stay at the bottom.</p>')
    table = (f'<table id="leaderboard"><thead><tr>{"".join(head)}</tr></thead>'
             f'<tbody>{"".join(body)}</tbody></table>')
    return page(title, controls + note + table, script=True)


def _rows_table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def model_page(board: Board, model: str, plots: dict[str, list[tuple[str, str]]]) -> str:
    """One model: its aggregates, each benchmark's numbers, and plots of the detail."""
    aggregates = [[_e(COLUMN_TITLES.get(c, c)), _number(board.aggregates["flat"][model][c].value),
                   _number(board.aggregates["brain-score"][model][c].value),
                   board.aggregates["flat"][model][c].coverage] for c in board.columns]
    rows, figures = [], []
    for benchmark in board.benchmarks:
        row = board.cells.get((model, benchmark))
        link = f'<a href="../benchmarks/{slug(benchmark)}.html">{_e(benchmark)}</a>'
        if row is None:
            rows.append([link, "not run", "", "", "", "", ""])
            continue
        rows.append([link, _e(row["status"]) + (f" ({_e(row['failure_kind'])})"
                                                if row["status"] == "failed" else ""),
                     _number(row.get("value")), _number(row.get("error")),
                     _number(row.get("raw")), _number(row.get("ceiling")),
                     _e(row.get("attempts"))])
        for caption, name in plots.get(benchmark, []):
            figures.append(f'<figure><img src="{_e(name)}" alt="{_e(benchmark)}: '
                           f'{_e(caption)}"><figcaption>{_e(benchmark)}: {_e(caption)}'
                           f'</figcaption></figure>')
    revision = next((r["model_revision"] for (m, _), r in board.cells.items() if m == model), "")
    body = (f'<p class="note">Revision {_e(revision)}.</p><h2>Aggregates</h2>'
            + _rows_table(["column", "mean of benchmarks", "Brain-Score", "coverage"],
                          aggregates)
            + "<h2>Benchmarks</h2>"
            + _rows_table(["benchmark", "status", "score", "error", "raw", "ceiling",
                           "attempts"], rows)
            + ("<h2>Detail</h2>" + "".join(figures) if figures else ""))
    return page(model, body, root="../")


def benchmark_page(board: Board, benchmark: str, plot: str | None, bibtex: str) -> str:
    """One benchmark: every model's score, a bar plot, where it sits, how to cite it."""
    info = board.info[benchmark]
    ranked = sorted(board.models, key=lambda m: (board.value(m, benchmark) is None,
                                                 -(board.value(m, benchmark) or 0.0)))
    rows = []
    for model in ranked:
        row = board.cells.get((model, benchmark))
        link = f'<a href="../models/{slug(model)}.html">{_e(model)}</a>'
        if row is None:
            rows.append([link, "not run", "", "", "", ""])
        else:
            rows.append([link, _e(row["status"]), _number(row.get("value")),
                         _number(row.get("error")), _number(row.get("raw")),
                         _number(row.get("ceiling"))])
    version = next((r["benchmark_version"] for (_, b), r in board.cells.items()
                    if b == benchmark), "")
    convention = next((r.get("convention") for (_, b), r in board.cells.items()
                       if b == benchmark and r.get("convention")), None)
    body = (f'<p class="note">Group {_e(info.group)}, region {_e(info.region)}, version '
            f'{_e(version)}, ceiling convention {_e(convention or "?")}'
            f'{"" if info.ceiled else " (not ceiled: never averaged with ceiled scores)"}.</p>'
            + (f'<figure><img src="{_e(plot)}" alt="scores on {_e(benchmark)}"></figure>'
               if plot else "")
            + _rows_table(["model", "status", "score", "error", "raw", "ceiling"], rows)
            + (f"<h2>Cite</h2><pre>{_e(bibtex)}</pre>" if bibtex else ""))
    return page(benchmark, body, root="../")


def failures_page(rows: list[dict[str, Any]]) -> str:
    """Every failed row: what failed, how, how often it was tried, and the message."""
    failed = [r for r in rows if r["status"] == "failed"]
    table_rows = [[f'<a href="models/{slug(r["model"])}.html">{_e(r["model"])}</a>',
                   f'<a href="benchmarks/{slug(r["benchmark"])}.html">{_e(r["benchmark"])}</a>',
                   _e(r.get("failure_kind")), _e(r.get("attempts")),
                   f"<pre>{_e((r.get('failure_message') or '').strip()[:2000])}</pre>"]
                  for r in failed]
    body = (f'<p class="note">{len(failed)} failed rows.</p>'
            + _rows_table(["model", "benchmark", "kind", "attempts", "message"], table_rows))
    return page("Failures", body)
