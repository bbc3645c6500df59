"""senim._arrow: Arrow data reaches polars through the PyCapsule interface unchanged."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from senim._arrow import compute, polars_frame, polars_series

_ARRAYS = [
    pa.array(["ИИН 900101300007", None, "Қайрат Әбенов"]),
    pa.array(["a", "b"], pa.large_string()),
    pa.array(["a", "b"], pa.string_view()),
    pa.array([1, None, 3]),
    pa.array([1, 2], pa.int8()),
    pa.array([dt.datetime(2020, 1, 1, 12)], pa.timestamp("us")),
    pa.array([dt.datetime(2020, 1, 1, 12)], pa.timestamp("ms", tz="Asia/Almaty")),
    pa.array([dt.date(1990, 1, 1)]),
    pa.array([0.5, None]),
    pa.array(["x", "y", "z", "w"]).slice(1, 2),
    pa.array([], pa.string()),
    pa.chunked_array([["a", None], ["b"]]),
]


@pytest.mark.parametrize("array", _ARRAYS, ids=lambda a: str(a.type))
def test_a_series_is_what_polars_makes_of_the_array(array: pa.Array | pa.ChunkedArray) -> None:
    expected = pl.Series("col", array)
    got = polars_series(array, "col")
    assert got.equals(expected, check_dtypes=True, check_names=True)
    assert got.to_list() == expected.to_list()


@given(
    st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=30),
    st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)), max_size=30),
    st.integers(0, 5),
)
def test_a_frame_is_what_polars_makes_of_the_batch(
    texts: list[str | None], numbers: list[int | None], cut: int
) -> None:
    n = min(len(texts), len(numbers))
    batch = pa.record_batch(
        {"text": pa.array(texts[:n], pa.string()), "n": pa.array(numbers[:n], pa.int64())}
    )
    for data in (batch, batch.slice(min(cut, n)), pa.Table.from_batches([batch, batch])):
        expected = pl.from_arrow(data)
        assert isinstance(expected, pl.DataFrame)
        assert polars_frame(data).equals(expected)
        assert polars_frame(data).schema == expected.schema


def test_compute_is_pyarrow_compute() -> None:
    import pyarrow.compute as pc

    assert compute() is pc
