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
        f"{w[s] if s in ('possible', 'none', 'not_covered') else severity_word(lang, s)} {n}"
        for s, n in triage.counts.items()
    ]
    out.append(w["by_severity"].format(counts=", ".join(parts)))
    urgent = triage.urgent
    if urgent:
        out.append(w["urgent"])
        width = max(len(r.case_id) for r in urgent)
        levels = [
            severity_word(lang, r.highest_severity)
            if r.highest_severity is not None
            else w["could_be"].format(
                sev=severity_word(lang, r.possible_highest_severity or "info")
            )
            for r in urgent
        ]
        level_width = max(12, *(len(level) for level in levels))
        for r, level in zip(urgent, levels, strict=True):
            line = f"  {level:<{level_width}} {r.case_id:<{width}}"
            line += f"  ({w['row'].format(n=r.row)})"
            shown = [(r.nearest_deadline, r.days_left, "")]
            if r.nearest_deadline is None:  # a deadline of a risk that could apply
                shown = [(r.possible_deadline, r.possible_days_left, f" ({w['if_applies']})")]
            for day, left, tail in shown:
                if day is None or left is None:
                    continue
                days = days_phrase(lang, left)
                line += "  " + w["deadline"].format(date=day.isoformat(), days=days) + tail
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
