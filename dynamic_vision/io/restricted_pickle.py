"""Reading published pickles without running their code.

Some datasets (BOLD Moments, for instance) publish their arrays as Python pickles. A pickle can
name any importable callable, so an ordinary ``pickle.load`` runs whatever the file asks for.
:func:`load` admits only what numpy arrays, numpy scalars/dtypes and builtin containers need;
any other class or function named in the stream is refused with :class:`RestrictedPickleError`
naming it. Callers read a file only after its hash matched the published digest (see
:func:`dynamic_vision.io.datasets.fetch`), so the unpickler is the second of two locks.
"""

from __future__ import annotations

import _compat_pickle
import io
import os
import pickle
from pathlib import Path
from typing import IO, Any
from dynamic_vision.core.errors import RestrictedPickleError

__all__ = ["RestrictedPickleError", "ALLOWED", "load", "loads"]


_NUMPY_CORE = ("numpy.core.multiarray", "numpy._core.multiarray")
_NUMPY_NUMERIC = ("numpy.core.numeric", "numpy._core.numeric")

#: ``(module, name)`` pairs a pickle may name: numpy array/scalar/dtype reconstruction and
#: builtin containers and scalars.
ALLOWED: frozenset[tuple[str, str]] = frozenset(
    [(module, "_reconstruct") for module in _NUMPY_CORE]
    + [(module, "scalar") for module in _NUMPY_CORE]
    + [(module, "_frombuffer") for module in _NUMPY_NUMERIC]
    + [("numpy", "ndarray"), ("numpy", "dtype")]
    # numpy >= 2 pickles dtypes by their class, e.g. numpy.dtypes.Float64DType.
    + [("numpy.dtypes", name) for name in (
        "BoolDType", "Int8DType", "UInt8DType", "Int16DType", "UInt16DType", "Int32DType",
        "UInt32DType", "Int64DType", "UInt64DType", "Float16DType", "Float32DType",
        "Float64DType", "LongDoubleDType", "Complex64DType", "Complex128DType", "StrDType",
        "BytesDType", "LongDType", "ULongDType", "LongLongDType", "ULongLongDType")]
    # Protocol-2 pickles written under Python 3 encode bytes through _codecs.encode.
    + [("_codecs", "encode")]
    + [("builtins", name) for name in ("set", "frozenset", "complex", "bytearray", "slice",
                                       "range", "int", "float", "str", "bytes", "bool")]
    + [("collections", "OrderedDict")])


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: IO[bytes], source: str):
        super().__init__(file)
        self._source = source

    def find_class(self, module: str, name: str) -> Any:
        # Protocol 0-2 streams carry Python 2 names ('__builtin__.set'); judge the Python 3
        # name they resolve to (Python 3 names are never keys of these mappings).
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        if (module, name) not in ALLOWED:
            raise RestrictedPickleError(
                f"{self._source} asks to construct '{module}.{name}', which is not a numpy "
                f"array, dtype or builtin container; refusing to unpickle it. Only plain "
                f"numpy data is read from published pickles. If this file is genuine, convert "
                f"it to .npy/.npz or netCDF and load that instead.")
        return super().find_class(module, name)

    def persistent_load(self, pid: Any) -> Any:
        raise RestrictedPickleError(f"{self._source} uses persistent ids ({pid!r}); refusing.")


def load(file: str | os.PathLike[str] | IO[bytes]) -> Any:
    """Unpickle a file, admitting only numpy arrays, dtypes, scalars and builtin containers.

    Parameters
    ----------
    file
        A path or a binary file object. Verify the file's hash before calling this.

    Raises
    ------
    RestrictedPickleError
        The stream names any other class or function; the message names it and the file.
    """
    if isinstance(file, (str, os.PathLike)):
        path = Path(file)
        with open(path, "rb") as handle:
            return _Unpickler(handle, f"Pickle '{path}'").load()
    return _Unpickler(file, f"Pickle '{getattr(file, 'name', '<stream>')}'").load()


def loads(data: bytes) -> Any:
    """Like :func:`load`, for bytes in memory."""
    return _Unpickler(io.BytesIO(data), "Pickle data").load()
