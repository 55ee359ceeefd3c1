"""``dynamic-vision check-model`` and ``dynamic-vision new model``: tools for model contributors.

``check-model ID_OR_PATH`` loads a registered model (or the models a plugin folder registers,
a Brain-Score model plugin folder included; see docs/brainscore.md)
with random weights at test size, runs every model conformance check on generated probe clips,
then makes a mock recording on a few stimuli of a real stimulus set (SimMotion by default),
and prints what failed and why — or that the model is ready to submit.

``new model NAME`` writes a plugin folder (registration, a small network, tests) that passes
its own tests and ``check-model`` as it is.
"""

from __future__ import annotations

import argparse
import importlib
import re
import string
import sys
import time
import traceback
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "run_check_model", "run_new_model", "scaffold_model",
           "import_plugin_folder", "CheckResult"]

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
#: Stimuli shown in the mock recording.
MOCK_STIMULI = 6
MOCK_BIN_MS = 100.0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    check = subparsers.add_parser(
        "check-model", help="check that a model plugin is ready to submit",
        description="Load a model (registered identifier, or a plugin folder) with random "
                    "weights at test size, run the model conformance checks on generated clips "
                    "and a mock recording on a few stimuli, and report what failed and why.")
    check.add_argument("target", metavar="ID_OR_PATH",
                       help="a registered model identifier (or a Brain-Score model as "
                            "path/to/plugin_folder:identifier or path/to/base_models.py:name), "
                            "or a plugin folder (ours or a Brain-Score one)")
    check.add_argument("--stimuli", default="auto",
                       help="stimulus set for the mock recording: a registered identifier, "
                            "'probe' (generated clips) or 'auto' (SimMotion when registered, "
                            "else probe; default)")
    check.add_argument("--pretrained", action="store_true",
                       help="also load the published weights (downloads them if needed)")
    check.set_defaults(func=run_check_model)

    new = subparsers.add_parser("new", help="scaffold a new plugin folder")
    kinds = new.add_subparsers(dest="plugin_kind", metavar="KIND")
    model = kinds.add_parser("model", help="scaffold a model plugin folder",
                             description="Write NAME/__init__.py, model.py and test.py: a small "
                                         "network that passes its tests and check-model.")
    model.add_argument("name", help="the model identifier, e.g. my_net")
    model.add_argument("--dir", type=Path, default=Path("."),
                       help="folder to create the plugin in (default: the current folder; "
                            "use dynamic_vision/models in a checkout)")
    model.set_defaults(func=run_new_model)
    new.set_defaults(func=lambda args: (new.print_help(), 2)[1])


# -- check-model -----------------------------------------------------------------------------------
class CheckResult:
    """The outcome of one named check."""

    def __init__(self, name: str, error: BaseException | None, seconds: float,
                 expected: str | None = None):
        self.name, self.error, self.seconds, self.expected = name, error, seconds, expected

    @property
    def passed(self) -> bool:
        return self.error is None or self.expected is not None

    def line(self) -> str:
        label = self.name.removeprefix("check_").replace("_", " ")
        if self.error is None:
            return f"  PASS  {label} ({self.seconds:.1f} s)"
        reason = f"{type(self.error).__name__}: {self.error}".strip().replace("\n", "\n        ")
        if self.expected is not None:
            return f"  XFAIL {label}: declared expected failure ({self.expected})"
        return f"  FAIL  {label}\n        {reason}"


def _package_name(path: Path) -> tuple[str, Path]:
    """The dotted name ``path`` is imported under, and the folder that must be on ``sys.path``.

    A folder inside a package (e.g. ``dynamic_vision/models/resnet18``) is that package's
    sub-package (``dynamic_vision.models.resnet18``), never a second copy under its bare name.
    """
    parts = [path.name]
    root = path.parent
    while (root / "__init__.py").is_file():
        parts.insert(0, root.name)
        root = root.parent
    return ".".join(parts), root


def import_plugin_folder(path: Path) -> list[str]:
    """Import a plugin folder as a package; return the model identifiers it registered."""
    from dynamic_vision.core.registry import model_registry, registering_from

    path = path.resolve()
    if not (path / "__init__.py").is_file():
        raise FileNotFoundError(f"{path} is not a plugin folder: it has no __init__.py. Create "
                                f"one with `dynamic-vision new model NAME`.")
    if not path.name.isidentifier():
        raise ValueError(f"Plugin folder name '{path.name}' is not a Python package name; use "
                         f"letters, digits and underscores.")
    before = set(model_registry.list())  # discover built-ins first, so only new names count
    name, root = _package_name(path)
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    existing = sys.modules.get(name)
    if existing is not None and Path(getattr(existing, "__file__", "")).parent != path:
        raise ValueError(f"A different module called '{name}' is already imported "
                         f"({existing.__file__}); rename the plugin folder.")
    with registering_from(name):
        importlib.import_module(name)
    added = sorted(set(model_registry.list()) - before)
    if not added:  # imported before (e.g. a built-in plugin, found by discovery)
        added = sorted(identifier for identifier in model_registry.list()
                       if model_registry.entry(identifier).origin == name)
    if not added:
        raise LookupError(f"{path}/__init__.py registered no model. It should declare a "
                          f"ModelSpec and call register_model(SPEC, ...) (see "
                          f"`dynamic-vision new model NAME`).")
    return added


def _run_checks(identifier: str) -> list[CheckResult]:
    from dynamic_vision.core.registry import model_registry
    from dynamic_vision.testing.checks import checks_for

    expected = dict(model_registry.entry(identifier).metadata.get("expected_failures", {}))
    results = []
    for func in checks_for("model"):
        start = time.perf_counter()
        error: BaseException | None = None
        try:
            func(identifier)
        except Exception as caught:  # a report lists every failure, not only the first
            error = caught
        results.append(CheckResult(func.__name__, error, time.perf_counter() - start,
                                   expected.get(func.__name__) if error is not None else None))
    return results


def _mock_stimuli(choice: str) -> Any:
    """A few stimuli of the chosen set, spread over its rows (only those are built, where the
    set's loader declares ``subset_loading``)."""
    import numpy as np

    from dynamic_vision.core.registry import stimulus_set_registry
    from dynamic_vision.testing.probe_stimuli import probe_stimulus_set

    if choice == "probe" or (choice == "auto" and "SimMotion" not in stimulus_set_registry):
        return probe_stimulus_set()
    name = "SimMotion" if choice == "auto" else choice
    if stimulus_set_registry.entry(name).metadata.get("subset_loading"):
        return stimulus_set_registry.load(name, sample=MOCK_STIMULI)
    stimuli = stimulus_set_registry.load(name)
    rows = np.unique(np.linspace(0, len(stimuli) - 1, MOCK_STIMULI).astype(int))
    return stimuli.iloc[rows]


def _mock_recording(identifier: str, stimuli: Any) -> CheckResult:
    """Record every layer in 100 ms bins over the stimuli's duration; check layout and values."""
    import numpy as np

    from dynamic_vision.testing.model_checks import load_for_checks, restrained_threads

    start = time.perf_counter()
    try:
        model = load_for_checks(identifier)
        duration = float(np.median(stimuli["duration_ms"]))
        edges = np.arange(0.0, duration + MOCK_BIN_MS / 2, MOCK_BIN_MS)
        bins = list(zip(edges[:-1], edges[1:])) or [(0.0, duration)]
        layers = list(getattr(model, "layers", None) or []) or None
        with restrained_threads():
            model.start_recording("mock", bins, layers=layers)
            recording = model.look_at(stimuli)
        assert recording.dims == ("presentation", "neuroid", "time_bin"), \
            f"dims {recording.dims}"
        assert recording.sizes["presentation"] == len(stimuli), \
            f"{recording.sizes['presentation']} presentations for {len(stimuli)} stimuli"
        assert recording.sizes["time_bin"] == len(bins)
        assert np.isfinite(recording.values).all(), "non-finite values"
        summary = " x ".join(f"{dim} {size}" for dim, size in recording.sizes.items())
        name = (f"check_mock_recording_on_{len(stimuli)}_{stimuli.identifier or 'stimuli'}"
                f"_stimuli [{summary}]")
        return CheckResult(name, None, time.perf_counter() - start)
    except Exception as error:
        return CheckResult("check_mock_recording", error, time.perf_counter() - start)


def _published_weights(identifier: str) -> CheckResult:
    """Load the model as users get it (published weights, full size)."""
    from dynamic_vision.core.registry import model_registry

    start = time.perf_counter()
    try:
        model_registry.load(identifier)
        return CheckResult("check_published_weights_load", None, time.perf_counter() - start)
    except Exception as error:
        return CheckResult("check_published_weights_load", error, time.perf_counter() - start)


def run_check_model(args: argparse.Namespace) -> int:
    from dynamic_vision.core.registry import model_registry

    target = Path(args.target)
    from dynamic_vision.modeling.brainscore.references import (is_brainscore_plugin,
                                                                register_plugin_folder)

    if target.is_dir() and is_brainscore_plugin(target):  # every model of a Brain-Score plugin
        identifiers = register_plugin_folder(target)
    elif target.is_dir() or args.target.endswith(("/", "\\")):
        identifiers = import_plugin_folder(target)
    else:
        # unknown names fail here, with suggestions; an alias checks the entry it names
        identifiers = [model_registry.entry(args.target).identifier]
    stimuli = None
    failures = 0
    for identifier in identifiers:
        options = model_registry.entry(identifier).metadata.get("check_options", {})
        sized = f", test-sized {options}" if options else ""
        print(f"Checking model '{identifier}' (random weights{sized})")
        results = _run_checks(identifier)
        if stimuli is None:
            stimuli = _mock_stimuli(args.stimuli)
        results.append(_mock_recording(identifier, stimuli))
        if getattr(args, "pretrained", False):
            results.append(_published_weights(identifier))
        for result in results:
            print(result.line())
        failed = [r for r in results if not r.passed]
        failures += len(failed)
        if failed and getattr(args, "debug", False):
            for result in failed:
                traceback.print_exception(result.error)
        print(f"'{identifier}' is ready to submit." if not failed else
              f"'{identifier}': {len(failed)} of {len(results)} checks failed; fix them and "
              f"run `dynamic-vision check-model {args.target}` again.")
    return 1 if failures else 0


# -- new model -------------------------------------------------------------------------------------
def scaffold_model(name: str, folder: Path | str = ".") -> Path:
    """Write a model plugin folder for identifier ``name`` under ``folder``; return its path.

    Raises
    ------
    ValueError
        ``name`` is not a valid identifier.
    FileExistsError
        The plugin folder exists already (nothing is overwritten).
    """
    if not _NAME.match(name):
        raise ValueError(f"'{name}' is not a valid model identifier: start with a letter and "
                         f"use letters, digits, '_', '-' or '.'.")
    package = re.sub(r"[^A-Za-z0-9_]", "_", name)
    destination = Path(folder) / package
    if destination.exists():
        raise FileExistsError(f"{destination} exists already; choose another name or folder.")
    values = {"identifier": name, "package": package, "title": name.replace("_", " ")}
    templates = resources.files("dynamic_vision.templates") / "model"
    rendered = {entry.name.removesuffix(".tmpl"):
                string.Template(entry.read_text(encoding="utf-8")).substitute(values)
                for entry in templates.iterdir() if entry.name.endswith(".tmpl")}
    from dynamic_vision.core.storage import atomic_write

    for filename, text in sorted(rendered.items()):
        with atomic_write(destination / filename, "w") as handle:
            handle.write(text)
    return destination


def run_new_model(args: argparse.Namespace) -> int:
    destination = scaffold_model(args.name, args.dir)
    print(f"Created {destination}/ with __init__.py (registration), model.py (network and "
          f"spec) and test.py.\nNext: edit model.py, then run\n"
          f"  pytest {destination / 'test.py'}\n  dynamic-vision check-model {destination}")
    return 0
