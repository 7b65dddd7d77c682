"""A report as a printable handout: one self-contained HTML file for A4 paper.

``riskcli assess --format html`` writes it for the person to keep: in their language, on one
or two A4 pages, opening with the same block as the text report (what is known, the nearest
deadline, what to do first). Everything is in the one file (inline CSS, no scripts, no
fonts, images or links fetched from anywhere: a Content-Security-Policy forbids it), so it
opens and prints offline. The words come from the report and from the phrases of
:mod:`riskcli.render.report`, never written twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from riskcli.core.report import Report, Risk, SourceCitation
from riskcli.i18n import field_word, severity_word, t
from riskcli.render import report as words

CSS = """
@page { size: A4; margin: 14mm 15mm 14mm 15mm; }
* { box-sizing: border-box; }
html { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 9pt;
  line-height: 1.28; color: #000; background: #fff; }
body { margin: 0 auto; max-width: 180mm; }
h1 { font-size: 12pt; margin: 0 0 2mm 0; }
.nowrap { white-space: nowrap; }
h2 { font-size: 10.5pt; margin: 3.5mm 0 1.2mm 0; border-bottom: 0.3mm solid #444;
  break-after: avoid; }
h3 { font-size: 9.5pt; margin: 2.2mm 0 0.6mm 0; break-after: avoid; }
p { margin: 0.6mm 0; }
ul, ol { margin: 0.6mm 0 0.6mm 5mm; padding: 0; }
li { margin: 0.3mm 0; }
.opening { border: 0.5mm solid #000; padding: 2.5mm 3.5mm; margin: 0 0 2mm 0;
  break-inside: avoid; }
.headline { font-size: 11pt; font-weight: bold; }
.deadline { font-weight: bold; }
.sev { font-weight: bold; border: 0.3mm solid #000; padding: 0 1mm; font-size: 8.5pt; }
.sev-critical { background: #000; color: #fff; }
.risk { break-inside: avoid; }
.muted { color: #333; font-size: 8.5pt; }
.possible { font-style: italic; }
.sources li { font-size: 8pt; }
.quote { color: #333; }
footer { margin-top: 3mm; font-size: 8pt; border-top: 0.3mm solid #444; padding-top: 1mm; }
"""

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'"


@dataclass
class _Sources:
    """Each source document once, numbered in the order the handout first cites it (the
    quotes themselves are in the full report: a handout has two pages)."""

    items: list[SourceCitation] = field(default_factory=list)

    def refs(self, sources: list[SourceCitation]) -> str:
        numbers = []
        for src in sources:
            found = [i for i, s in enumerate(self.items, 1) if s.document == src.document]
            if found:
                number = found[0]
            else:
                self.items.append(src)
                number = len(self.items)
            if number not in numbers:
                numbers.append(number)
        return ", ".join(f"[{n}]" for n in numbers)


def _e(text: str) -> str:
    return escape(text, quote=True)


def _sev(lang: str, severity: str) -> str:
    return f'<span class="sev sev-{_e(severity)}">{_e(severity_word(lang, severity))}</span>'


def opening(report: Report) -> list[str]:
    """The opening block, as the text report opens (the same pieces of render/report.py):
    the header, the headline from what is known, conflicts, the nearest confirmed deadline,
    what to do first and how many questions are still open."""
    lang = report.language
    summary = report.summary
    parts = words.header(report).split(" · ")  # each part kept whole on one line
    title = " · ".join(f'<span class="nowrap">{_e(part)}</span>' for part in parts)
    out = [f"<h1>{title}</h1>", '<section class="opening">']
    lines = words.headline(report)
    out.append(f'<p class="headline">{_e(lines[0])}</p>')
    out += [f"<p><strong>{_e(line)}</strong></p>" for line in lines[1:]]
    if not report.coverage.destination_covered:
        out.append(f"<p><strong>{_e(words.coverage_line(report))}</strong></p>")
    for conflict in summary.conflicts:
        out.append(f"<p><strong>{_e(t(lang, 'warning'))}. {_e(conflict.message)}</strong></p>")
    nearest = words.nearest_deadline_line(report)
    if nearest:
        out.append(f'<p class="deadline">{_e(nearest)}</p>')
    actions = words.first_actions(report)
    if actions:
        out.append(f"<p><strong>{_e(t(lang, 'do_first'))}:</strong></p>")
        out.append("<ol>" + "".join(f"<li>{_e(a)}</li>" for a in actions) + "</ol>")
    elif summary.to_check:
        out.append(f"<p>{_e(t(lang, 'do_first_answer'))}</p>")
    if summary.to_check:
        out.append(f"<p>{_e(t(lang, 'open_questions', n=len(summary.to_check)))}</p>")
    out.append("</section>")
    return out


FULL_RISKS = 4  # confirmed risks told in full; the rest, and what could apply, in one line


def _risk(lang: str, risk: Risk, sources: _Sources) -> list[str]:
    out = [
        '<div class="risk">',
        f"<h3>{_sev(lang, risk.severity)} {_e(risk.title)} "
        f'<span class="muted">{sources.refs(risk.sources)}</span></h3>',
    ]
    line = words.deadline_line(lang, risk)
    if line:
        out.append(f'<p class="deadline">{_e(line)}</p>')
    out.append(f"<p>{_e(risk.explanation)}</p>")
    if risk.advice:
        out.append("<ul>" + "".join(f"<li>{_e(a)}</li>" for a in risk.advice) + "</ul>")
    out.append("</div>")
    return out


def _line(lang: str, risk: Risk, sources: _Sources) -> str:
    """One risk in one line: severity, title, deadline, what is unanswered."""
    parts = [f"{_sev(lang, risk.severity)} {_e(risk.title)}"]
    line = words.deadline_line(lang, risk)
    if line:
        parts.append(f'<span class="deadline">{_e(line)}</span>')
    if risk.unknown_fields:
        fields = ", ".join(field_word(lang, f) for f in risk.unknown_fields)
        parts.append(f'<span class="possible">? {_e(fields)}</span>')
    return (
        "<li>"
        + " · ".join(parts)
        + f' <span class="muted">{sources.refs(risk.sources)}</span></li>'
    )


def render_html(report: Report) -> str:
    lang = report.language
    sources = _Sources()
    body: list[str] = opening(report)
    confirmed = [r for r in report.risks if r.certainty != "possible"]
    possible = [r for r in report.risks if r.certainty == "possible"]
    if confirmed:
        body.append(f"<h2>{_e(t(lang, 'risks'))}</h2>")
        for risk in confirmed[:FULL_RISKS]:
            body += _risk(lang, risk, sources)
        if confirmed[FULL_RISKS:]:
            body.append('<ul class="lines">')
            body += [_line(lang, risk, sources) for risk in confirmed[FULL_RISKS:]]
            body.append("</ul>")
    if possible:
        body.append(f"<h2>{_e(t(lang, 'possible'))}</h2>")
        body.append('<ul class="lines">')
        body += [_line(lang, risk, sources) for risk in possible]
        body.append("</ul>")
    if report.support:
        body.append(f"<h2>{_e(t(lang, 'support'))}</h2>")
        body.append('<ul class="lines">')
        for item in report.support:
            advice = f" — {_e(item.advice[0])}" if item.advice else ""
            body.append(
                f"<li><strong>{_e(item.title)}</strong>{advice} "
                f'<span class="muted">{sources.refs(item.sources)}</span></li>'
            )
        body.append("</ul>")
    if sources.items:
        body.append(f"<h2>{_e(t(lang, 'sources'))}</h2>")
        body.append('<ol class="sources">')
        body += [f"<li>{_e(words.source_head(lang, src))}</li>" for src in sources.items]
        body.append("</ol>")
    foot = [words.coverage_line(report)] if report.coverage.destination_covered else []
    age = words.facts_age_line(report)
    if age:
        foot.append(age)
    foot.append(t(lang, "disclaimer"))
    body.append("<footer>" + "".join(f"<p>{_e(line)}</p>" for line in foot) + "</footer>")
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(words.header(report))}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
    ]
    return "\n".join([*head, *body, "</body>", "</html>"]) + "\n"
