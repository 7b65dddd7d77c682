"""Batch triage, the domain part: one intake row to one result row, and the triage counts.

Reading and writing the files, and the worker processes, are in
:mod:`riskcli.io.batch`; the triage summary's words in :mod:`riskcli.render.triage`.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from riskcli.core.errors import InputError
from riskcli.core.profile import make_profile
from riskcli.core.report import DeadlineItem
from riskcli.core.rules import SEVERITY_ORDER, Severity

if TYPE_CHECKING:
    from riskcli.core.assess import Assessor

TOP_URGENT = 20  # cases listed in the triage summary
TOP_ERRORS = 50  # error rows listed with their reason in the triage summary
MORE_ERROR_ROWS = 2000  # further error rows named by number only


@dataclass(frozen=True, slots=True)
class InputRow:
    """One record as read: its data, or why it could not be read."""

    row: int
    data: dict[str, Any] | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RowResult:
    row: int
    case_id: str
    status: Literal["ok", "error"]
    highest_severity: str | None = None
    categories: tuple[str, ...] = ()
    nearest_deadline: dt.date | None = None
    days_left: int | None = None
    error: str | None = None
    deadlines: tuple[DeadlineItem, ...] = ()
    # additive: whether the highest severity rests on answers given (confirmed) or on
    # unanswered questions (possible); whether the pack describes the destination at all
    certainty: str | None = None
    destination_covered: bool | None = None


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """An empty cell or null is an unanswered question: leave it out (unknown, never 'no')."""
    return {
        k: v
        for k, v in data.items()
        if v is not None and not (isinstance(v, str) and not v.strip())
    }


def _case_id(row: InputRow) -> str:
    if row.data is not None:
        value = row.data.get("case_id")
        if isinstance(value, str | int) and not isinstance(value, bool):
            text = str(value).strip()
            if text and len(text) <= 64 and text.isprintable():
                return text
    return f"row {row.row}"


def assess_row(assessor: Assessor, row: InputRow, as_of: dt.date | None = None) -> RowResult:
    """One input row to one result row. Never raises for a bad row (only for Ctrl-C)."""
    case_id = _case_id(row)
    if row.data is None:
        return RowResult(row.row, case_id, "error", error=row.error)
    source = f"row {row.row}"
    try:
        profile = make_profile(_clean(row.data), source=source, as_of=as_of)
        findings = assessor.findings(profile)
    except InputError as exc:
        return RowResult(row.row, case_id, "error", error=str(exc).removeprefix(f"{source}: "))
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # an engine failure on one row must not stop the others
        return RowResult(row.row, case_id, "error", error=f"could not be assessed: {exc}")
    risks = [f for f in findings if f.rule.kind == "risk"]
    risks.sort(
        key=lambda f: (
            -f.severity.rank,
            f.days_left if f.days_left is not None else 10**9,
            f.rule.id,
        )
    )
    highest = risks[0].severity.value if risks else None
    certainty = None
    if risks:
        top = [f.certainty for f in risks if f.severity is risks[0].severity]
        certainty = "confirmed" if "confirmed" in top else "possible"
    categories: list[str] = []
    for f in risks:
        if f.rule.category.value not in categories:
            categories.append(f.rule.category.value)
    dated = [f for f in risks if f.deadline is not None and f.rule.deadline is not None]
    nearest = min(dated, key=lambda f: (f.deadline, f.rule.id)) if dated else None
    deadlines = tuple(
        DeadlineItem(f.deadline, f.rule.deadline.from_, f.rule.id)  # type: ignore[arg-type,union-attr]
        for f in dated
    )
    return RowResult(
        row.row,
        case_id,
        "ok",
        highest_severity=highest,
        categories=tuple(categories),
        nearest_deadline=nearest.deadline if nearest else None,
        days_left=nearest.days_left if nearest else None,
        deadlines=deadlines,
        certainty=certainty,
        destination_covered=assessor.pack.covers(profile.destination),
    )


@dataclass
class Triage:
    """Counts and the few cases a volunteer must look at first; bounded memory."""

    rows: int = 0
    errors: int = 0
    counts: dict[str, int] = field(
        default_factory=lambda: (
            {s.value: 0 for s in reversed(SEVERITY_ORDER)} | {"none": 0, "not_covered": 0}
        )
    )
    _urgent: list[tuple[tuple[int, int, int], RowResult]] = field(default_factory=list)
    with_risks: int = 0
    first_errors: list[RowResult] = field(default_factory=list)
    other_error_rows: list[int] = field(default_factory=list)

    def add(self, result: RowResult) -> None:
        self.rows += 1
        if result.status == "error":
            self.errors += 1
            if len(self.first_errors) < TOP_ERRORS:
                self.first_errors.append(result)
            elif len(self.other_error_rows) < MORE_ERROR_ROWS:
                self.other_error_rows.append(result.row)
            return
        severity = result.highest_severity
        if severity is None and result.destination_covered is False:
            self.counts["not_covered"] += 1
        else:
            self.counts[severity or "none"] += 1
        if severity is None:
            return
        self.with_risks += 1
        days = result.days_left if result.days_left is not None else 10**9
        # heap keeps the TOP_URGENT most urgent: the least urgent is at the top to pop
        key = (Severity(severity).rank, -days, -result.row)
        if len(self._urgent) < TOP_URGENT:
            heapq.heappush(self._urgent, (key, result))
        elif key > self._urgent[0][0]:
            heapq.heapreplace(self._urgent, (key, result))

    @property
    def urgent(self) -> list[RowResult]:
        return [r for _, r in sorted(self._urgent, key=lambda item: item[0], reverse=True)]


def row_answers(row: InputRow) -> dict[str, Any]:
    """A row's answers as the profile reads them (an empty cell is an unanswered question):
    what ``assess_row`` assesses, for ``cases import`` to keep."""
    return _clean(row.data or {})
