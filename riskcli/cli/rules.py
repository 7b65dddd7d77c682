"""``riskcli rules``: list, show and check the rule pack."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
import yaml

from riskcli.cli import common
from riskcli.cli import options as opt
from riskcli.core.errors import ExitStatus, InputError
from riskcli.core.profile import Language
from riskcli.i18n import msg
from riskcli.render.report import TableFormat

app = typer.Typer(
    help="The rule pack: list, show and check the rules.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("list")
def rules_list(
    ctx: typer.Context,
    lang: Annotated[Language, opt.lang("Language of the titles.")] = Language.en,
    fmt: opt.Table = TableFormat.text,
) -> None:
    """List every rule: id, category, severity, countries and title."""
    from riskcli.io.rulepack import load_rule_pack

    pack = load_rule_pack(common.env_of(ctx).rules_dir)
    rows = []
    for rule in pack.rules:
        text = rule.text.ru if lang is Language.ru else rule.text.en
        rows.append(
            {
                "id": rule.id,
                "kind": rule.kind,
                "category": rule.category.value,
                "severity": rule.severity.value,
                "destinations": rule.destinations,
                "title": text.title,
            }
        )
    if fmt is TableFormat.json:
        import json

        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        where = ",".join(row["destinations"])
        typer.echo(f"{row['id']:<40} {row['severity']:<8} {where:<10} {row['category']}")
        typer.echo(f"    {row['title']}")


@app.command("show")
def rules_show(
    ctx: typer.Context,
    rule_id: Annotated[str, typer.Argument(metavar="ID", help="The rule's id (see `rules list`).")],
    lang: Annotated[Language, opt.lang("Language of the texts.")] = Language.en,
) -> None:
    """Show one rule: its words, condition, sources with quotes, and its test cases."""
    from riskcli.io.rulepack import load_rule_pack

    pack = load_rule_pack(common.env_of(ctx).rules_dir)
    rule = pack.by_id.get(rule_id)
    if rule is None:
        close = [r for r in pack.by_id if rule_id.split("-")[0] in r]
        if close:
            raise InputError(msg("rules.no_rule", rule=repr(rule_id), close=", ".join(close)))
        raise InputError(msg("rules.no_rule_list", rule=repr(rule_id)))
    text = rule.text.ru if lang is Language.ru else rule.text.en
    out = [
        f"{rule.id}  ({rule.kind}, {rule.category.value}, {rule.severity.value})",
        f"countries: {', '.join(rule.destinations)}",
        "",
        text.title,
        "",
        text.explanation,
    ]
    if text.advice:
        out += ["", *[f"- {a}" for a in text.advice]]
    out += ["", "sources:"]
    for ref in rule.sources:
        out += [f"  {ref.document} (facts as of {pack.facts_as_of(ref)})", f"    “{ref.quote}”"]
    dump = {"when": rule.when, "if_unknown": rule.if_unknown}
    if rule.deadline:
        dump["deadline"] = rule.deadline.model_dump(by_alias=True, exclude={"label"})
    if rule.escalate:
        dump["escalate"] = [e.model_dump(mode="json") for e in rule.escalate]
    out += ["", "condition:", yaml.safe_dump(dump, allow_unicode=True, sort_keys=False).rstrip()]
    out += ["", "tests:"]
    for label, cases in (("fires", rule.tests.fires), ("does not fire", rule.tests.does_not_fire)):
        for case in cases:
            expect = f"  expect {case.expect}" if case.expect else ""
            out.append(f"  {label}: {case.name}{expect}")
            flow = yaml.safe_dump(case.profile, default_flow_style=True, allow_unicode=True)
            out.append(f"    {flow.strip()}")
    typer.echo("\n".join(out))


@app.command("check")
def rules_check(
    ctx: typer.Context,
    sources: Annotated[
        Path | None,
        typer.Option(
            "--sources",
            help="Folder of the source documents (default: ../shared/seeds beside the project).",
        ),
    ] = None,
) -> None:
    """Validate every rule, run every rule's test cases, and find every quote in its source."""
    from riskcli.core.check import check_pack
    from riskcli.io.rulepack import default_sources_dir

    sources_dir = sources or default_sources_dir()
    assessor = common.get_assessor(common.env_of(ctx))
    if sources is not None and not sources.is_dir():
        raise InputError(msg("rules.not_folder", path=sources))
    result = check_pack(assessor, sources_dir)
    for problem in result.problems:
        typer.echo(f"FAIL {problem}", err=True)
    quotes = (
        f"{result.quotes} quotes found in their sources"
        if sources_dir is not None
        else "quotes NOT checked: source documents not found (pass --sources DIR)"
    )
    status = "ok" if result.ok else f"{len(result.problems)} problem(s)"
    typer.echo(
        f"{status}: {result.rules} rules, {result.tests} test cases, {quotes} "
        f"[engine: {assessor.engine_name}, pack {assessor.pack.version}]"
    )
    if not result.ok:
        raise typer.Exit(ExitStatus.ERROR)
    if sources_dir is None and os.environ.get("CI") == "true":
        typer.echo("riskcli: CI=true and the source documents are missing", err=True)
        raise typer.Exit(ExitStatus.ERROR)
