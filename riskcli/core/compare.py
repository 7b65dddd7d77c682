"""One person, several destinations: which of the countries the rule pack covers is safest.

Each destination is assessed with the same answers (only ``destination``
changes). Destinations are ranked safest first by the one summary
(:func:`riskcli.core.summary.safety_key`): the highest confirmed severity, the
confirmed risks at each severity from the top, then the same for the risks that
could apply, then the nearest confirmed deadline (later is safer), then by code.
A destination the pack says nothing specific about is never ranked: no finding
there means no information, not safety, and it is named as such.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from riskcli.core.errors import InputError
from riskcli.core.profile import make_profile, parse_country
from riskcli.core.report import Summary
from riskcli.core.summary import safety_key
from riskcli.i18n import country_name

if TYPE_CHECKING:
    from riskcli.core.assess import Assessor
    from riskcli.core.report import Report


@dataclass(frozen=True)
class RiskLine:
    id: str
    category: str
    severity: str
    certainty: str
    title: str
    deadline: dt.date | None
    days_left: int | None


@dataclass
class DestinationResult:
    destination: str
    name: str
    summary: Summary  # the one summary of this destination's report
    risks: list[RiskLine] = field(default_factory=list)

    @property
    def highest_severity(self) -> str | None:
        """The highest confirmed severity."""
        sev = self.summary.highest_severity
        return None if sev is None else sev.value

    @property
    def possible_highest_severity(self) -> str | None:
        sev = self.summary.possible_highest_severity
        return None if sev is None else sev.value

    @property
    def counts(self) -> dict[str, int]:
        return self.summary.counts

    @property
    def nearest_deadline(self) -> dt.date | None:
        return self.summary.nearest_deadline

    @property
    def days_left(self) -> int | None:
        return self.summary.days_left

    def rank_key(self) -> tuple[Any, ...]:
        return (*safety_key(self.summary), self.destination)


@dataclass
class Comparison:
    as_of: dt.date
    language: str
    case_id: str | None
    ranked: list[DestinationResult]
    not_covered: list[str]
    rule_pack_version: str

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "as_of": self.as_of.isoformat(),
            "language": self.language,
            **({"case_id": self.case_id} if self.case_id else {}),
            "destinations": [
                {
                    "rank": i,
                    "destination": d.destination,
                    "destination_name": d.name,
                    "highest_severity": d.highest_severity,
                    "counts": d.counts,
                    "possible_highest_severity": d.possible_highest_severity,
                    "possible_counts": d.summary.possible_counts,
                    "to_check": [c.field for c in d.summary.to_check],
                    "risks": [
                        {
                            "id": r.id,
                            "category": r.category,
                            "severity": r.severity,
                            "certainty": r.certainty,
                            "title": r.title,
                            **({"deadline": r.deadline.isoformat()} if r.deadline else {}),
                            **({"days_left": r.days_left} if r.days_left is not None else {}),
                        }
                        for r in d.risks
                    ],
                    "nearest_deadline": d.nearest_deadline.isoformat()
                    if d.nearest_deadline
                    else None,
                    "days_left": d.days_left,
                }
                for i, d in enumerate(self.ranked, start=1)
            ],
            "not_covered": [
                {"destination": c, "destination_name": country_name(c, self.language)}
                for c in self.not_covered
            ],
            "rule_pack": {"version": self.rule_pack_version},
        }


def parse_destinations(text: str) -> list[str]:
    """``KZ,KG`` -> ['KZ', 'KG']; InputError naming the bad code."""
    out: list[str] = []
    for part in text.split(","):
        if not part.strip():
            continue
        try:
            code = parse_country(part)
        except ValueError as exc:
            raise InputError(f"--destinations: {exc}") from None
        if code is not None and code not in out:
            out.append(code)
    if not out:
        raise InputError("--destinations: no country codes given (e.g. KZ,KG,AM)")
    return out


def _result(report: Report) -> DestinationResult:
    risks = [
        RiskLine(
            r.id,
            r.category.value,
            r.severity.value,
            r.certainty.value,
            r.title,
            r.deadline,
            r.days_left,
        )
        for r in report.risks
    ]
    return DestinationResult(
        destination=report.coverage.destination,
        name=report.coverage.destination_name,
        summary=report.summary,
        risks=risks,
    )


def compare(
    assessor: Assessor,
    answers: dict[str, Any],
    destinations: list[str] | None = None,
    *,
    source: str = "answers",
    as_of: dt.date | None = None,
    lang: str | None = None,
) -> Comparison:
    """Assess the same answers for each destination; rank those the pack covers."""
    if not isinstance(answers, dict):
        raise InputError(f"{source}: expected a mapping of field names to answers")
    wanted = destinations or assessor.pack.destinations
    base = dict(answers)
    # The answers may name no destination (or another one): each is filled in below.
    base["destination"] = wanted[0]
    profile = make_profile(base, source=source, as_of=as_of)
    language = lang or (profile.language.value if profile.language else "en")
    ranked: list[DestinationResult] = []
    not_covered: list[str] = []
    for code in wanted:
        if not assessor.pack.covers(code):
            not_covered.append(code)
            continue
        one = profile.model_copy(update={"destination": code})
        ranked.append(_result(assessor.assess(one, language)))
    ranked.sort(key=DestinationResult.rank_key)
    return Comparison(
        as_of=profile.as_of,
        language=language,
        case_id=profile.case_id,
        ranked=ranked,
        not_covered=not_covered,
        rule_pack_version=assessor.pack.version,
    )
