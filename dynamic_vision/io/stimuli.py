"""``StimulusSet``: one table for images and videos alike.

A stimulus set is a :class:`pandas.DataFrame` with one row per stimulus and the columns of
:data:`MEDIA_COLUMNS` (``stimulus_id``, ``path``, ``fps``, ``n_frames``, ``duration_ms``,
``width``, ``height``) plus any metadata (``label``, ``direction``, ...). An image is a one-frame
clip: ``fps`` is NaN, ``n_frames`` is 1 and ``duration_ms`` is its presentation time.

On disk a stimulus set is a CSV (paths relative to the CSV's folder, ``/``-separated) and a JSON
side-car with the identifier and the column dtypes, so that loading gives back exactly what was
saved (see ``docs/data.md``).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dynamic_vision.io import video
from dynamic_vision.core.storage import atomic_write, atomic_write_json, sha256_file
from dynamic_vision.core.errors import DamagedFileError, StimulusError

__all__ = [
    "StimulusSet",
    "StimulusError",
    "MEDIA_COLUMNS",
    "CSV_NAME",
    "save_stimulus_set",
    "load_stimulus_set_file",
    "file_sha256",
]

#: Columns every stimulus set has, in this order, before its metadata columns.
MEDIA_COLUMNS = ("stimulus_id", "path", "fps", "n_frames", "duration_ms", "width", "height")
#: File name of a saved stimulus set inside its folder; the side-car has the same stem.
CSV_NAME = "stimulus_set.csv"
_FORMAT_VERSION = 1
# Columns probed from the media themselves (everything after stimulus_id and path).
_PROBED = MEDIA_COLUMNS[2:]


# -- file digests, computed once per process ------------------------------------------------

_digests: dict[tuple[str, int, int], str] = {}
_digests_lock = threading.Lock()


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The sha256 of a file, memoised per process on (absolute path, size, mtime_ns).

    A file rewritten in place gets a new size or modification time and is hashed again.
    """
    resolved = Path(path).resolve()
    stat = resolved.stat()
    key = (str(resolved), stat.st_size, stat.st_mtime_ns)
    with _digests_lock:
        found = _digests.get(key)
    if found is None:
        found = sha256_file(resolved)
        with _digests_lock:
            _digests[key] = found
    return found


def _canonical(value: Any) -> Any:
    """A JSON-stable form of one cell (NaN and numpy scalars included)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value)


class StimulusSet(pd.DataFrame):
    """Stimuli (images and videos) with their media facts and metadata, one row each.

    Build one with :meth:`from_files`; ``identifier`` survives slicing and copying.
    """

    _metadata = ["identifier"]
    identifier: str | None = None

    def __init__(self, *args: Any, identifier: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if identifier is not None:
            self.identifier = identifier

    @property
    def _constructor(self) -> type[StimulusSet]:
        return StimulusSet

    def __finalize__(self, other: Any, method: str | None = None, **kwargs: Any) -> StimulusSet:
        result = super().__finalize__(other, method=method, **kwargs)
        if getattr(result, "identifier", None) is None:
            # pandas keeps _metadata through slicing but not through concat or merge: keep the
            # identifier when all concatenated sets share it, and the left one's on a merge.
            if method == "concat":
                names = {getattr(obj, "identifier", None) for obj in getattr(other, "objs", ())}
                if len(names) == 1:
                    result.identifier = names.pop()
            elif method == "merge":
                result.identifier = getattr(getattr(other, "left", None), "identifier", None)
        return result

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def from_files(cls, files: Mapping[str, str | os.PathLike[str]]
                   | Sequence[str | os.PathLike[str]], identifier: str,
                   metadata: pd.DataFrame | None = None, image_duration_ms: float = 100.0,
                   progress: bool | None = None) -> StimulusSet:
        """Probe media files and build a validated stimulus set.

        Parameters
        ----------
        files
            ``{stimulus_id: path}``, or a sequence of paths whose file stems become the ids.
        identifier
            Name of the set (e.g. ``"SimMotion"``).
        metadata
            Optional table with a ``stimulus_id`` column (or index) and one row per stimulus;
            its other columns are joined on ``stimulus_id``.
        image_duration_ms
            Presentation time given to still images.
        progress
            Show a progress bar; by default only for more than 100 files.

        Raises
        ------
        StimulusError
            Duplicate ids, missing or unreadable files, metadata that does not cover every
            stimulus; the message names the stimulus and the path.
        """
        if isinstance(files, Mapping):
            pairs = [(str(sid), Path(p)) for sid, p in files.items()]
        else:
            pairs = [(Path(p).stem, Path(p)) for p in files]
        if not pairs:
            raise StimulusError(f"Stimulus set '{identifier}' would be empty: no files were "
                                f"given.")
        _raise_on_duplicates([sid for sid, _ in pairs], identifier)
        if not (math.isfinite(image_duration_ms) and image_duration_ms > 0):
            raise ValueError(f"image_duration_ms must be positive, got {image_duration_ms}")
        from tqdm.auto import tqdm

        rows = []
        show = len(pairs) > 100 if progress is None else progress
        for sid, path in tqdm(pairs, desc=f"probing {identifier}", disable=not show,
                              unit="file"):
            info = _probe(sid, path)
            rows.append({
                "stimulus_id": sid, "path": str(path.resolve()), "fps": float(info.fps),
                "n_frames": int(info.n_frames),
                "duration_ms": float(image_duration_ms if info.is_image else info.duration_ms),
                "width": int(info.width), "height": int(info.height),
            })
        table = pd.DataFrame(rows, columns=list(MEDIA_COLUMNS)).astype(
            {"stimulus_id": str, "path": str, "fps": "float64", "n_frames": "int64",
             "duration_ms": "float64", "width": "int64", "height": "int64"})
        if metadata is not None:
            table = _join_metadata(table, metadata, identifier)
        return cls(table, identifier=identifier)

    # -- validation ---------------------------------------------------------------------------
    def validate(self, media: bool = True) -> StimulusSet:
        """Check the contract; return ``self`` so calls can be chained.

        Checks the columns, unique non-empty string ids, that every file exists, and with
        ``media=True`` that every file can be probed as an image or video.

        Raises
        ------
        StimulusError
            Naming the first stimulus (and path) at fault.
        """
        name = self.identifier or "<unnamed>"
        missing = [c for c in MEDIA_COLUMNS if c not in self.columns]
        if missing:
            raise StimulusError(f"Stimulus set '{name}' lacks the columns {missing}; build it "
                                f"with StimulusSet.from_files(...).")
        ids = self["stimulus_id"]
        for sid in ids:
            if not isinstance(sid, str) or not sid:
                raise StimulusError(f"Stimulus set '{name}' has an invalid stimulus_id {sid!r}; "
                                    f"ids must be non-empty strings.", stimulus_id=None)
        _raise_on_duplicates(list(ids), name)
        self._check_media_values(name)
        for sid, path in zip(ids, self["path"]):
            if not Path(path).is_file():
                raise StimulusError(f"Stimulus '{sid}' of '{name}': file {path} does not exist.",
                                    stimulus_id=sid, path=path)
            if media:
                _probe(sid, Path(path))
        return self

    def _check_media_values(self, name: str) -> None:
        """Frame counts, durations and sizes are positive; fps is positive, or NaN (images)."""
        fps = self["fps"].to_numpy(dtype=float)
        bad = ~((fps > 0) | np.isnan(fps))
        for column in ("n_frames", "duration_ms", "width", "height"):
            values = pd.to_numeric(self[column], errors="coerce").to_numpy(dtype=float)
            bad |= ~(values > 0)  # NaN fails too
        if bad.any():
            row = self.iloc[int(np.flatnonzero(bad)[0])]
            facts = ", ".join(f"{c}={row[c]}" for c in _PROBED)
            raise StimulusError(f"Stimulus '{row['stimulus_id']}' of '{name}' has impossible "
                                f"media facts ({facts}); re-probe it with "
                                f"StimulusSet.from_files.", stimulus_id=row["stimulus_id"],
                                path=row["path"])

    # -- access -------------------------------------------------------------------------------
    def _row(self, stimulus_id: str) -> int:
        positions = np.flatnonzero(self["stimulus_id"].to_numpy() == stimulus_id)
        if not len(positions):
            raise StimulusError(f"Stimulus set '{self.identifier}' has no stimulus "
                                f"'{stimulus_id}'.", stimulus_id=stimulus_id)
        return int(positions[0])

    def get_path(self, stimulus_id: str) -> Path:
        """The absolute path of ``stimulus_id``'s file."""
        return Path(self["path"].iloc[self._row(stimulus_id)])

    def subset(self, stimulus_ids: Iterable[str]) -> StimulusSet:
        """The rows of ``stimulus_ids``, in that order (unknown ids raise, all listed)."""
        wanted = list(stimulus_ids)
        position = {sid: i for i, sid in enumerate(self["stimulus_id"])}
        unknown = [sid for sid in wanted if sid not in position]
        if unknown:
            shown = ", ".join(map(repr, unknown[:10])) + (" ..." if len(unknown) > 10 else "")
            raise StimulusError(f"Stimulus set '{self.identifier}' lacks {len(unknown)} "
                                f"requested stimuli: {shown}")
        out = self.iloc[[position[sid] for sid in wanted]].reset_index(drop=True)
        out.identifier = self.identifier
        return out

    @property
    def is_image(self) -> pd.Series:
        """Per row: True for still images (their ``fps`` is NaN)."""
        return self["fps"].isna().rename("is_image")

    def read_frames(self, stimulus_id: str, **kwargs: Any) -> np.ndarray:
        """:func:`dynamic_vision.io.video.read_frames` of one stimulus; errors name it."""
        return video.read_frames(self.get_path(stimulus_id), stimulus_id=stimulus_id, **kwargs)

    def iter_frames(self, stimulus_id: str, **kwargs: Any) -> Iterator[np.ndarray]:
        """:func:`dynamic_vision.io.video.iter_frames` of one stimulus; errors name it."""
        return video.iter_frames(self.get_path(stimulus_id), stimulus_id=stimulus_id, **kwargs)

    def content_hash(self) -> str:
        """A stable sha256 of the ids, the files' contents and every other column, in order.

        Paths enter through their files' digests only, so a copied or moved set keeps its
        hash, while a changed file or metadata value changes it.
        """
        digest = hashlib.sha256()
        columns = sorted(c for c in self.columns if c != "path")
        digest.update(json.dumps(["columns", columns]).encode())
        values = {c: self[c].tolist() for c in columns}
        for i, path in enumerate(self["path"]):
            row = [_canonical(values[c][i]) for c in columns]
            try:
                file_digest = file_sha256(path)
            except OSError as error:
                sid = self["stimulus_id"].iloc[i]
                raise StimulusError(f"Cannot hash stimulus '{sid}' of '{self.identifier}': "
                                    f"{path} is unreadable ({error}).", stimulus_id=sid,
                                    path=path) from error
            digest.update(json.dumps([row, file_digest]).encode())
        return digest.hexdigest()


def _raise_on_duplicates(ids: list[str], name: str) -> None:
    seen: set[str] = set()
    duplicates = [sid for sid in ids if sid in seen or seen.add(sid)]  # type: ignore[func-returns-value]
    if duplicates:
        raise StimulusError(f"Stimulus set '{name}' repeats the stimulus_id "
                            f"{duplicates[0]!r} ({len(duplicates)} duplicates in all); ids "
                            f"must be unique.", stimulus_id=duplicates[0])


def _probe(stimulus_id: str, path: Path) -> video.MediaInfo:
    try:
        return video.probe(path, stimulus_id=stimulus_id)
    except video.MediaError as error:
        raise StimulusError(str(error), stimulus_id=stimulus_id, path=path) from error


def _join_metadata(table: pd.DataFrame, metadata: pd.DataFrame, name: str) -> pd.DataFrame:
    if "stimulus_id" not in metadata.columns:
        if metadata.index.name != "stimulus_id":
            raise StimulusError(f"Metadata for '{name}' needs a 'stimulus_id' column or index.")
        metadata = metadata.reset_index()
    clash = [c for c in metadata.columns if c in MEDIA_COLUMNS and c != "stimulus_id"]
    if clash:
        raise StimulusError(f"Metadata for '{name}' must not carry the media columns {clash}; "
                            f"they are probed from the files.")
    metadata = metadata.astype({"stimulus_id": str})
    _raise_on_duplicates(list(metadata["stimulus_id"]), f"{name} (metadata)")
    lacking = sorted(set(table["stimulus_id"]) - set(metadata["stimulus_id"]))
    if lacking:
        raise StimulusError(f"Metadata for '{name}' has no row for {len(lacking)} stimuli, e.g. "
                            f"{lacking[:5]}; give every stimulus a row.", stimulus_id=lacking[0])
    return table.merge(metadata, on="stimulus_id", how="left", validate="one_to_one")


# -- CSV storage ---------------------------------------------------------------------------


def _dtype_record(series: pd.Series) -> dict[str, Any]:
    """How to restore a column read back from CSV text."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories
        if not all(isinstance(c, str) for c in categories):
            raise ValueError(f"Column '{series.name}': only categories of strings can be saved "
                             f"to CSV exactly.")
        return {"dtype": "category", "categories": list(categories), "ordered": dtype.ordered}
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return {"dtype": str(dtype)}
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        bad = [v for v in series if not (isinstance(v, str) or v is None
                                         or (isinstance(v, float) and math.isnan(v)))]
        if bad:
            raise ValueError(f"Column '{series.name}' holds non-string values (e.g. {bad[0]!r}) "
                             f"in a text column; CSV cannot restore them exactly. Convert the "
                             f"column to one type first.")
        missing = [i for i, v in enumerate(series) if not isinstance(v, str)]
        return {"dtype": str(dtype), "missing": missing}
    raise ValueError(f"Column '{series.name}' has dtype {dtype}, which a stimulus-set CSV "
                     f"cannot restore exactly; use numbers, booleans, strings or categories.")


def _restore(text: pd.Series, record: dict[str, Any]) -> pd.Series:
    dtype = record["dtype"]
    if dtype == "category":
        values = text.where(text != "", None)
        return values.astype(pd.CategoricalDtype(record["categories"], record["ordered"]))
    if dtype in ("bool", "boolean"):
        return text.map({"True": True, "False": False, "": None}).astype(dtype)
    if "missing" in record:
        values = text.astype(object)
        if record["missing"]:
            fill = None if dtype == "object" else np.nan
            values.iloc[record["missing"]] = fill
        return values.astype(dtype)
    numeric = pd.to_numeric(text.replace("", np.nan))
    return numeric.astype(dtype)


def save_stimulus_set(stimulus_set: StimulusSet, folder: str | os.PathLike[str]) -> Path:
    """Write ``stimulus_set`` to ``folder/stimulus_set.csv`` and its JSON side-car, atomically.

    Paths are stored relative to ``folder`` so the folder can be moved as a whole.

    Returns
    -------
    Path
        The CSV's path.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame(stimulus_set).reset_index(drop=True)
    missing = [c for c in ("stimulus_id", "path") if c not in table.columns]
    if missing:
        raise StimulusError(f"Cannot save stimulus set '{stimulus_set.identifier}': it lacks "
                            f"the columns {missing}.")
    records = {str(c): _dtype_record(table[c]) for c in table.columns}
    root = folder.resolve()
    table["path"] = [_relative(Path(p), root) for p in table["path"]]
    csv_path = folder / CSV_NAME
    with atomic_write(csv_path, "w") as handle:
        table.to_csv(handle, index=False, lineterminator="\n")
    atomic_write_json(csv_path.with_suffix(".json"), {
        "format": _FORMAT_VERSION, "identifier": stimulus_set.identifier,
        "columns": [str(c) for c in table.columns], "dtypes": records})
    return csv_path


def _relative(path: Path, root: Path) -> str:
    try:
        return os.path.relpath(path.resolve(), root).replace(os.sep, "/")
    except ValueError:  # another drive on Windows: keep it absolute
        return str(path.resolve())


def load_stimulus_set_file(location: str | os.PathLike[str], identifier: str | None = None
                           ) -> StimulusSet:
    """Read a stimulus set saved by :func:`save_stimulus_set` (a folder or its CSV).

    A CSV without a side-car (written by hand or by another tool) needs ``stimulus_id`` and
    ``path`` columns; its media columns are probed from the files when absent.
    """
    location = Path(location)
    csv_path = location / CSV_NAME if location.is_dir() else location
    if not csv_path.is_file():
        raise FileNotFoundError(f"No stimulus set at {location}: expected {csv_path}.")
    sidecar = csv_path.with_suffix(".json")
    root = csv_path.parent.resolve()
    if not sidecar.is_file():
        return _load_plain_csv(csv_path, root, identifier or csv_path.stem)
    try:
        with open(sidecar) as handle:
            info = json.load(handle)
        text = pd.read_csv(csv_path, dtype=str, keep_default_na=False, na_filter=False)
        if not isinstance(info, dict) or not {"columns", "dtypes"} <= set(info):
            raise ValueError("the side-car lacks 'columns' or 'dtypes'")
    except (ValueError, KeyError, TypeError, pd.errors.ParserError) as error:
        raise DamagedFileError(f"Cannot read the stimulus set {csv_path} with its side-car "
                               f"{sidecar.name} ({type(error).__name__}: {error}); the files "
                               f"are damaged. Delete the folder to have it fetched or generated "
                               f"again.", path=csv_path) from error
    if list(text.columns) != info["columns"]:
        raise StimulusError(f"{csv_path} does not match its side-car {sidecar}: columns "
                            f"{list(text.columns)} vs {info['columns']}. Save it again.")
    table = pd.DataFrame({c: _restore(text[c], info["dtypes"][c]) for c in text.columns})
    table["path"] = [str((root / p).resolve()) if not os.path.isabs(p) else p
                     for p in table["path"]]
    table["path"] = table["path"].astype(info["dtypes"]["path"]["dtype"])
    return StimulusSet(table, identifier=identifier or info.get("identifier"))


def _load_plain_csv(csv_path: Path, root: Path, identifier: str) -> StimulusSet:
    table = pd.read_csv(csv_path)
    if "stimulus_id" not in table.columns or "path" not in table.columns:
        raise StimulusError(f"{csv_path} needs 'stimulus_id' and 'path' columns (found "
                            f"{list(table.columns)}).")
    files = {str(sid): root / str(p) for sid, p in zip(table["stimulus_id"], table["path"])}
    if all(c in table.columns for c in _PROBED):
        table["stimulus_id"] = table["stimulus_id"].astype(str)
        table["path"] = [str(p.resolve()) for p in files.values()]
        return StimulusSet(table, identifier=identifier)
    metadata = table.drop(columns=["path", *[c for c in _PROBED if c in table.columns]])
    return StimulusSet.from_files(files, identifier, metadata=metadata)
