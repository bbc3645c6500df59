"""Bytes to text: encoding detection, magic numbers, and decoding that counts bad bytes.

Kazakhstan's files come in UTF-8 (with or without BOM), UTF-16 (Excel "Unicode text"),
Windows-1251 (1C and bank exports) and KZ-1048 (Windows Kazakh: cp1251 with Ә Ғ Қ Ң Ө Ұ Ү Һ
in place of Serbian/Macedonian letters). A BOM decides first; then strict UTF-8; then
``charset-normalizer`` over a sample. Undecodable bytes never stop a scan: they become
U+FFFD (one character per bad byte sequence, so offsets stay per character) and are counted,
and the source reports how many and where the first one was.
"""

from __future__ import annotations

import codecs
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from senim.errors import InputError

__all__ = [
    "SAMPLE_BYTES",
    "DecodeStats",
    "DecodedText",
    "detect_encoding",
    "looks_binary",
    "plain_utf8",
    "sniff_magic",
]

SAMPLE_BYTES = 256 * 1024
"""How much of a file encoding detection and delimiter sniffing look at."""

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"%PDF-", "pdf"),
    (b"PAR1", "parquet"),
    (b"\x1f\x8b", "gzip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"\x7fELF", "elf"),
    (b"MZ", "exe"),
    (b"SQLite format 3\x00", "sqlite"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
)

_MAGIC_BY_FIRST: dict[bytes, tuple[tuple[bytes, str], ...]] = {
    first: tuple(m for m in _MAGIC if m[0][:1] == first) for first in {m[:1] for m, _ in _MAGIC}
}
"""The magic numbers by their first byte (UTF-8 Cyrillic text starts with one of OLE's)."""


def sniff_magic(head: bytes) -> str | None:
    """The container/binary format a file starts with (``zip``, ``pdf``, ``ole``...), if any."""
    for magic, kind in _MAGIC_BY_FIRST.get(head[:1], ()):
        if head.startswith(magic):
            if kind == "exe" and len(head) > 64 and b"\x00" not in head[:64]:
                continue  # text that happens to start with "MZ"
            return kind
    return None


def _bom(sample: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return encoding
    return None


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 text without BOM: NUL in every other byte of mostly-ASCII or Cyrillic text."""
    if len(sample) < 4 or b"\x00" not in sample:  # it needs NUL in a third of its pairs
        return None
    even = sample[0::2]
    odd = sample[1::2]
    n = min(len(even), len(odd))
    if odd[:n].count(0) > 0.3 * n and even[:n].count(0) < 0.05 * n:
        return "utf-16-le"
    if even[:n].count(0) > 0.3 * n and odd[:n].count(0) < 0.05 * n:
        return "utf-16-be"
    return None


def looks_binary(sample: bytes) -> bool:
    """NUL bytes (outside UTF-16/32 text) or a binary magic number."""
    if _bom(sample) is not None or _utf16_without_bom(sample) is not None:
        return False
    kind = sniff_magic(sample)
    return kind is not None or b"\x00" in sample


def _valid_utf8_prefix(sample: bytes, complete: bool) -> bool:
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        # a multi-byte character cut by the end of the sample is fine
        return not complete and exc.start >= len(sample) - 3 and exc.reason.startswith("unexpected")


def plain_utf8(sample: bytes) -> str | None:
    """``sample`` decoded, when :func:`detect_encoding` reads it as UTF-8 throughout (no BOM,
    no NUL byte, every byte sequence valid): most files, decoded once rather than checked
    and then decoded. ``None``: let :func:`detect_encoding` decide."""
    if b"\x00" in sample or sample.startswith(codecs.BOM_UTF8):
        return None
    try:
        return sample.decode("utf-8")
    except UnicodeDecodeError:
        return None


def detect_encoding(sample: bytes, *, complete: bool = False) -> str | None:
    """A Python codec name for ``sample`` (the start of a file), or ``None`` if not text.

    ``complete`` says the sample is the whole file (a cut multi-byte character at the end of a
    partial sample is not held against UTF-8).

    >>> detect_encoding("Қайрат Әбенов, ЖСН 900101300007".encode("kz1048"), complete=True)
    'kz1048'
    >>> detect_encoding("Иванов Иван, ИИН 900101300007".encode("cp1251"), complete=True)
    'cp1251'
    """
    bom = _bom(sample)
    if bom is not None:
        return bom
    utf16 = _utf16_without_bom(sample)
    if utf16 is not None:
        return utf16
    if b"\x00" in sample:
        return None
    if _valid_utf8_prefix(sample, complete):
        return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(sample[:SAMPLE_BYTES]).best()
    if best is None:
        return None
    name = codecs.lookup(best.encoding).name
    if name in _CYRILLIC_1251 and any(b in _KZ1048_ONLY for b in sample):
        return "kz1048"
    return name


_CYRILLIC_1251 = {"cp1251", "mac-cyrillic", "ptcp154", "kz1048", "cp1125", "koi8-u"}
_KZ1048_ONLY = frozenset(
    b
    for b in range(0x80, 0x100)
    if bytes([b]).decode("cp1251", "replace") != bytes([b]).decode("kz1048", "replace")
)
"""Bytes that are Kazakh letters in KZ-1048 but Serbian/Macedonian/Ukrainian ones in cp1251.

Russian text is the same in both code pages; a cp1251-looking file with any of these bytes
is far more likely Kazakh (KZ-1048) in Kazakhstan than Serbian or Macedonian.
"""


# ---- decoding with counted replacements --------------------------------------------------
@dataclass(slots=True)
class DecodeStats:
    """Undecodable byte sequences met so far, and the byte offset of the first one."""

    bad: int = 0
    first_offset: int | None = None
    base: int = 0  # bytes consumed before the chunk being decoded


_local = threading.local()
_HANDLER = "senim-count-replace"


def _count_replace(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    stats: DecodeStats | None = getattr(_local, "stats", None)
    if stats is not None:
        stats.bad += 1
        if stats.first_offset is None:
            stats.first_offset = max(0, stats.base + exc.start)
    return "\ufffd", exc.end


codecs.register_error(_HANDLER, _count_replace)


class DecodedText:
    """Iterate the lines of a binary stream decoded with ``encoding``; bad bytes counted.

    Lines keep their line endings (``newline=""`` semantics), so character offsets add up
    to the decoded text exactly.
    """

    def __init__(self, raw: IO[bytes], encoding: str, *, chunk: int = 1 << 20) -> None:
        self.raw = raw
        self.encoding = encoding
        self.stats = DecodeStats()
        self._decoder = codecs.getincrementaldecoder(encoding)(errors=_HANDLER)
        self._chunk = chunk
        self.bytes_read = 0

    def chunks(self) -> Iterator[str]:
        """Decoded text in chunks of about ``chunk`` bytes (for the CSV and text readers)."""
        _local.stats = self.stats
        try:
            while True:
                data = self.raw.read(self._chunk)
                final = not data
                self.stats.base = self.bytes_read - _pending(self._decoder)
                text = self._decoder.decode(data, final=final)
                self.bytes_read += len(data)
                if text:
                    yield text
                if final:
                    return
                _local.stats = self.stats  # another source may have run in between
        finally:
            _local.stats = None

    def lines(self, max_line: int | None = None) -> Iterator[str]:
        """Decoded lines, line endings kept (``\\n``, ``\\r\\n`` and lone ``\\r``).

        With ``max_line``, a longer line is cut (at a space when there is one) so memory
        stays bounded on files without line breaks.
        """
        rest = ""
        for text in self.chunks():
            if max_line is not None and len(rest) > max_line:
                cut = rest.rfind(" ", 0, max_line) + 1 or max_line
                yield rest[:cut]
                rest = rest[cut:]
            text = rest + text
            parts = io.StringIO(text, newline="").readlines()
            if parts and not parts[-1].endswith(("\n", "\r")):
                rest = parts.pop()
            elif parts and parts[-1].endswith("\r"):
                rest = parts.pop()  # maybe the first half of \r\n
            else:
                rest = ""
            yield from parts
        if rest:
            yield rest


def _pending(decoder: codecs.IncrementalDecoder) -> int:
    try:
        buffered, _flag = decoder.getstate()
    except (AttributeError, TypeError, ValueError):
        return 0
    return len(buffered) if isinstance(buffered, bytes | bytearray) else 0


def decode_error(source: str, stats: DecodeStats, encoding: str) -> InputError:
    """The problem reported after a source with undecodable bytes was scanned."""
    return InputError(
        "source.undecodable",
        source=source,
        count=stats.bad,
        encoding=encoding,
        offset=stats.first_offset if stats.first_offset is not None else 0,
    )
