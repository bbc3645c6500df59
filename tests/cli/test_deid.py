from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from senim.cli import app

runner = CliRunner()


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    result = runner.invoke(app, ["deid-keygen", str(tmp_path / "k.key")])
    assert result.exit_code == 0, result.output
    return tmp_path / "k.key"


def test_deid_default_tags(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("ИИН 900101300007\n", "utf-8")
    result = runner.invoke(app, ["deid", str(src), "--out", str(tmp_path / "out.txt")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.txt").read_text("utf-8") == "ИИН <KZ_IIN>\n"


def test_file_names_that_are_not_utf8(tmp_path: Path) -> None:
    """A cp1251 file name (copied from Windows) ended with an internal error (exit 70)
    when the summary named it; now its bytes are named as escapes."""
    import json
    import os

    name = os.fsdecode("клиенты".encode("cp1251") + b".txt")
    src = tmp_path / name
    try:
        src.write_text("ИИН 900101300007\n", "utf-8")
    except (OSError, UnicodeEncodeError):  # pragma: no cover - UTF-8 names only
        pytest.skip("this file system takes UTF-8 names only")
    out = tmp_path / ("out-" + name)
    summary = tmp_path / "s.json"
    args = ["deid", str(src), "--out", str(out), "--summary", str(summary)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert out.read_text("utf-8") == "ИИН <KZ_IIN>\n"
    escaped = "\\xea\\xeb\\xe8\\xe5\\xed\\xf2\\xfb.txt"
    assert json.loads(summary.read_text("utf-8"))["input"].endswith(escaped)
    missing = runner.invoke(app, ["deid", str(tmp_path / ("no-" + name)), "--out", str(out)])
    assert missing.exit_code == 2
    assert "no-" + escaped in missing.output


def test_plan_then_apply_with_vault_then_reidentify(tmp_path: Path, key_file: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("iin,comment\n900101300007,ok\n", "utf-8")
    policy = tmp_path / "p.yaml"
    policy.write_text("entities: {KZ_IIN: {operator: pseudonym, vault: true}}\n", "utf-8")
    store = f"sqlite:///{tmp_path / 'store.db'}"
    plan = runner.invoke(
        app,
        [
            "deid",
            str(src),
            "--plan-only",
            "--policy",
            str(policy),
            "--out",
            str(tmp_path / "plan.yaml"),
        ],
    )
    assert plan.exit_code == 0, plan.output
    assert "KZ_IIN: 1" in (tmp_path / "plan.yaml").read_text("utf-8")
    done = runner.invoke(
        app,
        [
            "deid",
            str(src),
            "--out",
            str(tmp_path / "out.csv"),
            "--policy",
            str(tmp_path / "plan.yaml"),
            "--key-file",
            str(key_file),
            "--store",
            store,
            "--summary",
            str(tmp_path / "s.json"),
        ],
    )
    assert done.exit_code == 0, done.output
    token = (tmp_path / "out.csv").read_text("utf-8").splitlines()[1].split(",")[0].strip('"')
    assert token.startswith("KZ_IIN_")
    assert "900101300007" not in (tmp_path / "s.json").read_text("utf-8")
    back = runner.invoke(
        app,
        [
            "deid-reidentify",
            token,
            "--reason",
            "subject access request",
            "--key-file",
            str(key_file),
            "--store",
            store,
        ],
    )
    assert back.exit_code == 0, back.output
    assert f"{token}\t900101300007" in back.output


def test_missing_key_is_exit_2_with_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SENIM_DEID_KEY", raising=False)
    monkeypatch.delenv("SENIM_DEID_KEY_FILE", raising=False)
    src = tmp_path / "in.txt"
    src.write_text("ИИН 900101300007\n", "utf-8")
    policy = tmp_path / "p.yaml"
    policy.write_text("default: {operator: pseudonym}\n", "utf-8")
    result = runner.invoke(
        app, ["deid", str(src), "--out", str(tmp_path / "o.txt"), "--policy", str(policy)]
    )
    assert result.exit_code == 2
    assert "No de-identification key: set $SENIM_DEID_KEY_FILE" in result.output
    assert "Traceback" not in result.output


def test_bad_policy_is_exit_2(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("x\n", "utf-8")
    policy = tmp_path / "p.yaml"
    policy.write_text("entities: {KZ_IIN: {operator: shred}}\n", "utf-8")
    result = runner.invoke(
        app, ["deid", str(src), "--out", str(tmp_path / "o.txt"), "--policy", str(policy)]
    )
    assert result.exit_code == 2
    assert "is invalid" in result.output


def test_unwritable_summary_is_refused_before_the_output_is_written(tmp_path: Path) -> None:
    """``--summary`` naming a folder: exit 2 with the reason before anything is written
    (the de-identified file was written, then the summary failed)."""
    src = tmp_path / "in.txt"
    src.write_text("ИИН 900101300007\n", "utf-8")
    (tmp_path / "summaries").mkdir()
    result = runner.invoke(
        app,
        ["deid", str(src), "--out", str(tmp_path / "out.txt"), "--summary",
         str(tmp_path / "summaries")],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "Cannot write output file" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.txt").exists()


def test_dp_budget_is_not_spent_on_results_that_cannot_be_written(tmp_path: Path) -> None:
    """A persisted DP session whose ``--out`` cannot be written: refused before the query
    is charged (the budget was spent and the released values lost)."""
    src = tmp_path / "t.csv"
    src.write_text("age\n" + "".join(f"{20 + i % 50}\n" for i in range(500)), "utf-8")
    store = f"sqlite:///{tmp_path / 'senim.db'}"

    def release(out: Path) -> int:
        return runner.invoke(
            app,
            ["deid-dp", str(src), "--query", "count", "--budget", "1", "--epsilon", "1",
             "--session", "q3", "--store", store, "--out", str(out)],
        ).exit_code  # fmt: skip

    assert release(tmp_path / "missing" / "r.json") == 2
    assert release(tmp_path / "r.json") == 0  # the whole budget was still there
    assert (tmp_path / "r.json").exists()
    assert release(tmp_path / "again.json") == 2  # and now it is spent
