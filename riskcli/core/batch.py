"""Batch triage, the domain part: one intake row to one result row, and the triage counts.

Reading and writing the files, and the worker processes, are in
:mod:`riskcli.io.batch`; the triage summary's words in :mod:`riskcli.render.triage`.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from riskcli.core.errors import InputError, PackRefused
from riskcli.core.profile import make_profile
from riskcli.core.report import Certainty, DeadlineItem
from riskcli.core.rules import SEVERITY_ORDER, Severity
from riskcli.core.summary import NO_DAYS, Finding, settling, severity_rank

if TYPE_CHECKING:
    from riskcli.core.assess import Assessment, Assessor, Prepared

TOP_URGENT = 20  # cases listed in the triage summary
TOP_ERRORS = 50  # error rows listed with their reason in the triage summary
MORE_ERROR_ROWS = 2000  # further error rows named by number only


class InputRow(NamedTuple):
    """One record as read: its data, or why it could not be read."""

    row: int
    data: dict[str, Any] | None
    error: str | None = None


class RowResult(NamedTuple):
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
    # spec §3.1: highest_severity, nearest_deadline and days_left are of confirmed risks;
    # beside them what could apply and the questions that would settle it
    possible_highest_severity: str | None = None
    to_check: tuple[str, ...] = ()
    possible_deadline: dt.date | None = None  # of a risk that could apply (not written)
    possible_days_left: int | None = None

    def urgency(self) -> tuple[int, int, int]:
        """Larger is more urgent: confirmed severity, days left, possible severity."""
        days = self.days_left if self.days_left is not None else NO_DAYS
        return (
            severity_rank(self.highest_severity),
            -days,
            severity_rank(self.possible_highest_severity),
        )


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
    return assess_chunk(assessor, [row], as_of)[0]


def assess_chunk(
    assessor: Assessor, rows: Sequence[InputRow], as_of: dt.date | None = None
) -> list[RowResult]:
    """Rows to result rows, in order, the engine matching them all in one call. Never
    raises for a bad row (only for Ctrl-C): if the engine fails on the call, each row is
    matched alone, so that only the row it fails on is an error row."""
    results: list[RowResult | None] = [None] * len(rows)
    ready: list[tuple[int, str, Prepared]] = []
    for i, row in enumerate(rows):
        case_id = _case_id(row)
        if row.data is None:
            results[i] = RowResult(row.row, case_id, "error", error=row.error)
            continue
        source = f"row {row.row}"
        try:
            profile = make_profile(_clean(row.data), source=source, as_of=as_of)
            ready.append((i, case_id, assessor.prepare(profile)))
        except InputError as exc:
            error = str(exc).removeprefix(f"{source}: ")
            results[i] = RowResult(row.row, case_id, "error", error=error)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:
            results[i] = _failed(row, case_id, exc)
    matched: list[set[str] | None] = [None] * len(ready)
    try:
        matched = list(assessor.matcher.match_many([p.fact for _, _, p in ready]))
    except (KeyboardInterrupt, SystemExit, PackRefused):
        raise  # a pack the engine refuses fails the run, not each row
    except Exception:  # one row at a time, to find the one the engine fails on
        pass
    for (i, case_id, prepared), fired in zip(ready, matched, strict=True):
        row = rows[i]
        try:
            if fired is None:
                fired = assessor.matcher.match(prepared.fact)
            results[i] = _row_result(assessor, row, case_id, assessor.complete(prepared, fired))
        except InputError as exc:
            error = str(exc).removeprefix(f"row {row.row}: ")
            results[i] = RowResult(row.row, case_id, "error", error=error)
        except (KeyboardInterrupt, SystemExit, PackRefused):
            raise
        except Exception as exc:  # an engine failure on one row must not stop the others
            results[i] = _failed(row, case_id, exc)
    done = [result for result in results if result is not None]
    if len(done) != len(rows):  # every row gets a result row: never one dropped
        raise AssertionError(f"rows {rows[0].row}-{rows[-1].row}: a result is missing")
    return done


def _failed(row: InputRow, case_id: str, exc: Exception) -> RowResult:
    return RowResult(row.row, case_id, "error", error=f"could not be assessed: {exc}")


def _row_result(
    assessor: Assessor, row: InputRow, case_id: str, assessment: Assessment
) -> RowResult:
    """The figures of assessor.summary() a row shows, without the words only a report needs
    (the questions' texts, inferred answers): tests/test_row_paths.py holds them equal.

    One pass over the findings, which are in finding_order (confirmed first, most severe
    first), gives what ``headline`` and ``deadlines`` take from them, and the categories."""
    profile = assessment.profile
    findings = assessment.findings
    top: Severity | None = None  # the most severe confirmed risk: the first one
    top_maybe: Severity | None = None
    sure: tuple[int, str, Finding] | None = None  # the nearest deadline (days, then rule id)
    maybe: tuple[int, str, Finding] | None = None
    categories: list[str] = []
    dated: list[DeadlineItem] = []  # in finding_order, as Report.deadlines() lists them
    open_risks = False  # a possible risk: only then can a question settle one
    confirmed = Certainty.confirmed
    for f in findings:
        rule = f.rule
        days = f.days_left
        if f.deadline is not None and rule.deadline is not None:
            dated.append(DeadlineItem(f.deadline, rule.deadline.from_, rule.id, f.certainty))
        if rule.kind != "risk":
            continue
        category = rule.category.value
        if category not in categories:
            categories.append(category)
        if f.certainty is confirmed:
            if top is None:
                top = f.severity
            if days is not None and (sure is None or (days, rule.id) < sure[:2]):
                sure = (days, rule.id, f)
        else:
            open_risks = True
            if top_maybe is None or severity_rank(f.severity) > severity_rank(top_maybe):
                top_maybe = f.severity
            if days is not None and (maybe is None or (days, rule.id) < maybe[:2]):
                maybe = (days, rule.id, f)
    to_check: tuple[str, ...] = ()
    if open_risks:
        checks = settling(assessor.hypotheses, findings, assessment.trials)
        to_check = tuple(field for field, _, _ in checks)
    certainty = None
    if top is not None:
        certainty = "confirmed"
    elif top_maybe is not None:
        certainty = "possible"
    return RowResult(
        row.row,
        case_id,
        "ok",
        highest_severity=severity_value(top),
        categories=tuple(categories),
        nearest_deadline=sure[2].deadline if sure else None,
        days_left=sure[0] if sure else None,
        deadlines=tuple(dated),
        certainty=certainty,
        destination_covered=assessor.covers(profile.destination),
        possible_highest_severity=severity_value(top_maybe),
        to_check=to_check,
        possible_deadline=maybe[2].deadline if maybe else None,
        possible_days_left=maybe[0] if maybe else None,
    )


def severity_value(severity: Severity | None) -> str | None:
    return None if severity is None else severity.value


@dataclass
class Triage:
    """Counts and the few cases a volunteer must look at first; bounded memory.

    ``top_errors`` and ``more_error_rows``: how many error rows are kept with their reason,
    and how many more by number. A part of a batch (a worker's chunk, ``merge``d into the
    whole) keeps every error row it sees."""

    rows: int = 0
    errors: int = 0
    counts: dict[str, int] = field(
        default_factory=lambda: (
            {s.value: 0 for s in reversed(SEVERITY_ORDER)}
            | {"possible": 0, "none": 0, "not_covered": 0}
        )
    )
    _urgent: list[tuple[tuple[int, int, int, int], RowResult]] = field(default_factory=list)
    with_risks: int = 0
    first_errors: list[RowResult] = field(default_factory=list)
    other_error_rows: list[int] = field(default_factory=list)
    top_errors: int = TOP_ERRORS
    more_error_rows: int = MORE_ERROR_ROWS

    def add(self, result: RowResult) -> None:
        self.rows += 1
        if result.status == "error":
            self.errors += 1
            self._error(result)
            return
        severity = result.highest_severity  # confirmed
        if severity is not None:
            self.counts[severity] += 1
        elif result.possible_highest_severity is not None:
            self.counts["possible"] += 1  # nothing confirmed; something could apply
        elif result.destination_covered is False:
            self.counts["not_covered"] += 1
        else:
            self.counts["none"] += 1
        if severity is None and result.possible_highest_severity is None:
            return
        self.with_risks += 1
        self._rank((*result.urgency(), -result.row), result)

    def _error(self, result: RowResult) -> None:
        if len(self.first_errors) < self.top_errors:
            self.first_errors.append(result)
        elif len(self.other_error_rows) < self.more_error_rows:
            self.other_error_rows.append(result.row)

    def _rank(self, key: tuple[int, int, int, int], result: RowResult) -> None:
        # the heap keeps the TOP_URGENT most urgent: the least urgent is at the top to pop
        if len(self._urgent) < TOP_URGENT:
            heapq.heappush(self._urgent, (key, result))
        elif key > self._urgent[0][0]:
            heapq.heapreplace(self._urgent, (key, result))

    def merge(self, part: Triage) -> None:
        """Count a part's rows (later rows of the same batch, ``add``ed to ``part`` in
        order) as if each had been ``add``ed here: the part must have kept every error row
        it saw."""
        if len(part.first_errors) != part.errors:
            raise ValueError("a part of a triage must keep every error row")
        self.rows += part.rows
        self.errors += part.errors
        self.with_risks += part.with_risks
        for name, count in part.counts.items():
            self.counts[name] += count
        for result in part.first_errors:
            self._error(result)
        for key, result in part._urgent:
            self._rank(key, result)

    @property
    def urgent(self) -> list[RowResult]:
        return [r for _, r in sorted(self._urgent, key=lambda item: item[0], reverse=True)]


def row_answers(row: InputRow) -> dict[str, Any]:
    """A row's answers as the profile reads them (an empty cell is an unanswered question):
    what ``assess_row`` assesses, for ``cases import`` to keep."""
    return _clean(row.data or {})
