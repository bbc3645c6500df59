"""Run inside helper processes by tests: what has the helper loaded?"""

from __future__ import annotations

import sys


def loaded(names: list[str]) -> list[str]:
    return [n for n in names if n in sys.modules]
