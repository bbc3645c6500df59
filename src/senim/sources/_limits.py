"""Limits against zip bombs, for ``.zip`` and ``.gz`` inputs, and against endless streams
(a pydantic model).

Kept apart from the readers: pydantic loads only when an archive is opened or limits are
given, not with every scan.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from senim.sources._blob import STREAM_MAX_BYTES

__all__ = ["DEFAULT_LIMITS", "ArchiveLimits", "archive_limits"]


class ArchiveLimits(BaseModel):
    """Limits against zip bombs and endless streams (defaults fit real exports; raise them
    deliberately)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_members: int = Field(default=10_000, gt=0, description="Members per archive.")
    max_total_bytes: int = Field(
        default=8 << 30, gt=0, description="Uncompressed bytes per archive (all members)."
    )
    max_ratio: float = Field(
        default=200.0, gt=1, description="Uncompressed/compressed size, for members > 64 MiB."
    )
    ratio_floor: int = Field(
        default=64 << 20, ge=0, description="Members smaller than this skip the ratio check."
    )
    max_depth: int = Field(default=2, ge=0, description="Archives nested inside archives.")
    max_stream_bytes: int = Field(
        default=STREAM_MAX_BYTES,
        gt=0,
        description="Bytes of standard input or a named pipe, spooled before they are scanned.",
    )


DEFAULT_LIMITS = ArchiveLimits()


def archive_limits(limits: ArchiveLimits | None) -> ArchiveLimits:
    """``limits``, or the defaults."""
    return DEFAULT_LIMITS if limits is None else limits
