"""``dynamic-vision score``: score models on benchmarks and print a table."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

from dynamic_vision.core import storage


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "score", help="score models on benchmarks",
        description="Score every model on every benchmark and print a table.")
    parser.add_argument("--model", "--models", dest="models", required=True,
                        help="comma-separated model identifiers (wildcards allowed)")
    parser.add_argument("--benchmark", "--benchmarks", dest="benchmarks", required=True,
                        help="comma-separated benchmark identifiers (wildcards allowed)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--output", type=Path, help="write JSON results (and plots) to this folder")
    parser.add_argument("--no-cache", action="store_true", help="recompute, do not read the cache")
    parser.add_argument("--model-option", dest="model_options", action="append", default=[],
                        metavar="MODEL:KEY=VALUE",
                        help="a keyword for loading one model, e.g. "
                             "'resnet18-random:input_size=64' (repeatable; values are JSON or "
                             "text)")
    parser.set_defaults(func=run_score)


def parse_model_options(entries: list[str], models: list[str]) -> dict[str, dict[str, object]]:
    """``["resnet18-random:input_size=64", ...]`` → ``{"resnet18-random": {"input_size": 64}}``."""
    options: dict[str, dict[str, object]] = {}
    for entry in entries:
        # The key follows the last ':' before '=', so MODEL may hold ':' (path:name references).
        head, equals, text = entry.partition("=")
        model, colon, key = head.rpartition(":")
        if not (colon and equals and key.strip() and model):
            raise ValueError(f"--model-option '{entry}' must look like MODEL:KEY=VALUE, e.g. "
                             f"'resnet18-random:input_size=64'.")
        if model not in models:
            raise ValueError(f"--model-option '{entry}' names model '{model}', which is not in "
                             f"--models ({', '.join(models)}).")
        try:
            value: object = json.loads(text)
        except json.JSONDecodeError:
            value = text
        options.setdefault(model, {})[key.strip()] = value
    return options


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def expand(patterns: list[str], kind: str) -> list[str]:
    """Expand wildcards against the ``kind`` registry; plain names are checked and kept."""
    from dynamic_vision.core.registry import REGISTRIES

    return REGISTRIES[kind].expand(patterns)


def expand_benchmarks(patterns: list[str]) -> list[str]:
    """Expand wildcards against the benchmark registry; plain names pass through unchanged."""
    return expand(patterns, "benchmark")


def format_table(results: dict[str, dict[str, dict]]) -> str:
    """A plain-text table: one row per model, one column per benchmark."""
    benchmarks = sorted({b for per_model in results.values() for b in per_model})
    header = ["model", *benchmarks]
    rows = [header]
    for model, per_model in results.items():
        row = [model]
        for benchmark in benchmarks:
            entry = per_model.get(benchmark)
            if entry is None or entry.get("value") is None:
                row.append("—" if entry is None else "failed")
            else:
                err = entry.get("error")
                row.append(f"{entry['value']:.3f}" + (f" ±{err:.3f}" if err is not None
                                                      and math.isfinite(err) else ""))
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def run_score(args: argparse.Namespace) -> int:
    from dynamic_vision.cli import one_line
    from dynamic_vision.cli.colors import paint
    from dynamic_vision.scoring import reusing_models, score

    models = expand(_split(args.models), "model")
    benchmarks = expand_benchmarks(_split(args.benchmarks))
    options = parse_model_options(args.model_options, models)
    results: dict[str, dict[str, dict]] = {}
    scores = {}
    failures: dict[tuple[str, str], str] = {}
    total, done = len(models) * len(benchmarks), 0
    with reusing_models():  # each model built once, for its benchmarks in a row
        for model in models:
            results[model] = {}
            for benchmark in benchmarks:
                start = time.perf_counter()
                done += 1
                try:
                    result = score(model, benchmark, cache=not args.no_cache,
                                   model_options=options.get(model))
                except Exception as error:  # one failing cell must not lose the others
                    if getattr(args, "debug", False):
                        raise
                    failures[(model, benchmark)] = one_line(error)
                    results[model][benchmark] = {"value": None,
                                                 "failure": failures[(model, benchmark)]}
                    print(f"[{done}/{total}] {model} on {benchmark}: "
                          f"{paint('failed', 'red')}: {failures[(model, benchmark)]}",
                          file=sys.stderr, flush=True)
                    continue
                print(f"[{done}/{total}] {model} on {benchmark}: {result.value:.3f} "
                      f"({time.perf_counter() - start:.1f} s)", file=sys.stderr, flush=True)
                scores[(model, benchmark)] = result
                results[model][benchmark] = result.to_dict(detail=False)
    if args.output is not None:
        write_outputs(args.output, scores, failures)
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        print(format_table(results))
        if args.output is not None:
            print(f"\nResults written to {args.output}")
    if failures:
        print(paint(f"{len(failures)} of {total} scores failed; the others are above"
                    + (f" and in {args.output}" if args.output is not None else "")
                    + ". Rerun with --debug to see where a failure came from.", "red"),
              file=sys.stderr)
        return 1
    return 0


def write_outputs(folder: Path, scores: dict, failures: dict | None = None) -> None:
    """Write one JSON file per score plus a summary (failed cells included, with their
    reason), and the standard plots."""
    folder.mkdir(parents=True, exist_ok=True)
    summary = []
    for (model, benchmark), result in scores.items():
        name = f"{storage.safe_name(model)}__{storage.safe_name(benchmark)}.json"
        storage.atomic_write_json(folder / name, result.to_dict())
        summary.append({"model": model, "benchmark": benchmark, **result.to_dict(detail=False)})
    for (model, benchmark), reason in (failures or {}).items():
        summary.append({"model": model, "benchmark": benchmark, "value": None,
                        "failure": reason})
    storage.atomic_write_json(folder / "results.json", summary)
    from dynamic_vision.core.plotting import save_standard_plots

    save_standard_plots(scores, folder)
