"""Arrow data handed to polars through the Arrow PyCapsule interface.

``pl.Series(pa_array)`` and ``pl.from_arrow(batch)`` take pyarrow objects through polars'
pyarrow conversion path, which imports :mod:`pyarrow.compute` (30-50 ms of start-up in
every scanning process, for functions a scan never calls). The same buffers cross without
it, zero-copy, when polars sees the objects only through the Arrow C data interface
(``__arrow_c_array__``, ``__arrow_c_stream__``): same values, same dtypes.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

import polars as pl
import pyarrow as pa

__all__ = ["compute", "polars_frame", "polars_series"]


class _Array:
    """A pyarrow array seen only as an Arrow C array."""

    __slots__ = ("_array",)

    def __init__(self, array: pa.Array) -> None:
        self._array = array

    def __arrow_c_array__(self, requested_schema: object | None = None) -> Any:
        return self._array.__arrow_c_array__(requested_schema)


class _Stream:
    """A pyarrow batch, table or chunked array seen only as an Arrow C stream."""

    __slots__ = ("_data",)

    def __init__(self, data: pa.RecordBatch | pa.Table | pa.ChunkedArray) -> None:
        self._data = data

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> Any:
        return self._data.__arrow_c_stream__(requested_schema)


def polars_series(array: pa.Array | pa.ChunkedArray, name: str = "") -> pl.Series:
    """``array`` as a polars Series (as ``pl.Series(name, array)`` gives it)."""
    view = _Stream(array) if isinstance(array, pa.ChunkedArray) else _Array(array)
    series = pl.Series(view)
    return series.rename(name) if name else series


def polars_frame(data: pa.RecordBatch | pa.Table) -> pl.DataFrame:
    """``data`` as a polars DataFrame (as ``pl.from_arrow(data)`` gives it)."""
    return pl.DataFrame(_Stream(data))


def compute() -> ModuleType:
    """:mod:`pyarrow.compute`, loaded on first use; in a process whose pyarrow was loaded
    without numpy (:func:`~senim.engine._helpers.arrow_without_numpy`), numpy stays unloaded.

    Call it before a pyarrow method that needs the module (``take``, ``cast``): those load
    it themselves, numpy included.
    """
    if "pyarrow.compute" not in sys.modules:
        if "numpy" in sys.modules:
            import pyarrow.compute
        else:
            from senim.engine._helpers import hidden

            with hidden("numpy"):
                import pyarrow.compute  # noqa: F401
    return sys.modules["pyarrow.compute"]
