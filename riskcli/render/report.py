"""Output formats behind one small interface: ``render(report, Format, color=...)``."""

from __future__ import annotations

import io
import json
from enum import StrEnum
from typing import TYPE_CHECKING

from riskcli.core.report import Report, Risk, SourceCitation, Support
from riskcli.i18n import country_name, field_word, severity_word, t
from riskcli.i18n import days_phrase as days_phrase  # the one days-left phrase

if TYPE_CHECKING:
    from rich.text import Text

SEVERITY_STYLE = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "bold yellow",
    "low": "cyan",
    "info": "dim",
}


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


class TableFormat(StrEnum):
    """Lists and tables (rules list, cases list, ...): for people, or JSON for scripts."""

    text = "text"
    json = "json"


def render(report: Report, fmt: Format, *, color: bool = False, width: int = 80) -> str:
    if fmt is Format.json:
        return json.dumps(report.to_json_dict(), ensure_ascii=False, indent=2) + "\n"
    if fmt is Format.markdown:
        return render_markdown(report)
    return render_text(report, color=color, width=width)


# --- shared phrases -------------------------------------------------------------


def deadline_line(lang: str, risk: Risk) -> str | None:
    if risk.deadline is None or risk.days_left is None:
        return None
    label = f" ({risk.deadline_label})" if risk.deadline_label else ""
    return (
        f"{t(lang, 'deadline')}: {risk.deadline.isoformat()}{label}: "
        f"{days_phrase(lang, risk.days_left)}"
    )


def facts_age_line(report: Report) -> str | None:
    lang = report.language
    facts = report.facts
    if facts.oldest is None:
        return None
    date = facts.oldest.isoformat()
    years = facts.years_before_as_of or 0
    if years == 0:
        return t(lang, "facts_age_recent", date=date)
    words = t(lang, "year") if years == 1 else t(lang, "years", n=years)
    return t(lang, "facts_age", date=date, years=words)


def coverage_line(report: Report) -> str:
    lang = report.language
    cov = report.coverage
    if cov.destination_covered:
        names = ", ".join(country_name(c, lang) for c in cov.covered_destinations)
        return t(lang, "covered", countries=names)
    return t(lang, "not_covered", country=cov.destination_name)


def unknown_lines(lang: str, risk: Risk) -> list[str]:
    if not risk.unknown_fields:
        return []
    fields = ", ".join(field_word(lang, f) for f in risk.unknown_fields)
    lines = [risk.unknown_note] if risk.unknown_note else []
    return [*lines, t(lang, "unknown_fields", fields=fields)]


def reported_after_line(report: Report, item: Risk | Support) -> str | None:
    """Said of a finding whose facts were reported after the assessment date."""
    if not item.reported_after_as_of:
        return None
    later = sorted({s.facts_as_of for s in item.sources if s.facts_as_of > report.as_of})
    dates = ", ".join(d.isoformat() for d in later)
    return t(report.language, "reported_after", dates=dates, as_of=report.as_of.isoformat())


def source_head(lang: str, src: SourceCitation) -> str:
    who = f"{src.publisher}, " if src.publisher else ""
    return f"{src.document} ({who}{t(lang, 'facts_as_of', date=src.facts_as_of.isoformat())})"


def counts_line(report: Report) -> str:
    return t(report.language, "counts", **report.summary.counts)


def header(report: Report) -> str:
    lang = report.language
    parts = [
        t(lang, "report_title"),
        f"{report.coverage.destination_name} ({report.coverage.destination})",
        f"{t(lang, 'as_of')} {report.as_of.isoformat()}",
    ]
    if report.case_id:
        parts.append(f"{t(lang, 'case')} {report.case_id}")
    return " · ".join(parts)


# --- text --------------------------------------------------------------------------


def render_text(report: Report, *, color: bool = False, width: int = 80) -> str:
    # rich is imported here only: JSON and Markdown output start faster without it.
    from rich.console import Console
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    lang = report.language
    buf = io.StringIO()
    console = Console(
        file=buf,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        emoji=False,
    )

    def para(text: str | Text, indent: int = 0, style: str = "") -> None:
        body = text if isinstance(text, Text) else Text(text, style=style)
        console.print(Padding(body, (0, 0, 0, indent), expand=False))

    def bullet(text: str, indent: int) -> None:
        grid = Table.grid(padding=(0, 1, 0, 0))
        grid.add_column(no_wrap=True)
        grid.add_column()
        grid.add_row("-", text)
        console.print(Padding(grid, (0, 0, 0, indent), expand=False))

    para(header(report), style="bold")
    highest = report.summary.highest_severity
    summary = Text(f"{t(lang, 'summary')}: ")
    if highest:
        summary.append(severity_word(lang, highest), style=SEVERITY_STYLE[highest])
        summary.append(" · ")
    summary.append(counts_line(report))
    para(summary)
    if not report.coverage.destination_covered:
        para(coverage_line(report), style="bold")
    console.print()
    if not report.risks:
        para(t(lang, "no_risks"))
        para(t(lang, "no_risks_caveat"))
        console.print()

    def risk_body(risk: Risk) -> None:
        if risk.certainty == "possible":
            para(t(lang, "possible"), indent=2, style="italic")
        later = reported_after_line(report, risk)
        if later:
            para(later, indent=2, style="bold")
        line = deadline_line(lang, risk)
        if line:
            para(line, indent=2, style="bold")
        para(risk.explanation, indent=2)
        for line in unknown_lines(lang, risk):
            para(line, indent=2, style="italic")
        if risk.advice:
            para(f"{t(lang, 'what_to_do')}:", indent=2)
            for item in risk.advice:
                bullet(item, indent=4)
        para(f"{t(lang, 'sources')}:", indent=2)
        for src in risk.sources:
            para(source_head(lang, src), indent=4)
            para(f"“{src.quote}”", indent=6, style="dim")
        console.print()

    # Severity order (spec §3), so a critical "may apply" is never below a lesser certainty.
    for risk in report.risks:
        head = Text()
        word = severity_word(lang, risk.severity)
        head.append(f"[{word}]", style=SEVERITY_STYLE[risk.severity])
        head.append(f" {risk.title}", style="bold")
        para(head)
        risk_body(risk)

    if report.support:
        para(t(lang, "support"), style="bold")
        for help_item in report.support:
            para(help_item.title, indent=2, style="bold")
            if help_item.certainty == "possible":
                para(t(lang, "possible"), indent=4, style="italic")
            later = reported_after_line(report, help_item)
            if later:
                para(later, indent=4, style="bold")
            para(help_item.explanation, indent=4)
            for advice in help_item.advice:
                bullet(advice, indent=6)
            for src in help_item.sources:
                para(source_head(lang, src), indent=4)
                para(f"“{src.quote}”", indent=6, style="dim")
        console.print()
    if report.coverage.destination_covered:
        para(coverage_line(report))
    age = facts_age_line(report)
    if age:
        para(age, style="bold")
    para(t(lang, "disclaimer"))
    text = buf.getvalue()
    if not color:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    return text


# --- markdown --------------------------------------------------------------------


def render_markdown(report: Report) -> str:
    lang = report.language
    out: list[str] = [f"# {header(report)}", ""]
    highest = report.summary.highest_severity
    top = f"**{severity_word(lang, highest)}** · " if highest else ""
    out += [f"{t(lang, 'summary')}: {top}{counts_line(report)}", ""]
    out += [f"> {coverage_line(report)}", ""]
    age = facts_age_line(report)
    if age:
        out += [f"> {age}", ""]
    if not report.risks:
        out += [f"## {t(lang, 'risks')}", ""]
        out += [t(lang, "no_risks"), "", t(lang, "no_risks_caveat"), ""]
    else:
        out += [f"## {t(lang, 'risks')}", ""]
    for risk in report.risks:
        out += _markdown_risk(report, risk)
    if report.support:
        out += [f"## {t(lang, 'support')}", ""]
        for help_item in report.support:
            out += [f"### {help_item.title}", ""]
            if help_item.certainty == "possible":
                out += [f"*{t(lang, 'possible')}*", ""]
            later = reported_after_line(report, help_item)
            if later:
                out += [f"**{later}**", ""]
            out += [help_item.explanation, ""]
            out += [f"- {a}" for a in help_item.advice]
            if help_item.advice:
                out.append("")
            for src in help_item.sources:
                out += [f"- {source_head(lang, src)}", f"  > {src.quote}"]
            out.append("")
    out += [f"*{t(lang, 'disclaimer')}*", ""]
    return "\n".join(out)


def _markdown_risk(report: Report, risk: Risk) -> list[str]:
    lang = report.language
    out = [f"### {severity_word(lang, risk.severity)}: {risk.title}", ""]
    if risk.certainty == "possible":
        out += [f"*{t(lang, 'possible')}*", ""]
    later = reported_after_line(report, risk)
    if later:
        out += [f"**{later}**", ""]
    line = deadline_line(lang, risk)
    if line:
        out += [f"**{line}**", ""]
    out += [risk.explanation, ""]
    for line in unknown_lines(lang, risk):
        out += [f"*{line}*", ""]
    if risk.advice:
        out += [f"{t(lang, 'what_to_do')}:", ""]
        out += [f"- {item}" for item in risk.advice]
        out.append("")
    out += [f"{t(lang, 'sources')}:", ""]
    for src in risk.sources:
        out += [f"- {source_head(lang, src)}", f"  > {src.quote}"]
    out.append("")
    return out
