"""``riskcli assess``: one person, from an answers file or the interview, to a report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from riskcli.cli import common
from riskcli.cli import options as opt
from riskcli.core.errors import InputError
from riskcli.core.profile import Language
from riskcli.render.report import Format, render

if TYPE_CHECKING:
    from riskcli.core.assess import Assessor
    from riskcli.core.report import Report


def assess(
    ctx: typer.Context,
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
    fmt: opt.Format = Format.text,
    lang: Annotated[
        Language | None,
        opt.lang(
            "Language of the questions and the report (default: the profile's; "
            "the interview asks, suggesting the locale's)."
        ),
    ] = None,
    as_of: opt.AsOf = None,
    output: opt.Output = None,
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
        opt.store("The case store for --save-case / --resume (default: in your data folder)."),
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
    env = common.env_of(ctx)
    day = as_of
    if answers is not None and (save_case or resume):
        raise InputError(
            "--save-case and --resume go with the interview; to store answers from a file "
            "use `riskcli cases add --answers FILE`"
        )

    def show(report: Report) -> None:
        if redact:
            from riskcli.core.report import redact_report

            report = redact_report(report)
        if ics is not None:
            from riskcli.io.ics import write_report_ics

            write_report_ics(ics, report)
        text = render(report, fmt, color=common.use_color(output), width=common.text_width(output))
        common.emit(text, output)

    report_lang = lang.value if lang else None
    if answers is not None:
        assessor = common.get_assessor(env)
        profile = common.load_profile_file(answers, day)
        show(assessor.assess(profile, report_lang))
        return
    if not common.can_interview():
        raise InputError(
            "no answers given: pass --answers FILE (JSON or YAML), or - to read standard input"
        )
    assessor = common.get_assessor(env)
    if save_case or resume:
        interview_into_store(assessor, lang, day, store, resume=resume, show=show)
        return
    from riskcli.interview.interview import close_interview, run_interview

    profile, session = run_interview(
        assessor.pack.destinations_by_coverage,
        as_of=day,
        lang=report_lang,
        save_as_of=day is not None,
    )
    show(assessor.assess(profile, report_lang))
    close_interview(session, profile)  # the offer to save comes after the report


def interview_into_store(
    assessor: Assessor,
    lang: Language | None,
    day: dt.date | None,
    store: Path | None,
    *,
    resume: bool,
    show: Callable[[Report], None],
) -> None:
    """The interview with an encrypted draft saved after every answer; the report shown;
    then the case kept on request (the first answer of that question: keep it).

    The passphrase is asked before the first question. The draft is deleted when the case
    is saved or the person declines; an interrupted interview leaves it for --resume.
    """
    from riskcli.core.errors import Interrupted
    from riskcli.interview.interview import close_interview, run_interview

    with common.open_store(store, create=True) as cases:
        draft_key: str | None = None
        prefill: dict[str, Any] | None = None
        if resume:
            drafts = cases.drafts()  # newest first
            if not drafts:
                raise InputError(f"{cases.path}: no interrupted interview to resume")
            draft_key, prefill = drafts[0].key, common.dates_as_dates(dict(drafts[0].data))

        def save_point(answers: dict[str, Any]) -> None:
            nonlocal draft_key
            plain = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in answers.items()}
            draft_key = cases.save_draft(plain, key=draft_key)

        try:
            profile, session = run_interview(
                assessor.pack.destinations_by_coverage,
                as_of=day,
                lang=lang.value if lang else (prefill or {}).get("language"),
                save_as_of=day is not None,
                prefill=prefill,
                on_answer=save_point,
                to_store=True,
                resumed=resume,
            )
            report = assessor.assess(profile, lang.value if lang else None)
            show(report)
            close_interview(session, profile)
        except Interrupted as stop:
            stop.draft_kept = draft_key is not None
            raise
        if session.store_wanted:
            key = cases.add_case(profile.answers(), report.to_json_dict(), draft=draft_key)
            typer.echo(f"riskcli: saved as case {key} (encrypted) in {cases.path}", err=True)
        elif draft_key is not None:
            cases.delete_draft(draft_key)
