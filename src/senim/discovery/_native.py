"""The compiled kernel, when the install built it (``src/senim/discovery/_kernel.pyx``).

``kernel`` is the compiled module, or ``None`` where it was not built (no C compiler at
install time) or where ``$SENIM_PURE_PYTHON`` is set (``1``): callers then use the Python
references, which are the specification and give the same output.
"""

from __future__ import annotations

import os
from types import ModuleType

__all__ = ["kernel"]


def _load() -> ModuleType | None:
    if os.environ.get("SENIM_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        from senim.discovery import _kernel
    except ImportError:
        return None
    return _kernel


kernel = _load()
