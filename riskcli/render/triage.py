"""The triage summary of a batch, in words (stderr after ``riskcli batch`` and
``riskcli cases import``): 80 columns, error rows as ranges, at most a screen of them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from riskcli.core.batch import RowResult, Triage
from riskcli.i18n import severity_word
from riskcli.render.text import WIDTH, ranges, ranges_within, wrap, wrap_items

ERROR_LINES = 14  # at most this many lines of error rows: they fit one screen with the rest
GROUP_ROWS_WIDTH = 40  # the rows of one reason take at most this much of its line
CASE_ID_COLUMN = 20  # case ids are padded to line up to this width; longer ones are kept whole
# A case_id that is a phone number is never shown: the row number stands for it.
PHONE = re.compile(r"^[+(]?[\d\s().\-]{7,}$")

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "head": "{n} rows: {ok} assessed, {bad} with errors",
        "by_severity": "Highest severity per case: {counts}",
        "none": "no risk found",
        "not_covered": "country not described by the rule pack (no information, not safety)",
        "urgent": "Most urgent first:",
        "more_urgent": "... and {n} more with risks",
        "errors": "Rows with errors (fix them and run again):",
        "other_errors": "other rows with errors: {rows}",
        "more_errors": "... and {n} more rows with errors (status error in the output)",
        "days": "{n} days left",
        "deadline": "deadline {date}, {days}",
        "passed": "passed {n} days ago",
        "row": "row {n}",
        "rows": "rows {n}",
        "and_more": "and {n} more",
        "no_rows": "no intakes found in the file",
        "ignored": (
            "Ignored columns (not fields of the intake; their contents were not read): {names}"
        ),
        "example": "Skipped the template's example row ({rows}): it is not a case.",
    },
    "ru": {
        "head": "строк: {n}; оценено: {ok}, с ошибками: {bad}",
        "by_severity": "Наивысший уровень риска по делам: {counts}",
        "none": "рисков не найдено",
        "not_covered": "страна не описана в правилах (нет сведений — не значит безопасно)",
        "urgent": "Самые срочные — первыми:",
        "more_urgent": "... и ещё {n} с рисками",
        "errors": "Строки с ошибками (исправьте и запустите снова):",
        "other_errors": "другие строки с ошибками: {rows}",
        "more_errors": "... и ещё строк с ошибками: {n} (status error в результатах)",
        "days": "осталось дней: {n}",
        "deadline": "срок {date}, {days}",
        "passed": "истёк {n} дн. назад",
        "row": "строка {n}",
        "rows": "строки {n}",
        "and_more": "и ещё {n}",
        "no_rows": "в файле нет анкет",
        "ignored": "Пропущены столбцы, которых нет в анкете (их содержимое не читалось): {names}",
        "example": "Пропущена строка-образец из шаблона ({rows}): это не дело.",
    },
}


def _words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["en"])


def shown_case_id(result: RowResult) -> str:
    """The case_id as the summary shows it: a phone number never, the row number instead."""
    if PHONE.match(result.case_id) and sum(c.isdigit() for c in result.case_id) >= 7:
        return f"row {result.row}"
    return result.case_id


def _rows(w: dict[str, str], numbers: list[int]) -> str:
    return (w["row"] if len(numbers) == 1 else w["rows"]).format(n=ranges(numbers))


def render_intake(
    ignored_columns: Sequence[str], skipped_examples: Sequence[int], lang: str = "en"
) -> str:
    """What the reader set aside: ignored columns (by name only), the template's example."""
    w = _words(lang)
    out = []
    if ignored_columns:
        out.append(wrap(w["ignored"].format(names=", ".join(ignored_columns)), WIDTH))
    if skipped_examples:
        rows = _rows(w, list(skipped_examples))
        out.append(wrap(w["example"].format(rows=rows), WIDTH))
    return "".join(line + "\n" for line in out)


def render_triage(triage: Triage, lang: str = "en") -> str:
    w = _words(lang)
    if triage.rows == 0:
        return w["no_rows"] + "\n"
    out = [w["head"].format(n=triage.rows, ok=triage.rows - triage.errors, bad=triage.errors)]
    parts = [
        f"{w[s] if s in ('none', 'not_covered') else severity_word(lang, s)} {n}"
        for s, n in triage.counts.items()
    ]
    out.append(wrap_items(w["by_severity"].format(counts=""), parts, WIDTH))
    urgent = triage.urgent
    if urgent:
        out.append(w["urgent"])
        ids = [shown_case_id(r) for r in urgent]
        width = min(CASE_ID_COLUMN, max(len(i) for i in ids))
        for r, case_id in zip(urgent, ids, strict=True):
            level = severity_word(lang, r.highest_severity or "info")
            line = f"{level:<12} {case_id:<{width}}  ({w['row'].format(n=r.row)})"
            if r.nearest_deadline is not None and r.days_left is not None:
                days = (
                    w["days"].format(n=r.days_left)
                    if r.days_left >= 0
                    else w["passed"].format(n=-r.days_left)
                )
                line += "  " + w["deadline"].format(date=r.nearest_deadline.isoformat(), days=days)
            line += "  " + " ".join(r.categories)
            out.append(wrap(line, WIDTH, "  ", " " * 15))
        if triage.with_risks > len(urgent):
            out.append("  " + w["more_urgent"].format(n=triage.with_risks - len(urgent)))
    if triage.errors:
        out.append(w["errors"])
        out += _error_lines(triage, w)
    return "\n".join(out) + "\n"


def _error_lines(triage: Triage, w: dict[str, str]) -> list[str]:
    """Error rows grouped by their reason, as ranges, within ``ERROR_LINES`` lines."""
    groups: dict[str, list[RowResult]] = {}
    for r in triage.first_errors:
        groups.setdefault(r.error or "", []).append(r)
    lines: list[str] = []
    unnamed: list[int] = []
    budget = ERROR_LINES - 2  # keep room for the other rows and the count of the rest
    for reason, results in groups.items():
        numbers = [r.row for r in results]
        shown, count = ranges_within(numbers, GROUP_ROWS_WIDTH)
        head = (w["row"] if len(numbers) == 1 else w["rows"]).format(n=shown)
        if count < len(numbers):
            head += " " + w["and_more"].format(n=len(numbers) - count)
        if len(results) == 1 and shown_case_id(results[0]) != head:
            head += f" ({shown_case_id(results[0])})"
        block = wrap(f"{head}: {reason}", WIDTH, "  ", "      ").split("\n")
        if len(lines) + len(block) > budget:
            unnamed += numbers
            continue
        lines += block
    unnamed += triage.other_error_rows
    named = len(triage.first_errors) + len(triage.other_error_rows) - len(unnamed)
    if unnamed:
        prefix = "  " + w["other_errors"].format(rows="")
        text, count = ranges_within(unnamed, 2 * WIDTH - len(prefix) - 8)
        lines.append(wrap(prefix + text, WIDTH, "", "    "))
        named += count
    if triage.errors > named:
        lines.append("  " + w["more_errors"].format(n=triage.errors - named))
    return lines
