import re
from collections.abc import Callable
from typing import Any

def window(text: str, start: int, end: int) -> tuple[str, str]: ...
def near_words(
    text: str,
    start: int,
    end: int,
    negative: Callable[[str], re.Match[str] | None] | None,
    context: Callable[[str], re.Match[str] | None] | None,
) -> tuple[bool, str | None]: ...
def mask_preview(value: str) -> str: ...
def digested(value: str) -> str: ...
def locate(
    rows: list[int], values: list[str], texts: list[str | None], only: set[int] | None
) -> tuple[list[int], list[int]]: ...
def bounded(
    rows: list[int], starts: list[int], ends: list[int], texts: list[str | None], boundary: str
) -> list[int]: ...
def kz_checksum_ok(number: str) -> bool: ...
def luhn_ok(number: str) -> bool | None: ...
def mod97_ok(number: str) -> bool | None: ...
def bind_scoring(
    hit: Callable[..., Any],
    validated: Callable[..., Any],
    context_boost: Callable[..., Any],
    searches: Callable[..., Any],
    before: int,
    after: int,
) -> None: ...
def score_matches(
    scanner: Any,
    det: Any,
    pattern: str,
    base: float,
    found: Any,
    kept: list[int],
    verdicts: dict[str, bool | None],
    texts: list[str | None],
    col_term: str | None,
    row_spans: dict[int, list[tuple[int, int]]] | None,
    seen: set[tuple[int, int, int]] | None,
    hits: dict[int, list[Any]],
) -> None: ...
def score_candidates(
    scanner: Any,
    det: Any,
    text: str,
    cands: list[tuple[int, int, Any]],
    col_term: str | None,
    out: list[Any],
) -> None: ...
def digests(inner: Any, outer: Any, entities: list[str], values: list[str]) -> list[str]: ...
def finding_columns(rows: list[Any]) -> dict[str, list[Any]]: ...
