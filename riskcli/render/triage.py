"""The triage summary of a batch, in words (stderr after ``riskcli batch`` and
``riskcli cases import``): 80 columns, error rows as ranges, at most a screen of them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from riskcli.core.batch import RowResult, Triage
from riskcli.i18n import WordTable, days_phrase, severity_word
from riskcli.render.text import WIDTH, ranges, ranges_within, wrap, wrap_items

ERROR_LINES = 14  # at most this many lines of error rows: they fit one screen with the rest
GROUP_ROWS_WIDTH = 40  # the rows of one reason take at most this much of its line
CASE_ID_COLUMN = 20  # case ids are padded to line up to this width; longer ones are kept whole
# A case_id that is a phone number is never shown: the row number stands for it.
PHONE = re.compile(r"^[+(]?[\d\s().\-]{7,}$")

WORDS = WordTable("triage")


def _words(lang: str) -> Mapping[str, str]:
    return WORDS.get(lang, WORDS["en"])


def shown_case_id(result: RowResult, lang: str = "en") -> str:
    """The case_id as the summary shows it: a phone number never, the row number instead."""
    if PHONE.match(result.case_id) and sum(c.isdigit() for c in result.case_id) >= 7:
        return _words(lang)["row"].format(n=result.row)
    return result.case_id


def _rows_head(w: Mapping[str, str], numbers: list[int], shown: str) -> str:
    """The head "row 4" or "rows 4–9, 12": SHOWN is NUMBERS as ranges."""
    return w["row"].format(n=shown) if len(numbers) == 1 else w["rows"].format(rows=shown)


def _rows(w: Mapping[str, str], numbers: list[int]) -> str:
    return _rows_head(w, numbers, ranges(numbers))


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
        f"{w[s] if s in ('possible', 'none', 'not_covered') else severity_word(lang, s)} {n}"
        for s, n in triage.counts.items()
    ]
    out.append(wrap_items(w["by_severity"].format(counts=""), parts, WIDTH))
    urgent = triage.urgent
    if urgent:
        out.append(w["urgent"])
        ids = [shown_case_id(r, lang) for r in urgent]
        width = min(CASE_ID_COLUMN, max(len(i) for i in ids))
        levels = [
            severity_word(lang, r.highest_severity)
            if r.highest_severity is not None
            else w["could_be"].format(
                sev=severity_word(lang, r.possible_highest_severity or "info")
            )
            for r in urgent
        ]
        level_width = max(12, *(len(level) for level in levels))
        for r, level, case_id in zip(urgent, levels, ids, strict=True):
            line = f"{level:<{level_width}} {case_id:<{width}}  ({w['row'].format(n=r.row)})"
            day, left, tail = r.nearest_deadline, r.days_left, ""
            if day is None:  # a deadline of a risk that could apply
                day, left = r.possible_deadline, r.possible_days_left
                tail = f" ({w['if_applies']})"
            if day is not None and left is not None:
                days = days_phrase(lang, left)
                line += "  " + w["deadline"].format(date=day.isoformat(), days=days) + tail
            line += "  " + " ".join(r.categories)
            out.append(wrap(line, WIDTH, "  ", " " * (level_width + 3)))
        if triage.with_risks > len(urgent):
            out.append("  " + w["more_urgent"].format(n=triage.with_risks - len(urgent)))
    if triage.errors:
        out.append(w["errors"])
        out += _error_lines(triage, w, lang)
    return "\n".join(out) + "\n"


def _error_lines(triage: Triage, w: Mapping[str, str], lang: str) -> list[str]:
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
        head = _rows_head(w, numbers, shown)
        if count < len(numbers):
            head += " " + w["and_more"].format(n=len(numbers) - count)
        if len(results) == 1 and shown_case_id(results[0], lang) != head:
            head += f" ({shown_case_id(results[0], lang)})"
        block = wrap(f"{head}: {reason}", WIDTH, "  ", "      ").split("\n")
        if len(lines) + len(block) > budget:
            unnamed += numbers
            continue
        lines += block
    unnamed += triage.other_error_rows
    named = len(triage.first_errors) + len(triage.other_error_rows) - len(unnamed)
    if unnamed:
        prefix = w["other_errors"].format(rows="")  # indented by two spaces
        text, count = ranges_within(unnamed, 2 * WIDTH - len(prefix) - 8)
        lines.append(wrap(prefix + text, WIDTH, "", "    "))
        named += count
    if triage.errors > named:
        lines.append("  " + w["more_errors"].format(n=triage.errors - named))
    return lines
