"""Seeded synthetic decision logs, shared by the audit library and CLI tests."""

from __future__ import annotations

import numpy as np
import polars as pl


def make_decisions(rows: int = 4000, seed: int = 3) -> pl.DataFrame:
    """Loan decisions with a built-in disparity: rural applicants are approved less often."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["F", "M"], rows)
    region = rng.choice(["urban", "rural", "mountain"], rows, p=[0.6, 0.394, 0.006])
    label = rng.random(rows) < 0.45
    score = np.clip(
        0.25 + 0.4 * label + rng.normal(0, 0.15, rows) - 0.12 * (region == "rural"), 0, 1
    )
    return pl.DataFrame(
        {
            "sex": sex,
            "region": region,
            "repaid": label.astype(np.int64),
            "score": score,
            "approved": (score >= 0.5).astype(np.int64),
        }
    )
