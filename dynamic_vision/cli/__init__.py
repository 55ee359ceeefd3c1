"""The ``dynamic-vision`` command line.

Each sub-command lives in its own module of this package and exposes
``add_parser(subparsers)``, which registers the command and sets ``func`` on its parser. Errors
that carry a teaching message (unknown identifiers, missing files, bad input) exit non-zero with
that one line; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["main", "build_parser", "COMMAND_MODULES"]

#: Modules of this package that each add one or more sub-commands.
COMMAND_MODULES = ("listing", "scoring", "data", "scale", "models")

#: Exceptions whose message is the whole story for a command-line user.
_EXPECTED_ERRORS: tuple[type[BaseException], ...] = (
    KeyError, LookupError, ValueError, FileNotFoundError, ImportError, PermissionError,
    OSError, RuntimeError, TypeError,
)


def build_parser() -> argparse.ArgumentParser:
    from dynamic_vision._version import __version__

    parser = argparse.ArgumentParser(
        prog="dynamic-vision",
        description="Score vision models against brain and behavioural data on dynamic stimuli.",
    )
    parser.add_argument("--version", action="version", version=f"dynamic-vision {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"dynamic_vision.cli.{name}").add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except _EXPECTED_ERRORS as error:
        if args.debug:
            raise
        message = getattr(error, "message", None) or str(error)
        if isinstance(error, KeyError) and not hasattr(error, "message") and error.args:
            message = str(error.args[0])
        print(f"error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
