"""``riskcli assess``: one person, from an answers file or the interview, to a report."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, overload

import typer

from riskcli.cli import common
from riskcli.cli import options as opt
from riskcli.core.errors import InputError
from riskcli.core.profile import Language
from riskcli.i18n import msg, t
from riskcli.render.report import Format, render

if TYPE_CHECKING:
    from riskcli.core.assess import Assessor
    from riskcli.core.report import Report
    from riskcli.core.rules import RulePack


class PackLoader:
    """The rule pack for the interview, read in a thread from the first answer on: the
    first question waits neither for the pack nor for its compiling. ``start()`` begins
    reading (again: nothing); ``pack()`` waits for it; ``assessor()`` compiles it for the
    engine, on the calling thread, once the questions are done."""

    def __init__(self, env: common.Environment):
        self.env = env
        self._pack: RulePack | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._load, name="riskcli-rule-pack", daemon=True)
        self._lock = threading.Lock()

    def start(self, _answers: object = None) -> None:
        with self._lock:
            if self._thread.ident is None:
                self._thread.start()

    def _load(self) -> None:
        try:
            from riskcli.io.rulepack import load_rule_pack

            self._pack = load_rule_pack(self.env.rules_dir)
        except BaseException as exc:  # raised again where the pack is needed
            self._error = exc

    def pack(self) -> RulePack:
        self.start()
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._pack is not None
        return self._pack

    def assessor(self) -> Assessor:
        from riskcli.core.assess import Assessor

        return Assessor(self.pack(), engine=self.env.engine)


class LazyDestinations(Sequence[str]):
    """The pack's destinations for the interview's list, read when first asked for."""

    def __init__(self, loader: PackLoader):
        self.loader = loader
        self._codes: list[str] | None = None

    def _list(self) -> list[str]:
        if self._codes is None:
            self._codes = self.loader.pack().destinations_by_coverage
        return self._codes

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._list()[index]

    def __len__(self) -> int:
        return len(self._list())


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
    redact: Annotated[bool, typer.Option("--redact", help=common.REDACT_HELP)] = False,
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
        raise InputError(msg("error.answers_with_store"))

    def show(report: Report) -> None:
        if redact:
            from riskcli.core.report import redact_report

            report = redact_report(report)
            typer.echo(common.redact_note(lang.value if lang else "en"), err=True)
        if ics is not None:
            from riskcli.io.ics import write_report_ics

            write_report_ics(ics, report)
        text = render(report, fmt, color=common.use_color(output), width=common.text_width(output))
        common.emit(text, output)

    code = lang.value if lang else None
    if answers is not None:
        assessor = common.get_assessor(env)
        profile = common.load_profile_file(answers, day)
        env.spoken = profile.language.value if profile.language else None
        show(assessor.assess(profile, code))
        return
    if not common.can_interview():
        raise InputError(msg("error.no_answers"))
    loader = PackLoader(env)  # the first question does not wait for the rule pack
    if save_case or resume:
        interview_into_store(loader, lang, day, store, resume=resume, show=show)
        return
    from riskcli.interview.interview import close_interview, run_interview

    profile, session = run_interview(
        LazyDestinations(loader),
        as_of=day,
        lang=code,
        save_as_of=day is not None,
        on_answer=loader.start,
        first=env.first_question,
    )
    report = loader.assessor().assess(profile, code)
    env.spoken = report.language  # the interview's: later errors are told in it
    show(report)
    close_interview(session, profile)  # the offer to save comes after the report


def interview_into_store(
    loader: PackLoader,
    lang: Language | None,
    day: dt.date | None,
    store: Path | None,
    *,
    resume: bool,
    show: Callable[[Report], None],
) -> None:
    """The interview with an encrypted draft after every answer (riskcli.interview.drafts);
    the passphrase is asked before the first question; the report is shown before the
    offer to keep the case."""
    from riskcli.interview.drafts import interview_into_store as run

    code = lang.value if lang else None
    with common.open_store(store, create=True) as cases:
        done = run(
            cases,
            LazyDestinations(loader),  # read at the destination question, if not before
            lambda profile: loader.assessor().assess(profile, code),
            lang=code,
            as_of=day,
            resume=resume,
            show=show,
        )
        if done.case_key is not None:
            saved = t(done.report.language, "cli.saved_case", key=done.case_key, path=cases.path)
            typer.echo(saved, err=True)
