"""Output formats behind one small interface: ``render(report, Format, color=...)``."""

from __future__ import annotations

import io
import json
from enum import StrEnum
from typing import TYPE_CHECKING

from riskcli.core.implications import BY_ID
from riskcli.core.questions import date_words
from riskcli.core.report import Certainty, Report, Risk, SourceCitation, Support
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
    html = "html"  # a printable A4 handout (riskcli.render.html)


class TableFormat(StrEnum):
    """Lists and tables (rules list, cases list, ...): for people, or JSON for scripts."""

    text = "text"
    json = "json"


def render(report: Report, fmt: Format, *, color: bool = False, width: int = 80) -> str:
    if fmt is Format.json:
        return json.dumps(report.to_json_dict(), ensure_ascii=False, indent=2) + "\n"
    if fmt is Format.markdown:
        return render_markdown(report)
    if fmt is Format.html:
        from riskcli.render.html import render_html

        return render_html(report)
    return render_text(report, color=color, width=width)


# --- shared phrases -------------------------------------------------------------


def deadline_line(lang: str, risk: Risk) -> str | None:
    if risk.deadline is None or risk.days_left is None:
        return None
    label = f" ({risk.deadline_label})" if risk.deadline_label else ""
    return (
        f"{t(lang, 'deadline')}: {date_words(risk.deadline, lang)}{label}: "
        f"{days_phrase(lang, risk.days_left)}"
    )


def facts_age_line(report: Report) -> str | None:
    lang = report.language
    facts = report.facts
    if facts.oldest is None:
        return None
    date = date_words(facts.oldest, lang)
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
    if risk.unknown_note and risk.unknown_note_generated:
        return [risk.unknown_note]  # it names the open questions itself
    fields = ", ".join(field_word(lang, f) for f in risk.unknown_fields)
    lines = [risk.unknown_note] if risk.unknown_note else []
    return [*lines, t(lang, "unknown_fields", fields=fields)]


def reported_after_line(report: Report, item: Risk | Support) -> str | None:
    """Said of a finding whose facts were reported after the assessment date."""
    if not item.reported_after_as_of:
        return None
    later = sorted({s.facts_as_of for s in item.sources if s.facts_as_of > report.as_of})
    lang = report.language
    dates = ", ".join(date_words(d, lang) for d in later)
    return t(lang, "reported_after", dates=dates, as_of=date_words(report.as_of, lang))


def source_head(lang: str, src: SourceCitation) -> str:
    who = f"{src.publisher}, " if src.publisher else ""
    return f"{src.document} ({who}{t(lang, 'facts_as_of', date=date_words(src.facts_as_of, lang))})"


def counts_line(report: Report) -> str:
    return t(report.language, "counts", **report.summary.counts)


def header(report: Report) -> str:
    lang = report.language
    parts = [
        t(lang, "report_title"),
        f"{report.coverage.destination_name} ({report.coverage.destination})",
        f"{t(lang, 'as_of')} {date_words(report.as_of, lang)}",
    ]
    if report.case_id:
        parts.append(f"{t(lang, 'case')} {report.case_id}")
    return " · ".join(parts)


# --- the action-first block, shared by text and Markdown ------------------------------


def confirmed_risks(report: Report) -> list[Risk]:
    return [r for r in report.risks if r.certainty is Certainty.confirmed]


def possible_risks(report: Report) -> list[Risk]:
    return [r for r in report.risks if r.certainty is not Certainty.confirmed]


def headline(report: Report) -> list[str]:
    """The summary in one sentence a frightened person understands (and one more line when
    something graver than the confirmed risks could apply). Never says "safe"."""
    lang = report.language
    summary = report.summary
    n_possible = sum(summary.possible_counts.values())
    n_questions = len(summary.to_check)
    ask = ""
    if n_possible and n_questions:
        ask = ": " + t(lang, "answer_to_know", questions=t(lang, "count.questions", n=n_questions))
    top = summary.highest_severity
    if top is not None:
        line = t(lang, "headline_level", sev=severity_word(lang, top))
        if n_possible:
            line += (", and " if lang != "ru" else "; ") + t(
                lang, "count.more_could_apply", n=n_possible
            )
            line += ask
        else:
            n = sum(summary.counts.values())
            line += (": " if lang != "ru" else " — ") + t(lang, "count.risks_follow", n=n)
    elif n_possible:
        line = (
            t(lang, "headline_none_confirmed")
            + ", "
            + t(lang, "count.but_could_apply", n=n_possible)
        )
        line += ask
    else:
        return [t(lang, "no_risks"), t(lang, "no_risks_caveat")]
    lines = [line]
    possible = summary.possible_highest_severity
    if possible is not None and (top is None or possible.rank > top.rank):
        lines.append(t(lang, "most_serious_possible", sev=severity_word(lang, possible)))
    return lines


def nearest_deadline_line(report: Report) -> str | None:
    summary = report.summary
    if summary.nearest_deadline is None or summary.days_left is None:
        return None
    lang = report.language
    label = next(
        (
            r.deadline_label
            for r in confirmed_risks(report)
            if r.deadline == summary.nearest_deadline and r.deadline_label
        ),
        None,
    )
    tail = f" ({label})" if label else ""
    return (
        f"{t(lang, 'nearest_deadline')}: {date_words(summary.nearest_deadline, lang)}{tail}: "
        f"{days_phrase(lang, summary.days_left)}"
    )


def first_actions(report: Report, limit: int = 3) -> list[str]:
    """The most urgent things to do: the confirmed risks' advice, most urgent risk first,
    one piece from each before a second from any."""
    queues = [list(r.advice) for r in confirmed_risks(report) if r.advice]
    out: list[str] = []
    while queues and len(out) < limit:
        for queue in queues:
            if queue and len(out) < limit:
                item = queue.pop(0)
                if item not in out:
                    out.append(item)
        queues = [q for q in queues if q]
    return out


def inferred_lines(report: Report) -> list[str]:
    lang = "ru" if report.language == "ru" else "en"
    out = []
    for item in report.summary.inferred:
        imp = BY_ID.get(item.implication)
        if imp is None:
            continue
        out.append(
            t(lang, "inferred_line", said=imp.said[lang], so=imp.so[lang], reason=item.reason)
        )
    return out


def inferred_kind_line(report: Report) -> str | None:
    dates = [i.known_as_of for i in report.summary.inferred if i.known_as_of]
    if not dates:
        return None
    return t(report.language, "inferred_kind", date=date_words(max(dates), report.language))


def to_check_lines(report: Report) -> list[tuple[str, str]]:
    lang = report.language
    out = []
    for item in report.summary.to_check:
        n = len(item.settles)
        words = {
            "settles": t(lang, "count.settles", n=n),
            "sev": severity_word(lang, item.highest_severity),
        }
        out.append((item.question, t(lang, "settles_one" if n == 1 else "settles_many", **words)))
    return out


class SourceList:
    """Each quote once, numbered in the order the report first cites it."""

    def __init__(self) -> None:
        self.items: list[SourceCitation] = []
        self._index: dict[tuple[str, str], int] = {}

    def refs(self, sources: list[SourceCitation]) -> str:
        numbers = []
        for src in sources:
            key = (src.document, src.quote)
            if key not in self._index:
                self.items.append(src)
                self._index[key] = len(self.items)
            number = self._index[key]
            if number not in numbers:
                numbers.append(number)
        return ", ".join(f"[{n}]" for n in numbers)


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
    sources = SourceList()

    def para(text: str | Text, indent: int = 0, style: str = "") -> None:
        body = text if isinstance(text, Text) else Text(text, style=style)
        console.print(Padding(body, (0, 0, 0, indent), expand=False))

    def bullet(text: str, indent: int, mark: str = "-") -> None:
        grid = Table.grid(padding=(0, 1, 0, 0))
        grid.add_column(no_wrap=True)
        grid.add_column()
        grid.add_row(mark, text)
        console.print(Padding(grid, (0, 0, 0, indent), expand=False))

    # The action-first block: one screen (80x24) says what is known and what to do.
    para(header(report), style="bold")
    summary = report.summary
    lines = headline(report)
    top = summary.highest_severity
    first = Text(lines[0], style=SEVERITY_STYLE[top.value] if top else "bold")
    para(first)
    for line in lines[1:]:
        para(line, style="bold" if summary.possible_highest_severity else "")
    if not report.coverage.destination_covered:
        para(coverage_line(report), style="bold")
    for conflict in summary.conflicts:
        para(f"{t(lang, 'warning')}. {conflict.message}", style="bold red")
    nearest = nearest_deadline_line(report)
    if nearest:
        para(nearest, style="bold")
    actions = first_actions(report)
    if actions:
        para(f"{t(lang, 'do_first')}:")
        for i, item in enumerate(actions, start=1):
            bullet(item, indent=2, mark=f"{i}.")
    elif summary.to_check:
        para(t(lang, "do_first_answer"))
    if summary.to_check:
        para(t(lang, "open_questions", n=len(summary.to_check)))
    console.print()

    inferred = inferred_lines(report)
    if inferred:
        para(t(lang, "inferred_head"), style="bold")
        for item in inferred:
            bullet(item, indent=2)
        kind = inferred_kind_line(report)
        if kind:
            para(kind, indent=2, style="italic")
        console.print()

    def risk_body(risk: Risk) -> None:
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
        para(f"{t(lang, 'sources')}: {sources.refs(risk.sources)}", indent=2, style="dim")
        console.print()

    def risk_head(risk: Risk) -> None:
        head = Text()
        word = severity_word(lang, risk.severity)
        head.append(f"[{word}]", style=SEVERITY_STYLE[risk.severity])
        head.append(f" {risk.title}", style="bold")
        para(head)

    # Confirmed first (severity, then days left); then what could apply, in its own section.
    confirmed, possible = confirmed_risks(report), possible_risks(report)
    if confirmed:
        para(t(lang, "risks_confirmed").upper(), style="bold")
        console.print()
        for risk in confirmed:
            risk_head(risk)
            risk_body(risk)
    if possible:
        para(t(lang, "could_apply").upper(), style="bold")
        console.print()
        for risk in possible:
            risk_head(risk)
            risk_body(risk)
    checks = to_check_lines(report)
    if checks:
        para(t(lang, "answer_these").upper(), style="bold")
        for question, settles in checks:
            bullet(question, indent=2)
            para(settles, indent=4, style="dim")
        console.print()

    if report.support:
        para(t(lang, "support").upper(), style="bold")
        for help_item in report.support:
            para(help_item.title, indent=2, style="bold")
            if help_item.certainty is not Certainty.confirmed:
                para(t(lang, "possible"), indent=4, style="italic")
            later = reported_after_line(report, help_item)
            if later:
                para(later, indent=4, style="bold")
            para(help_item.explanation, indent=4)
            for advice in help_item.advice:
                bullet(advice, indent=6)
            para(f"{t(lang, 'sources')}: {sources.refs(help_item.sources)}", indent=4, style="dim")
        console.print()
    if sources.items:
        para(t(lang, "see_sources").upper(), style="bold")
        for i, src in enumerate(sources.items, start=1):
            bullet(source_head(lang, src), indent=0, mark=f"[{i}]")
            para(f"“{src.quote}”", indent=4, style="dim")
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
    summary = report.summary
    sources = SourceList()
    out: list[str] = [f"# {header(report)}", ""]
    lines = headline(report)
    out += [f"**{lines[0]}**", ""]
    out += [*(f"{line}" for line in lines[1:])]
    if lines[1:]:
        out.append("")
    for conflict in summary.conflicts:
        out += [f"> **{t(lang, 'warning')}.** {conflict.message}", ""]
    nearest = nearest_deadline_line(report)
    if nearest:
        out += [f"**{nearest}**", ""]
    actions = first_actions(report)
    if actions:
        out += [f"## {t(lang, 'do_first')}", ""]
        out += [f"{i}. {item}" for i, item in enumerate(actions, start=1)]
        out.append("")
    elif summary.to_check:
        out += [t(lang, "do_first_answer"), ""]
    if summary.to_check:
        out += [t(lang, "open_questions", n=len(summary.to_check)), ""]
    out += [f"> {coverage_line(report)}", ""]
    age = facts_age_line(report)
    if age:
        out += [f"> {age}", ""]
    inferred = inferred_lines(report)
    if inferred:
        out += [f"## {t(lang, 'inferred_head')}", ""]
        out += [f"- {item}" for item in inferred]
        kind = inferred_kind_line(report)
        out += ["", f"*{kind}*" if kind else "", ""] if kind else [""]
    confirmed, possible = confirmed_risks(report), possible_risks(report)
    if not report.risks:
        out += [f"## {t(lang, 'risks')}", ""]
        out += [t(lang, "no_risks"), "", t(lang, "no_risks_caveat"), ""]
    if confirmed:
        out += [f"## {t(lang, 'risks_confirmed')}", ""]
        for risk in confirmed:
            out += _markdown_risk(report, risk, sources)
    if possible:
        out += [f"## {t(lang, 'could_apply')}", ""]
        for risk in possible:
            out += _markdown_risk(report, risk, sources)
    checks = to_check_lines(report)
    if checks:
        out += [f"## {t(lang, 'answer_these')}", ""]
        out += [f"- {question} ({settles})" for question, settles in checks]
        out.append("")
    if report.support:
        out += [f"## {t(lang, 'support')}", ""]
        for help_item in report.support:
            out += [f"### {help_item.title}", ""]
            if help_item.certainty is not Certainty.confirmed:
                out += [f"*{t(lang, 'possible')}*", ""]
            later = reported_after_line(report, help_item)
            if later:
                out += [f"**{later}**", ""]
            out += [help_item.explanation, ""]
            out += [f"- {a}" for a in help_item.advice]
            if help_item.advice:
                out.append("")
            out += [f"{t(lang, 'sources')}: {sources.refs(help_item.sources)}", ""]
    if sources.items:
        out += [f"## {t(lang, 'see_sources')}", ""]
        for i, src in enumerate(sources.items, start=1):
            out += [f"{i}. {source_head(lang, src)}", "", f"   > {src.quote}", ""]
    out += [f"*{t(lang, 'disclaimer')}*", ""]
    return "\n".join(out)


def _markdown_risk(report: Report, risk: Risk, sources: SourceList) -> list[str]:
    lang = report.language
    out = [f"### {severity_word(lang, risk.severity)}: {risk.title}", ""]
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
    out += [f"{t(lang, 'sources')}: {sources.refs(risk.sources)}", ""]
    return out
