from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from senim.audit._drift import drift, drift_frames
from senim.audit._explain_render import drift_dict, render_drift_text
from senim.errors import InputError, UsageError


def period(rows: int, shift: float, female: float, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "income": rng.normal(300 + shift, 80, rows),
            "channel": rng.choice(["branch", "app"], rows, p=[0.5, 0.5]),
            "sex": rng.choice(["F", "M"], rows, p=[female, 1 - female]),
        }
    )


def test_same_distribution_is_stable() -> None:
    report = drift_frames(
        period(4000, 0, 0.5, 1),
        period(4000, 0, 0.5, 2),
        features=["income", "channel"],
        sensitive=["sex"],
    )
    assert report.worst == "stable"
    assert all(i.psi is not None and i.psi < 0.1 for i in report.items)


def test_shift_is_detected_overall_and_by_group() -> None:
    report = drift_frames(
        period(4000, 0, 0.5, 1), period(4000, 120, 0.2, 2), features=["income"], sensitive=["sex"]
    )
    items = {(i.feature, i.group): i for i in report.items}
    assert items[("income", None)].level == "significant"
    assert items[("income", "F")].level == "significant"
    assert items[("share:sex", None)].level in ("moderate", "significant")
    assert report.worst == "significant"


def test_psi_matches_hand_computation() -> None:
    before = pl.DataFrame({"c": ["a"] * 50 + ["b"] * 50})
    after = pl.DataFrame({"c": ["a"] * 90 + ["b"] * 10})
    value = drift_frames(before, after, features=["c"]).items[0].psi
    expected = (0.9 - 0.5) * np.log(0.9 / 0.5) + (0.1 - 0.5) * np.log(0.1 / 0.5)
    assert value == pytest.approx(expected)


def test_small_groups_are_not_scored() -> None:
    before = period(1000, 0, 0.01, 1)
    after = period(1000, 0, 0.01, 2)
    report = drift_frames(before, after, features=["income"], sensitive=["sex"])
    female = next(i for i in report.items if i.group == "F")
    assert female.level == "insufficient_data"
    assert female.psi is None


def test_files_and_rendering(tmp_path: Path) -> None:
    a, b = tmp_path / "a.parquet", tmp_path / "b.csv"
    period(500, 0, 0.5, 1).write_parquet(a)
    period(500, 100, 0.5, 2).write_csv(b)
    report = drift(str(a), str(b), features=["income"], sensitive=["sex"])
    data = drift_dict(report)
    assert data["status"] == "significant"
    assert data["items"][0]["feature"] == "income"
    assert "PSI" in render_drift_text(report, "ru")


def test_errors() -> None:
    with pytest.raises(UsageError):
        drift_frames(period(10, 0, 0.5, 1), period(10, 0, 0.5, 1), features=[])
    with pytest.raises(InputError):
        drift_frames(period(10, 0, 0.5, 1), period(10, 0, 0.5, 1), features=["nope"])
