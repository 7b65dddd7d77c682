"""``riskcli cases``: a volunteer's encrypted case files (see riskcli/store.py).

Every command that reads cases assesses them afresh with the current rules, for today (or
``--as-of``): what a volunteer sees is never a stale severity or day count. The stored
assessment (with its rule pack version) is what ``reassess`` compares against.

The passphrase and ``open_store()`` are in ``riskcli.cli.common`` (``assess --save-case``
and ``--resume`` use them too).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import yaml

from riskcli.cli import common
from riskcli.cli import options as opt
from riskcli.cli.common import ask, open_store
from riskcli.core.errors import ExitStatus, InputError, cannot_write
from riskcli.core.profile import Language
from riskcli.i18n import msg, t
from riskcli.io.files import write_private
from riskcli.io.store import StoredCase, StoreError, printable
from riskcli.render.report import Format, TableFormat, days_phrase, render

if TYPE_CHECKING:
    from riskcli.core.assess import Assessment, Assessor
    from riskcli.core.report import Report
    from riskcli.core.summary import Change

app = typer.Typer(
    help=(
        "Encrypted case files for volunteers: keep cases, follow deadlines, re-assess "
        "everyone when the rules change. The passphrase comes from a hidden prompt, "
        "--passphrase-file, --passphrase-fd or RISKCLI_PASSPHRASE, never from the command "
        "line. Nothing anyone answered is readable from the file without it; if you lose "
        "it, the cases cannot be recovered. The store: --store PATH, RISKCLI_STORE, or "
        "cases.db in your user data folder; `riskcli cases init` creates it."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.callback()
def cases_options(
    passphrase_file: Annotated[
        Path | None,
        typer.Option(
            "--passphrase-file",
            help="Read the store's passphrase from the first line of this file (yours "
            "alone, mode 0600). Also RISKCLI_PASSPHRASE_FILE.",
        ),
    ] = None,
    passphrase_fd: Annotated[
        int | None,
        typer.Option(
            "--passphrase-fd",
            min=0,
            help="Read the store's passphrase from this open file descriptor, e.g. "
            "`3< file` or a pipe from a password manager.",
        ),
    ] = None,
) -> None:
    """Where the passphrase comes from (given before the command: `riskcli cases
    --passphrase-file F list`)."""
    if passphrase_file is not None:
        os.environ[common.PASSPHRASE_FILE_ENV] = str(passphrase_file)
    if passphrase_fd is not None:
        os.environ[common.PASSPHRASE_FD_ENV] = str(passphrase_fd)


class ExportFormat(StrEnum):
    yaml = "yaml"
    json = "json"


CaseArg = Annotated[
    str,
    typer.Argument(metavar="ID", help="The case's key (or its first letters), or its own case_id."),
]


def w(lang: str, name: str, /, **kwargs: object) -> str:
    """The word NAME of the cases commands (``cases.NAME`` in the catalog)."""
    return t(lang, f"cases.{name}", **kwargs)


# --- assessing stored cases ------------------------------------------------------------


def evaluate_case(assessor: Assessor, case: StoredCase, as_of: dt.date | None) -> Assessment:
    from riskcli.core.profile import make_profile

    answers = profile_answers(case)
    if isinstance(answers.get("case_id"), str):  # escape codes kept by an older riskcli
        answers = {**answers, "case_id": printable(answers["case_id"])}
    profile = make_profile(answers, source=f"case {case.key}", as_of=as_of)
    language = profile.language.value if profile.language else "en"
    return assessor.evaluate(profile, language)


def assess_case(
    assessor: Assessor, case: StoredCase, as_of: dt.date | None, lang: str | None = None
) -> Report:
    return assessor.report(evaluate_case(assessor, case, as_of), lang)


NOTES = "notes"  # a volunteer's notes (``cases import``), kept with the answers, encrypted


def profile_answers(case: StoredCase) -> dict[str, Any]:
    """A stored case's answers without its notes: what the profile reads."""
    return {k: v for k, v in case.answers.items() if k != NOTES}


def case_notes(case: StoredCase) -> str | None:
    value = case.answers.get(NOTES)
    return value if isinstance(value, str) and value else None


@dataclass
class Overview:
    """What ``cases list`` shows of one case: its report's one summary."""

    case: StoredCase
    report: Report
    stale: bool = False

    @property
    def deadline(self) -> dt.date | None:
        return self.report.summary.nearest_deadline

    @property
    def days_left(self) -> int | None:
        return self.report.summary.days_left

    def sort_key(self) -> tuple[tuple[int, int, int], str]:
        """Most urgent first (the summary's urgency), then by key."""
        from riskcli.core.summary import urgency_key

        rank = urgency_key(self.report.summary)
        return ((-rank[0], -rank[1], -rank[2]), self.case.key)


def overview(case: StoredCase, report: Report) -> Overview:
    stored_version = (case.report or {}).get("rule_pack", {}).get("version")
    return Overview(
        case=case, report=report, stale=stored_version != report.rule_pack.get("version")
    )


def highest_cell(lang: str, report: Report) -> str:
    """The HIGHEST column: the confirmed severity; else what could apply; never a bare
    "none" for a country the sources do not describe."""
    from riskcli.i18n import severity_word

    summary = report.summary
    if summary.highest_severity is not None:
        cell = severity_word(lang, summary.highest_severity)
        if not report.coverage.destination_covered:
            cell += ", " + w(lang, "country_no_information")
        return cell
    parts = []
    if not report.coverage.destination_covered:
        parts.append(w(lang, "no_information"))
    if summary.possible_highest_severity is not None:
        parts.append(
            w(lang, "could_be", sev=severity_word(lang, summary.possible_highest_severity))
        )
    return ", ".join(parts) or w(lang, "no_risk_found")


def summary_line(lang: str, report: Report) -> str:
    from riskcli.i18n import severity_word

    summary = report.summary
    highest = summary.highest_severity
    if highest is None:
        if summary.possible_highest_severity is not None:
            sev = severity_word(lang, summary.possible_highest_severity)
            return w(lang, "summary_possible", sev=sev)
        if not report.coverage.destination_covered:
            return w(lang, "no_information")
        return w(lang, "summary_none")
    out = w(lang, "summary", sev=severity_word(lang, highest))
    if summary.nearest_deadline is not None and summary.days_left is not None:
        days = days_phrase(lang, summary.days_left)
        date = summary.nearest_deadline.isoformat()
        out += "; " + w(lang, "summary_deadline", date=date, days=days)
    return out


def _ref(case: StoredCase) -> str:
    return f" ({case.ref})" if case.ref else ""


def report_damaged(lang: str, damaged: list[str]) -> None:
    """After the readable cases are shown: name the unreadable ones and exit 1."""
    if damaged:
        typer.echo(w(lang, "damaged", keys=", ".join(damaged), n=len(damaged)), err=True)
        raise typer.Exit(ExitStatus.ERROR)


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip() for row in rows]
    return "\n".join(lines) + "\n"


# --- commands ----------------------------------------------------------------------------


@app.command("add")
def cases_add(
    ctx: typer.Context,
    answers: Annotated[
        str,
        typer.Option(
            "--answers",
            "-a",
            help="Answers file (JSON or YAML with the profile fields); - reads standard input.",
        ),
    ],
    store: opt.Store = None,
    as_of: opt.AsOf = None,
    lang: opt.Lang = Language.en,
) -> None:
    """Add a case from an answers file: assess it and keep answers and report encrypted."""
    day = as_of
    profile = common.load_profile_file(answers, day)
    warn_name_like(profile.case_id, lang.value)
    report = common.get_assessor(common.env_of(ctx)).assess(profile)
    with open_store(store, create=True) as cases:
        ref = profile.case_id
        same = [c.key for c in cases.scan()[0] if ref and c.ref == ref]
        key = cases.add_case(profile.answers(), report.to_json_dict())
    if same:
        typer.echo(w(lang.value, "dup_ref", ref=ref, keys=", ".join(same), n=len(same)), err=True)
    suffix = f" ({ref})" if ref else ""
    typer.echo(
        w(lang.value, "saved", key=key, ref=suffix, summary=summary_line(lang.value, report))
    )


@app.command("list")
def cases_list(
    ctx: typer.Context,
    store: opt.Store = None,
    as_of: opt.AsOf = None,
    lang: opt.Lang = Language.en,
    fmt: opt.Table = TableFormat.text,
) -> None:
    """List the cases, most urgent first: severity, nearest deadline, days left, last assessed.

    Each case is assessed afresh with the current rules for today (or --as-of); nothing is
    saved.
    """

    day = as_of
    assessor = common.get_assessor(common.env_of(ctx))
    with open_store(store) as cases:
        stored, damaged = cases.scan()
    rows = sorted(
        (overview(c, assess_case(assessor, c, day, lang.value)) for c in stored),
        key=Overview.sort_key,
    )
    if fmt is TableFormat.json:
        data = [
            {
                "key": o.case.key,
                "case_id": o.case.ref,
                "highest_severity": o.report.summary.highest_severity,
                "nearest_deadline": o.deadline.isoformat() if o.deadline else None,
                "days_left": o.days_left,
                "possible_highest_severity": o.report.summary.possible_highest_severity,
                "to_check": [c.field for c in o.report.summary.to_check],
                "destination_covered": o.report.coverage.destination_covered,
                "last_assessed": o.case.assessed.isoformat() if o.case.assessed else None,
                "assessed_with_current_rules": not o.stale,
            }
            for o in rows
        ]
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        report_damaged(lang.value, damaged)
        return
    if not rows:
        typer.echo(w(lang.value, "no_cases"))
        report_damaged(lang.value, damaged)
        return
    L = lang.value
    table = [[w(L, k) for k in ("key", "case_id", "highest", "deadline", "days", "assessed")]]
    for o in rows:
        table.append(
            [
                o.case.key,
                o.case.ref or "-",
                highest_cell(L, o.report),
                o.deadline.isoformat() if o.deadline else "-",
                days_phrase(L, o.days_left) if o.days_left is not None else "-",
                (o.case.assessed.date().isoformat() if o.case.assessed else w(L, "never"))
                + ("*" if o.stale else ""),
            ]
        )
    typer.echo(_table(table), nl=False)
    stale = sum(o.stale for o in rows)
    if stale:
        typer.echo("* " + w(L, "stale", n=stale))
    report_damaged(L, damaged)


@app.command("show")
def cases_show(
    ctx: typer.Context,
    case_ref: CaseArg,
    store: opt.Store = None,
    fmt: opt.Format = Format.text,
    redact: Annotated[bool, typer.Option("--redact", help=common.REDACT_HELP)] = False,
    stored: Annotated[
        bool,
        typer.Option("--stored", help="Show the last saved assessment instead of a fresh one."),
    ] = False,
    as_of: opt.AsOf = None,
    lang: Annotated[
        Language | None, opt.lang("Report language (default: the case's, then en).")
    ] = None,
    output: opt.Output = None,
) -> None:
    """Show a case's report, assessed afresh with the current rules for today (or --as-of)."""
    from riskcli.core.report import Report, redact_report

    day = as_of
    with open_store(store) as cases:
        case = cases.get_case(cases.resolve(case_ref))
    if stored:
        if case.report is None:
            raise StoreError(msg("cases.no_assessment", key=case.key))
        report = Report.model_validate(case.report)
    else:
        assessor = common.get_assessor(common.env_of(ctx))
        report = assess_case(assessor, case, day, lang.value if lang else None)
    if redact:
        report = redact_report(report)
        typer.echo(common.redact_note(lang.value if lang else "en"), err=True)
    text = render(report, fmt, color=common.use_color(output), width=common.text_width(output))
    notes = None if redact else case_notes(case)
    if notes is not None:
        text = _with_notes(text, notes, fmt, report.language)
    common.emit(text, output)


def _with_notes(text: str, notes: str, fmt: Format, lang: str) -> str:
    """The report, then the case's notes (never in a redacted report)."""
    head = t(lang, "cases.notes_head")
    if fmt is Format.json:
        data = json.loads(text)
        data["notes"] = notes
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt is Format.markdown:
        return text.rstrip("\n") + f"\n\n## {head}\n\n{notes}\n"
    return text.rstrip("\n") + f"\n\n{head}:\n{notes}\n"


def warn_name_like(case_id: str | None, lang: str) -> None:
    """Warn (stderr) when a case_id looks like a person's name; the case is still kept."""
    from riskcli.io.store import name_like, printable

    if case_id and name_like(case_id):
        typer.echo(w(lang, "name_like", ref=repr(printable(case_id))), err=True)


def _parse_unsets(unsets: list[str]) -> dict[str, Any]:
    from riskcli.core.profile import FIELDS

    allowed = [f for f in FIELDS if f != "as_of"]
    changes: dict[str, Any] = {}
    for name in unsets:
        if name not in allowed:
            raise InputError(
                msg("cases.unset_unknown", field=repr(name), allowed=", ".join(allowed))
            )
        changes[name] = None
    return changes


@app.command("edit")
def cases_edit(
    ctx: typer.Context,
    case_ref: CaseArg,
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", hidden=True, help="Refused: answers never go on a command line."),
    ] = None,
    unsets: Annotated[
        list[str] | None,
        typer.Option("--unset", help="Forget one answer (it becomes unknown). Repeatable."),
    ] = None,
    changes_file: Annotated[
        str | None,
        typer.Option(
            "--changes",
            "-c",
            help="Change only the fields this file names (JSON or YAML; null forgets an "
            "answer); - reads standard input.",
        ),
    ] = None,
    answers: Annotated[
        str | None,
        typer.Option(
            "--answers", "-a", help="Replace all the answers with this file; - reads stdin."
        ),
    ] = None,
    store: opt.Store = None,
    as_of: opt.AsOf = None,
    lang: opt.Lang = Language.en,
) -> None:
    """Change a case's answers, re-assess it and save both.

    Changes come from a file or standard input (--changes, --answers), never from the
    command line. With none of them, on a terminal, the interview runs again with the
    stored answers filled in: change any of them on the review screen.
    """
    from riskcli.core.profile import make_profile
    from riskcli.io.loaders import load_data

    if sets:
        raise InputError(msg("cases.no_set"))
    if changes_file is not None and answers is not None:
        raise InputError("give --changes (some fields) or --answers (all of them), not both")
    changes = _parse_unsets(unsets or [])
    if not changes and answers is None and changes_file is None:
        if not common.can_interview():
            raise InputError(msg("cases.nothing_to_change"))
        _edit_in_interview(common.get_assessor(common.env_of(ctx)), case_ref, store, as_of, lang)
        return
    day = as_of
    replacement = None
    if answers is not None:
        replacement = load_data(answers, what="answers file")
        if not isinstance(replacement, dict):
            make_profile(replacement, source=answers)  # raises the usual clear error
    if changes_file is not None:
        given = load_data(changes_file, what="changes file")
        if not isinstance(given, dict):
            raise InputError(
                f"{'<stdin>' if changes_file == '-' else changes_file}: a changes file maps "
                "field names to new answers (null forgets one), e.g. `entry_date: 2022-08-19`"
            )
        changes.update(given)
    assessor = common.get_assessor(common.env_of(ctx))
    with open_store(store) as cases:
        case = cases.get_case(cases.resolve(case_ref))
        new = dict(replacement if replacement is not None else profile_answers(case))
        new.pop("as_of", None)
        new.pop(NOTES, None)
        new.update(changes)
        new = {k: v for k, v in new.items() if v is not None}
        profile = make_profile(new, source=f"case {case.key}", as_of=day)
        warn_name_like(profile.case_id, lang.value)
        report = assessor.assess(profile)
        cases.update_case(
            case.key,
            _keep_notes(case, profile.answers()),
            report.to_json_dict(),
            expected_version=case.version,
        )
    ref = f" ({profile.case_id})" if profile.case_id else ""
    typer.echo(
        w(lang.value, "updated", key=case.key, ref=ref, summary=summary_line(lang.value, report))
    )


def _keep_notes(case: StoredCase, answers: dict[str, Any]) -> dict[str, Any]:
    notes = case_notes(case)
    return answers if notes is None else {**answers, NOTES: notes}


def _edit_in_interview(
    assessor: Assessor, case_ref: str, store: Path | None, day: dt.date | None, lang: Language
) -> None:
    """The interview with the case's answers filled in; "All correct: show the report"
    shows the new report, and then asks whether to save the changes."""
    from riskcli.interview.drafts import dates_as_dates
    from riskcli.interview.interview import close_interview, run_interview
    from riskcli.render.report import Format, render

    with open_store(store) as cases:
        case = cases.get_case(cases.resolve(case_ref))
        prefill = dates_as_dates({k: v for k, v in profile_answers(case).items() if k != "as_of"})
        profile, session = run_interview(
            assessor.pack.destinations_by_coverage,
            as_of=day,
            lang=prefill.get("language") or lang.value,
            prefill=prefill,
            to_store=True,
            store_question=("edit", "edit_no", "edit_yes"),
            keep_first=False,
        )
        report = assessor.assess(profile)
        text = render(
            report, Format.text, color=common.use_color(None), width=common.text_width(None)
        )
        common.emit(text, None)
        close_interview(session, profile)
        if not session.store_wanted:
            typer.echo(w(lang.value, "not_changed"), err=True)
            return
        warn_name_like(profile.case_id, lang.value)
        cases.update_case(
            case.key,
            _keep_notes(case, profile.answers()),
            report.to_json_dict(),
            expected_version=case.version,
        )
    ref = f" ({profile.case_id})" if profile.case_id else ""
    typer.echo(
        w(lang.value, "updated", key=case.key, ref=ref, summary=summary_line(lang.value, report))
    )


@app.command("delete")
def cases_delete(
    case_ref: CaseArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    store: opt.Store = None,
    lang: opt.Lang = Language.en,
) -> None:
    """Delete one case, its answers and its reports."""
    with open_store(store) as cases:
        key = cases.resolve(case_ref)
        try:
            ref = _ref(cases.get_case(key))
        except StoreError:  # a damaged case can still be deleted by its key
            ref = ""
        question = w(lang.value, "confirm_delete", key=key, ref=ref)
        if not yes and ask(f"{question} [y/N]").lower() not in {"y", "yes", "д", "да"}:
            typer.echo(w(lang.value, "not_deleted"), err=True)
            raise typer.Exit(ExitStatus.ERROR)
        cases.delete_case(key)
    typer.echo(w(lang.value, "deleted", key=key))


@app.command("export")
def cases_export(
    case_ref: CaseArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the profile to this file (mode 0600); default: standard output.",
        ),
    ] = None,
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="File format.")
    ] = ExportFormat.yaml,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    store: opt.Store = None,
    lang: opt.Lang = Language.en,
) -> None:
    """Export a case's answers as a profile file (UNENCRYPTED: handle it with care)."""
    with open_store(store) as cases:
        case = cases.get_case(cases.resolve(case_ref))
    answers = profile_answers(case)  # a profile file: the notes stay in the store
    if fmt is ExportFormat.json:
        text = json.dumps(answers, ensure_ascii=False, indent=2) + "\n"
    else:
        text = yaml.safe_dump(answers, allow_unicode=True, sort_keys=False)
    where = str(output) if output else "the output"
    typer.echo(w(lang.value, "export_warning", path=where), err=True)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        try:
            write_private(output, text, exclusive=not force)
        except FileExistsError:
            raise InputError(msg("error.exists", option="--output", path=output)) from None
        except OSError as exc:
            raise InputError(cannot_write("--output", output, exc)) from None


@app.command("deadlines")
def cases_deadlines(
    ctx: typer.Context,
    store: opt.Store = None,
    as_of: opt.AsOf = None,
    within: Annotated[
        int | None,
        typer.Option("--within", min=0, help="Only deadlines at most this many days ahead."),
    ] = None,
    lang: opt.Lang = Language.en,
    fmt: opt.Table = TableFormat.text,
    ics: Annotated[
        Path | None,
        typer.Option(
            "--ics",
            help="Also write every case's deadlines to this iCalendar file, with reminders "
            "14 and 3 days before (events name only the case id or key).",
        ),
    ] = None,
) -> None:
    """Every case's deadlines, soonest first (passed ones first of all).

    Each case is assessed afresh with the current rules for today (or --as-of).
    """

    day = as_of
    assessor = common.get_assessor(common.env_of(ctx))
    with open_store(store) as cases:
        stored, damaged = cases.scan()
    rows: list[tuple[dt.date, int, str, StoredCase, Any, Report]] = []
    reports = []
    for case in stored:
        report = assess_case(assessor, case, day, lang.value)
        reports.append((case, report))
        for risk in report.risks:
            if risk.deadline is None or risk.days_left is None:
                continue
            if within is not None and risk.days_left > within:
                continue
            rows.append((risk.deadline, risk.days_left, case.key, case, risk, report))
    rows.sort(key=lambda r: (r[0], r[2], r[4].id))
    if ics is not None:
        from riskcli.io.ics import IcsWriter

        writer = IcsWriter(ics, lang.value)
        try:
            for case, report in reports:
                writer.add(case.ref or case.key, report.deadlines())
        except BaseException:
            writer.abort()
            raise
        writer.close()
    if fmt is TableFormat.json:
        data = [
            {
                "deadline": d.isoformat(),
                "days_left": days,
                "key": key,
                "case_id": case.ref,
                "risk": risk.id,
                "severity": risk.severity,
                "certainty": risk.certainty,
                "label": risk.deadline_label,
                "title": risk.title,
                "case_highest_severity": report.summary.highest_severity,
            }
            for d, days, key, case, risk, report in rows
        ]
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        report_damaged(lang.value, damaged)
        return
    if not rows:
        typer.echo(w(lang.value, "no_deadlines"))
        report_damaged(lang.value, damaged)
        return
    L = lang.value
    table = [[w(L, k) for k in ("deadline", "days", "key", "case_id", "highest", "risk")]]
    for d, days, key, case, risk, report in rows:
        table.append(
            [
                d.isoformat(),
                days_phrase(L, days),
                key,
                case.ref or "-",
                highest_cell(L, report),  # the case's, not this deadline's risk
                risk.deadline_label or risk.title,
            ]
        )
    typer.echo(_table(table), nl=False)
    report_damaged(L, damaged)


@app.command("wipe")
def cases_wipe(
    store: opt.Store = None,
    lang: opt.Lang = Language.en,
) -> None:
    """Delete the whole case store for good, after you type WIPE (no passphrase needed).

    A damaged store (truncated, its header overwritten) is wiped too; through a symbolic
    link, the file it points to is wiped and the link removed. A file that never was a
    riskcli store is refused.
    """
    from riskcli.io.store import wipe_store, wipe_target

    path = common.store_path(store)
    target = wipe_target(path)
    if target.cases is None:
        prompt = w(lang.value, "wipe_damaged_prompt", path=target.path)
    else:
        prompt = w(lang.value, "wipe_prompt", path=target.path, n=target.cases)
    if ask(prompt + ":") != "WIPE":
        typer.echo(w(lang.value, "not_wiped"), err=True)
        raise typer.Exit(ExitStatus.ERROR)
    wipe_store(target)
    typer.echo(w(lang.value, "wiped", path=path))
    if target.link is not None:
        typer.echo(w(lang.value, "wiped_link", path=target.path, link=path))


@app.command("init")
def cases_init(store: opt.Store = None) -> None:
    """Create a new, empty case store (asks for a new passphrase twice).

    Its folder must exist (an encrypted volume must be mounted first); only the default
    location in your user data folder is created for you.
    """
    path = common.store_path(store)
    if path.exists() or path.is_symlink():
        raise StoreError(f"{path}: already exists; riskcli creates a new store only at a new path")
    with open_store(store, create=True):
        pass


@app.command("passwd")
def cases_passwd(
    store: opt.Store = None,
    new_file: Annotated[
        Path | None,
        typer.Option(
            "--new-passphrase-file",
            help="Read the new passphrase from the first line of this file (mode 0600); "
            "default: asked twice on the terminal.",
        ),
    ] = None,
) -> None:
    """Change the store's passphrase: the data key is wrapped again, no case is rewritten."""
    with open_store(store) as cases:
        new = common.read_new_passphrase(new_file)
        cases.change_passphrase(new)
        where = cases.path
    typer.echo(f"changed the passphrase of {where}")


@app.command("drafts")
def cases_drafts(
    store: opt.Store = None,
    delete: Annotated[
        list[str] | None,
        typer.Option("--delete", metavar="KEY", help="Delete this draft. Repeatable."),
    ] = None,
    delete_all: Annotated[bool, typer.Option("--delete-all", help="Delete every draft.")] = False,
    lang: opt.Lang = Language.en,
    fmt: opt.Table = TableFormat.text,
) -> None:
    """List the drafts of interrupted interviews (`assess --resume` continues the newest),
    or delete them."""
    L = lang.value
    with open_store(store) as cases:
        good, bad = cases.scan_drafts()
        victims = [d.key for d in good] + bad if delete_all else list(delete or [])
        known = {d.key for d in good} | set(bad)
        unknown = [k for k in victims if k not in known]
        if unknown:
            raise StoreError(f"no draft {unknown[0]!r} in {cases.path}; see `riskcli cases drafts`")
        for key in victims:
            cases.delete_draft(key)
    if victims:
        for key in victims:
            typer.echo(w(L, "draft_deleted", key=key))
        return
    if fmt is TableFormat.json:
        data = [
            {
                "key": d.key,
                "started": d.created.isoformat(),
                "last_saved": d.updated.isoformat(),
                "answers": _answer_count(d.data),
            }
            for d in good
        ]
        typer.echo(json.dumps({"drafts": data, "damaged": bad}, ensure_ascii=False, indent=2))
        return
    if not good and not bad:
        typer.echo(w(L, "no_drafts"))
        return
    table = [[w(L, k) for k in ("key", "started", "last_saved", "answers")]]
    for d in good:
        table.append(
            [
                d.key,
                d.created.strftime("%Y-%m-%d %H:%M"),
                d.updated.strftime("%Y-%m-%d %H:%M"),
                str(_answer_count(d.data)),
            ]
        )
    for key in bad:
        table.append([key, "-", "-", w(L, "draft_damaged")])
    typer.echo(_table(table), nl=False)
    typer.echo(w(L, "drafts_hint"))


def _answer_count(data: dict[str, Any]) -> int:
    answers = data.get("answers", data)
    return sum(1 for v in answers.values() if v is not None) if isinstance(answers, dict) else 0


# --- reassess ------------------------------------------------------------------------


@dataclass
class CaseChanges:
    case: StoredCase
    report: Report
    previous_version: str | None
    changes: list[Change] = field(default_factory=list)


@app.command("reassess")
def cases_reassess(
    ctx: typer.Context,
    store: opt.Store = None,
    as_of: Annotated[
        dt.date | None,
        opt.as_of("Assess as of this date, YYYY-MM-DD (default: today). A what-if: saves nothing."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what changed but save no new assessment.")
    ] = False,
    lang: opt.Lang = Language.en,
    fmt: opt.Table = TableFormat.text,
) -> None:
    """Re-assess every case with the current rules and date; list the cases that changed.

    Changes: new risks, risks gone, severity up or down, deadlines moved or passed; most
    urgent first. The new assessments are saved (unless --dry-run or --as-of), so the next
    run shows only what changes after this one.
    """
    from riskcli.core import summary as summaries
    from riskcli.i18n import severity_word

    day = as_of
    save = not dry_run and day is None
    assessor = common.get_assessor(common.env_of(ctx))
    version = assessor.pack.version
    results: list[CaseChanges] = []
    with open_store(store) as cases:
        stored, damaged = cases.scan()
        fresh: dict[str, dict[str, Any]] = {}
        for case in stored:
            # Assessed once; put into words twice: in the language asked for, to show, and
            # in the case's own language, to save.
            assessment = evaluate_case(assessor, case, day)
            report = assessor.report(assessment, lang.value)
            previous = (case.report or {}).get("rule_pack", {}).get("version")
            changes = summaries.diff_reports(case.report, report)
            results.append(CaseChanges(case, report, previous, changes))
            if save:
                fresh[case.key] = assessor.report(assessment).to_json_dict()
        if save:
            # The saved reports stay in each case's own language.
            cases.save_assessments(  # a case edited meanwhile keeps its edit's assessment
                fresh, {r.case.key: r.case.version for r in results}
            )
    changed = [r for r in results if r.changes]
    changed.sort(key=lambda r: overview(r.case, r.report).sort_key())
    today = (day or dt.date.today()).isoformat()
    if fmt is TableFormat.json:
        data = {
            "as_of": today,
            "rule_pack": {"version": version},
            "saved": save,
            "checked": len(results),
            "damaged": damaged,
            "changed": [
                {
                    "key": r.case.key,
                    "case_id": r.case.ref,
                    "highest_severity": r.report.summary.highest_severity,
                    "nearest_deadline": (
                        o.deadline.isoformat()
                        if (o := overview(r.case, r.report)).deadline
                        else None
                    ),
                    "days_left": o.days_left,
                    "previous_rule_pack": r.previous_version,
                    "changes": [c.to_json() for c in r.changes],
                }
                for r in changed
            ],
        }
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        report_damaged(lang.value, damaged)
        return
    L = lang.value
    if not changed:
        typer.echo(w(L, "reassess_none", version=version, date=today, total=len(results)))
    else:
        head = w(
            L, "reassess_head", version=version, date=today, n=len(changed), total=len(results)
        )
        typer.echo(head)
    for r in changed:
        typer.echo("")
        typer.echo(f"{r.case.key}{_ref(r.case)}: {summary_line(L, r.report)}")
        for c in r.changes:
            sev = severity_word(L, c.severity)
            span = ""
            if c.kind in {"severity_up", "severity_down"}:
                span = f" {severity_word(L, c.before or '')} → {severity_word(L, c.after or '')}"
            elif c.kind == "certainty":
                span = f" {w(L, c.before or '')} → {w(L, c.after or '')}"
            elif c.kind == "deadline_moved":
                span = f" {c.before or '-'} → {c.after or '-'}"
            elif c.kind == "deadline_passed":
                span = f" {c.after}"
            typer.echo(f"  {w(L, c.kind)}{span}: [{sev}] {c.title} ({c.risk})")
    if not save:
        typer.echo(w(L, "not_saved"), err=True)
    report_damaged(L, damaged)
