"""Commands for volunteers who handle many cases: batch, template, compare.

Thin wrappers: the work is in ``riskcli.io.batch``, ``riskcli.core.compare`` and
``riskcli.io.ics``. ``riskcli.cli.root`` registers them on its app.
"""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from riskcli.cli import common
from riskcli.cli import options as opt
from riskcli.core.errors import ExitStatus
from riskcli.core.profile import Language


class BatchFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


class TemplateFormat(StrEnum):
    csv = "csv"
    json = "json"


class CompareFormat(StrEnum):
    text = "text"
    json = "json"


def batch(
    ctx: typer.Context,
    input_path: Annotated[
        Path,
        typer.Argument(
            metavar="INPUT",
            help=(
                "Intakes: .csv (a header of profile field names, lists ';'-separated), "
                ".jsonl (one JSON object per line) or .json (a list of objects). "
                "See `riskcli template`."
            ),
        ),
    ],
    output: Annotated[
        Path | None,
        opt.output("Write the results here: .csv or .jsonl (default: standard output, CSV)."),
    ] = None,
    fmt: Annotated[
        BatchFormat | None, opt.fmt("Result format (default: by --output's extension).")
    ] = None,
    ics: Annotated[
        Path | None,
        typer.Option(
            "--ics",
            help=(
                "Also write every deadline to this iCalendar file, with reminders 14 and 3 "
                "days before (the events name only the case id)."
            ),
        ),
    ] = None,
    as_of: Annotated[
        dt.date | None,
        opt.as_of(
            "Assess every row as of this date, YYYY-MM-DD (default: each row's as_of, then today)."
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Worker processes (default: all cores once the batch is large).",
        ),
    ] = None,
    lang: Annotated[Language, opt.lang("Language of the summary and the calendar.")] = Language.en,
) -> None:
    """Assess many intakes: one result row per input row, in order, then a triage summary.

    Each result row has case_id (or the row number), status (ok or error),
    highest_severity, categories, nearest_deadline, days_left and error (the
    field and the reason). A bad row never stops the run. Exit 0 if every row
    was assessed, 1 if any row had an error, 2 if INPUT cannot be read.
    """
    from riskcli.io.batch import output_format, run_batch
    from riskcli.io.outputs import BatchOutputs
    from riskcli.render.progress import progress_bar
    from riskcli.render.triage import render_triage

    env = common.env_of(ctx)
    out_fmt = output_format(output, fmt.value if fmt else None)
    with BatchOutputs(output, ics, lang=lang.value) as outputs, progress_bar() as update:
        triage = run_batch(
            input_path,
            outputs.stream,
            out_fmt,
            rules_dir=env.rules_dir,
            engine=env.engine,
            as_of=as_of,
            jobs=jobs,
            on_result=outputs.on_result,
            progress=update,
        )
        outputs.commit()
    sys.stderr.write(render_triage(triage, lang.value))
    if triage.errors:
        raise typer.Exit(ExitStatus.ERROR)


def template(
    fmt: Annotated[TemplateFormat, opt.fmt("csv (a spreadsheet) or json.")] = TemplateFormat.csv,
    output: Annotated[Path | None, opt.output("Write the sheet to this file.")] = None,
) -> None:
    """Write an empty intake sheet: every column and one made-up example row to overwrite."""
    from riskcli.io.batch import template_text

    common.emit(template_text(fmt.value), output)


def compare(
    ctx: typer.Context,
    answers: Annotated[
        str,
        typer.Option(
            "--answers",
            "-a",
            help="Answers file (JSON or YAML with the profile fields); - reads standard input. "
            "Its destination is ignored.",
        ),
    ],
    destinations: Annotated[
        str | None,
        typer.Option(
            "--destinations",
            "-d",
            help="Countries to compare, e.g. KZ,KG,AM (default: every country the rule pack "
            "covers).",
        ),
    ] = None,
    fmt: Annotated[CompareFormat, opt.fmt("Output format.")] = CompareFormat.text,
    lang: Annotated[
        Language | None, opt.lang("Language (default: the profile's, then en).")
    ] = None,
    as_of: opt.AsOf = None,
    output: Annotated[Path | None, opt.output("Write the comparison to this file.")] = None,
) -> None:
    """Assess the same person for several destinations and rank them, safest first.

    Countries the rule pack knows nothing about are named as such, never ranked as safe.
    """
    from riskcli.core.compare import compare as run_compare
    from riskcli.core.compare import parse_destinations
    from riskcli.io.loaders import load_data
    from riskcli.render.compare import render_json, render_text

    day = as_of
    codes = parse_destinations(destinations) if destinations is not None else None
    name = "<stdin>" if answers == "-" else answers
    data = load_data(answers, what="answers file")
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k != "destination"}
    result = run_compare(
        common.get_assessor(common.env_of(ctx)),
        data,
        codes,
        source=name,
        as_of=day,
        lang=lang.value if lang else None,
    )
    text = render_json(result) if fmt is CompareFormat.json else render_text(result)
    common.emit(text, output)
