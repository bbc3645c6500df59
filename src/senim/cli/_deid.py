"""CLI commands of the deid area: ``deid``, ``deid-keygen``, ``deid-reidentify``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from senim.deid import DeidKeys, Policy

from senim._i18n import message, resolve_lang
from senim.cli._common import (
    DebugOption,
    LangOption,
    check_output,
    handle_errors,
    stderr,
    write_text_output,
)

KeyFileOption = Annotated[
    Path | None,
    typer.Option(
        "--key-file",
        help="File holding the key (default: $SENIM_DEID_KEY_FILE, then $SENIM_DEID_KEY). "
        "Keys are never accepted on the command line.",
    ),
]
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store", help="Store URL for the vault (default: $SENIM_STORE or .senim/senim.db)."
    ),
]


def deid(
    input_path: Annotated[
        Path, typer.Argument(help="File to de-identify: text, CSV/TSV, JSON, JSONL or Parquet.")
    ],
    out: Annotated[
        str | None,
        typer.Option(
            "--out", "-o", help="Output file (same format), or the plan with --plan-only."
        ),
    ] = None,
    policy_path: Annotated[
        Path | None,
        typer.Option("--policy", "-p", help="YAML policy: operators per entity and column."),
    ] = None,
    plan_only: Annotated[
        bool,
        typer.Option("--plan-only", help="Scan and write the plan (YAML) instead of applying it."),
    ] = False,
    key_file: KeyFileOption = None,
    store: StoreOption = None,
    summary_path: Annotated[
        str | None,
        typer.Option("--summary", help="Write a JSON summary (counts only) to this file."),
    ] = None,
    quasi_identifiers: Annotated[
        str | None,
        typer.Option(
            "--quasi-identifiers",
            "-q",
            help="Comma-separated columns to k-anonymise by generalisation (tables only).",
        ),
    ] = None,
    k: Annotated[int, typer.Option("--k", help="k for k-anonymity.", min=2)] = 10,
    l_diversity: Annotated[
        list[str] | None,
        typer.Option("--l-diversity", help="COLUMN:L, distinct l-diversity (repeatable)."),
    ] = None,
    t_closeness: Annotated[
        list[str] | None,
        typer.Option("--t-closeness", help="COLUMN:T, t-closeness (repeatable)."),
    ] = None,
    max_suppression: Annotated[
        float,
        typer.Option("--max-suppression", help="Share of records that may be suppressed."),
    ] = 0.05,
    report: Annotated[
        str | None,
        typer.Option("--report", help="Anonymity report: .html for HTML, otherwise JSON."),
    ] = None,
    lang: LangOption = None,
    debug: DebugOption = False,
) -> None:
    """De-identify a file: find personal data with 'scan' and replace it per the policy.

    Without --policy every finding becomes its tag (<KZ_IIN>, <PERSON> ...). Records keep
    their number and order. Exit codes: 0 done; 2 usage, input, policy or key error.
    """
    import json

    from senim.deid import Deidentifier, deidentify_file, dump_policy, load_policy
    from senim.deid import Policy as PolicyModel
    from senim.deid import plan_file as make_plan

    code = resolve_lang(lang)
    with handle_errors(code, debug):
        from senim.errors import UsageError

        if out is None:
            raise UsageError("deid.out_required")
        check_output(out, summary_path, report)  # before the work, not after it
        policy = load_policy(policy_path) if policy_path is not None else PolicyModel()
        if plan_only:
            plan = make_plan(input_path, policy=policy)
            write_text_output(dump_policy(plan), out)
            if out != "-":
                stderr.print(message("deid.plan_written", code, path=out), markup=False)
            return
        keys = _keys_if_needed(policy, key_file)
        vault = None
        if policy.uses_vault:
            from senim.deid import Vault
            from senim.store import Store

            assert keys is not None
            vault = Vault(store=Store.open(store), keys=keys)
        deidentifier = Deidentifier(policy=policy, keys=keys, vault=vault)
        config = policy.anonymity
        if quasi_identifiers:
            from senim.deid._kanon import AnonymityConfig

            config = AnonymityConfig(
                quasi_identifiers=[c.strip() for c in quasi_identifiers.split(",") if c.strip()],
                k=k,
                l_diversity={c: int(v) for c, v in _pairs(l_diversity)},
                t_closeness={c: float(v) for c, v in _pairs(t_closeness)},
                max_suppression=max_suppression,
                hierarchies=config.hierarchies if config is not None else {},
            )
        if config is not None:
            from senim.deid._anonymity import anonymise_file, render_report

            anon = anonymise_file(input_path, Path(out), config=config, deidentifier=deidentifier)
            if report is not None:
                html = report.lower().endswith((".html", ".htm"))
                write_text_output(render_report(anon, lang=code, html=html), report)
            stderr.print(
                message(
                    "deid.kanon_done",
                    code,
                    classes=anon.classes,
                    suppressed=anon.suppressed,
                    risk=f"{anon.risk_after.prosecutor_max:.3f}",
                ),
                markup=False,
            )
            return
        result = deidentify_file(input_path, Path(out), deidentifier=deidentifier)
        if summary_path is not None:
            write_text_output(
                json.dumps(result.to_dict(), ensure_ascii=False, indent=2), summary_path
            )
        stderr.print(
            message(
                "deid.done",
                code,
                records=result.records,
                output=out,
                replaced=result.summary.total,
            ),
            markup=False,
        )


def _pairs(values: list[str] | None) -> list[tuple[str, str]]:
    from senim.errors import UsageError

    out = []
    for value in values or []:
        column, sep, number = value.rpartition(":")
        try:
            float(number)
        except ValueError:
            column = ""
        if not sep or not column:
            raise UsageError("deid.kanon_bad_option", value=value)
        out.append((column, number))
    return out


def _keys_if_needed(policy: Policy, key_file: Path | None) -> DeidKeys | None:
    from senim.deid import load_keys

    if policy.needs_key or key_file is not None:
        return load_keys(key_file=key_file)
    return None


def keygen(
    path: Annotated[Path, typer.Argument(help="Where to write the new key (mode 600).")],
    lang: LangOption = None,
    debug: DebugOption = False,
) -> None:
    """Create a random 256-bit de-identification key file."""
    from senim.deid import generate_key_file

    code = resolve_lang(lang)
    with handle_errors(code, debug):
        target = generate_key_file(path)
        stderr.print(message("deid.key_created", code, path=str(target)), markup=False)


def reidentify(
    tokens: Annotated[
        list[str], typer.Argument(help="Vault tokens (pseudonyms) or enc1 tokens to reverse.")
    ],
    reason: Annotated[
        str, typer.Option("--reason", help="Why (recorded in the re-identification log).")
    ],
    actor: Annotated[
        str | None, typer.Option("--actor", help="Who asks (default: the OS user name).")
    ] = None,
    key_file: KeyFileOption = None,
    store: StoreOption = None,
    lang: LangOption = None,
    debug: DebugOption = False,
) -> None:
    """Authorised re-identification: print originals of tokens; every request is logged."""
    from senim.deid import Vault, load_keys
    from senim.store import Store

    code = resolve_lang(lang)
    with handle_errors(code, debug):
        keys = load_keys(key_file=key_file)
        vault = Vault(store=Store.open(store), keys=keys)
        results = vault.reidentify(tokens, reason=reason, actor=actor)
        lines = []
        for r in results:
            if r.value is not None:
                lines.append(message("deid.reid_ok", code, token=r.token, value=r.value))
            else:
                lines.append(message("deid.reid_refused", code, token=r.token, outcome=r.outcome))
        write_text_output("\n".join(lines), None)
        who = vault.log(limit=1)[0].actor if results else (actor or "")
        stderr.print(message("deid.reid_logged", code, count=len(results), actor=who), markup=False)
        if any(r.value is None for r in results):
            raise typer.Exit(1)


def dp_release(
    input_path: Annotated[Path, typer.Argument(help="Table file: CSV, JSON, JSONL or Parquet.")],
    query: Annotated[
        list[str],
        typer.Option(
            "--query",
            help="count | sum:COL:LOW:HIGH | mean:COL:LOW:HIGH | histogram:COL:A|B|C (repeatable).",
        ),
    ],
    budget: Annotated[float, typer.Option("--budget", help="Total epsilon of the session.")],
    epsilon: Annotated[float, typer.Option("--epsilon", help="Epsilon of each query.")],
    by: Annotated[
        str | None, typer.Option("--by", help="Group by this column (needs --groups).")
    ] = None,
    groups: Annotated[
        str | None, typer.Option("--groups", help="The public group keys, comma-separated.")
    ] = None,
    session: Annotated[
        str | None,
        typer.Option("--session", help="Persist the budget under this name in the store."),
    ] = None,
    max_contributions: Annotated[
        int, typer.Option("--max-contributions", help="Rows one person may contribute.")
    ] = 1,
    store: StoreOption = None,
    out: Annotated[
        str | None, typer.Option("--out", "-o", help="Write the JSON results here.")
    ] = None,
    lang: LangOption = None,
    debug: DebugOption = False,
) -> None:
    """Differentially private aggregates (OpenDP) within an epsilon budget.

    Refuses (exit 2) any query that would exceed the session's budget.
    """
    import json

    import polars as pl
    import pyarrow as pa

    from senim.deid._dp import DPSession, parse_query
    from senim.sources import open_file

    code = resolve_lang(lang)
    with handle_errors(code, debug):
        from senim.errors import InputError

        if not input_path.exists():
            raise InputError("error.path_not_found", path=str(input_path))
        # before any budget is spent: results that cannot be written are a budget lost
        check_output(out)
        keys = [g.strip() for g in groups.split(",")] if groups else None
        queries = [parse_query(q, epsilon=epsilon, by=by, groups=keys) for q in query]
        batches = list(open_file(input_path).batches())
        frame = pl.from_arrow(pa.Table.from_batches(batches)) if batches else pl.DataFrame()
        assert isinstance(frame, pl.DataFrame)
        from senim.store import Store

        dps = DPSession(
            budget=budget,
            max_contributions=max_contributions,
            store=Store.open(store) if session else None,
            name=session,
        )
        results = [dps.release(frame, q).to_dict() for q in queries]
        write_text_output(json.dumps(results, ensure_ascii=False, indent=2), out)
        stderr.print(
            message(
                "deid.dp_done",
                code,
                count=len(results),
                spent=round(dps.spent, 6),
                budget=dps.budget,
            ),
            markup=False,
        )


def register(app: typer.Typer) -> None:
    """Register this area's commands on ``app``."""
    app.command("deid")(deid)
    app.command("deid-keygen")(keygen)
    app.command("deid-reidentify")(reidentify)
    app.command("deid-dp")(dp_release)
