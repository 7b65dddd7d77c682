"""The command line. It only parses, calls the core and renders.

``main()`` maps every exception to one ``ExitStatus`` and one line on stderr
(``--traceback`` shows the rest); the commands do the work.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import traceback
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from riskcli import __version__
from riskcli.cli_cases import cases_app
from riskcli.errors import ExitStatus, InputError, RiskcliError
from riskcli.profile import Language as Lang
from riskcli.render import Format, TableFormat, render

app = typer.Typer(
    name="riskcli",
    help=(
        "Which risks of being sent back to Russia a person faces where they are, "
        "how soon, why, and what to do, citing the source of every rule."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
rules_app = typer.Typer(
    help="The rule pack: list, show and check the rules.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(rules_app, name="rules")
app.add_typer(cases_app, name="cases")


class EngineChoice(StrEnum):
    auto = "auto"
    durable = "durable"
    oracle = "oracle"


class State:
    traceback = False
    rules_dir: Path | None = None
    engine: str = "auto"
    lang: str = "en"  # the language the person chose, for the "stopped" line
    draft_kept = False  # an interrupted --save-case interview left its encrypted draft


STATE = State()


def version_lines() -> list[str]:
    """riskcli's version, the rule pack's and the engine that runs (no engine is imported)."""
    import importlib.metadata
    import importlib.util

    from riskcli.rules import default_rules_dir, pack_version

    directory = STATE.rules_dir or default_rules_dir()
    pack = pack_version(directory) if directory.is_dir() else "none found"
    if STATE.engine != "oracle" and importlib.util.find_spec("durable") is not None:
        engine = f"durable-rules {importlib.metadata.version('durable-rules')}"
    else:
        why = "" if STATE.engine == "oracle" else " (durable-rules does not run on this Python)"
        engine = f"the plain-Python evaluator of the same rules{why}"
    python = ".".join(map(str, sys.version_info[:3]))
    return [
        f"riskcli {__version__}",
        f"rule pack: {pack} ({directory})",
        f"engine: {engine}",
        f"Python: {python}",
    ]


def _version(ctx: typer.Context, value: bool) -> None:
    if value:
        params = ctx.params
        if params.get("rules") is not None:
            STATE.rules_dir = params["rules"]
        if params.get("engine") is not None:
            STATE.engine = params["engine"].value
        typer.echo("\n".join(version_lines()))
        raise typer.Exit()


@app.callback()
def root(
    show_traceback: Annotated[
        bool, typer.Option("--traceback", help="Show the full traceback of an error (debugging).")
    ] = False,
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules",
            envvar="RISKCLI_RULES",
            is_eager=True,
            help="Folder of rule files to use instead of the bundled rule pack.",
        ),
    ] = None,
    engine: Annotated[
        EngineChoice,
        typer.Option(
            "--engine",
            help="Rules engine: durable-rules, or the plain-Python evaluator of the same rules.",
            hidden=True,
            is_eager=True,
        ),
    ] = EngineChoice.auto,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    STATE.traceback = show_traceback
    STATE.rules_dir = rules
    STATE.engine = engine.value


# --- helpers shared by commands ---------------------------------------------------------


def get_assessor() -> Any:
    from riskcli.assess import Assessor

    return Assessor(rules_dir=STATE.rules_dir, engine=STATE.engine)  # type: ignore[arg-type]


def parse_as_of(value: str | None) -> dt.date | None:
    from riskcli.profile import parse_date

    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise InputError(f"--as-of: {exc}") from None


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def can_interview() -> bool:
    """The interview needs a person at a terminal: keys on stdin, prompts on stderr."""
    return sys.stdin.isatty() and sys.stderr.isatty()


STOPPED = {
    "en": "stopped; nothing was saved",
    "ru": "остановлено; ничего не сохранено (stopped; nothing was saved)",
}
STOPPED_DRAFT = {
    "en": "stopped; your answers so far are kept encrypted: `riskcli assess --resume` continues",
    "ru": (
        "остановлено; ответы сохранены в зашифрованном виде: продолжить — `riskcli assess --resume`"
    ),
}


def stopped_line() -> str:
    table = STOPPED_DRAFT if STATE.draft_kept else STOPPED
    return table.get(STATE.lang, table["en"])


def use_color(output: Path | None) -> bool:
    return output is None and stdout_is_terminal() and "NO_COLOR" not in os.environ


def text_width(output: Path | None) -> int:
    if output is None and stdout_is_terminal():
        return max(40, min(shutil.get_terminal_size((80, 24)).columns, 100))
    return 80


def emit(text: str, output: Path | None) -> None:
    """Write a result to --output (whole, or not at all) or to standard output.

    A file is readable by its owner only (mode 0600): reports name the answers given.
    """
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            os.fchmod(fh.fileno(), 0o600)  # also when the temporary file already existed
            fh.write(text)
        tmp.replace(output)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"--output {output}: cannot write: {exc.strerror}") from None


def load_profile_file(path: str, as_of: dt.date | None) -> Any:
    from riskcli.loaders import load_data
    from riskcli.profile import make_profile

    name = "<stdin>" if path == "-" else path
    data = load_data(path, what="answers file")
    return make_profile(data, source=name, as_of=as_of)


# --- assess -----------------------------------------------------------------------


@app.command()
def assess(
    answers: Annotated[
        str | None,
        typer.Option(
            "--answers",
            "-a",
            help=(
                "Answers file (JSON or YAML with the profile fields); - reads standard input. "
                "Without it, on a terminal, riskcli asks the questions itself."
            ),
        ),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Report format.")] = Format.text,
    lang: Annotated[
        Lang | None,
        typer.Option(
            "--lang",
            help=(
                "Language of the questions and the report (default: the profile's; "
                "the interview asks, suggesting the locale's)."
            ),
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Assess as of this date, YYYY-MM-DD (default: today)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    redact: Annotated[
        bool,
        typer.Option(
            "--redact",
            help="Leave out the answers and the case id: risks, deadlines and advice only.",
        ),
    ] = False,
    save_case: Annotated[
        bool,
        typer.Option(
            "--save-case",
            help=(
                "Interview only: keep the case in the encrypted case store (asks for its "
                "passphrase first). Answers are kept as an encrypted draft as you go, so an "
                "interrupted interview can be continued with --resume."
            ),
        ),
    ] = False,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Continue the latest interrupted interview from its encrypted draft in the store.",
        ),
    ] = False,
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            envvar="RISKCLI_STORE",
            help="The case store for --save-case / --resume (default: in your data folder).",
        ),
    ] = None,
    ics: Annotated[
        Path | None,
        typer.Option(
            "--ics",
            help="Also write every deadline to this iCalendar file, with reminders 14 and 3 "
            "days before (the events name only the case id).",
        ),
    ] = None,
) -> None:
    """Assess one person's situation and report the risks, deadlines, advice and sources.

    Without --answers, on a terminal, it first asks about the situation (in English or
    Russian), shows all answers for review, and offers to save them to a private file.
    """
    day = parse_as_of(as_of)
    if answers is not None and (save_case or resume):
        raise InputError(
            "--save-case and --resume go with the interview; to store answers from a file "
            "use `riskcli cases add --answers FILE`"
        )
    if answers is None:
        if not can_interview():
            raise InputError(
                "no answers given: pass --answers FILE (JSON or YAML), or - to read standard input"
            )
        assessor = get_assessor()
        if save_case or resume:
            report = interview_into_store(assessor, lang, day, store, resume=resume)
        else:
            profile = interview(assessor.pack.destinations_by_coverage, lang, day)
            report = assessor.assess(profile, lang.value if lang else None)
    else:
        assessor = get_assessor()
        profile = load_profile_file(answers, day)
        report = assessor.assess(profile, lang.value if lang else None)
    if redact:
        from riskcli.report import redact_report

        report = redact_report(report)
    if ics is not None:
        from riskcli.ics import write_report_ics

        write_report_ics(ics, report, assessor.pack)
    emit(render(report, fmt, color=use_color(output), width=text_width(output)), output)


DRAFT_DATES = ("entry_date", "international_passport_expiry")


def interview_into_store(
    assessor: Any, lang: Lang | None, day: dt.date | None, store: Path | None, *, resume: bool
) -> Any:
    """The interview with an encrypted draft saved after every answer; the case kept on request.

    The passphrase is asked before the first question. The draft is deleted when the case
    is saved or the person declines; an interrupted interview leaves it for --resume.
    """
    from prompt_toolkit.output import create_output

    from riskcli.cli_cases import open_store
    from riskcli.interview import Interview
    from riskcli.profile import parse_date

    with open_store(store, create=True) as cases:
        draft_key: str | None = None
        prefill: dict[str, Any] | None = None
        if resume:
            drafts = cases.drafts()  # newest first
            if not drafts:
                raise InputError(f"{cases.path}: no interrupted interview to resume")
            draft_key, prefill = drafts[0].key, dict(drafts[0].data)
            for key in DRAFT_DATES:
                value = prefill.get(key)
                if isinstance(value, str) and not value.startswith("__"):
                    prefill[key] = parse_date(value)

        def save_point(answers: dict[str, Any]) -> None:
            nonlocal draft_key
            plain = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in answers.items()}
            draft_key = cases.save_draft(plain, key=draft_key)

        session = Interview(
            assessor.pack.destinations_by_coverage,
            as_of=day,
            lang=lang.value if lang else (prefill or {}).get("language"),
            save_as_of=day is not None,
            output=create_output(stdout=sys.stderr),
            prefill=prefill,
            on_answer=save_point,
            to_store=True,
        )
        try:
            profile = session.run()
        except (KeyboardInterrupt, EOFError):
            STATE.lang = session.lang
            STATE.draft_kept = draft_key is not None
            raise typer.Exit(ExitStatus.INTERRUPTED) from None
        report = assessor.assess(profile, lang.value if lang else None)
        if session.store_wanted:
            key = cases.add_case(profile.answers(), report.to_json_dict(), draft=draft_key)
            typer.echo(f"riskcli: saved as case {key} (encrypted) in {cases.path}", err=True)
        elif draft_key is not None:
            cases.delete_draft(draft_key)
    return report


def interview(destinations: list[str], lang: Lang | None, day: dt.date | None) -> Any:
    """Ask the questions on the terminal (prompts on stderr); Ctrl-C/Ctrl-D exit 130."""
    from prompt_toolkit.output import create_output

    from riskcli.interview import Interview

    session = Interview(
        destinations,
        as_of=day,
        lang=lang.value if lang else None,
        save_as_of=day is not None,
        output=create_output(stdout=sys.stderr),
    )
    try:
        return session.run()
    except (KeyboardInterrupt, EOFError):
        STATE.lang = session.lang
        raise typer.Exit(ExitStatus.INTERRUPTED) from None


# --- rules ------------------------------------------------------------------------


@rules_app.command("list")
def rules_list(
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the titles.")] = Lang.en,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="Output format.")] = (
        "text"  # type: ignore[assignment]
    ),
) -> None:
    """List every rule: id, category, severity, countries and title."""
    from riskcli.rules import load_rule_pack

    pack = load_rule_pack(STATE.rules_dir)
    rows = []
    for rule in pack.rules:
        text = rule.text.ru if lang is Lang.ru else rule.text.en
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


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(metavar="ID", help="The rule's id (see `rules list`).")],
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the texts.")] = Lang.en,
) -> None:
    """Show one rule: its words, condition, sources with quotes, and its test cases."""
    from riskcli.rules import load_rule_pack

    pack = load_rule_pack(STATE.rules_dir)
    rule = pack.by_id.get(rule_id)
    if rule is None:
        close = [r for r in pack.by_id if rule_id.split("-")[0] in r]
        hint = f"; similar: {', '.join(close)}" if close else "; see `riskcli rules list`"
        raise InputError(f"no rule {rule_id!r}{hint}")
    text = rule.text.ru if lang is Lang.ru else rule.text.en
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


@rules_app.command("check")
def rules_check(
    sources: Annotated[
        Path | None,
        typer.Option(
            "--sources",
            help="Folder of the source documents (default: ../shared/seeds beside the project).",
        ),
    ] = None,
) -> None:
    """Validate every rule, run every rule's test cases, and find every quote in its source."""
    from riskcli.check import check_pack
    from riskcli.rules import default_sources_dir

    sources_dir = sources or default_sources_dir()
    assessor = get_assessor()
    if sources is not None and not sources.is_dir():
        raise InputError(f"--sources {sources}: not a folder")
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


from riskcli import cli_volunteer  # noqa: E402, F401  (batch, template, compare)

# --- entry point ------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map every outcome to an ExitStatus and at most one line on stderr."""
    try:
        app(args=argv, prog_name="riskcli")
    except SystemExit as exc:  # typer's own exits: help, usage errors (2), Ctrl-C (130)
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if code == ExitStatus.INTERRUPTED:
            sys.stderr.write(f"\n{stopped_line()}\n")
        return code
    except (KeyboardInterrupt, EOFError):
        sys.stderr.write(f"\n{stopped_line()}\n")
        return ExitStatus.INTERRUPTED
    except RiskcliError as exc:
        if STATE.traceback:
            traceback.print_exc()
        sys.stderr.write(f"riskcli: {exc}\n")
        return exc.exit_status
    except Exception as exc:
        if STATE.traceback:
            traceback.print_exc()
        sys.stderr.write(f"riskcli: internal error: {exc!r} (run with --traceback for details)\n")
        return ExitStatus.ERROR
    return ExitStatus.OK
