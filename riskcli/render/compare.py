"""A comparison of destinations, as text or JSON (``riskcli compare``)."""

from __future__ import annotations

import json

from riskcli.core.compare import Comparison
from riskcli.i18n import WordTable, country_name, days_phrase, severity_word

WORDS = WordTable("compare")


def render_text(comparison: Comparison) -> str:
    lang = comparison.language
    w = WORDS.get(lang, WORDS["en"])
    head = [w["title"], w["as_of"].format(date=comparison.as_of.isoformat())]
    if comparison.case_id:
        head.append(w["case"].format(id=comparison.case_id))
    out = [" · ".join(head), ""]
    if not comparison.ranked:
        out.append(w["none_covered"])
    for i, d in enumerate(comparison.ranked, start=1):
        level = severity_word(lang, d.highest_severity) if d.highest_severity else "-"
        line = f"{i}. {d.name} ({d.destination})  {level}"
        if d.nearest_deadline is not None and d.days_left is not None:
            days = days_phrase(lang, d.days_left)
            line += "  " + w["deadline"].format(date=d.nearest_deadline.isoformat(), days=days)
        out.append(line)
        if not d.risks:
            out.append(f"     {w['no_risks']}")
        for r in d.risks:
            maybe = f" ({w['possible']})" if r.certainty == "possible" else ""
            out.append(f"     - {severity_word(lang, r.severity)}{maybe}: {r.title}")
    if comparison.not_covered:
        names = ", ".join(f"{country_name(c, lang)} ({c})" for c in comparison.not_covered)
        out += ["", w["not_covered"].format(names=names)]
    out += ["", w["caveat"]]
    return "\n".join(out) + "\n"


def render_json(comparison: Comparison) -> str:
    return json.dumps(comparison.to_json_dict(), ensure_ascii=False, indent=2) + "\n"
