"""The ``dynamic-vision`` command line.

Each sub-command lives in its own module of this package and exposes
``add_parser(subparsers)``, which registers the command and sets ``func`` on its parser. Every
error exits non-zero with one line (the library's errors teach what to do; anything else is
named by its type); ``--debug`` shows the traceback instead. A reader that closes the pipe
early (``| head``) ends the command quietly.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Sequence

__all__ = ["main", "build_parser", "COMMAND_MODULES"]

#: Modules of this package that each add one or more sub-commands.
COMMAND_MODULES = ("listing", "scoring", "data", "scale", "models")

#: Exceptions whose message is the whole story for a command-line user.
_EXPECTED_ERRORS: tuple[type[BaseException], ...] = (
    KeyError, LookupError, ValueError, FileNotFoundError, ImportError, PermissionError,
    OSError, RuntimeError, TypeError,
)
#: Options the command itself takes, before the sub-command's name.
_GLOBAL_OPTIONS = ("--debug", "--version", "-h", "--help")


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


def _unknown_global_option(argv: Sequence[str]) -> str | None:
    """An option placed before the sub-command that the command does not know (argparse would
    otherwise report something else, e.g. the sub-command's missing arguments)."""
    for token in argv:
        if not token.startswith("-"):
            return None
        if token.split("=", 1)[0] not in _GLOBAL_OPTIONS:
            return token
    return None


def one_line(error: BaseException) -> str:
    """The error as the one line the command line shows for it."""
    return " ".join(_message(error).split())


def _message(error: BaseException) -> str:
    message = getattr(error, "message", None) or str(error)
    if isinstance(error, KeyError) and not hasattr(error, "message") and error.args:
        message = str(error.args[0])
    if not isinstance(error, _EXPECTED_ERRORS) or not message:
        # Not one of ours: its type is part of what went wrong.
        message = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return message


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    unknown = _unknown_global_option(argv)
    if unknown is not None:
        parser.error(f"unknown option {unknown!r} before the command; dynamic-vision itself "
                     f"takes only --debug and --version (options of a command go after it)")
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    if not args.debug:
        warnings.formatwarning = _one_line_warning
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) has what it wanted; say nothing more.
        _silence_stdout()
        return 0
    except Exception as error:  # every error is one line; --debug shows where it came from
        if args.debug:
            raise
        from dynamic_vision.cli.colors import paint

        hint = "" if isinstance(error, _EXPECTED_ERRORS) else " (rerun with --debug for details)"
        print(f"{paint('error', 'red')}: {one_line(error)}{hint}", file=sys.stderr)
        return 1


def _one_line_warning(message: Warning | str, category: type[Warning], filename: str,
                      lineno: int, line: str | None = None) -> str:
    from dynamic_vision.cli.colors import paint

    return f"{paint('warning', 'yellow')}: {' '.join(str(message).split())}\n"


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that flushing it at exit raises nothing."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
