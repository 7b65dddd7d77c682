"""The triage summary of a batch, in words (stderr after ``riskcli batch``)."""

from __future__ import annotations

from riskcli.core.batch import Triage
from riskcli.i18n import WordTable, days_phrase, severity_word

WORDS = WordTable("triage")


def render_triage(triage: Triage, lang: str = "en") -> str:
    w = WORDS.get(lang, WORDS["en"])
    if triage.rows == 0:
        return w["no_rows"] + "\n"
    out = [w["head"].format(n=triage.rows, ok=triage.rows - triage.errors, bad=triage.errors)]
    parts = [
        f"{w[s] if s in ('none', 'not_covered') else severity_word(lang, s)} {n}"
        for s, n in triage.counts.items()
    ]
    out.append(w["by_severity"].format(counts=", ".join(parts)))
    urgent = triage.urgent
    if urgent:
        out.append(w["urgent"])
        width = max(len(r.case_id) for r in urgent)
        for r in urgent:
            level = severity_word(lang, r.highest_severity or "info")
            line = f"  {level:<12} {r.case_id:<{width}}"
            line += f"  ({w['row'].format(n=r.row)})"
            if r.nearest_deadline is not None and r.days_left is not None:
                days = days_phrase(lang, r.days_left)
                line += "  " + w["deadline"].format(date=r.nearest_deadline.isoformat(), days=days)
            line += "  " + ";".join(r.categories)
            out.append(line)
        if triage.with_risks > len(urgent):
            out.append("  " + w["more_urgent"].format(n=triage.with_risks - len(urgent)))
    if triage.first_errors:
        out.append(w["errors"])
        for r in triage.first_errors:
            out.append(f"  {w['row'].format(n=r.row)} ({r.case_id}): {r.error}")
        if triage.other_error_rows:
            rows = ", ".join(str(n) for n in triage.other_error_rows)
            out.append(w["other_errors"].format(rows=rows))
        named = len(triage.first_errors) + len(triage.other_error_rows)
        if triage.errors > named:
            out.append("  " + w["more_errors"].format(n=triage.errors - named))
    return "\n".join(out) + "\n"
