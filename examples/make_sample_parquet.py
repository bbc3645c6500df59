"""Write examples/sample-data/clients.parquet from clients.csv (typed columns, as a lake would)."""

from pathlib import Path

import polars as pl

here = Path(__file__).parent / "sample-data"
frame = pl.read_csv(here / "clients.csv", schema_overrides={"iin": pl.String})
frame.write_parquet(here / "clients.parquet")
print(f"wrote {here / 'clients.parquet'} ({frame.height} rows)")
