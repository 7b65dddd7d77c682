"""Deadlines as an iCalendar file (RFC 5545), built with the ``icalendar`` package.

Every computed deadline (the end of a stay, a passport's expiry) becomes an
all-day event with two reminders, 14 days and 3 days before. The event's text
carries only the case id and what kind of deadline it is: never a name, the
country, or any other answer, because calendars are synced and shared.

Events are written one at a time, so a batch of any size stays in flat memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from riskcli.core.errors import InputError
from riskcli.core.report import DeadlineItem, Report
from riskcli.io.files import PrivateFile

REMINDER_DAYS = (14, 3)
PRODID = "-//riskcli//deadlines//EN"

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "entry_date": "end of stay",
        "international_passport_expiry": "passport deadline",
        "summary": "riskcli: {kind}, case {case}",
        "summary_nocase": "riskcli: {kind}",
        "description": (
            "A deadline riskcli computed for case {case}. Run riskcli for this case to see "
            "what it means and what to do before it."
        ),
        "description_nocase": (
            "A deadline riskcli computed. Run riskcli again to see what it means and what "
            "to do before it."
        ),
        "alarm": "In {n} days: {kind}, case {case}",
        "alarm_nocase": "In {n} days: {kind}",
        "if_applies": "{kind} (if it applies)",
    },
    "ru": {
        "entry_date": "конец срока пребывания",
        "international_passport_expiry": "срок паспорта",
        "summary": "riskcli: {kind}, дело {case}",
        "summary_nocase": "riskcli: {kind}",
        "description": (
            "Срок, рассчитанный riskcli для дела {case}. Запустите riskcli для этого дела, "
            "чтобы узнать, что он значит и что сделать до него."
        ),
        "description_nocase": (
            "Срок, рассчитанный riskcli. Запустите riskcli снова, чтобы узнать, что он "
            "значит и что сделать до него."
        ),
        "alarm": "Через {n} дн.: {kind}, дело {case}",
        "alarm_nocase": "Через {n} дн.: {kind}",
        "if_applies": "{kind} (если это вас касается)",
    },
}


def _uid(case_id: str | None, item: DeadlineItem) -> str:
    # A hash, so that the rule id (which names a country) is not readable in the file.
    digest = hashlib.sha256(
        f"{case_id or ''}\0{item.rule_id}\0{item.day.isoformat()}".encode()
    ).hexdigest()[:24]
    return f"{digest}@riskcli.invalid"


def event_bytes(
    case_id: str | None, items: list[DeadlineItem] | tuple[DeadlineItem, ...], lang: str = "en"
) -> bytes:
    """The VEVENTs of one case's deadlines (one per day and kind)."""
    from icalendar import Alarm, Event

    w = WORDS.get(lang, WORDS["en"])
    seen: set[tuple[dt.date, str]] = set()
    out = b""
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    # A confirmed deadline before one of a risk that could apply, on the same day and kind.
    for item in sorted(items, key=lambda i: (i.day, i.kind, i.certainty != "confirmed", i.rule_id)):
        if (item.day, item.kind) in seen:
            continue
        seen.add((item.day, item.kind))
        kind = w.get(item.kind, item.kind.replace("_", " "))
        if item.certainty != "confirmed":
            kind = w["if_applies"].format(kind=kind)
        event = Event()
        event.add("uid", _uid(case_id, item))
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + dt.timedelta(days=1))
        if case_id:
            event.add("summary", w["summary"].format(kind=kind, case=case_id))
            event.add("description", w["description"].format(case=case_id))
        else:
            event.add("summary", w["summary_nocase"].format(kind=kind))
            event.add("description", w["description_nocase"])
        event.add("transp", "TRANSPARENT")
        for days in REMINDER_DAYS:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", dt.timedelta(days=-days))
            text = (
                w["alarm"].format(n=days, kind=kind, case=case_id)
                if case_id
                else w["alarm_nocase"].format(n=days, kind=kind)
            )
            alarm.add("description", text)
            event.add_component(alarm)
        out += event.to_ical()
    return out


def _calendar_head() -> tuple[bytes, bytes]:
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    text = cal.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert text.endswith(end)
    return text[: -len(end)], end


class IcsWriter:
    """Streams events into FILE, written privately (mode 0600, atomically; a FIFO or a
    device is written through)."""

    def __init__(self, path: Path, lang: str = "en"):
        self.path = path
        self.lang = lang
        try:
            self.file = PrivateFile(path, binary=True)
        except OSError as exc:
            raise InputError(f"--ics {path}: cannot write: {exc.strerror}") from None
        head, self._end = _calendar_head()
        self.file.write(head)
        self.events = 0

    def add(
        self, case_id: str | None, items: list[DeadlineItem] | tuple[DeadlineItem, ...]
    ) -> None:
        if items:
            data = event_bytes(case_id, items, self.lang)
            self.events += data.count(b"BEGIN:VEVENT")
            self.file.write(data)

    def close(self) -> None:
        try:
            self.file.write(self._end)
            self.file.commit()
        except OSError as exc:
            self.file.abort()
            raise InputError(f"--ics {self.path}: cannot write: {exc.strerror}") from None

    def abort(self) -> None:
        self.file.abort()


def write_report_ics(path: Path, report: Report) -> int:
    """Write one report's deadlines to FILE; return the number of events."""
    writer = IcsWriter(path, report.language)
    try:
        writer.add(report.case_id, report.deadlines())
    except BaseException:
        writer.abort()
        raise
    writer.close()
    return writer.events
