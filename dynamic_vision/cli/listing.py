"""``dynamic-vision list`` and ``dynamic-vision info``."""

from __future__ import annotations

import argparse
import json

from dynamic_vision.core.registry import REGISTRIES


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    listing = subparsers.add_parser(
        "list", help="list registered plugins",
        description="List registered identifiers. KIND is one of: " + ", ".join(REGISTRIES)
        + " (plural forms work too); PATTERN is an fnmatch wildcard such as 'SimMotion.*'.")
    listing.add_argument("kind", nargs="?", help="plugin kind (default: all kinds)")
    listing.add_argument("pattern", nargs="?", help="wildcard filter, e.g. '*MT*'")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)

    info = subparsers.add_parser("info", help="show what is known about an identifier")
    info.add_argument("identifier")
    info.add_argument("--kind", help="restrict the lookup to one kind")
    info.add_argument("--json", action="store_true", help="print JSON")
    info.set_defaults(func=run_info)


def _kind(name: str) -> str:
    key = name.strip().lower().replace("-", "_")
    for candidate in (key, key.removesuffix("s"), key.removesuffix("es")):
        if candidate in REGISTRIES:
            return candidate
    raise ValueError(f"Unknown plugin kind '{name}'. Use one of: {', '.join(REGISTRIES)}.")


def run_list(args: argparse.Namespace) -> int:
    kinds = [_kind(args.kind)] if args.kind else list(REGISTRIES)
    listing = {kind: REGISTRIES[kind].list(args.pattern) for kind in kinds}
    if args.json:
        print(json.dumps(listing if len(kinds) > 1 else listing[kinds[0]], indent=1))
        return 0
    for kind, names in listing.items():
        if len(kinds) > 1:
            print(f"{kind}s ({len(names)}):")
        for name in names:
            print(f"  {name}" if len(kinds) > 1 else name)
    return 0


def run_info(args: argparse.Namespace) -> int:
    kinds = [_kind(args.kind)] if args.kind else list(REGISTRIES)
    found = [REGISTRIES[k].info(args.identifier) for k in kinds if args.identifier in REGISTRIES[k]]
    if not found:
        # Let the most likely registry explain, with its suggestions.
        registry = REGISTRIES[kinds[0]] if args.kind else REGISTRIES["benchmark"] \
            if "." in args.identifier else REGISTRIES["model"]
        registry.entry(args.identifier)
    if args.json:
        print(json.dumps(found if len(found) > 1 else found[0], indent=1, default=str))
        return 0
    for info in found:
        for key, value in info.items():
            print(f"{key:>12}: {value}")
        print()
    return 0
