"""The core: a profile in, a report out. ``Assessor.assess()`` is what every command calls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from riskcli.core import summary as summaries
from riskcli.core.conditions import to_fact
from riskcli.core.engine import make_matcher
from riskcli.core.engine.compiled import EngineName, Matcher, compile_pack, possible_name
from riskcli.core.implications import Conflict, Inferred, settle
from riskcli.core.notes import note_for
from riskcli.core.profile import Profile
from riskcli.core.report import (
    Certainty,
    Coverage,
    FactsAge,
    Report,
    Risk,
    SourceCitation,
    Summary,
    Support,
)
from riskcli.core.rules import Rule, RulePack, Severity
from riskcli.core.summary import FIELD_POSITION, NO_DAYS, Finding, finding_order
from riskcli.i18n import country_name

__all__ = ["Assessment", "Assessor", "Finding"]


_profile_fields = summaries.profile_fields


@dataclass(frozen=True, slots=True)
class _RuleTable:
    """What a finding of one rule needs, worked out once per pack (not per profile)."""

    rule: Rule
    possible: str  # the engine's name of its possible form
    fields: tuple[str, ...]  # the profile fields it reads
    # those of them a finding can list as unknown, in the order of spec §1
    listed: tuple[str, ...]
    deadline_from: str | None
    add_days: dt.timedelta
    escalate: tuple[tuple[int, Severity, int], ...]  # days_left_at_most, severity, its rank
    rank: int  # of the rule's own severity
    # a confirmed finding of a rule without a deadline is the same for every profile: it and
    # its finding_order, made once (None for a rule with a deadline)
    confirmed: tuple[tuple[int, int, int, str], Finding] | None

    @classmethod
    def of(cls, rule: Rule) -> _RuleTable:
        deadline = rule.deadline
        rank = rule.severity.rank
        confirmed = None
        if deadline is None:
            found = Finding(rule, Certainty.confirmed, rule.severity, (), None, None)
            confirmed = (finding_order(found), found)
        fields = tuple(sorted(_profile_fields(rule.fields)))
        return cls(
            rule,
            possible_name(rule.id),
            fields,
            _in_order(fields),
            deadline.from_ if deadline is not None else None,
            dt.timedelta(days=deadline.add_days if deadline is not None else 0),
            tuple((s.days_left_at_most, s.severity, s.severity.rank) for s in rule.escalate),
            rank,
            confirmed,
        )


class Assessment(NamedTuple):
    """A profile matched against the pack, before it is put into words (any language)."""

    profile: Profile  # as answered
    settled: Profile  # with what the answers imply filled in (core.implications)
    fact: dict[str, Any]  # the engine's fact of the settled profile
    trials: summaries.Trials  # the fact as if more questions were answered
    findings: list[Finding]  # confirmed first, then severity, then days left
    inferred: list[Inferred]
    conflicts: list[Conflict]
    language: str  # of the inferred reasons and conflict messages

    def dont_know(self, field: str) -> bool:
        """Answered "don't know" (rather than not answered at all)."""
        value = getattr(self.profile, field, None)
        return value is not None and getattr(value, "value", value) == "unknown"


class Prepared(NamedTuple):
    """A profile with what its answers imply, and its fact for the engine (not matched)."""

    profile: Profile
    settled: Profile
    fact: dict[str, Any]
    inferred: list[Inferred]
    conflicts: list[Conflict]
    language: str


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
        self.conditions = summaries.compiled_conditions(self.compiled)
        self.hypotheses = summaries.Hypotheses(pack.rules, self.conditions)
        self._by_name: dict[str, tuple[_RuleTable, bool]] = {}
        for rule in pack.rules:  # the engine's names of each rule: its id and its possible form
            table = _RuleTable.of(rule)
            self._by_name[rule.id] = (table, True)
            self._by_name.setdefault(table.possible, (table, False))
        self._covered = frozenset(d for rule in pack.rules for d in rule.destinations)

    def covers(self, destination: str) -> bool:
        """``pack.covers``, from the set of the countries its rules name (worked out once)."""
        return destination in self._covered

    @property
    def engine_name(self) -> str:
        return self.matcher.name

    def evaluate(self, profile: Profile, lang: str = "en") -> Assessment:
        """Settle what the answers imply, then match the pack: every finding, no words yet."""
        prepared = self.prepare(profile, lang)
        return self.complete(prepared, self.matcher.match(prepared.fact))

    def prepare(self, profile: Profile, lang: str = "en") -> Prepared:
        """What the answers imply, and the engine's fact: an assessment before the match."""
        settled, inferred, conflicts = settle(profile, lang)
        return Prepared(profile, settled, to_fact(settled), inferred, conflicts, lang)

    def complete(self, prepared: Prepared, fired: set[str]) -> Assessment:
        """The assessment, from the names the engine matched on ``prepared.fact``; many
        prepared cases can be matched in one call (``matcher.match_many``, for batches)."""
        profile, settled, fact = prepared.profile, prepared.settled, prepared.fact
        inferred, conflicts, lang = prepared.inferred, prepared.conflicts, prepared.language
        trials = summaries.Trials(settled, fact)
        hypotheses = self.hypotheses
        known_tests = hypotheses.known_tests
        by_name = self._by_name
        out: list[tuple[tuple[int, int, int, str], Finding]] = []
        for name in fired:  # the order does not matter: finding_order is a total order
            entry = by_name.get(name)
            if entry is None:
                continue
            table, certain = entry
            rule = table.rule
            if certain:
                # rests_on_unanswered is () for a rule that tests no field with known:
                open_fields = (
                    hypotheses.rests_on_unanswered(rule, trials) if known_tests.get(rule.id) else ()
                )
                if open_fields:
                    out.append(self._found(table, Certainty.possible, settled, open_fields))
                elif table.confirmed is not None:
                    out.append(table.confirmed)  # no deadline: the same for every profile
                else:
                    out.append(self._found(table, Certainty.confirmed, settled))
            elif rule.id not in fired:  # else confirmed: found under its own name
                out.append(self._found(table, Certainty.possible, settled))
        out.sort()  # by finding_order alone: no two findings have the same rule id
        findings = [found for _, found in out]
        return Assessment(profile, settled, fact, trials, findings, inferred, conflicts, lang)

    def findings(self, profile: Profile) -> list[Finding]:
        """The findings for a profile, with what its answers imply filled in."""
        return self.evaluate(profile).findings

    @staticmethod
    def _found(
        table: _RuleTable,
        certainty: Certainty,
        profile: Profile,
        open_fields: tuple[str, ...] = (),
    ) -> tuple[tuple[int, int, int, str], Finding]:
        """A finding and its :func:`finding_order` (worked out here, from what is known)."""
        rule = table.rule
        confirmed = certainty is Certainty.confirmed
        values = profile.__dict__
        ordered: tuple[str, ...]
        if confirmed:
            ordered = ()
        elif open_fields:  # confirmed but for questions never answered
            ordered = _in_order(open_fields)
        else:  # not answered, or answered "don't know" (a StrEnum equals its value)
            ordered = tuple(f for f in table.listed if (v := values[f]) is None or v == "unknown")
        severity, rank = rule.severity, table.rank
        deadline = days_left = None
        if table.deadline_from is not None:
            base = values[table.deadline_from]
            if base is None:
                if table.deadline_from not in ordered:
                    ordered = _in_order((*ordered, table.deadline_from))
            else:
                deadline = base + table.add_days
                days_left = (deadline - profile.as_of).days
                for at_most, step, step_rank in table.escalate:
                    if days_left <= at_most and step_rank > rank:
                        severity, rank = step, step_rank
        found = Finding(rule, certainty, severity, ordered, deadline, days_left)
        days = NO_DAYS if days_left is None else days_left
        return (0 if confirmed else 1, -rank, days, rule.id), found

    def summary(self, assessment: Assessment, lang: str | None = None) -> Summary:
        """The one summary of an assessment (spec §3.1), in the given language."""
        language = lang or assessment.language
        if language != assessment.language and (assessment.inferred or assessment.conflicts):
            _, inferred, conflicts = settle(assessment.profile, language)
        else:
            inferred, conflicts = assessment.inferred, assessment.conflicts
        checks = summaries.to_check(
            self.hypotheses,
            assessment.findings,
            assessment.trials,
            lang=language,
        )
        return summaries.summarize(
            assessment.findings,
            checks=checks,
            inferred=summaries.inferred_answers(inferred, language),
            conflicts=summaries.conflict_notes(conflicts),
        )

    def assess(self, profile: Profile, lang: str | None = None) -> Report:
        language = lang or (profile.language.value if profile.language else "en")
        return self.report(self.evaluate(profile, language), language)

    def report(self, assessment: Assessment, lang: str | None = None) -> Report:
        """An assessment put into words: the report of spec §3 in one language."""
        profile = assessment.profile
        language = lang or assessment.language
        answers = profile.answers()
        risks: list[Risk] = []
        support: list[Support] = []
        dates: list[dt.date] = []
        for found in assessment.findings:
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
                        category=rule.category,
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
            note, generated = None, False
            if found.unknown_fields:
                dont_know = [f for f in found.unknown_fields if assessment.dont_know(f)]
                unanswered = [f for f in found.unknown_fields if f not in dont_know]
                note, own = note_for(text.unknown_note, dont_know, unanswered, language)
                generated = not own
            title = text.title
            if text.title_passed and found.days_left is not None and found.days_left < 0:
                title = text.title_passed
            risks.append(
                Risk(
                    id=rule.id,
                    category=rule.category,
                    severity=found.severity,
                    certainty=found.certainty,
                    title=title,
                    explanation=text.explanation,
                    advice=advice,
                    triggered_by=triggered,
                    unknown_fields=list(found.unknown_fields),
                    unknown_note=note,
                    unknown_note_generated=generated,
                    sources=citations,
                    deadline=found.deadline,
                    deadline_label=label if found.deadline else None,
                    deadline_kind=found.deadline_kind,
                    days_left=found.days_left,
                    reported_after_as_of=later,
                )
            )
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
            summary=self.summary(assessment, language),
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


def _in_order(fields: Iterable[str]) -> tuple[str, ...]:
    """The fields a finding lists as unknown, in the order of spec §1."""
    return tuple(sorted((f for f in fields if f in FIELD_POSITION), key=FIELD_POSITION.__getitem__))


def risk_sort_key(risk: Risk) -> tuple[int, int, int, str]:
    """The order of a report's risks (spec §3.1): confirmed first, then severity, then days."""
    days = risk.days_left if risk.days_left is not None else summaries.NO_DAYS
    confirmed = 0 if risk.certainty is Certainty.confirmed else 1
    return (confirmed, -summaries.severity_rank(risk.severity), days, risk.id)
