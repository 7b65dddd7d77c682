"""The rule pack in words: ``rules list`` and ``rules show``, in 80 columns (wrapped at
spaces, never inside a word)."""

from __future__ import annotations

from typing import Any

import yaml

from riskcli.core.rules import Rule, RulePack
from riskcli.render.text import WIDTH, wrap


def rule_rows(pack: RulePack, lang: str) -> list[dict[str, Any]]:
    """Every rule as ``rules list`` shows it (and as its JSON lists it)."""
    rows = []
    for rule in pack.rules:
        text = rule.text.ru if lang == "ru" else rule.text.en
        rows.append(
            {
                "id": rule.id,
                "kind": rule.kind,
                "category": rule.category.value,
                "severity": rule.severity.value,
                "destinations": rule.destinations,
                "title": text.title,
            }
        )
    return rows


def render_rule_list(rows: list[dict[str, Any]]) -> str:
    """One line per rule (id, severity, countries, category), its title wrapped below."""
    width = max((len(r["id"]) for r in rows), default=0)
    out = []
    for row in rows:
        where = ",".join(row["destinations"])
        line = f"{row['id']:<{width}}  {row['severity']:<8}  {where}  {row['category']}"
        out.append(wrap(line, WIDTH, "", " " * (width + 12)))
        out.append(wrap(row["title"], WIDTH, "    "))
    return "".join(line + "\n" for line in out)


def _yaml(data: Any, indent: str = "", flow: bool = False) -> list[str]:
    text = yaml.safe_dump(
        data,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=flow,
        width=WIDTH - len(indent) - 2,
    )
    lines = [indent + line for line in text.rstrip().split("\n")]
    if flow:  # PyYAML's flow style does not keep to the width: wrap it at its spaces
        lines = wrap(" ".join(line.strip() for line in lines), WIDTH, indent, indent + " ").split(
            "\n"
        )
    return lines


def render_rule(rule: Rule, pack: RulePack, lang: str) -> str:
    """One rule: its words, countries, sources with quotes, condition and test cases."""
    text = rule.text.ru if lang == "ru" else rule.text.en
    out = [
        wrap(f"{rule.id}  ({rule.kind}, {rule.category.value}, {rule.severity.value})"),
        wrap(f"countries: {', '.join(rule.destinations)}", WIDTH, "", "  "),
        "",
        wrap(text.title),
        "",
        wrap(text.explanation),
    ]
    if text.advice:
        out += ["", *[wrap(a, WIDTH, "- ", "  ") for a in text.advice]]
    out += ["", "sources:"]
    for ref in rule.sources:
        out.append(wrap(f"{ref.document} (facts as of {pack.facts_as_of(ref)})", WIDTH, "  "))
        out.append(wrap(f"“{ref.quote}”", WIDTH, "    ", "     "))
    dump: dict[str, Any] = {"when": rule.when, "if_unknown": rule.if_unknown}
    if rule.deadline:
        dump["deadline"] = rule.deadline.model_dump(by_alias=True, exclude={"label"})
    if rule.escalate:
        dump["escalate"] = [e.model_dump(mode="json") for e in rule.escalate]
    out += ["", "condition:", *_yaml(dump)]
    out += ["", "tests:"]
    for label, cases in (("fires", rule.tests.fires), ("does not fire", rule.tests.does_not_fire)):
        for case in cases:
            expect = f"  expect {case.expect}" if case.expect else ""
            out.append(wrap(f"{label}: {case.name}{expect}", WIDTH, "  ", "    "))
            out += _yaml(case.profile, "    ", flow=True)
    return "\n".join(out) + "\n"
