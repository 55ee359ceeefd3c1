"""``dynamic-vision run | status | ingest | leaderboard | export``: grids at scale."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _store_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", metavar="URL",
                        help="SQLAlchemy URL of the results database (default: SQLite under "
                             "DYNAMIC_VISION_HOME; e.g. postgresql+psycopg://user@host/db)")
    parser.add_argument("--spool", metavar="DIR", type=Path,
                        help="folder where workers drop per-row results (shared by all workers)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from dynamic_vision.scale.executors import EXECUTOR_NAMES
    from dynamic_vision.scale.export import EXPORT_FORMATS

    run = subparsers.add_parser(
        "run", help="score a grid of models × benchmarks into a results database",
        description="Score every model on every benchmark on a distributed engine. Finished "
                    "rows are never recomputed; rerun the same command to resume.")
    run.add_argument("--models", "--model", dest="models", required=True,
                     help="comma-separated model identifiers (wildcards allowed)")
    run.add_argument("--benchmarks", "--benchmark", dest="benchmarks", required=True,
                     help="comma-separated benchmark identifiers (wildcards allowed)")
    run.add_argument("--model-option", dest="model_options", action="append", default=[],
                     metavar="MODEL:KEY=VALUE",
                     help="a keyword for building one model, as in `score` (repeatable; the "
                          "options are part of the rows' model revision)")
    run.add_argument("--executor", choices=EXECUTOR_NAMES, default="local",
                     help="where jobs run (default: in this process)")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="dask scheduler address; without it a LocalCluster is started")
    run.add_argument("--workers", type=int, help="pool processes / local dask workers")
    run.add_argument("--gpus", type=int, default=0, help="GPUs per job (dask, submitit)")
    run.add_argument("--time-limit", type=float, default=6 * 3600.0, metavar="SECONDS",
                     help="wall-clock limit of one job (default: 6 h)")
    run.add_argument("--max-in-flight", type=int, help="jobs submitted at once")
    run.add_argument("--submitit-folder", type=Path, help="submitit's log folder")
    run.add_argument("--import", dest="imports", action="append", default=[],
                     metavar="MODULE[:FUNCTION]",
                     help="set-up each worker runs first (plugins registered in code)")
    run.add_argument("--dry-run", action="store_true", help="show the jobs, run nothing")
    run.add_argument("--retry-failed", action="store_true", help="run failed rows again")
    _store_arguments(run)
    run.set_defaults(func=run_grid)

    status = subparsers.add_parser("status", help="rows of the results database per status")
    status.add_argument("--models", help="only these models (comma-separated)")
    status.add_argument("--benchmarks", help="only these benchmarks (comma-separated)")
    _store_arguments(status)
    status.set_defaults(func=run_status)

    ingest = subparsers.add_parser(
        "ingest", help="adopt results workers left behind (after a coordinator died)")
    _store_arguments(ingest)
    ingest.set_defaults(func=run_ingest)

    leaderboard = subparsers.add_parser(
        "leaderboard", help="write a static leaderboard site from the results database")
    leaderboard.add_argument("--out", type=Path, required=True, help="site folder")
    leaderboard.add_argument("--title", default="dynamic_vision leaderboard")
    leaderboard.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    _store_arguments(leaderboard)
    leaderboard.set_defaults(func=run_leaderboard)

    export = subparsers.add_parser("export", help="results as CSV, JSON or BibTeX")
    export.add_argument("--format", choices=EXPORT_FORMATS, default="csv")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    export.add_argument("--models", help="only these models (comma-separated)")
    export.add_argument("--benchmarks", help="only these benchmarks (comma-separated)")
    _store_arguments(export)
    export.set_defaults(func=run_export)


def _store(args: argparse.Namespace, read_only: bool = False) -> Any:
    from dynamic_vision.scale.store import ResultStore

    return ResultStore(args.store, spool=args.spool, read_only=read_only)


def _filters(args: argparse.Namespace) -> dict[str, list[str] | None]:
    return {"models": _split(args.models) if getattr(args, "models", None) else None,
            "benchmarks": _split(args.benchmarks) if getattr(args, "benchmarks", None) else None}


def run_grid(args: argparse.Namespace) -> int:
    from dynamic_vision.core.registry import benchmark_registry, model_registry
    from dynamic_vision.scale import score_many
    from dynamic_vision.scale.executors import make_executor
    from dynamic_vision.scale.worker import run_setup

    for name in args.imports:
        run_setup(name)
    # typos fail here, before a cluster is started for nothing
    from dynamic_vision.cli.scoring import parse_model_options

    models = model_registry.expand(_split(args.models))
    benchmarks = benchmark_registry.expand(_split(args.benchmarks))
    options = parse_model_options(args.model_options, models)
    executor = make_executor(args.executor, max_workers=args.workers, scheduler=args.scheduler,
                             folder=args.submitit_folder, gpus=args.gpus)
    with _store(args) as store:
        try:
            report = score_many(models, benchmarks, executor=executor,
                                store=store, retry_failed=args.retry_failed,
                                dry_run=args.dry_run, time_limit_s=args.time_limit,
                                max_in_flight=args.max_in_flight, imports=args.imports,
                                model_options=options,
                                progress=not args.json and sys.stderr.isatty())
        finally:
            executor.shutdown()
    summary = report.summary()
    if args.json:
        summary["jobs"] = [{"model": j.model, "stimulus_group": j.stimulus_group,
                            "benchmarks": [b for b, _ in j.benchmarks]} for j in report.jobs]
        print(json.dumps(summary, indent=1))
        return 0
    print(f"{summary['rows']} rows: {summary['skipped']} already stored, "
          f"{len(report.jobs)} jobs {'planned' if args.dry_run else 'run'}.")
    for job in report.jobs if args.dry_run else []:
        print(f"  {job.model} × {', '.join(b for b, _ in job.benchmarks)}  "
              f"[{job.stimulus_group}]")
    if not args.dry_run:
        print(", ".join(f"{n} {status}" for status, n in sorted(summary["status"].items())))
        print(report.table().to_string(na_rep="—", float_format=lambda x: f"{x:.3f}"))
    return 0


def run_status(args: argparse.Namespace) -> int:
    with _store(args, read_only=True) as store:
        rows = store.rows(**_filters(args))
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    failures = [{k: row[k] for k in ("model", "model_revision", "benchmark",
                                     "benchmark_version", "failure_kind", "attempts")}
                | {"message": next(iter((row["failure_message"] or "").splitlines()), "")}
                for row in rows if row["status"] == "failed"]
    if args.json:
        print(json.dumps({"rows": len(rows), "status": counts, "failures": failures}, indent=1))
        return 0
    print(f"{len(rows)} rows: " + (", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
                                   or "none yet"))
    for failure in failures:
        print(f"  failed [{failure['failure_kind']}, {failure['attempts']} attempts] "
              f"{failure['model']} on {failure['benchmark']}: {failure['message']}")
    if counts.get("interrupted"):
        print(f"  {counts['interrupted']} interrupted: their coordinator is gone; run the same "
              f"`dynamic-vision run` again to compute them (`dynamic-vision ingest` adopts what "
              f"their workers finished).")
    return 0


def run_ingest(args: argparse.Namespace) -> int:
    with _store(args) as store:
        adopted = store.ingest()
        spool = str(store.spool.root)
    if args.json:
        print(json.dumps({"ingested": adopted, "spool": spool}))
    else:
        print(f"Adopted {adopted} rows from {spool}.")
    return 0


def run_leaderboard(args: argparse.Namespace) -> int:
    from dynamic_vision.scale.leaderboard import build_leaderboard

    with _store(args, read_only=True) as store:
        site = build_leaderboard(store.rows(), args.out, title=args.title,
                                 plots=not args.no_plots)
    if args.json:
        print(json.dumps({"index": str(site.index), "pages": len(site.pages),
                          "models": site.n_models, "benchmarks": site.n_benchmarks}))
    else:
        print(f"Leaderboard written to {site.index}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from dynamic_vision.core import storage
    from dynamic_vision.scale.export import export

    with _store(args, read_only=True) as store:
        rows = store.rows(**_filters(args))
    text = export(rows, args.format)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    with storage.atomic_write(args.out, "w") as handle:
        handle.write(text)
    if args.json:
        print(json.dumps({"out": str(args.out), "format": args.format, "rows": len(rows)}))
    else:
        print(f"Wrote {len(rows)} rows as {args.format} to {args.out}")
    return 0
