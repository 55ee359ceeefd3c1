"""Bring-your-own-files data: a declared tree of files the user obtains and places.

Gated datasets (registration, license agreements, private hosting) cannot be downloaded by the
library. Their plugins declare the *tree* the user must supply — relative paths, with sizes and
hashes where they are published — and how to obtain it. ``dynamic-vision data verify ID --path
DIR`` checks a tree, lists exactly what is missing or wrong, and on success remembers ``DIR`` so
loaders find it; loaders call :func:`require_tree`, which fails with the same list.

Declaring a tree is cheap and imports nothing heavy::

    from dynamic_vision.io.user_data import ExpectedFile, UserTree, register_user_tree

    register_user_tree(UserTree(
        identifier="Keles2024", files=[ExpectedFile("movie/bang_youre_dead.mp4"), ...],
        instructions="The movie is not deposited; ask the authors ..."))

Where a tree lives: the folder recorded by ``data verify --path`` (stored in
``$DYNAMIC_VISION_HOME/data/<identifier>/location.json``), else that data folder itself.
"""

from __future__ import annotations

import fnmatch
import hashlib
import importlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from dynamic_vision.core import storage
from dynamic_vision.io.datasets import DataAccessError, data_folder

__all__ = ["ExpectedFile", "UserTree", "TreeProblem", "register_user_tree",
           "unregister_user_tree", "user_tree", "user_trees", "tree_root", "remember_root",
           "expected_files", "check_tree", "describe_problems", "require_tree", "on_disk",
           "read_manifest", "load_tree_assembly", "load_tree_stimulus_set",
           "load_tree_stimulus_csv"]

_LOCATION = "location.json"
_MARKER = ".verified-tree.json"
_SHOWN = 20  # problems listed in full in an error message


@dataclass(frozen=True)
class ExpectedFile:
    """One file of a user-supplied tree.

    Attributes
    ----------
    path
        Relative POSIX path inside the tree, e.g. ``"stimuli/test/1001.mp4"``.
    size
        Size in bytes where published, else ``None``.
    sha256, md5
        Published digests, where known (OpenNeuro annex keys give one of them).
    optional
        Verified when present but not required (e.g. raw data a preprocessed file replaces).
    """

    path: str
    size: int | None = None
    sha256: str | None = None
    md5: str | None = None
    optional: bool = False

    def __post_init__(self) -> None:
        pure = PurePosixPath(self.path)
        if pure.is_absolute() or ".." in pure.parts or not self.path or "\\" in self.path:
            raise ValueError(f"ExpectedFile path must be relative and inside the tree, got "
                             f"{self.path!r}.")


@dataclass(frozen=True)
class UserTree:
    """The files a bring-your-own-files plugin needs, and how to get them.

    Attributes
    ----------
    identifier
        The data plugin's identifier (dataset or stimulus set).
    files
        Expected files, in a fixed, documented order (never directory order).
    instructions
        Where and how to obtain the files; shown with every missing-file message.
    expand
        Optional ``"module:function"`` called with the tree's root once the declared files are
        present; returns further :class:`ExpectedFile` entries derived from them (e.g. the
        clips an annotation file selects), in a fixed order.
    """

    identifier: str
    files: Sequence[ExpectedFile]
    instructions: str
    expand: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "files", tuple(self.files))
        paths = [f.path for f in self.files]
        if len(set(paths)) != len(paths):
            raise ValueError(f"User tree '{self.identifier}' lists a path twice.")

    @property
    def required(self) -> tuple[ExpectedFile, ...]:
        return tuple(f for f in self.files if not f.optional)

    @property
    def size(self) -> int | None:
        """Total bytes of the required files, or ``None`` when a size is unknown."""
        sizes = [f.size for f in self.required]
        return None if any(s is None for s in sizes) else sum(sizes)  # type: ignore[misc]


_TREES: dict[str, UserTree] = {}


def register_user_tree(tree: UserTree) -> UserTree:
    """Declare the tree of a bring-your-own-files plugin (re-declaring the same is harmless)."""
    existing = _TREES.get(tree.identifier)
    if existing is not None and existing != tree:
        raise ValueError(f"A different user tree is already registered as '{tree.identifier}'.")
    _TREES[tree.identifier] = tree
    return tree


def unregister_user_tree(identifier: str) -> None:
    """Forget a declared tree (tests, notebooks); unknown identifiers are ignored."""
    _TREES.pop(identifier, None)


def user_tree(identifier: str) -> UserTree | None:
    """The tree declared for ``identifier``, or ``None``."""
    from dynamic_vision.core.plugins import discover  # trees are declared by plugin imports

    discover()
    return _TREES.get(identifier)


def user_trees() -> dict[str, UserTree]:
    """Every declared tree, by identifier."""
    from dynamic_vision.core.plugins import discover

    discover()
    return dict(_TREES)


def tree_root(identifier: str) -> Path:
    """Where the user's tree is: the remembered folder, else the plugin's data folder."""
    folder = data_folder(identifier)
    try:
        recorded = storage.read_json(folder / _LOCATION)
        return Path(recorded["path"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return folder


def remember_root(identifier: str, root: str | os.PathLike[str]) -> Path:
    """Record ``root`` as the location of ``identifier``'s tree (atomic)."""
    root = Path(root).expanduser().resolve()
    storage.atomic_write_json(data_folder(identifier) / _LOCATION, {"path": os.fspath(root)})
    return root


@dataclass(frozen=True)
class TreeProblem:
    """One file that is missing or does not match; ``problem`` says which."""

    path: str
    problem: str
    optional: bool = False


def expected_files(identifier: str, root: str | os.PathLike[str] | None = None
                   ) -> tuple[ExpectedFile, ...]:
    """Declared files plus, once those are present, the ones ``expand`` derives from them."""
    tree = user_tree(identifier)
    if tree is None:
        raise LookupError(f"'{identifier}' declares no user-supplied file tree.")
    root = Path(root) if root is not None else tree_root(identifier)
    if tree.expand is None or not all((root / f.path).is_file() for f in tree.required):
        return tuple(tree.files)
    module_name, _, attribute = tree.expand.partition(":")
    derived = getattr(importlib.import_module(module_name), attribute)(root)
    return tuple(tree.files) + tuple(derived)


def _digests(path: Path, names: Iterable[str]) -> dict[str, str]:
    hashers = {name: hashlib.new(name) for name in names}
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            for hasher in hashers.values():
                hasher.update(chunk)
    return {name: hasher.hexdigest() for name, hasher in hashers.items()}


def _stamp(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def _check_file(expected: ExpectedFile, path: Path, hashes: bool, marker: dict) -> str | None:
    if not path.is_file():
        return "missing"
    size = path.stat().st_size
    if expected.size is not None and size != expected.size:
        return f"size {size} bytes, expected {expected.size}"
    wanted = {name: value.lower() for name, value in (("sha256", expected.sha256),
                                                        ("md5", expected.md5)) if value}
    if hashes and wanted and marker.get(expected.path) != _stamp(path):
        actual = _digests(path, wanted)
        for name, value in wanted.items():
            if actual[name] != value:
                return f"{name} {actual[name]}, expected {value}"
        marker[expected.path] = _stamp(path)
    return None


def check_tree(identifier: str, root: str | os.PathLike[str] | None = None, *,
               hashes: bool = False) -> list[TreeProblem]:
    """What is missing or wrong in a user-supplied tree (empty list: complete).

    Parameters
    ----------
    identifier
        A plugin with a declared :class:`UserTree`.
    root
        The tree's folder; default :func:`tree_root`.
    hashes
        Also compare published digests (files verified before and unchanged are not re-hashed).
    """
    tree = user_tree(identifier)
    if tree is None:
        raise LookupError(f"'{identifier}' declares no user-supplied file tree.")
    root = Path(root) if root is not None else tree_root(identifier)
    # Digests verified before are remembered in the library's data folder (never in the
    # user's tree), per root, by size and modification time.
    record_path = data_folder(identifier) / _MARKER
    try:
        record = dict(storage.read_json(record_path)) if hashes else {}
    except (FileNotFoundError, ValueError):
        record = {}
    marker = dict(record.get(os.fspath(root.resolve()), {}))
    problems = []
    for expected in expected_files(identifier, root):
        problem = _check_file(expected, root / expected.path, hashes, marker)
        if problem is not None and not (expected.optional and problem == "missing"):
            problems.append(TreeProblem(expected.path, problem, expected.optional))
    if hashes and marker:
        record[os.fspath(root.resolve())] = marker
        storage.atomic_write_json(record_path, record)
    return problems


def describe_problems(tree: UserTree, root: Path, problems: Sequence[TreeProblem]) -> str:
    """A message listing what is missing or wrong, how to get it and where to put it."""
    n_required = sum(not f.optional for f in expected_files(tree.identifier, root))
    missing = [p for p in problems if p.problem == "missing"]
    wrong = [p for p in problems if p.problem != "missing"]
    parts = [f"Data '{tree.identifier}' (user-supplied files) is incomplete in {root}:"]
    if missing:
        shown = ", ".join(p.path for p in missing[:_SHOWN])
        more = f" and {len(missing) - _SHOWN} more" if len(missing) > _SHOWN else ""
        parts.append(f"{len(missing)} of {n_required} required files missing "
                     f"({shown}{more}).")
    for item in wrong[:_SHOWN]:
        parts.append(f"{item.path}: {item.problem}.")
    parts.append(tree.instructions.strip())
    parts.append(f"Place the files under one folder with these relative paths and run "
                 f"`dynamic-vision data verify {tree.identifier} --path DIR`.")
    return " ".join(parts)


def require_tree(identifier: str) -> Path:
    """The root of a complete user tree; :class:`DataAccessError` lists what is missing.

    Sizes are checked on every call; digests only by ``data verify`` (a one-off cost).
    """
    tree = user_tree(identifier)
    if tree is None:
        raise LookupError(f"'{identifier}' declares no user-supplied file tree.")
    root = tree_root(identifier)
    problems = check_tree(identifier, root)
    if problems:
        raise DataAccessError(describe_problems(tree, root, problems))
    return root


def read_manifest(path: str | os.PathLike[str], *, prefix: str = "", optional: bool = False
                  ) -> list[ExpectedFile]:
    """Expected files from a tab-separated manifest ``path<TAB>bytes<TAB>digest`` per line.

    The digest is a sha256 hex string or ``md5:<hex>``; ``#`` lines are comments. ``prefix`` is
    prepended to every path (e.g. ``"raw/"``).
    """
    files = []
    for number, line in enumerate(Path(path).read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise ValueError(f"{path}:{number}: expected 'path<TAB>bytes<TAB>digest'.")
        name, size, digest = fields
        md5 = digest[4:] if digest.startswith("md5:") else None
        files.append(ExpectedFile(prefix + name, int(size), sha256=None if md5 else digest,
                                  md5=md5, optional=optional))
    return files


def on_disk(spec: Any) -> bool | None:
    """Whether the files of a data plugin without declared downloads are on this machine.

    A user tree is on disk when it is complete (sizes checked). A plugin that resolves its
    files at run time may name a ``metadata["presence"]`` check (``"module:function"`` called
    with the spec). ``None``: nothing to tell (embedded data, or declared downloads, which
    :func:`dynamic_vision.io.datasets.describe` reports).
    """
    if user_tree(spec.identifier) is not None:
        return not check_tree(spec.identifier)
    if spec.files or spec.access == "embedded":
        return None
    presence = spec.metadata.get("presence")
    if not presence:
        return False
    module_name, _, attribute = str(presence).partition(":")
    return bool(getattr(importlib.import_module(module_name), attribute)(spec))


# -- loaders for prepared trees ---------------------------------------------------------------


def load_tree_assembly(spec: Any, **_: Any) -> Any:
    """The assembly a user prepared in the library's netCDF format (``save_assembly``).

    ``spec.loader_options["file"]`` names it inside the tree (default ``recordings.nc``).
    """
    from dynamic_vision.io.assemblies import load_assembly

    root = require_tree(spec.identifier)
    return load_assembly(root / spec.loader_options.get("file", "recordings.nc"))


def load_tree_stimulus_set(spec: Any, progress: bool | None = None, **_: Any) -> Any:
    """A stimulus set of the tree's media files, in the tree's declared order.

    Loader options: ``pattern`` (fnmatch on relative paths, default every required file),
    ``metadata`` (``"module:function"`` called with the root, returning a table with
    ``stimulus_id`` and further columns). Stimulus ids are file stems.
    """
    import pandas as pd

    from dynamic_vision.io.stimuli import StimulusSet

    root = require_tree(spec.identifier)
    pattern = spec.loader_options.get("pattern", "*")
    files = {PurePosixPath(f.path).stem: root / f.path
             for f in expected_files(spec.identifier, root)
             if not f.optional and fnmatch.fnmatchcase(f.path, pattern)}
    metadata = None
    if spec.loader_options.get("metadata"):
        module_name, _, attribute = spec.loader_options["metadata"].partition(":")
        table = getattr(importlib.import_module(module_name), attribute)(root)
        metadata = pd.DataFrame(table)
        metadata = metadata[metadata["stimulus_id"].isin(files)]
    return StimulusSet.from_files(files, spec.identifier, metadata=metadata, progress=progress)


def load_tree_stimulus_csv(spec: Any, **_: Any) -> Any:
    """A stimulus set the user prepared as the library's CSV (``stimulus_id``, ``path``)."""
    from dynamic_vision.io.stimuli import load_stimulus_set_file

    root = require_tree(spec.identifier)
    return load_stimulus_set_file(root / spec.loader_options.get("file", "stimuli.csv"),
                                  identifier=spec.identifier)
