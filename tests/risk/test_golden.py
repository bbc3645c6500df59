"""Every golden card runs as its own test; every rule is covered positively and negatively."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from senim._i18n import message
from senim.risk import load_pack
from senim.risk._golden import builtin_golden_dir, load_golden_files, run_golden

GOLDEN = load_golden_files(builtin_golden_dir())
CASES = [(path, pack) for path, golden in GOLDEN for pack in golden.expect]


def test_at_least_forty_golden_cards() -> None:
    assert len(GOLDEN) >= 40


def test_surveillance_cases_from_the_seeds_are_present() -> None:
    names = " ".join(golden.name.lower() for _, golden in GOLDEN)
    for phrase in ("city-wide real-time face recognition", "smart-city", "quarantine"):
        assert phrase in names


@pytest.mark.parametrize(("path", "pack_id"), CASES, ids=[f"{p.stem}:{k}" for p, k in CASES])
def test_golden_card(path: Path, pack_id: str, tmp_path: Path) -> None:
    (tmp_path / path.name).write_bytes(path.read_bytes())
    report = run_golden(load_pack(pack_id), tmp_path)
    (case,) = report.cases
    assert case.ok, [message(f.key, "en", **f.params) for f in case.failures]


@pytest.mark.parametrize("pack_id", ["kz", "eu"])
def test_every_rule_is_covered_both_ways(pack_id: str) -> None:
    report = run_golden(load_pack(pack_id))
    assert report.uncovered == []
    assert report.ok


def test_a_wrong_expectation_is_reported(tmp_path: Path) -> None:
    source = builtin_golden_dir() / "03-smart-city-cameras-marketing.yaml"
    data = yaml.safe_load(source.read_text("utf-8"))
    data["expect"]["kz"]["risk_level"] = "high"
    data["expect"]["kz"]["prohibited"] = []
    data["expect"]["kz"]["applies"].append("kz.nonexistent.rule")
    data["expect"]["kz"]["does_not_apply"].append("kz.fine.koap79_1")
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    report = run_golden(load_pack("kz"), tmp_path)
    (case,) = report.cases
    rendered = [message(f.key, "en", **f.params) for f in case.failures]
    assert rendered == [
        "the expectation names an unknown rule kz.nonexistent.rule",
        "risk_level: expected high, got medium",
        "prohibited rules: expected [-], got [kz.prohibited.pd_without_basis, "
        "kz.prohibited.public_biometrics]",
        "kz.fine.koap79_1: expected does_not_apply, got applies",
    ]
    assert not report.ok
