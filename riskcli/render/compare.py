"""A comparison of destinations, as text or JSON (``riskcli compare``)."""

from __future__ import annotations

import json

from riskcli.core.compare import Comparison
from riskcli.i18n import WordTable, country_name, days_phrase, severity_word
from riskcli.render.text import WIDTH, wrap

WORDS = WordTable("compare")


def render_text(comparison: Comparison) -> str:
    lang = comparison.language
    w = WORDS.get(lang, WORDS["en"])
    head = [w["title"], w["as_of"].format(date=comparison.as_of.isoformat())]
    if comparison.case_id:
        head.append(w["case"].format(id=comparison.case_id))
    out = [wrap(" · ".join(head)), ""]
    if not comparison.ranked:
        out.append(w["none_covered"])
    for i, d in enumerate(comparison.ranked, start=1):
        if d.highest_severity:
            level = severity_word(lang, d.highest_severity)
        elif d.possible_highest_severity:
            level = f"{w['possible']} {severity_word(lang, d.possible_highest_severity)}"
        else:
            level = "-"
        line = f"{i}. {d.name} ({d.destination})  {level}"
        day, left, tail = d.nearest_deadline, d.days_left, ""
        if day is None:  # no confirmed deadline: that of a risk that could apply
            day, left = d.summary.possible_nearest_deadline, d.summary.possible_days_left
            tail = f", {w['if_applies']}"
        if day is not None and left is not None:
            days = days_phrase(lang, left)
            line += "  " + w["deadline"].format(date=day.isoformat(), days=days + tail)
        out.append(wrap(line, WIDTH, "", "     "))
        if not d.risks:
            out.append(f"     {w['no_risks']}")
        for r in d.risks:
            maybe = f" ({w['possible']})" if r.certainty == "possible" else ""
            item = f"{severity_word(lang, r.severity)}{maybe}: {r.title}"
            out.append(wrap(item, WIDTH, "     - ", "       "))
    if comparison.not_covered:
        names = ", ".join(f"{country_name(c, lang)} ({c})" for c in comparison.not_covered)
        out += ["", wrap(w["not_covered"].format(names=names))]
    out += ["", wrap(w["caveat"])]
    return "\n".join(out) + "\n"


def render_json(comparison: Comparison) -> str:
    return json.dumps(comparison.to_json_dict(), ensure_ascii=False, indent=2) + "\n"
