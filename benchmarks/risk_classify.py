"""Throughput of senim's rule engine: classification and impact assessment.

There is no maintained open-source peer that classifies AI systems under Kazakhstan's AI Law, so
this benchmark measures senim alone: pack loading (parse + validate every condition), cards
classified per second under both packs (the 45 golden cards, repeated), and assessments per
second. Run: ``.venv/bin/python benchmarks/risk_classify.py``.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

from benchmarks._report import machine_line, write_section
from senim.risk import classify, parse_card
from senim.risk._assess import assess, load_questionnaire
from senim.risk._golden import builtin_golden_dir, load_golden_files
from senim.risk._pack import _load_builtin, load_packs

REPEAT = 20
DAY = dt.date(2026, 11, 22)


def timed(fn, runs: int = 5) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    def load() -> None:
        _load_builtin.cache_clear()
        load_packs("kz,eu")

    load_s = timed(load)
    packs = load_packs("kz,eu")
    rules = sum(len(p.rules) for p in packs)
    cards = [parse_card(g.card, source=p.name) for p, g in load_golden_files(builtin_golden_dir())]
    batch = cards * REPEAT

    classify_s = timed(lambda: [classify(c, packs, as_of=DAY) for c in batch])
    questionnaire = load_questionnaire()
    answers = {q.id: next(iter(q.points)) for q in questionnaire.questions}
    assess_s = timed(lambda: [assess(c, answers=answers) for c in batch])

    markdown = f"""## Risk: rule engine throughput

{machine_line(["pydantic", "pyyaml"])}

| Measure | Result |
|---|---|
| Load and validate both packs ({rules} rules, every condition parsed and type-checked) | {load_s * 1000:.1f} ms |
| Classify under kz + eu ({len(batch)} cards = {len(cards)} golden cards x {REPEAT}) | {len(batch) / classify_s:,.0f} cards/s ({classify_s * 1000 / len(batch):.2f} ms per card) |
| Impact assessment with card prefill ({len(questionnaire.questions)} questions) | {len(batch) / assess_s:,.0f} assessments/s |

No peer: no maintained open-source tool classifies AI systems under Kazakhstan's AI Law; the
figures show that classification is interactive-speed and fits CI gates (`--fail-on`).
Median of 5 runs.
"""
    write_section("risk-classify", markdown)
    print(markdown)


if __name__ == "__main__":
    main()
