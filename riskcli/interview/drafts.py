"""The interview with an encrypted draft after every answer, and ``--resume`` from it.

The workflow of ``riskcli assess --save-case`` / ``--resume``: the latest draft (if
resuming) is the interview's prefill; every answer replaces the draft; at the end the case
is kept (and its draft deleted in the same step) if the person asks, else the draft is
deleted. An interrupted interview leaves its draft and says so (``Interrupted.draft_kept``).

The store is passed in (the interview may not import ``riskcli.io``): anything with the
methods of :class:`DraftStore` (the encrypted ``CaseStore`` is one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from riskcli.core.errors import InputError, Interrupted
from riskcli.core.profile import DATE_FIELDS, Profile, parse_date
from riskcli.core.report import Report
from riskcli.i18n import msg

# Dates the interview holds as dates: read back from a draft or a stored case as text.
ANSWER_DATES = tuple(name for name in DATE_FIELDS if name != "as_of")


class StoredDraft(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


class DraftStore(Protocol):
    @property
    def path(self) -> Path: ...
    def drafts(self) -> Sequence[StoredDraft]: ...  # newest first
    def save_draft(self, data: dict[str, Any], key: str | None = None) -> str: ...
    def delete_draft(self, key: str) -> None: ...
    def add_case(
        self,
        answers: dict[str, Any],
        report: dict[str, Any] | None = None,
        *,
        draft: str | None = None,
    ) -> str: ...


@dataclass(frozen=True)
class StoredInterview:
    """What came of an interview into the store: the report, and the case's key if kept."""

    profile: Profile
    report: Report
    case_key: str | None


def dates_as_dates(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Stored answers with their dates turned back into dates (for the interview's prefill)."""
    out = dict(answers)
    for key in ANSWER_DATES:
        value = out.get(key)
        if isinstance(value, str) and not value.startswith("__"):
            out[key] = parse_date(value)
    return out


def plain_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The interview's answers as JSON values (dates as ISO text), for a draft."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in answers.items()}


def interview_into_store(
    store: DraftStore,
    destinations: Sequence[str],
    assess: Callable[[Profile], Report],
    *,
    lang: str | None,
    as_of: dt.date | None,
    resume: bool,
    show: Callable[[Report], None] = lambda report: None,
) -> StoredInterview:
    """Run the interview, keeping an encrypted draft in STORE after every answer; ``show``
    the report; then ask whether to keep the case (its first answer: keep it).

    ``resume``: start from the latest draft (InputError if there is none). ``lang``: the
    language asked for on the command line (else the draft's, else the interview asks).
    """
    from riskcli.interview.interview import close_interview, run_interview

    draft_key: str | None = None
    prefill: dict[str, Any] | None = None
    if resume:
        drafts = store.drafts()
        if not drafts:
            raise InputError(msg("error.no_draft", path=store.path), lang=lang)
        draft_key, prefill = drafts[0].key, dates_as_dates(drafts[0].data)

    def save_point(answers: dict[str, Any]) -> None:
        nonlocal draft_key
        draft_key = store.save_draft(plain_answers(answers), key=draft_key)

    try:
        profile, session = run_interview(
            destinations,
            as_of=as_of,
            lang=lang or (prefill or {}).get("language"),
            save_as_of=as_of is not None,
            prefill=prefill,
            on_answer=save_point,
            to_store=True,
            resumed=resume,
        )
        report = assess(profile)
        show(report)  # the report comes before the offer to keep the case
        close_interview(session, profile)
    except Interrupted as stop:
        stop.draft_kept = draft_key is not None
        raise
    case_key: str | None = None
    if session.store_wanted:
        case_key = store.add_case(profile.answers(), report.to_json_dict(), draft=draft_key)
    elif draft_key is not None:
        store.delete_draft(draft_key)
    return StoredInterview(profile, report, case_key)
