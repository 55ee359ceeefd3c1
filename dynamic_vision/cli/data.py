"""``dynamic-vision data list | fetch ID [--dry-run] | verify ID``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dynamic_vision.core.registry import dataset_registry, stimulus_set_registry


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    data = subparsers.add_parser(
        "data", help="list, fetch and verify data plugins",
        description="Data plugins declare their files, hashes and license. `list` shows them "
                    "(no download), `fetch` downloads and verifies what is missing, `verify` "
                    "re-hashes what is on disk.")
    commands = data.add_subparsers(dest="data_command", metavar="ACTION")
    listing = commands.add_parser("list", help="list datasets and stimulus sets")
    listing.add_argument("pattern", nargs="?", help="wildcard filter, e.g. 'SimMotion*'")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)
    fetching = commands.add_parser("fetch", help="download and verify a data plugin's files")
    fetching.add_argument("identifier")
    fetching.add_argument("--dry-run", action="store_true",
                          help="only say what would be downloaded")
    fetching.add_argument("--quiet", action="store_true", help="no progress bars")
    fetching.set_defaults(func=run_fetch)
    verifying = commands.add_parser("verify", help="re-hash a data plugin's files")
    verifying.add_argument("identifier")
    verifying.add_argument("--path", metavar="DIR",
                           help="bring-your-own-files plugins: the folder holding your copy; "
                                "remembered once it verifies")
    verifying.set_defaults(func=run_verify)
    data.set_defaults(func=lambda args: data.print_help() or 2)


def _size(size: int | None) -> str:
    if size is None:
        return "?"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return "?"  # pragma: no cover


def _rows(pattern: str | None) -> list[dict]:
    from dynamic_vision.io.datasets import describe, get_spec
    from dynamic_vision.io.user_data import on_disk

    rows = []
    for registry in (dataset_registry, stimulus_set_registry):
        for identifier in registry.list(pattern):
            info = registry.info(identifier)
            try:
                spec = get_spec(identifier)
                row = describe(identifier)
                present = on_disk(spec)  # user-supplied trees, files resolved at run time
                if present is not None:
                    row["fetched"] = present
            except LookupError:  # registered directly, without a DataSpec
                row = {"identifier": identifier, "access": info.get("access", "-"),
                       "license": info.get("license", "-"), "size_bytes": None,
                       "fetched": None}
            rows.append({"kind": registry.kind, **row})
    return rows


def run_list(args: argparse.Namespace) -> int:
    rows = _rows(args.pattern)
    if args.json:
        print(json.dumps(rows, indent=1, default=str))
        return 0
    table = [("identifier", "kind", "access", "simulated", "size", "license", "on disk")]
    for row in rows:
        embedded = row.get("access") == "embedded"
        fetched = "generated" if embedded else {True: "yes", False: "no",
                                                None: "-"}[row.get("fetched")]
        simulated = {True: "yes", False: "no"}.get(row.get("simulated"), "-")
        table.append((row["identifier"], row["kind"], str(row.get("access", "-")), simulated,
                      "-" if embedded else _size(row.get("size_bytes")),
                      str(row.get("license", "-")), fetched))
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for line in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip())
    return 0


#: Problems of a bring-your-own-files tree listed one per line; the summary counts the rest.
SHOWN_PROBLEMS = 20


def _with_stimulus_set(identifier: str) -> list[str]:
    """``identifier`` and, for recordings, the declarative stimulus set they were recorded on."""
    from dynamic_vision.io.datasets import get_spec

    stimulus_set = get_spec(identifier).metadata.get("stimulus_set")
    if isinstance(stimulus_set, str) and stimulus_set in stimulus_set_registry:
        try:
            get_spec(stimulus_set)
        except LookupError:
            return [identifier]
        return [identifier, stimulus_set]
    return [identifier]


def _report_tree(identifier: str, path: str | None) -> int:
    """Check a bring-your-own-files tree; print every problem; remember a complete ``path``."""
    from dynamic_vision.io.user_data import (
        check_tree,
        describe_problems,
        expected_files,
        remember_root,
        tree_root,
        user_tree,
    )

    tree = user_tree(identifier)
    root = tree_root(identifier) if path is None else Path(path).expanduser().resolve()
    if path is not None and not root.is_dir():
        what = "not a folder" if root.exists() else "no such folder"
        raise FileNotFoundError(f"--path {path}: {what}. Point it at the folder that holds the "
                                f"files of '{identifier}' (see `dynamic-vision info "
                                f"{identifier}`).")
    problems = check_tree(identifier, root, hashes=True)
    for problem in problems[:SHOWN_PROBLEMS]:
        print(f"{problem.path}: {problem.problem}" + (" (optional)" if problem.optional
                                                       else ""))
    if len(problems) > SHOWN_PROBLEMS:
        print(f"... and {len(problems) - SHOWN_PROBLEMS} more")
    if problems:
        print(describe_problems(tree, root, problems), file=sys.stderr)
        return 1
    n_required = sum(not f.optional for f in expected_files(identifier, root))
    print(f"'{identifier}': all {n_required} required files present and matching in {root}.")
    if path is not None:
        print(f"remembered {remember_root(identifier, root)} as the location of "
              f"'{identifier}'.")
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    from dynamic_vision.io.datasets import data_folder, fetch, get_spec
    from dynamic_vision.io.user_data import user_tree

    if user_tree(args.identifier) is not None:
        return _report_tree(args.identifier, None)
    spec = get_spec(args.identifier)
    if not spec.files and spec.access != "embedded" and not args.dry_run:
        # files resolved at run time (e.g. an archive's API): loading fetches and verifies them
        registry = (dataset_registry if args.identifier in dataset_registry
                    else stimulus_set_registry)
        registry.load(args.identifier, progress=not args.quiet)
        print(f"'{args.identifier}': downloaded, verified and read once.")
        print(f"folder: {data_folder(args.identifier)}")
        return 0

    identifiers = _with_stimulus_set(args.identifier)
    status = 0
    for identifier in identifiers:
        if len(identifiers) > 1:
            print(f"{identifier}:")
        if user_tree(identifier) is not None:  # e.g. gated videos beside open recordings
            status = max(status, _report_tree(identifier, None))
            continue
        plan = fetch(identifier, dry_run=args.dry_run, progress=not args.quiet)
        _print_plan(plan, args.dry_run)
        if not plan:
            print(_nothing_to_fetch(identifier))
        print(f"folder: {data_folder(identifier)}")
    _report_overrides()
    return status


def _nothing_to_fetch(identifier: str) -> str:
    """Why a data plugin lists no files, in the words of its access level."""
    from dynamic_vision.io.datasets import get_spec

    spec = get_spec(identifier)
    if spec.access == "embedded":
        return f"'{identifier}' is generated by the library on first use: nothing to download."
    return (f"'{identifier}' ({spec.access}) names its files at run time; "
            f"`dynamic-vision data fetch {identifier}` (without --dry-run) finds, downloads "
            f"and verifies them.")


def _print_plan(plan: list, dry_run: bool) -> None:
    verb = {"present": "present", "download": "would download" if dry_run
            else "downloaded", "manual": "must be supplied by you"}
    for item in plan:
        print(f"{item.name}: {verb[item.action]} ({_size(item.size)})"
              + (f" from {item.url}" if item.action == "download" else ""))
        if dry_run:
            exact = "unknown (not published)" if item.size is None else f"{item.size} bytes"
            print(f"    url: {item.url or '-'}\n    size: {exact}")
            for name in ("sha1", "sha256"):
                value = getattr(item, name)
                if value is None and name == "sha256" and item.recorded_sha256:
                    value = f"{item.recorded_sha256} (recorded here)"
                print(f"    {name}: {value or 'not declared'}")


def _report_overrides() -> None:
    import os

    from dynamic_vision.io.mirrors import HASHES_VARIABLE, MIRROR_VARIABLE

    for variable in (MIRROR_VARIABLE, HASHES_VARIABLE):
        if os.environ.get(variable):
            print(f"{variable}={os.environ[variable]} is in force.")


def run_verify(args: argparse.Namespace) -> int:
    from dynamic_vision.io.datasets import verify
    from dynamic_vision.io.user_data import user_tree

    if user_tree(args.identifier) is not None:
        return _report_tree(args.identifier, getattr(args, "path", None))
    if getattr(args, "path", None):
        raise ValueError(f"'{args.identifier}' is downloaded (or generated) by the library; "
                         f"--path applies only to bring-your-own-files data. Run `dynamic-vision "
                         f"data verify {args.identifier}` without it.")

    statuses = verify(args.identifier)
    for status in statuses:
        print(f"{status.name}: {'ok' if status.ok else status.problem}")
    if not statuses:
        print(f"'{args.identifier}' has no files to verify.")
    return 0 if all(s.ok for s in statuses) else 1
