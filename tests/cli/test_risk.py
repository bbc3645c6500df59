"""CLI of the risk area: exit codes, formats, languages, interactive assessment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from senim.cli import app
from senim.risk._golden import builtin_golden_dir

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "risk"
FACE = str(EXAMPLES / "almaty-face-recognition.yaml")
MALL = str(EXAMPLES / "mall-shopper-recognition.json")
CHATBOT = str(EXAMPLES / "bank-chatbot.yaml")
ANSWERS = str(EXAMPLES / "almaty-face-recognition.answers.yaml")

runner = CliRunner()


def test_classify_table() -> None:
    result = runner.invoke(app, ["classify", FACE, "--as-of", "2026-11-22"])
    assert result.exit_code == 0, result.output
    assert "Risk level: high" in result.stdout
    assert "kz.obligation.public_biometrics_purpose" in result.stdout
    assert "eu.prohibited.realtime_remote_biometric_identification" in result.stdout


def test_classify_json_for_several_cards_and_one_pack() -> None:
    result = runner.invoke(
        app, ["classify", FACE, CHATBOT, "--pack", "kz", "-f", "json", "--as-of", "2026-11-22"]
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [r["card"]["id"] for r in data["results"]] == [
        "almaty-city-face-recognition",
        "bank-support-assistant",
    ]
    assert [p["pack"] for p in data["results"][1]["packs"]] == ["kz"]
    assert data["results"][1]["packs"][0]["risk_level"] == "medium"


def test_a_card_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    """Named with its bytes escaped (the JSON held the raw byte, or U+FFFD)."""
    import os

    card = tmp_path / os.fsdecode("карта".encode("cp1251") + b".yaml")
    try:
        card.write_bytes(Path(CHATBOT).read_bytes())
    except (OSError, UnicodeEncodeError):  # pragma: no cover - UTF-8 names only
        pytest.skip("this file system takes UTF-8 names only")
    result = runner.invoke(app, ["classify", str(card), "-f", "json", "--as-of", "2026-11-22"])
    assert result.exit_code == 0, result.output
    source = json.loads(result.stdout)["results"][0]["card"]["source"]
    assert source == str(tmp_path / "\\xea\\xe0\\xf0\\xf2\\xe0.yaml")


def test_card_text_is_never_read_as_markup(tmp_path: Path) -> None:
    """A card named "Bot [/x]" ended the table with an internal error (MarkupError)."""
    card = yaml.safe_load(Path(CHATBOT).read_text("utf-8"))
    card["name"] = "Bot [/x] [bold]"
    path = tmp_path / "card.yaml"
    path.write_text(yaml.safe_dump(card, allow_unicode=True), "utf-8")
    result = runner.invoke(app, ["classify", str(path), "--as-of", "2026-11-22"])
    assert result.exit_code == 0, result.output
    assert "Bot [/x] [bold]" in result.stdout


def test_classify_html_to_file_in_russian(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["classify", MALL, "-f", "html", "-o", str(out), "--lang", "ru"])
    assert result.exit_code == 0
    html = out.read_text("utf-8")
    assert '<html lang="ru">' in html
    assert "Запрещённые функции" in html


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ([MALL, "--fail-on", "prohibited"], 1),
        ([CHATBOT, "--fail-on", "prohibited"], 0),
        ([FACE, "--pack", "kz", "--fail-on", "high"], 1),
        ([CHATBOT, "--fail-on", "high"], 0),
        ([CHATBOT, "--fail-on", "sometimes"], 2),
        ([CHATBOT, "--format", "pdf"], 2),
        ([CHATBOT, "--pack", "xx"], 2),
        ([CHATBOT, "--as-of", "yesterday"], 2),
        (["/nonexistent.yaml"], 2),
    ],
)
def test_classify_exit_codes(args: list[str], code: int) -> None:
    result = runner.invoke(app, ["classify", *args])
    assert result.exit_code == code, result.output


def test_invalid_card_is_exit_2_with_the_field_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text('schema_version: "1"\nid: x\nname: X\nowner: {name: O}\nrole: boss\n', "utf-8")
    result = runner.invoke(app, ["classify", str(bad)])
    assert result.exit_code == 2
    assert (
        "role (line 5): \"boss\" is not allowed; choose one of: 'owner', 'holder' or "
        "'user'" in result.stderr
    )
    assert "Traceback" not in result.output


def test_fail_on_message_is_localised() -> None:
    result = runner.invoke(app, ["classify", MALL, "--fail-on", "prohibited", "--lang", "kk"])
    assert result.exit_code == 1
    assert "--fail-on prohibited шартына сәйкес келетін карточкалар саны: 1" in result.stderr


def test_rules_list_show_and_json() -> None:
    listed = runner.invoke(app, ["rules", "list", "--pack", "kz"])
    assert listed.exit_code == 0
    assert "kz.prohibited.social_scoring" in listed.stdout
    as_json = runner.invoke(app, ["rules", "list", "--pack", "eu", "-f", "json", "--lang", "kk"])
    payload = json.loads(as_json.stdout)
    assert payload[0]["pack"] == "eu"
    assert payload[0]["rules"][0]["citations"]
    shown = runner.invoke(app, ["rules", "show", "kz.prohibited.public_biometrics", "--lang", "ru"])
    assert shown.exit_code == 0
    assert "Закон о ПД № 94-V, ст. 7(12)" in shown.stdout
    assert "biometrics.purpose" in shown.stdout
    missing = runner.invoke(app, ["rules", "show", "kz.nope.rule"])
    assert missing.exit_code == 2
    assert "no rule kz.nope.rule in the selected packs" in missing.stderr


def test_rules_test_passes_on_the_builtin_golden_cards() -> None:
    result = runner.invoke(app, ["rules", "test"])
    assert result.exit_code == 0, result.output
    assert "40 of 40 golden cards pass; the pack has 56 rules" in result.stdout
    assert "FAIL" not in result.stdout


def test_rules_test_fails_with_exit_1_on_a_broken_expectation(tmp_path: Path) -> None:
    source = builtin_golden_dir() / "20-manipulative-dark-patterns.yaml"
    data = yaml.safe_load(source.read_text("utf-8"))
    data["expect"]["kz"]["prohibited"] = []
    (tmp_path / "g.yaml").write_text(yaml.safe_dump(data), "utf-8")
    result = runner.invoke(app, ["rules", "test", "--pack", "kz", "--golden", str(tmp_path)])
    assert result.exit_code == 1
    assert "FAIL" in result.stdout
    assert "not covered: no golden card where kz.prohibited.social_scoring applies" in result.stdout


def test_card_validate_and_schema(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["card", "validate", FACE, MALL])
    assert ok.exit_code == 0
    assert "valid card almaty-city-face-recognition (schema 1)" in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: '1'\nid: x\nname: X\n", "utf-8")
    failed = runner.invoke(app, ["card", "validate", FACE, str(bad)])
    assert failed.exit_code == 2
    assert "owner (line 1): required field is missing" in failed.stderr
    schema = runner.invoke(app, ["card", "schema"])
    assert json.loads(schema.stdout)["title"] == "SystemCard"


def test_assess_with_answers_file() -> None:
    result = runner.invoke(app, ["assess", FACE, "--answers", ANSWERS, "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["level"] == "III"
    assert {a["source"] for a in data["answers"]} == {"answers", "card"}


def test_assess_without_enough_answers_is_exit_2() -> None:
    result = runner.invoke(app, ["assess", CHATBOT])
    assert result.exit_code == 2
    assert "question(s) are answered neither by the answers file nor by the card" in result.stderr


def test_assess_interactive_and_save_answers(tmp_path: Path) -> None:
    saved = tmp_path / "answers.yaml"
    # the chatbot card leaves some questions open: answer each with option 1
    replies = "\n".join(["x", "1"] + ["1"] * 40) + "\n"
    result = runner.invoke(
        app, ["assess", CHATBOT, "--interactive", "--save-answers", str(saved)], input=replies
    )
    assert result.exit_code == 0, result.output
    assert "is not allowed; choose one of" in result.stderr  # the stray "x" was refused
    answers = yaml.safe_load(saved.read_text("utf-8"))
    assert len(answers) == 39
    again = runner.invoke(app, ["assess", CHATBOT, "--answers", str(saved), "-f", "json"])
    assert again.exit_code == 0
    assert {a["source"] for a in json.loads(again.stdout)["answers"]} == {"answers"}


def test_assess_interactive_end_of_input_is_exit_2() -> None:
    result = runner.invoke(app, ["assess", CHATBOT, "--interactive"], input="")
    assert result.exit_code == 2
    assert "input ended before question" in result.stderr
