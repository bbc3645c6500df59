"""Render classifications, assessments, packs and golden runs as text tables, JSON and HTML.

Renderers take library results and a language; every label comes from the message catalogue and
every rule text from the pack, so each output exists in kk, ru and en.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from senim._i18n import Lang, message, resolve_lang
from senim._version import __version__
from senim.report import BarChart, bar_chart_svg, render_html
from senim.risk._assess import Assessment
from senim.risk._classify import CardResult, FineExposure, PackResult, RuleResult
from senim.risk._golden import GoldenReport
from senim.risk._pack import Pack, Rule

__all__ = [
    "assessment_html",
    "assessment_json",
    "assessment_table",
    "classification_html",
    "classification_json",
    "classification_table",
    "golden_table",
    "pack_list_table",
    "rule_detail",
]

SIZES = ("individual", "small", "medium", "large")


def _t(key: str, lang: Lang, **params: object) -> str:
    return message(key, lang, **params)


def _console() -> Console:
    # no markup: cards and golden files are the user's text ("[/x]" in a name would end
    # the render with a MarkupError), and nothing here is styled
    return Console(
        file=io.StringIO(),
        width=130,
        color_system=None,
        highlight=False,
        soft_wrap=False,
        markup=False,
    )


def _text(console: Console) -> str:
    file = console.file
    assert isinstance(file, io.StringIO)
    return file.getvalue()


def level_name(kind: str, level: str | None, lang: Lang) -> str:
    if level is None:
        return _t("risk.level.undetermined", lang)
    return _t(f"risk.{kind}.{level}", lang)


# ---------------------------------------------------------------- JSON-ready dictionaries


def _citations(pack: Pack, rule: Rule, lang: Lang) -> list[dict[str, Any]]:
    out = []
    for c in rule.citations:
        effective = pack.effective(c)
        note = pack.effective_note(c)
        out.append(
            {
                "text": pack.cite(c, lang),
                "law": c.law,
                "law_title": pack.model.laws[c.law].title.get(lang),
                "article": c.article,
                "paragraph": c.paragraph,
                "subparagraph": c.subparagraph,
                "effective": effective.isoformat() if effective else None,
                "effective_note": note.get(lang) if note else None,
            }
        )
    return out


def finding(pack: Pack, result: RuleResult, lang: Lang) -> dict[str, Any]:
    rule = result.rule
    return {
        "rule": rule.id,
        "kind": rule.outcome.kind,
        "topic": rule.outcome.topic,
        "level": rule.outcome.level,
        "status": result.status,
        "title": rule.title.get(lang),
        "rationale": rule.rationale.get(lang),
        "interpretation": rule.interpretation,
        "citations": _citations(pack, rule, lang),
        "in_force": result.in_force,
        "unknown": list(result.unknown),
    }


def _fine(result: PackResult, exposure: FineExposure, lang: Lang) -> dict[str, Any]:
    fine = exposure.fine
    units = result.pack.model.units
    entry = finding(result.pack, exposure.rule, lang)
    entry.update(
        {
            "fine": exposure.fine_id,
            "offence": fine.offence.get(lang),
            "fine_citation": result.pack.cite(fine.citation, lang),
            "unit": fine.unit,
            "size": exposure.size,
            "first": exposure.first,
            "repeat": exposure.repeat,
            "note": fine.note.get(lang) if fine.note else None,
            "repeat_note": fine.repeat_note.get(lang) if fine.repeat_note else None,
            "max_eur": fine.max_eur,
            "max_turnover_percent": fine.max_turnover_percent,
        }
    )
    if fine.unit == "MCI" and units is not None:
        entry["mci_kzt"] = units.mci_kzt
        entry["mci_year"] = units.year
        entry["first_kzt"] = {k: v * units.mci_kzt for k, v in exposure.first.items()}
        entry["repeat_kzt"] = {k: v * units.mci_kzt for k, v in exposure.repeat.items()}
    return entry


def pack_result_dict(result: PackResult, lang: Lang) -> dict[str, Any]:
    pack = result.pack

    def many(items: Sequence[RuleResult]) -> list[dict[str, Any]]:
        return [finding(pack, r, lang) for r in items]

    return {
        "pack": pack.id,
        "version": pack.version,
        "title": pack.model.title.get(lang),
        "risk_level": result.risk_level,
        "risk_level_possible": list(result.risk_level_possible),
        "autonomy_level": result.autonomy_level,
        "autonomy_possible": list(result.autonomy_possible),
        "risk_rules": many([r for r in result.by_status("applies", "risk_level")]),
        "prohibited": many(result.prohibited),
        "possibly_prohibited": many(result.possibly_prohibited),
        "obligations": many(result.obligations),
        "possible_obligations": many(result.by_status("undetermined", "obligation")),
        "breaches": many(result.breaches),
        "possible_breaches": many(result.by_status("undetermined", "breach")),
        "fines": [_fine(result, f, lang) for f in result.fines],
        "possible_fines": [_fine(result, f, lang) for f in result.possible_fines],
        "unknown_fields": result.unknown_fields,
        "rules": [
            {"rule": r.id, "status": r.status, "unknown": list(r.unknown)} for r in result.rules
        ],
    }


def classification_json(results: Sequence[CardResult], *, lang: str | None = None) -> str:
    code = resolve_lang(lang)
    payload = {
        "senim": __version__,
        "lang": code,
        "results": [
            {
                "card": {"id": r.card.id, "name": r.card.name, "source": r.source},
                "fingerprint": r.fingerprint,
                "as_of": r.packs[0].as_of.isoformat() if r.packs else None,
                "packs": [pack_result_dict(p, code) for p in r.packs],
            }
            for r in results
        ],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- text tables


def _cites(pack: Pack, rule: Rule, lang: Lang) -> str:
    return "; ".join(pack.cite(c, lang) for c in rule.citations)


def _fine_amounts(entry: dict[str, Any], lang: Lang) -> str:
    if entry["unit"] == "EUR":
        return _t(
            "risk.fine.eur",
            lang,
            amount=f"{entry['max_eur']:,}".replace(",", " "),
            percent=entry["max_turnover_percent"],
        )
    parts = []
    for size, amount in entry["first"].items():
        kzt = entry.get("first_kzt", {}).get(size)
        parts.append(
            _t(
                "risk.fine.mci",
                lang,
                size=_t(f"risk.size.{size}", lang),
                mci=amount,
                kzt=f"{kzt:,}".replace(",", " ") if kzt is not None else "?",
            )
        )
    text = "; ".join(parts)
    if entry["repeat"]:
        repeat = "; ".join(
            _t("risk.fine.mci_short", lang, size=_t(f"risk.size.{s}", lang), mci=a)
            for s, a in entry["repeat"].items()
        )
        text += "\n" + _t("risk.fine.repeat", lang, amounts=repeat)
    return text


def _pack_table(console: Console, result: PackResult, lang: Lang) -> None:
    pack = result.pack
    data = pack_result_dict(result, lang)
    console.rule(f"{pack.id} · {pack.model.title.get(lang)} · v{pack.version}")
    level = level_name("level", result.risk_level, lang)
    console.print(f"{_t('risk.label.risk_level', lang)}: {level}")
    if result.risk_level_possible:
        could = ", ".join(level_name("level", lv, lang) for lv in result.risk_level_possible)
        console.print(f"  {_t('risk.label.could_be', lang, levels=could)}")
    if pack.model.autonomy_levels:
        auto = level_name("autonomy", result.autonomy_level, lang)
        console.print(f"{_t('risk.label.autonomy_level', lang)}: {auto}")
        if result.autonomy_possible:
            could = ", ".join(level_name("autonomy", lv, lang) for lv in result.autonomy_possible)
            console.print(f"  {_t('risk.label.could_be', lang, levels=could)}")
    for entry in data["risk_rules"]:
        console.print(f"  - {entry['rule']}: {entry['title']}")

    def section(title_key: str, entries: list[dict[str, Any]], with_why: bool) -> None:
        console.print()
        console.print(f"{_t(title_key, lang)} ({len(entries)})")
        if not entries:
            console.print(f"  {_t('risk.label.none', lang)}")
            return
        table = Table(show_header=True, header_style="bold", expand=False)
        table.add_column(_t("risk.label.rule", lang), no_wrap=True)
        table.add_column(_t("risk.label.finding", lang), max_width=60)
        table.add_column(_t("risk.label.citation", lang), max_width=40)
        for entry in entries:
            what = entry["title"]
            if with_why:
                what += "\n" + _t("risk.label.why", lang) + ": " + entry["rationale"]
            if entry["interpretation"]:
                what += "\n" + _t("risk.label.interpretation", lang)
            if entry["unknown"] and entry["status"] == "undetermined":
                what += "\n" + _t("risk.label.depends_on", lang, fields=", ".join(entry["unknown"]))
            if not entry["in_force"]:
                dates = [c["effective"] for c in entry["citations"] if c["effective"]]
                what += "\n" + _t("risk.label.not_in_force", lang, date=max(dates))
            cites = "; ".join(c["text"] for c in entry["citations"])
            table.add_row(entry["rule"], what, cites)
        console.print(table)

    section("risk.label.prohibited", data["prohibited"], True)
    if data["possibly_prohibited"]:
        section("risk.label.possibly_prohibited", data["possibly_prohibited"], False)
    section("risk.label.breaches", data["breaches"], True)
    section("risk.label.obligations", data["obligations"], False)
    if data["possible_obligations"]:
        section("risk.label.possible_obligations", data["possible_obligations"], False)

    fines = data["fines"] + data["possible_fines"]
    console.print()
    console.print(f"{_t('risk.label.fines', lang)} ({len(data['fines'])})")
    if not fines:
        console.print(f"  {_t('risk.label.none', lang)}")
    else:
        table = Table(show_header=True, header_style="bold")
        table.add_column(_t("risk.label.rule", lang), no_wrap=True)
        table.add_column(_t("risk.label.offence", lang), max_width=50)
        table.add_column(_t("risk.label.amount", lang), max_width=50)
        for entry in fines:
            offence = f"{entry['offence']} ({entry['fine_citation']})"
            if entry["status"] == "undetermined":
                offence += "\n" + _t(
                    "risk.label.depends_on", lang, fields=", ".join(entry["unknown"])
                )
            amounts = _fine_amounts(entry, lang)
            if entry["note"]:
                amounts += "\n" + entry["note"]
            if entry["repeat_note"]:
                amounts += "\n" + entry["repeat_note"]
            table.add_row(entry["rule"], offence, amounts)
        console.print(table)

    console.print()
    unknown = data["unknown_fields"]
    console.print(f"{_t('risk.label.unknown_fields', lang)} ({len(unknown)})")
    if not unknown:
        console.print(f"  {_t('risk.label.none', lang)}")
    else:
        table = Table(show_header=True, header_style="bold")
        table.add_column(_t("risk.label.field", lang), no_wrap=True)
        table.add_column(_t("risk.label.affects", lang))
        for field, rules in unknown.items():
            table.add_row(field, ", ".join(rules))
        console.print(table)
    console.print()


def classification_table(results: Sequence[CardResult], *, lang: str | None = None) -> str:
    code = resolve_lang(lang)
    console = _console()
    for result in results:
        console.print(
            _t(
                "risk.label.card_header",
                code,
                name=result.card.name,
                id=result.card.id,
                source=result.source or "-",
            )
        )
        console.print(
            _t(
                "risk.label.fingerprint",
                code,
                fingerprint=result.fingerprint,
                date=result.packs[0].as_of.isoformat() if result.packs else "-",
            )
        )
        for pack_result in result.packs:
            _pack_table(console, pack_result, code)
    return _text(console)


def classification_html(results: Sequence[CardResult], *, lang: str | None = None) -> str:
    code = resolve_lang(lang)
    data = json.loads(classification_json(results, lang=code))
    for card in data["results"]:
        for pack in card["packs"]:
            pack["risk_label"] = level_name("level", pack["risk_level"], code)
            pack["autonomy_label"] = (
                level_name("autonomy", pack["autonomy_level"], code)
                if pack["autonomy_level"] or pack["autonomy_possible"]
                else None
            )
            pack["possible_labels"] = [
                level_name("level", lv, code) for lv in pack["risk_level_possible"]
            ]
            for entry in pack["fines"] + pack["possible_fines"]:
                entry["amount_text"] = _fine_amounts(entry, code)
    return render_html("classify.html.j2", {"data": data}, lang=code, package="senim.risk")


# ---------------------------------------------------------------- assessment


def assessment_dict(assessment: Assessment, lang: Lang) -> dict[str, Any]:
    q = assessment.questionnaire
    return {
        "senim": __version__,
        "questionnaire": q.version,
        "title": q.title.get(lang),
        "card": {"id": assessment.card.id, "name": assessment.card.name},
        "fingerprint": assessment.fingerprint,
        "impact": {"points": assessment.impact_raw, "max": assessment.impact_max},
        "mitigation": {
            "points": assessment.mitigation_raw,
            "max": assessment.mitigation_max,
            "threshold_percent": q.mitigation.threshold_percent,
            "reduction_percent": q.mitigation.reduction_percent,
            "reduction_applied": assessment.reduction_applied,
        },
        "score": assessment.score,
        "percent": assessment.percent,
        "level": assessment.level.level,
        "level_title": assessment.level.title.get(lang),
        "measures": [m.get(lang) for m in assessment.level.measures],
        "sections": {
            name: {"title": q.sections[name].get(lang), "points": got, "max": top}
            for name, (got, top) in assessment.section_scores().items()
        },
        "answers": [
            {
                "question": a.question.id,
                "section": a.question.section,
                "kind": a.question.kind,
                "text": a.question.text.get(lang),
                "answer": a.option,
                "answer_label": next(
                    o.label.get(lang) for o in q.options(a.question) if o.id == a.option
                ),
                "points": a.points,
                "max": a.question.max_points,
                "source": a.source,
            }
            for a in assessment.answers
        ],
    }


def assessment_json(assessment: Assessment, *, lang: str | None = None) -> str:
    return (
        json.dumps(assessment_dict(assessment, resolve_lang(lang)), ensure_ascii=False, indent=2)
        + "\n"
    )


def assessment_table(assessment: Assessment, *, lang: str | None = None) -> str:
    code = resolve_lang(lang)
    data = assessment_dict(assessment, code)
    console = _console()
    console.rule(f"{data['title']} · {data['card']['name']} ({data['card']['id']})")
    console.print(_t("risk.assess.level_line", code, title=data["level_title"]))
    console.print(
        _t(
            "risk.assess.score_line",
            code,
            score=data["score"],
            max=data["impact"]["max"],
            percent=data["percent"],
        )
    )
    mitigation = data["mitigation"]
    key = "risk.assess.reduced" if mitigation["reduction_applied"] else "risk.assess.not_reduced"
    console.print(
        _t(
            key,
            code,
            points=mitigation["points"],
            max=mitigation["max"],
            threshold=f"{mitigation['threshold_percent']:g}",
            reduction=f"{mitigation['reduction_percent']:g}",
            raw=data["impact"]["points"],
        )
    )
    console.print()
    console.print(_t("risk.assess.measures", code))
    for measure in data["measures"]:
        console.print(f"  - {measure}")
    console.print()
    table = Table(show_header=True, header_style="bold")
    table.add_column(_t("risk.assess.section", code))
    table.add_column(_t("risk.assess.points", code), justify="right")
    for section in data["sections"].values():
        table.add_row(section["title"], f"{section['points']} / {section['max']}")
    console.print(table)
    table = Table(show_header=True, header_style="bold")
    table.add_column(_t("risk.assess.question", code), max_width=70)
    table.add_column(_t("risk.assess.answer", code), max_width=30)
    table.add_column(_t("risk.assess.points", code), justify="right")
    table.add_column(_t("risk.assess.source", code))
    for answer in data["answers"]:
        sign = "-" if answer["kind"] == "mitigation" and answer["points"] else ""
        table.add_row(
            answer["text"],
            answer["answer_label"],
            f"{sign}{answer['points']}",
            _t(f"risk.assess.source.{answer['source']}", code),
        )
    console.print(table)
    return _text(console)


def assessment_html(assessment: Assessment, *, lang: str | None = None) -> str:
    code = resolve_lang(lang)
    data = assessment_dict(assessment, code)
    sections = list(data["sections"].values())
    chart = bar_chart_svg(
        BarChart(
            labels=[s["title"] for s in sections],
            values=[100 * s["points"] / s["max"] if s["max"] else 0.0 for s in sections],
            title=_t("risk.assess.chart_title", code),
            max_value=100.0,
            value_format="{:.0f}%",
        )
    )
    return render_html(
        "assess.html.j2", {"data": data, "chart": chart}, lang=code, package="senim.risk"
    )


# ---------------------------------------------------------------- rules list / show / test


def pack_list_table(packs: Sequence[Pack], *, lang: str | None = None) -> str:
    code = resolve_lang(lang)
    console = _console()
    for pack in packs:
        console.rule(f"{pack.id} · {pack.model.title.get(code)} · v{pack.version}")
        console.print(
            _t("risk.rules.updated", code, date=pack.model.updated.isoformat(), source=pack.source)
        )
        table = Table(show_header=True, header_style="bold")
        table.add_column(_t("risk.label.rule", code), no_wrap=True)
        table.add_column(_t("risk.rules.kind", code))
        table.add_column(_t("risk.label.finding", code), max_width=60)
        table.add_column(_t("risk.label.citation", code), max_width=40)
        for rule in pack.model.rules:
            kind = _t(f"risk.kind.{rule.outcome.kind}", code)
            if rule.outcome.level:
                kind += f": {rule.outcome.level}"
            table.add_row(rule.id, kind, rule.title.get(code), _cites(pack, rule, code))
        console.print(table)
    return _text(console)


def rule_detail(pack: Pack, rule: Rule, *, lang: str | None = None) -> str:
    code = resolve_lang(lang)
    lines = [
        f"{rule.id}  ({pack.id} v{pack.version})",
        f"{_t('risk.label.finding', code)}: {rule.title.get(code)}",
        f"{_t('risk.rules.kind', code)}: {_t(f'risk.kind.{rule.outcome.kind}', code)}"
        + (f" ({rule.outcome.level})" if rule.outcome.level else "")
        + (f" [{rule.outcome.topic}]" if rule.outcome.topic else "")
        + (f" [{rule.outcome.fine}]" if rule.outcome.fine else ""),
        f"{_t('risk.rules.when', code)}: {rule.when}",
        f"{_t('risk.rules.fields', code)}: {', '.join(pack.fields(rule)) or '-'}",
        f"{_t('risk.label.why', code)}: {rule.rationale.get(code)}",
    ]
    if rule.interpretation:
        lines.append(_t("risk.label.interpretation", code))
    lines.append(f"{_t('risk.label.citation', code)}:")
    for entry in _citations(pack, rule, code):
        when = entry["effective"] or "-"
        lines.append(f"  - {entry['text']} — {entry['law_title']}")
        lines.append(f"    {_t('risk.rules.effective', code, date=when)}")
        if entry["effective_note"]:
            lines.append(f"    {entry['effective_note']}")
    return "\n".join(lines) + "\n"


def golden_table(reports: Sequence[GoldenReport], *, lang: str | None = None) -> str:
    code = resolve_lang(lang)
    console = _console()
    for report in reports:
        pack = report.pack
        console.rule(f"{pack.id} v{pack.version}")
        passed = sum(1 for c in report.cases if c.ok)
        for case in report.cases:
            mark = "PASS" if case.ok else "FAIL"
            console.print(f"{mark}  {case.source}  {case.name}")
            for failure in case.failures:
                console.print(f"      - {message(failure.key, code, **failure.params)}")
        console.print(
            _t(
                "risk.golden.summary",
                code,
                passed=passed,
                total=len(report.cases),
                rules=len(pack.rules),
            )
        )
        if not report.cases:
            console.print(_t("risk.golden.no_cases", code, pack=pack.id))
        for rule_id, kind in report.uncovered:
            console.print(_t(f"risk.golden.uncovered_{kind}", code, rule=rule_id))
    return _text(console)
