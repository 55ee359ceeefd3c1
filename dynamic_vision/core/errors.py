"""Every error the library raises on purpose, in one room.

Each shares the base :class:`DynamicVisionError` (catch it to catch any of them) and also
derives from the built-in exception a caller would naturally catch (``KeyError`` for an unknown
identifier, ``FileNotFoundError`` for missing data, ``ValueError`` for bad input, ...), so
existing ``except`` clauses keep working.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "DynamicVisionError",
    "UnknownIdentifierError",
    "BrainScoreNameError",
    "BrainScoreModelError",
    "DuplicateIdentifierError",
    "UnknownLayerError",
    "MissingDependencyError",
    "PluginLoadError",
    "NotABrainModelError",
    "ModelOptionError",
    "DataAccessError",
    "ResultStoreError",
    "RestrictedPickleError",
    "JobTimeout",
    "WorkerLost",
    "MissingStimuliError",
    "MediaError",
    "WeightsNotFoundError",
    "WeightsVerificationError",
    "DownloadError",
    "HashMismatchError",
    "UnsafeArchiveError",
    "StimulusError",
    "DamagedFileError",
    "RepairedCacheWarning",
    "ScoreGuardError",
]


class DynamicVisionError(Exception):
    """Base class of every error this library raises on purpose."""


class UnknownIdentifierError(DynamicVisionError, KeyError):
    """An identifier that no registry entry matches; the message says what to do instead."""

    def __init__(self, message: str, *, kind: str, identifier: str, suggestions: list[str]):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.identifier = identifier
        self.suggestions = suggestions

    def __str__(self) -> str:  # KeyError would repr() the message and add quotes
        return self.message


class UnknownLayerError(DynamicVisionError, KeyError):
    """A layer the model does not offer; the message names the ones it does."""

    def __str__(self) -> str:  # KeyError would repr() the message and add quotes
        return str(self.args[0]) if self.args else ""


class BrainScoreNameError(DynamicVisionError, ModuleNotFoundError):
    """A Brain-Score model imports a Brain-Score name that the compatibility layer does not
    provide (and the real package is not installed)."""


class BrainScoreModelError(DynamicVisionError, TypeError):
    """A Brain-Score submission module or model plugin does not have the shape Brain-Score's
    documentation describes (missing functions, unknown names, unsupported preprocessing)."""


class DuplicateIdentifierError(DynamicVisionError, ValueError):
    """Two plugins registered the same identifier in one registry."""


class MissingDependencyError(DynamicVisionError, ImportError):
    """A plugin needs an optional package that is not installed."""


class PluginLoadError(DynamicVisionError, ImportError):
    """A registered plugin's implementation cannot be imported (a wrong or stale target)."""


class NotABrainModelError(DynamicVisionError, TypeError):
    """An object given as a model lacks what a benchmark asks of a BrainModel."""


class ModelOptionError(DynamicVisionError, ValueError):
    """A registered model cannot be built with the options it was given."""


class DataAccessError(DynamicVisionError, FileNotFoundError):
    """Files that the library cannot download itself are missing; says where to put them."""


class RestrictedPickleError(DynamicVisionError, pickle.UnpicklingError):
    """A pickle names a class or function outside the numpy/builtin allowance."""


class JobTimeout(DynamicVisionError, TimeoutError):
    """A job ran past its time limit."""


class WorkerLost(DynamicVisionError, RuntimeError):
    """The process running a job disappeared before it answered."""


class MissingStimuliError(DynamicVisionError, KeyError):
    """Stimuli one assembly needs and another lacks; ``.missing`` lists them."""

    def __init__(self, message: str, missing: Sequence[str]):
        super().__init__(message)
        self.message = message
        self.missing = list(missing)

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.message


class MediaError(DynamicVisionError, OSError):
    """A media file that cannot be read (missing, corrupt, truncated, unsupported).

    Attributes
    ----------
    path
        The file at fault.
    stimulus_id
        The stimulus the file belongs to, when the caller knew it.
    reason
        What went wrong, without the file's name.
    """

    def __init__(self, reason: str, *, path: str | os.PathLike[str] | None = None,
                 stimulus_id: str | None = None):
        self.reason = reason
        self.path = None if path is None else Path(path)
        self.stimulus_id = stimulus_id
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.path is None:  # rebuilt from its message alone (e.g. across processes)
            return self.reason
        where = (f"stimulus '{self.stimulus_id}' ({self.path})" if self.stimulus_id is not None
                 else f"media file {self.path}")
        return f"Cannot read {where}: {self.reason}"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only state survives pickling (DataLoader workers send errors across).
        return (_rebuild_media_error, (self.reason, self.path, self.stimulus_id))

    def for_stimulus(self, stimulus_id: str) -> MediaError:
        """The same error, naming ``stimulus_id`` as well as the path."""
        return MediaError(self.reason, path=self.path, stimulus_id=stimulus_id)


def _rebuild_media_error(reason: str, path: Path | None, stimulus_id: str | None
                         ) -> MediaError:
    return MediaError(reason, path=path, stimulus_id=stimulus_id)


class WeightsNotFoundError(DynamicVisionError, FileNotFoundError):
    """Pretrained weights are neither on disk nor downloadable; the message says what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class WeightsVerificationError(DynamicVisionError, ValueError):
    """A weights file does not have the sha256 its publisher declared."""


class DownloadError(DynamicVisionError, OSError):
    """A download that failed for good (after its retries); names the URL."""


class HashMismatchError(DownloadError):
    """A downloaded file whose size or hash differs from the declared one (it was deleted)."""

    def __init__(self, message: str, *, path: Path, expected: str, actual: str):
        super().__init__(message)
        self.path, self.expected, self.actual = path, expected, actual

    def __str__(self) -> str:
        return str(self.args[0])


class UnsafeArchiveError(DynamicVisionError, ValueError):
    """An archive member that would be written outside the destination (or is a device)."""


class StimulusError(DynamicVisionError, ValueError):
    """A stimulus set that breaks the contract; names the stimulus and file at fault."""

    def __init__(self, message: str, *, stimulus_id: str | None = None,
                 path: str | os.PathLike[str] | None = None):
        super().__init__(message)
        self.stimulus_id = stimulus_id
        self.path = None if path is None else Path(path)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_stimulus_error, (str(self), self.stimulus_id, self.path))


def _rebuild_stimulus_error(message: str, stimulus_id: str | None, path: Path | None
                            ) -> StimulusError:
    return StimulusError(message, stimulus_id=stimulus_id, path=path)


class DamagedFileError(DynamicVisionError, ValueError):
    """A file the library wrote or downloaded cannot be read back (truncated, corrupt).

    Attributes
    ----------
    path
        The file at fault.
    """

    def __init__(self, message: str, *, path: str | os.PathLike[str] | None = None):
        super().__init__(message)
        self.path = None if path is None else Path(path)


class ResultStoreError(DynamicVisionError, ValueError):
    """A results database (``--store``) cannot be used: a URL that does not parse or names no
    installed driver, a database that does not exist (for commands that only read), or a file
    that is not a results database. The message names the URL or file and what to do."""


class RepairedCacheWarning(UserWarning):
    """A damaged cache file was moved aside and its content computed again."""
class ScoreGuardError(DynamicVisionError, ValueError):
    """A score would be meaningless, so it is refused: too few test stimuli to correlate,
    time bins past the end of the stimuli, a missing or non-positive ceiling. The message names
    the benchmark or metric at fault, the numbers, and the documented override."""
