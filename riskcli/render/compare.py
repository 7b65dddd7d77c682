"""A comparison of destinations, as text or JSON (``riskcli compare``)."""

from __future__ import annotations

import json

from riskcli.core.compare import Comparison
from riskcli.i18n import country_name, severity_word
from riskcli.render.text import WIDTH, wrap

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Destinations compared, safest first",
        "as_of": "as of {date}",
        "case": "case {id}",
        "no_risks": "no rule in the pack applies",
        "possible": "possible",
        "deadline": "nearest deadline {date} ({days})",
        "days": "{n} days left",
        "passed": "passed {n} days ago",
        "risks": "risks",
        "not_covered": (
            "The rule pack says nothing specific about: {names}. "
            "That is no information, not safety: ask a lawyer or an organisation "
            "that helps people in your situation there."
        ),
        "none_covered": "None of these countries is covered by the rule pack.",
        "caveat": (
            "Safest first means only: fewest and least severe of the risks the sources describe. "
            "riskcli is not legal advice; laws and practice change."
        ),
    },
    "ru": {
        "title": "Сравнение стран: самые безопасные — первыми",
        "as_of": "на {date}",
        "case": "дело {id}",
        "no_risks": "ни одно правило не подходит",
        "possible": "возможно",
        "deadline": "ближайший срок {date} ({days})",
        "days": "осталось дней: {n}",
        "passed": "истёк {n} дн. назад",
        "risks": "риски",
        "not_covered": (
            "О следующих странах в правилах нет ничего конкретного: {names}. "
            "Это отсутствие сведений, а не безопасность: спросите юриста или организацию, "
            "которая помогает людям в вашем положении."
        ),
        "none_covered": "Ни одна из этих стран не описана в правилах.",
        "caveat": (
            "«Безопаснее» значит только: меньше рисков и они мягче среди тех, что описаны "
            "в источниках. riskcli не заменяет юриста; законы и практика меняются."
        ),
    },
}


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
        level = severity_word(lang, d.highest_severity) if d.highest_severity else "-"
        line = f"{i}. {d.name} ({d.destination})  {level}"
        if d.nearest_deadline is not None and d.days_left is not None:
            days = (
                w["days"].format(n=d.days_left)
                if d.days_left >= 0
                else w["passed"].format(n=-d.days_left)
            )
            line += "  " + w["deadline"].format(date=d.nearest_deadline.isoformat(), days=days)
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
