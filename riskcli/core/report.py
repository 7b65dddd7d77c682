"""The report (spec §3) as pydantic models: what every output format renders."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from riskcli.core.rules import SEVERITY_ORDER, Category, Severity

SCHEMA_VERSION = 1


class Certainty(StrEnum):
    """``confirmed``: the answers given make the risk apply; ``possible``: unanswered ones
    might (spec §3.1)."""

    confirmed = "confirmed"
    possible = "possible"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceCitation(Model):
    document: str
    quote: str
    facts_as_of: dt.date
    title: str | None = None
    publisher: str | None = None


class Risk(Model):
    id: str
    category: Category
    severity: Severity
    certainty: Certainty
    title: str
    explanation: str
    advice: list[str]
    triggered_by: dict[str, Any]
    unknown_fields: list[str] = []
    unknown_note: str | None = None  # why the unanswered questions matter (core.notes)
    # True: the note was made from the open questions (the rule's own did not fit them).
    # Not part of the JSON report.
    unknown_note_generated: bool = Field(default=False, exclude=True)
    sources: list[SourceCitation]
    deadline: dt.date | None = None
    deadline_label: str | None = None
    # What the deadline counts from (entry_date, international_passport_expiry): its kind,
    # for the calendar. Not part of the JSON report (spec §3 has no such key).
    deadline_kind: str | None = Field(default=None, exclude=True)
    days_left: int | None = None
    # True when a source's facts date from after the assessment date (as_of): the finding
    # uses facts that were reported later than the day the assessment is made for.
    reported_after_as_of: bool = False


class Support(Model):
    id: str
    category: Category
    certainty: Certainty
    title: str
    explanation: str
    advice: list[str]
    unknown_fields: list[str] = []
    sources: list[SourceCitation]
    reported_after_as_of: bool = False


_NO_COUNTS = {s.value: 0 for s in reversed(SEVERITY_ORDER)}


def no_counts() -> dict[str, int]:
    """Zero risks at each severity, worst first (the order of ``counts`` in the JSON)."""
    return dict(_NO_COUNTS)


class ToCheck(Model):
    """An unanswered question whose answer would confirm or rule out possible risks."""

    field: str
    question: str  # in the interview's words, in the report's language
    settles: list[str]  # rule ids
    highest_severity: Severity  # the most serious risk it settles


class InferredAnswer(Model):
    """An answer taken from another answer (general reference knowledge, not the sources)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    field: str
    value: Any
    from_: dict[str, Any] = Field(alias="from")
    reason: str
    kind: str = ""  # riskcli.core.implications.KIND
    known_as_of: dt.date | None = None  # when this reference knowledge was written down
    implication: str = ""


class ConflictNote(Model):
    """Answers that cannot both hold: shown as a warning, never settled silently."""

    fields: list[str]
    message: str
    implication: str = ""


class Summary(Model):
    """The one summary of a report (spec §3, §3.1): built by :mod:`riskcli.core.summary`."""

    highest_severity: Severity | None  # confirmed risks only
    counts: dict[str, int]  # confirmed risks per severity
    possible_highest_severity: Severity | None = None
    possible_counts: dict[str, int] = Field(default_factory=no_counts)
    nearest_deadline: dt.date | None = None  # of a confirmed risk
    days_left: int | None = None
    # the nearest deadline of a risk that could apply (beside the confirmed one, never in
    # its place): a volunteer should still see the date
    possible_nearest_deadline: dt.date | None = None
    possible_days_left: int | None = None
    to_check: list[ToCheck] = []
    inferred: list[InferredAnswer] = []
    conflicts: list[ConflictNote] = []


class Coverage(Model):
    destination: str
    destination_name: str
    destination_covered: bool
    covered_destinations: list[str]


class FactsAge(Model):
    oldest: dt.date | None
    newest: dt.date | None
    years_before_as_of: int | None


class DeadlineItem(NamedTuple):
    """A computed deadline of one case (for the calendar): the day and what runs out."""

    day: dt.date
    kind: str  # the field it counts from: entry_date | international_passport_expiry
    rule_id: str
    certainty: Certainty = Certainty.confirmed


class Report(Model):
    schema_version: int = SCHEMA_VERSION
    as_of: dt.date
    language: str
    case_id: str | None = None
    risks: list[Risk]
    support: list[Support]
    summary: Summary
    coverage: Coverage
    facts: FactsAge
    rule_pack: dict[str, str]
    answers: dict[str, Any] | None = None
    redacted: bool | None = None  # True: answers and case id left out (redact_report)

    def deadlines(self) -> list[DeadlineItem]:
        """The deadlines of this report, each with its kind (from its rule)."""
        return [
            DeadlineItem(risk.deadline, risk.deadline_kind, risk.id, risk.certainty)
            for risk in self.risks
            if risk.deadline is not None and risk.deadline_kind is not None
        ]

    def to_json_dict(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude_none=False, by_alias=True)
        for risk in data["risks"]:
            for key in ("deadline", "deadline_label", "days_left"):
                if risk[key] is None:
                    del risk[key]
            if not risk["unknown_fields"]:
                del risk["unknown_fields"]
            if risk["unknown_note"] is None:
                del risk["unknown_note"]
            if not risk["reported_after_as_of"]:
                del risk["reported_after_as_of"]
            for src in risk["sources"]:
                _drop_none(src)
        for item in data["support"]:
            if not item["unknown_fields"]:
                del item["unknown_fields"]
            if not item["reported_after_as_of"]:
                del item["reported_after_as_of"]
            for src in item["sources"]:
                _drop_none(src)
        for key in ("case_id", "answers", "redacted"):
            if data[key] is None:
                del data[key]
        return data


def _drop_none(d: dict[str, Any]) -> None:
    for key in [k for k, v in d.items() if v is None]:
        del d[key]


def redact_report(report: Report) -> Report:
    """The report without the answers or the case id, safe to pass to a partner organisation.

    Kept: risks, deadlines, advice, sources, support, the country (the risks name it anyway)
    and the assessment date (the deadlines count from it). Gone: ``case_id``, ``answers`` and
    every risk's ``triggered_by`` (the answers that made it apply; the key stays, empty).
    """
    risks = [risk.model_copy(update={"triggered_by": {}}) for risk in report.risks]
    return report.model_copy(
        update={"case_id": None, "answers": None, "risks": risks, "redacted": True}
    )
