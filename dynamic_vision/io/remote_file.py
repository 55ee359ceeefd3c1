"""One file of a data plugin: where it comes from and the hashes it must match."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["RemoteFile", "ARCHIVE_SUFFIXES"]

#: Names that mark a file as an archive (extracted after verification when asked).
ARCHIVE_SUFFIXES = (".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".tar", ".zip")


@dataclass(frozen=True)
class RemoteFile:
    """One file of a data plugin.

    Attributes
    ----------
    url
        Where to download it (``None`` for files the user must supply).
    sha256
        Expected sha256 hex digest (``None`` when only ``sha1`` is published, as for brainio).
    size
        Expected size in bytes, or ``None`` if unknown.
    name
        File name inside the data folder.
    sha1
        Expected sha1 hex digest (brainio's catalogue publishes these).
    extract
        Unpack the archive into a folder named :attr:`extracted_name` after verification.
    """

    url: str | None
    sha256: str | None
    size: int | None
    name: str
    sha1: str | None = None
    extract: bool = False

    def __post_init__(self) -> None:
        if not self.name or Path(self.name).name != self.name:
            raise ValueError(f"RemoteFile name must be a plain file name, got {self.name!r}.")
        if self.extract and not self.name.lower().endswith(ARCHIVE_SUFFIXES):
            raise ValueError(f"RemoteFile '{self.name}' is marked extract=True but is not a "
                             f"zip or tar archive by its name.")

    @property
    def extracted_name(self) -> str:
        """Folder an archive is extracted to: the name without its archive suffix."""
        lowered = self.name.lower()
        for suffix in ARCHIVE_SUFFIXES:
            if lowered.endswith(suffix):
                return self.name[: -len(suffix)]
        return self.name

    @property
    def verifiable(self) -> bool:
        return self.sha256 is not None or self.sha1 is not None
