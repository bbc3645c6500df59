"""Apply a policy to text and Arrow batches: detect with the scanner, replace with operators.

:class:`Deidentifier` is the one batch function every surface uses: ``text()`` for a string,
``table_batch()`` for an Arrow record batch of a table (row count and order preserved), and
``text_batch()`` for chunks of a text file. It keeps counts of what it replaced (entity,
operator, column), never the values.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from senim.deid._keys import DeidKeys
from senim.deid._policy import Policy
from senim.deid._vault import Vault
from senim.deid.operators import BaseOperator, Keep, OperatorContext
from senim.deid.operators.generalise import Generalise
from senim.discovery import Finding, Scanner
from senim.discovery._scanner import RESERVED
from senim.errors import ConfigError

__all__ = ["DeidSummary", "Deidentifier", "apply_findings"]


@dataclass(slots=True)
class DeidSummary:
    """What was replaced: counts by entity and operator, and by column. Never values."""

    records: int = 0
    replaced: Counter[tuple[str, str]] = field(default_factory=Counter)
    columns: Counter[str] = field(default_factory=Counter)
    fallbacks: Counter[str] = field(default_factory=Counter)
    vault_tokens: int = 0

    @property
    def total(self) -> int:
        return sum(self.replaced.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "replaced": self.total,
            "by_entity": [
                {"entity": e, "operator": o, "count": n}
                for (e, o), n in sorted(self.replaced.items())
            ],
            "by_column": dict(sorted(self.columns.items())),
            "fallbacks": dict(sorted(self.fallbacks.items())),
            "vault_tokens": self.vault_tokens,
        }


def apply_findings(
    text: str,
    spans: Sequence[tuple[int, int, str]],
    replace: Any,
) -> str:
    """``text`` with each ``(start, end, entity)`` span replaced by ``replace(value, entity)``.

    A value found once is replaced wherever else it stands in ``text`` as a whole token,
    even where the scanner did not report it (an IP next to "v" reads as a version number
    there): de-identified text never keeps a copy of what it removed.
    """
    out: list[str] = []
    pos = 0
    for start, end, entity in sorted([*spans, *_repeats(text, spans)]):
        if start < pos:  # overlapping spans are resolved by the scanner; be safe anyway
            continue
        out.append(text[pos:start])
        out.append(replace(text[start:end], entity))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _repeats(text: str, spans: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Other whole-token occurrences of the spans' values that overlap no span."""
    count = text.count
    for start, end, _ in spans:
        if count(text[start:end]) > 1:
            break
    else:
        return []  # the usual case: every value stands once
    found: dict[str, tuple[str, int]] = {}  # value -> (entity, spans holding it)
    for start, end, entity in spans:
        value = text[start:end]
        found[value] = (entity, found.get(value, (entity, 0))[1] + 1)
    taken = [(start, end) for start, end, _ in spans]
    extra: list[tuple[int, int, str]] = []
    for value, (entity, n) in found.items():
        if not value.strip() or text.count(value) <= n:
            continue  # no copy outside the reported spans
        at = text.find(value)
        while at >= 0:
            end = at + len(value)
            edge_ok = (at == 0 or not text[at - 1].isalnum()) and (
                end == len(text) or not text[end].isalnum()
            )
            if edge_ok and all(end <= s or e <= at for s, e in taken):
                extra.append((at, end, entity))
                taken.append((at, end))
            at = text.find(value, at + 1)
    return extra


class Deidentifier:
    """Detects personal data and replaces it as the policy says.

    >>> Deidentifier().text("ИИН 900101300007, тел. +7 701 123 45 67")
    'ИИН <KZ_IIN>, тел. <KZ_PHONE>'
    """

    def __init__(
        self,
        *,
        policy: Policy | None = None,
        keys: DeidKeys | None = None,
        vault: Vault | None = None,
        scanner: Scanner | None = None,
    ) -> None:
        self.policy = policy if policy is not None else Policy()
        self.scanner = scanner if scanner is not None else Scanner(min_score=self.policy.min_score)
        self.policy.check({d.entity for d in self.scanner.detectors})
        if self.policy.needs_key and keys is None:
            from senim.deid._keys import ENV_KEY, ENV_KEY_FILE

            needing = sorted({r.name for r in self.policy.operators() if r.needs_key})
            raise ConfigError(
                "deid.key_needed", operator=", ".join(needing), env=ENV_KEY, env_file=ENV_KEY_FILE
            )
        if self.policy.uses_vault and vault is None:
            raise ConfigError("deid.vault_needed")
        self.keys = keys
        self.vault = vault
        self.ctx = OperatorContext(keys=keys, vault_enabled=vault is not None)
        self.summary = DeidSummary()

    # ---- one value -----------------------------------------------------------------------
    def _apply(self, rule: BaseOperator, value: str, entity: str, column: str | None) -> str:
        out = rule.apply(value, entity, self.ctx)
        if isinstance(rule, Generalise) and out == f"<{entity}>":
            self.summary.fallbacks[entity] += 1
        self.summary.replaced[(entity, rule.name)] += 1
        if column is not None:
            self.summary.columns[column] += 1
        return out

    def _replacer(self, column: str | None) -> Any:
        def replace(value: str, entity: str) -> str:
            return self._apply(self.policy.rule_for(entity), value, entity, column)

        return replace

    # ---- text ----------------------------------------------------------------------------
    def text(self, text: str) -> str:
        """De-identify one string."""
        findings = self.scanner.scan_text(text)
        out = apply_findings(
            text, [(f.start, f.end, f.entity) for f in findings], self._replacer(None)
        )
        self.flush()
        return out

    def text_batch(self, lines: Sequence[str], offsets: Sequence[int]) -> list[str]:
        """De-identify chunks of one text (``offsets``: character offset of each chunk)."""
        batch = pa.record_batch(
            {"text": pa.array(lines, pa.string()), "_senim_offset": pa.array(offsets, pa.int64())}
        )
        per_line: dict[int, list[tuple[int, int, str]]] = {}
        for f in self.scanner.scan_batch_findings(batch):
            row = bisect_right(offsets, f.start) - 1
            base = offsets[row]
            per_line.setdefault(row, []).append((f.start - base, f.end - base, f.entity))
        replace = self._replacer(None)
        out = [
            apply_findings(line, per_line[i], replace) if i in per_line else line
            for i, line in enumerate(lines)
        ]
        self.summary.records += len(lines)
        self.flush()
        return out

    # ---- tables --------------------------------------------------------------------------
    def column_rule(self, name: str) -> BaseOperator | None:
        """The whole-cell operator for a column, or None when the column is scanned."""
        rule = self.policy.columns.get(name, "scan")
        return None if isinstance(rule, str) else rule

    def table_batch(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """De-identify a table batch; same rows in the same order, same column names.

        Scanned non-text columns (integers, dates) that may hold personal data come back as
        text; ``keep`` columns keep their type.
        """
        names = batch.schema.names
        scan_cols = [n for n in names if n not in RESERVED and self.column_rule(n) is None]
        findings: dict[tuple[str, int], list[Finding]] = {}
        if scan_cols:
            plain = pa.RecordBatch.from_arrays(
                [batch.column(names.index(n)) for n in scan_cols], names=scan_cols
            )
            for f in self.scanner.scan_batch_findings(plain, columns=scan_cols):
                assert f.column is not None
                assert f.record is not None
                findings.setdefault((f.column, f.record), []).append(f)
        arrays: list[pa.Array] = []
        fields: list[pa.Field] = []
        for i, name in enumerate(names):
            column = batch.column(i)
            rule = self.column_rule(name) if name not in RESERVED else Keep()
            if isinstance(rule, Keep) or name in RESERVED:
                arrays.append(column)
                fields.append(batch.schema.field(i))
                continue
            new = self._column(name, column, rule, findings)
            arrays.append(new)
            fields.append(pa.field(name, new.type))
        self.summary.records += batch.num_rows
        self.flush()
        return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))

    def _column(
        self,
        name: str,
        column: pa.Array,
        rule: BaseOperator | None,
        findings: dict[tuple[str, int], list[Finding]],
    ) -> pa.Array:
        if rule is None and not _scannable(column.type):
            return column
        values = _as_strings(column)
        if rule is not None:
            entity = rule.entity or "VALUE"
            out = [
                None if v is None else (v if v == "" else self._apply(rule, v, entity, name))
                for v in values
            ]
            return pa.array(out, pa.string())
        if not any(k[0] == name for k in findings):
            return column
        replace = self._replacer(name)
        out = []
        for row, value in enumerate(values):
            hits = findings.get((name, row))
            if value is None or not hits:
                out.append(value)
            else:
                out.append(
                    apply_findings(value, [(f.start, f.end, f.entity) for f in hits], replace)
                )
        return pa.array(out, pa.string())

    def flush(self) -> None:
        """Write queued vault entries (called after every batch)."""
        if self.vault is not None and self.ctx.pending:
            self.summary.vault_tokens += self.vault.put(self.ctx.pending)
            self.ctx.pending.clear()


def _scannable(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        t = t.value_type
    return bool(
        pa.types.is_string(t)
        or pa.types.is_large_string(t)
        or pa.types.is_string_view(t)
        or pa.types.is_integer(t)
        or pa.types.is_temporal(t)
    )


def _as_strings(column: pa.Array) -> list[str | None]:
    t = column.type
    if pa.types.is_dictionary(t):
        column = column.cast(t.value_type)
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        column = column.cast(pa.string())
    values: list[str | None] = column.to_pylist()
    return values
