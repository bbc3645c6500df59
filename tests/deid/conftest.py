from __future__ import annotations

import pytest

from senim.deid import DeidKeys

KEY_A = bytes(range(32))
KEY_B = bytes(range(100, 132))


@pytest.fixture
def keys() -> DeidKeys:
    return DeidKeys(master=KEY_A)


@pytest.fixture
def other_keys() -> DeidKeys:
    return DeidKeys(master=KEY_B)
