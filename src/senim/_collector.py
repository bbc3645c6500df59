"""Python's cyclic garbage collector, paused for blocks that only build long-lived objects
or short-lived ones without cycles (standard library only: imported before anything heavy)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector does not run inside the block (unless it was off already).

    Objects freed by reference counting go as usual; anything cyclic made inside the block
    is collected after it. Two kinds of block gain: importing modules (polars, pyarrow and
    the scanner's own build tens of thousands of objects that live as long as the process,
    which the collector would walk again and again, about 40 ms of a scan's start-up) and
    scanning a batch (hundreds of thousands of short-lived objects, no cycles).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
