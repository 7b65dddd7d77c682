"""The core: a profile in, a report out. ``Assessor.assess()`` is what every command calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from riskcli.core.conditions import FIELD_SPECS, to_fact
from riskcli.core.engine import make_matcher
from riskcli.core.engine.compiled import EngineName, Matcher, compile_pack, possible_name
from riskcli.core.profile import Profile
from riskcli.core.report import (
    Coverage,
    FactsAge,
    Report,
    Risk,
    SourceCitation,
    Summary,
    Support,
)
from riskcli.core.rules import SEVERITY_ORDER, Rule, RulePack, Severity
from riskcli.i18n import country_name


@dataclass(frozen=True)
class Finding:
    """A rule that applies to a profile, before it is put into words."""

    rule: Rule
    certainty: str  # confirmed | possible
    severity: Severity
    unknown_fields: tuple[str, ...]
    deadline: dt.date | None
    days_left: int | None


def _profile_fields(names: set[str]) -> set[str]:
    out: set[str] = set()
    for name in names:
        spec = FIELD_SPECS[name]
        out.update(spec.derived_from or (name,))
    return out


def _is_unknown(profile: Profile, field: str) -> bool:
    value = getattr(profile, field)
    return value is None or getattr(value, "value", value) == "unknown"


class Assessor:
    """Holds the rule pack compiled once; assesses any number of profiles."""

    def __init__(
        self,
        pack: RulePack,
        *,
        engine: EngineName = "auto",
    ):
        self.pack = pack
        self.compiled = compile_pack(self.pack)
        self.matcher: Matcher = make_matcher(self.compiled, engine)

    @property
    def engine_name(self) -> str:
        return self.matcher.name

    def findings(self, profile: Profile) -> list[Finding]:
        fired = self.matcher.match(to_fact(profile))
        out = []
        for rule in self.pack.rules:
            if rule.id in fired:
                certainty = "confirmed"
            elif possible_name(rule.id) in fired:
                certainty = "possible"
            else:
                continue
            out.append(self._finding(rule, certainty, profile))
        return out

    def _finding(self, rule: Rule, certainty: str, profile: Profile) -> Finding:
        unknown = {f for f in _profile_fields(rule.fields) if _is_unknown(profile, f)}
        if certainty == "confirmed":
            unknown = set()
        severity = rule.severity
        deadline = days_left = None
        if rule.deadline is not None:
            base = getattr(profile, rule.deadline.from_)
            if base is None:
                unknown.add(rule.deadline.from_)
            else:
                deadline = base + dt.timedelta(days=rule.deadline.add_days)
                days_left = (deadline - profile.as_of).days
                for step in rule.escalate:
                    if days_left <= step.days_left_at_most and step.severity.rank > severity.rank:
                        severity = step.severity
        ordered = tuple(f for f in FIELD_SPECS if f in unknown)
        return Finding(rule, certainty, severity, ordered, deadline, days_left)

    def assess(self, profile: Profile, lang: str | None = None) -> Report:
        language = lang or (profile.language.value if profile.language else "en")
        answers = profile.answers()
        risks: list[Risk] = []
        support: list[Support] = []
        dates: list[dt.date] = []
        for found in self.findings(profile):
            rule = found.rule
            text = rule.text.ru if language == "ru" else rule.text.en
            citations = []
            for ref in rule.sources:
                doc = self.pack.registry.documents[ref.document]
                facts_as_of = self.pack.facts_as_of(ref)
                dates.append(facts_as_of)
                citations.append(
                    SourceCitation(
                        document=ref.document,
                        quote=ref.quote,
                        facts_as_of=facts_as_of,
                        title=doc.title,
                        publisher=doc.publisher,
                    )
                )
            advice = list(text.advice)
            later = any(c.facts_as_of > profile.as_of for c in citations)
            if rule.kind == "support":
                support.append(
                    Support(
                        id=rule.id,
                        category=rule.category.value,
                        certainty=found.certainty,
                        title=text.title,
                        explanation=text.explanation,
                        advice=advice,
                        unknown_fields=list(found.unknown_fields),
                        sources=citations,
                        reported_after_as_of=later,
                    )
                )
                continue
            fields = _profile_fields(rule.fields) | {"destination"}
            if rule.deadline is not None:
                fields.add(rule.deadline.from_)
            triggered = {k: v for k, v in answers.items() if k in fields}
            label = None
            if rule.deadline is not None:
                label = rule.deadline.label.ru if language == "ru" else rule.deadline.label.en
            title = text.title
            if text.title_passed and found.days_left is not None and found.days_left < 0:
                title = text.title_passed
            risks.append(
                Risk(
                    id=rule.id,
                    category=rule.category.value,
                    severity=found.severity.value,
                    certainty=found.certainty,
                    title=title,
                    explanation=text.explanation,
                    advice=advice,
                    triggered_by=triggered,
                    unknown_fields=list(found.unknown_fields),
                    unknown_note=text.unknown_note if found.unknown_fields else None,
                    sources=citations,
                    deadline=found.deadline,
                    deadline_label=label if found.deadline else None,
                    deadline_kind=(
                        rule.deadline.from_ if found.deadline and rule.deadline else None
                    ),
                    days_left=found.days_left,
                    reported_after_as_of=later,
                )
            )
        risks.sort(key=risk_sort_key)
        counts = {s.value: 0 for s in reversed(SEVERITY_ORDER)}
        for risk in risks:
            counts[risk.severity] += 1
        highest = next((s for s, n in counts.items() if n), None)
        if not dates:
            dates = [d.facts_as_of for d in self.pack.registry.documents.values()]
        oldest = min(dates) if dates else None
        years = None
        if oldest is not None:
            years = max(0, int((profile.as_of - oldest).days // 365.25))
        return Report(
            as_of=profile.as_of,
            language=language,
            case_id=profile.case_id,
            risks=risks,
            support=support,
            summary=Summary(highest_severity=highest, counts=counts),
            coverage=Coverage(
                destination=profile.destination,
                destination_name=country_name(profile.destination, language),
                destination_covered=self.pack.covers(profile.destination),
                covered_destinations=self.pack.destinations,
            ),
            facts=FactsAge(
                oldest=oldest,
                newest=max(dates) if dates else None,
                years_before_as_of=years,
            ),
            rule_pack={"version": self.pack.version},
        )


def risk_sort_key(risk: Risk) -> tuple[int, int, str]:
    rank = SEVERITY_ORDER.index(Severity(risk.severity))
    days = risk.days_left if risk.days_left is not None else 10**9
    return (-rank, days, risk.id)
