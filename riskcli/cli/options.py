"""The options many commands share, as ``Annotated`` types (typer reads them from the hints).

Each has a default help text; a command that needs its own words builds the same
option with ``as_of(help=...)`` and so on. ``--as-of`` is parsed here, once: a
command receives a ``datetime.date`` (or None), and a bad date is one clear line
naming the option, exit 2.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from riskcli.core.errors import BadValue, InputError
from riskcli.core.profile import Language, parse_date
from riskcli.i18n import msg
from riskcli.render.report import Format as ReportFormat
from riskcli.render.report import TableFormat


def parse_as_of(value: str | None) -> dt.date | None:
    """``--as-of``'s text to a date; InputError naming the option if it is not one."""
    if value is None:
        return None
    try:
        return parse_date(value)
    except BadValue as exc:
        raise InputError(msg("error.at", where="--as-of", error=exc.message)) from None


def as_of(help: str = "Assess as of this date, YYYY-MM-DD (default: today).") -> Any:
    return typer.Option("--as-of", parser=parse_as_of, metavar="<str>", help=help)


def _remember_lang(
    ctx: typer.Context, param: typer.CallbackParam, value: Language | None
) -> Language | None:
    """--lang given on the command line is also the language of its error messages."""
    source = ctx.get_parameter_source(param.name or "lang")
    if value is not None and source is not None and source.name != "DEFAULT":
        from riskcli.cli.common import env_of

        env_of(ctx).lang = value.value
    return value


def lang(help: str = "Language of the output.") -> Any:
    # Eager: read before the other options, so that their errors are told in it too.
    return typer.Option("--lang", help=help, callback=_remember_lang, is_eager=True)


def output(help: str = "Write the report to this file.") -> Any:
    return typer.Option("--output", "-o", help=help)


def store(help: str = "The case store file (default: cases.db in your user data folder).") -> Any:
    return typer.Option("--store", envvar="RISKCLI_STORE", help=help, show_default=False)


def fmt(help: str = "Report format.") -> Any:
    return typer.Option("--format", "-f", help=help)


AsOf = Annotated[dt.date | None, as_of()]
Lang = Annotated[Language, lang()]
Output = Annotated[Path | None, output()]
Store = Annotated[Path | None, store()]
Format = Annotated[ReportFormat, fmt()]
Table = Annotated[TableFormat, fmt("Output format.")]
