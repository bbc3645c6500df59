"""The Spark engine on a local Spark master: exactly the local engine's findings.

Kept to one Spark session and two jobs (JVM start-up dominates).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import senim.engine._spark as spark_engine
from senim.cli import app
from senim.discovery._api import scan_paths

pyspark = pytest.importorskip("pyspark")

IINS = ["900101300007", "850505400127", "061211600012"]
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet:FutureWarning")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = spark_engine._session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lake")
    n = 3000
    table = pa.table(
        {
            "client": pa.StructArray.from_arrays(
                [pa.array([IINS[i % 3] for i in range(n)]), pa.array(["x"] * n)], ["iin", "name"]
            ),
            "email": [f"user{i}@mail.kz" if i % 5 else None for i in range(n)],
            "amount": [i * 1.5 for i in range(n)],
        }
    )
    (root / "sales" / "year=2024").mkdir(parents=True)
    pq.write_table(table, root / "sales" / "year=2024" / "part-0.parquet", row_group_size=250)
    (root / "sales" / "_SUCCESS").write_bytes(b"")
    (root / "clients.csv").write_text(
        "ФИО;ИИН\nИванов Иван Иванович;900101300007\n", encoding="cp1251"
    )
    (root / "notes.txt").write_text(f"Клиент ИИН {IINS[1]}, тел. +7 701 123 45 67\n")
    (root / "empty.csv").write_bytes(b"")
    # a cp1251 file name (copied from Windows) and a named pipe (never opened)
    with contextlib.suppress(OSError, UnicodeEncodeError):  # file systems of UTF-8 names
        (root / os.fsdecode("клиенты".encode("cp1251") + b".txt")).write_text(
            f"ИИН {IINS[2]}\n", encoding="utf-8"
        )
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "queue.txt")
    return root


def _rows(table: pa.Table) -> list[tuple[object, ...]]:
    return sorted(tuple(r.values()) for r in table.to_pylist())


def test_spark_finds_exactly_what_local_finds(spark: Any, lake: Path) -> None:
    local = scan_paths([lake])
    distributed = spark_engine.scan_paths_spark([lake], spark=spark)
    assert local.findings.num_rows > 3000
    assert _rows(distributed.findings) == _rows(local.findings)
    assert distributed.entity_counts == local.entity_counts
    assert [(s.name, s.status, s.records, s.findings) for s in distributed.sources] == [
        (s.name, s.status, s.records, s.findings) for s in local.sources
    ]
    assert [p.key for p in distributed.problems] == [p.key for p in local.problems]
    assert [s.skipped for s in distributed.sources] == [s.skipped for s in local.sources]
    statuses = {Path(s.name).name: s.status for s in distributed.sources}
    assert statuses.get("\\xea\\xeb\\xe8\\xe5\\xed\\xf2\\xfb.txt", "ok") == "ok"
    assert statuses.get("queue.txt", "skipped") == "skipped"
    assert [(c.source, c.column, c.rows, c.entities) for c in distributed.columns] == [
        (c.source, c.column, c.rows, c.entities) for c in local.columns
    ]


def test_cli_engine_spark(spark: Any, lake: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "scan",
            str(lake / "clients.csv"),
            str(lake / "notes.txt"),
            "--engine",
            "spark",
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["entities"] == {"KZ_IIN": 2, "PERSON": 1, "KZ_PHONE": 1}


def test_a_local_session_logs_through_senims_profile(spark: Any) -> None:
    """Spark's default profile printed its notices (the profile used, "Setting default
    log level", a missing native Hadoop library) around senim's messages at every scan;
    a local session senim starts logs through the profile senim ships."""
    config = spark._jvm.org.apache.logging.log4j.LogManager.getContext(False).getConfiguration()
    assert Path(config.getConfigurationSource().getLocation()) == spark_engine._LOG_CONFIG
    assert config.getLoggers().containsKey("org.apache.hadoop.util.NativeCodeLoader")
    assert str(config.getRootLogger().getLevel()) == "ERROR"  # set once it is up


def test_spark_refuses_database_urls() -> None:
    result = CliRunner().invoke(app, ["scan", "sqlite:///x.db", "--engine", "spark"])
    assert result.exit_code == 2
    assert "--engine spark scans files and folders" in result.output
