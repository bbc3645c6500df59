"""Text de-identification throughput: senim vs Presidio's anonymizer, same documents, same run.

    python -m benchmarks.deid_presidio [--docs 20000]

Documents are the kk/ru/en sentences of ``make_eval_set`` (seeded). Two comparisons:

1. *Replacement only*, identical spans: senim's findings on each document are handed both to
   senim's replacement step and to Presidio's ``AnonymizerEngine.anonymize`` (as
   ``RecognizerResult``s, default ``replace`` operator -> ``<ENTITY>``).
2. *End to end*: senim ``Deidentifier.text_batch`` (detect + tag) vs Presidio's analyzer in its
   fastest mode (pattern recognizers, ``NoOpNlpEngine``) followed by its anonymizer.

Engine start-up is excluded for both. Results go to the "deid-presidio" section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._presidio import pattern_analyzer  # noqa: E402
from benchmarks._report import machine_line, write_section  # noqa: E402
from benchmarks.make_eval_set import TEMPLATES, render  # noqa: E402


def make_docs(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    flat = [(lang, t) for lang, ts in TEMPLATES.items() for t in ts]
    return [render(t, rng, lang)[0] for lang, t in (flat[i % len(flat)] for i in range(n))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=20_000)
    args = parser.parse_args()
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    from presidio_analyzer import RecognizerResult
    from presidio_anonymizer import AnonymizerEngine

    from senim.deid import Deidentifier
    from senim.deid._engine import apply_findings
    from senim.discovery import Scanner

    docs = [d.replace("\n", " ") + "\n" for d in make_docs(args.docs)]
    offsets, pos = [], 0
    for d in docs:
        offsets.append(pos)
        pos += len(d)
    scanner = Scanner()
    spans = [[(f.start, f.end, f.entity) for f in scanner.scan_text(d)] for d in docs]

    # 1. replacement only, identical spans
    replace = Deidentifier(scanner=scanner)._replacer(None)  # the Tag operator, with counting
    start = time.perf_counter()
    senim_out = [apply_findings(d, s, replace) for d, s in zip(docs, spans, strict=True)]
    senim_replace = time.perf_counter() - start
    anonymizer = AnonymizerEngine()
    results = [
        [RecognizerResult(entity_type=e, start=a, end=b, score=1.0) for a, b, e in s] for s in spans
    ]
    start = time.perf_counter()
    presidio_out = [
        anonymizer.anonymize(text=d, analyzer_results=r).text
        for d, r in zip(docs, results, strict=True)
    ]
    presidio_replace = time.perf_counter() - start
    same = sum(a == b for a, b in zip(senim_out, presidio_out, strict=True)) / len(docs)

    # 2. end to end
    deid = Deidentifier(scanner=scanner)
    start = time.perf_counter()
    for i in range(0, len(docs), 4096):
        deid.text_batch(docs[i : i + 4096], [o - offsets[i] for o in offsets[i : i + 4096]])
    senim_e2e = time.perf_counter() - start
    analyzer = pattern_analyzer()
    assert analyzer is not None  # presidio_analyzer imported above
    start = time.perf_counter()
    for d in docs:
        found = analyzer.analyze(text=d, language="en")
        anonymizer.anonymize(text=d, analyzer_results=found)
    presidio_e2e = time.perf_counter() - start

    n = len(docs)
    md = f"""## Text de-identification: senim vs Presidio anonymizer

{n:,} kk/ru/en documents from `make_eval_set` (seeded), {sum(len(s) for s in spans):,} spans.
Documents per second (higher is better), engine start-up excluded for both.

| step | senim | Presidio | ratio |
|---|---:|---:|---:|
| replacement only, identical spans (`<ENTITY>` tags) | {n / senim_replace:,.0f} | {n / presidio_replace:,.0f} | {presidio_replace / senim_replace:.1f}x |
| end to end: detect + replace (Presidio: pattern recognizers only) | {n / senim_e2e:,.0f} | {n / presidio_e2e:,.0f} | {presidio_e2e / senim_e2e:.1f}x |

Identical output in the replacement-only run: {100 * same:.1f}% of documents. End to end the two
tools detect different things (Presidio's pattern recognizers do not know IIN/BIN, KZ phones or
Cyrillic names), so that row compares speed, not coverage.

{machine_line(["senim", "presidio-analyzer", "presidio-anonymizer"])}
"""
    write_section("deid-presidio", md)
    print(md)


if __name__ == "__main__":
    main()
