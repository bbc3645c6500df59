"""The HTML scan report: same report, same page."""

from __future__ import annotations

import re

import pyarrow as pa
import pytest

from senim.discovery._api import scan_table
from senim.report.scan import render_html_report


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENIM_HASH_KEY", "html-test-key")


def test_entities_of_a_source_tied_on_count_are_in_name_order() -> None:
    table = pa.table(
        {
            "ip": ["10.0.0.7", "10.0.0.8", None],
            "email": ["a.bekova@mail.kz", None, None],
            "iin": ["900101300007", None, None],
        }
    )
    report = scan_table(table, source="clients")
    html = render_html_report(report, "en")
    badges = re.findall(r'<span class="badge">([A-Z_]+): (\d+)</span>', html)
    assert badges == [("IP_ADDRESS", "2"), ("EMAIL", "1"), ("KZ_IIN", "1")]
