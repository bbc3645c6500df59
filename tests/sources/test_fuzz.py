"""Fuzzing the readers: no input crashes senim or hangs it.

Random bytes under every supported name, text shaped like CSV/JSON, and mutations
(truncations, byte flips) of valid XLSX, DOCX, PDF, Parquet, zip and gzip files. Each input
must either be read or fail with an :class:`InputError` (a message for the user), within a
time bound.
"""

from __future__ import annotations

import functools
import gzip
import io
import os
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.sources._build import IIN, minimal_pdf, write_docx, write_xlsx, write_zip

from senim.discovery import Scanner
from senim.engine import scan_unit
from senim.errors import InputError
from senim.sources import SUFFIXES, open_blob
from senim.sources._base import problems_of
from senim.sources._blob import FileBlob

SECONDS_PER_INPUT = 30
FUZZ = settings(
    max_examples=int(os.environ.get("SENIM_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=os.environ.get("SENIM_FUZZ_RANDOM", "") == "",
)
SCANNER = Scanner()


@contextmanager
def time_bound(seconds: int) -> Iterator[None]:
    def hung(signum: int, frame: object) -> None:
        raise TimeoutError(f"reader did not finish in {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def read_all(path: Path) -> int:
    """Open and scan one file the way ``scan_paths`` does; return rows read."""
    rows = 0
    with time_bound(SECONDS_PER_INPUT):
        try:
            source = open_blob(FileBlob(path), in_folder=True)
            if source is None:
                return 0
            for batch in source.batches(None):
                scan_unit(SCANNER, batch, source=source.name, record_offset=rows)
                rows += batch.num_rows
            for problem in problems_of(source):
                assert problem.message("kk")  # every problem renders
        except InputError as exc:
            message = exc.message("ru")
            assert message
    return rows


NAMES = sorted({*SUFFIXES, ".gz", ".csv.gz", ".dat", ""})


@FUZZ
@given(data=st.binary(max_size=4096), suffix=st.sampled_from(NAMES))
def test_random_bytes_under_any_name(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / f"input{suffix}"
    path.write_bytes(data)
    read_all(path)


CSV_ALPHABET = st.sampled_from([*",;\t|\"'\n\r ab1Ии\\", IIN, "\x00", "\ufeff"])


@FUZZ
@given(
    text=st.lists(CSV_ALPHABET, max_size=300).map("".join),
    encoding=st.sampled_from(["utf-8", "utf-16", "cp1251", "kz1048", "utf-8-sig"]),
    suffix=st.sampled_from([".csv", ".tsv", ".txt", ".json", ".jsonl"]),
)
def test_text_shaped_inputs(
    tmp_path_factory: pytest.TempPathFactory, text: str, encoding: str, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / f"input{suffix}"
    path.write_bytes(text.encode(encoding, errors="replace"))
    read_all(path)


def _valid_files(root: Path) -> dict[str, bytes]:
    table = pa.table({"iin": [IIN] * 50, "n": list(range(50))})
    sink = io.BytesIO()
    pq.write_table(table, sink, row_group_size=10)
    files = {
        "a.parquet": sink.getvalue(),
        "a.pdf": minimal_pdf([f"IIN {IIN}"]),
        "a.csv.gz": gzip.compress(f"iin\n{IIN}\n".encode() * 20),
        "a.xlsx": write_xlsx(root / "x.xlsx", {"S": [["iin"], [IIN]] * 5}).read_bytes(),
        "a.docx": write_docx(
            root / "x.docx", [f"ИИН {IIN}"], [["a", "b"], ["1", IIN]]
        ).read_bytes(),
        "a.zip": write_zip(root / "x.zip", {"in/a.csv": f"iin\n{IIN}\n".encode()}).read_bytes(),
    }
    return files


@functools.cache
def valid_files() -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        return _valid_files(Path(tmp))


@FUZZ
@given(
    name=st.sampled_from(["a.parquet", "a.pdf", "a.csv.gz", "a.xlsx", "a.docx", "a.zip"]),
    cut=st.floats(min_value=0.0, max_value=1.0),
    flips=st.lists(st.tuples(st.floats(0.0, 0.999), st.integers(0, 255)), max_size=8),
)
def test_mutated_valid_files(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    cut: float,
    flips: list[tuple[float, int]],
) -> None:
    data = bytearray(valid_files()[name])
    for where, value in flips:
        data[int(where * len(data))] = value
    data = data[: max(1, int(len(data) * cut))] if cut < 1.0 else data
    path = tmp_path_factory.mktemp("fuzz") / name
    path.write_bytes(bytes(data))
    read_all(path)


def test_valid_files_are_read(tmp_path: Path) -> None:
    for name, data in valid_files().items():
        path = tmp_path / name
        path.write_bytes(data)
        assert read_all(path) > 0, name
