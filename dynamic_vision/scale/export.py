"""Results out of the store: CSV and JSON tables, and the BibTeX of the benchmarks' data."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from dynamic_vision.core.registry import benchmark_registry

__all__ = ["EXPORT_FORMATS", "TABLE_COLUMNS", "to_csv", "to_json", "to_bibtex", "export"]

EXPORT_FORMATS = ("csv", "json", "bibtex")
#: The columns of a CSV export, in order (``detail`` only in JSON).
TABLE_COLUMNS = ("model", "model_revision", "benchmark", "benchmark_version", "status", "value",
                 "error", "raw", "raw_error", "ceiling", "convention", "failure_kind",
                 "attempts", "duration_s", "finished_at")


def to_csv(rows: Iterable[dict[str, Any]]) -> str:
    """One line per row; failed and unfinished rows keep empty value cells (never 0)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=TABLE_COLUMNS, extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in TABLE_COLUMNS})
    return buffer.getvalue()


def to_json(rows: Iterable[dict[str, Any]], detail: bool = True) -> str:
    """Every field of every row (``detail`` optional), as a JSON list."""
    keep = [row if detail else {k: v for k, v in row.items() if k != "detail"} for row in rows]
    return json.dumps(keep, indent=1, sort_keys=True, default=str)


def _data_bibtex(identifier: str) -> str:
    from dynamic_vision.io.datasets import get_spec

    try:
        return get_spec(identifier).bibtex or ""
    except (LookupError, KeyError):  # not a declarative data plugin
        return ""


def bibtex_of(benchmark: str) -> str:
    """The BibTeX of a benchmark's data, or "".

    Looked up, in order, in the benchmark's registry metadata (``bibtex``), its class's
    ``bibtex`` attribute, and the data plugins its metadata names (``dataset``,
    ``stimulus_set``); nothing is loaded.
    """
    if benchmark not in benchmark_registry:
        return ""
    entry = benchmark_registry.entry(benchmark)
    text = entry.metadata.get("bibtex")
    if not text:
        try:
            target = entry.resolve()
        except Exception:  # a plugin that cannot be imported here: try its data plugins
            target = None
        text = getattr(target, "bibtex", "") if isinstance(target, type) else ""
    for key in ("dataset", "stimulus_set"):
        if not text and entry.metadata.get(key):
            text = _data_bibtex(str(entry.metadata[key]))
    return str(text or "").strip()


def to_bibtex(benchmarks: Sequence[str]) -> str:
    """The distinct BibTeX entries of ``benchmarks``, each once."""
    seen: list[str] = []
    for benchmark in sorted(set(benchmarks)):
        text = bibtex_of(benchmark)
        if text and text not in seen:
            seen.append(text)
    return "\n\n".join(seen) + ("\n" if seen else "")


def export(rows: list[dict[str, Any]], format: str) -> str:
    """``rows`` in one of :data:`EXPORT_FORMATS`."""
    if format == "csv":
        return to_csv(rows)
    if format == "json":
        return to_json(rows)
    if format == "bibtex":
        return to_bibtex([row["benchmark"] for row in rows])
    raise ValueError(f"Unknown export format {format!r}; use one of {EXPORT_FORMATS}.")
