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

from riskcli.core.errors import InputError, cannot_write
from riskcli.core.report import DeadlineItem, Report
from riskcli.i18n import t
from riskcli.i18n.messages import MESSAGES
from riskcli.io.files import PrivateFile

REMINDER_DAYS = (14, 3)
PRODID = "-//riskcli//deadlines//EN"


def kind_word(lang: str, kind: str) -> str:
    """What kind of deadline it is, in words ("end of stay")."""
    key = f"ics.{kind}"
    return t(lang, key) if key in MESSAGES else kind.replace("_", " ")


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

    seen: set[tuple[dt.date, str]] = set()
    out = b""
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for item in sorted(items, key=lambda i: (i.day, i.kind, i.rule_id)):
        if (item.day, item.kind) in seen:
            continue
        seen.add((item.day, item.kind))
        kind = kind_word(lang, item.kind)
        event = Event()
        event.add("uid", _uid(case_id, item))
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + dt.timedelta(days=1))
        if case_id:
            event.add("summary", t(lang, "ics.summary", kind=kind, case=case_id))
            event.add("description", t(lang, "ics.description", case=case_id))
        else:
            event.add("summary", t(lang, "ics.summary_nocase", kind=kind))
            event.add("description", t(lang, "ics.description_nocase"))
        event.add("transp", "TRANSPARENT")
        for days in REMINDER_DAYS:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", dt.timedelta(days=-days))
            text = (
                t(lang, "ics.alarm", n=days, kind=kind, case=case_id)
                if case_id
                else t(lang, "ics.alarm_nocase", n=days, kind=kind)
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
            raise InputError(cannot_write("--ics", path, exc)) from None
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
            raise InputError(cannot_write("--ics", self.path, exc)) from None

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
