"""``riskcli cases import FILE``: a sheet of intakes into the encrypted case store.

Each row is read, assessed and saved on its own (one store transaction per row), so a broken
row never loses another: it becomes an error row of the same triage summary as ``batch``.
A row whose ``case_id`` is already in the store updates that case instead of making a second
one; a row that changes nothing is left as it is. A ``notes`` column is kept, encrypted with
the case, and shown by ``cases show`` only. Other columns are ignored (named once, their
contents never read).

Registered as ``cases import`` by ``riskcli.cli.root``; it uses the store's public methods
(``scan``, ``get_case``, ``add_case``, ``update_case``) only.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from riskcli.cli import common
from riskcli.cli import options as opt
from riskcli.core.errors import ExitStatus
from riskcli.core.profile import Language
from riskcli.i18n import t

if TYPE_CHECKING:
    from riskcli.core.assess import Assessor
    from riskcli.core.batch import InputRow, RowResult
    from riskcli.io.store import CaseStore

NOTES = "notes"  # the one column besides the profile's fields that import keeps
MAX_NOTES = 4000  # characters


def _w(lang: str, name: str, /, **kwargs: object) -> str:
    """The word NAME of ``cases import`` (``import.NAME`` in the catalog)."""
    return t(lang, f"import.{name}", **kwargs)


@dataclass
class ImportCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    keys: dict[int, str] = field(default_factory=dict)  # row -> case key


def _notes(data: dict[str, Any], lang: str) -> tuple[str | None, str | None]:
    """(notes or None, error or None), taken out of the row's data."""
    value = data.pop(NOTES, None)
    if value is None:
        return None, None
    if not isinstance(value, str):
        return None, _w(lang, "notes_kind")
    text = value.strip()
    if len(text) > MAX_NOTES:
        return None, _w(lang, "notes_long", max=MAX_NOTES)
    return text or None, None


class Importer:
    """Saves assessed rows into an open store: new cases, or updates by ``case_id``."""

    def __init__(
        self, store: CaseStore, assessor: Assessor, as_of: dt.date | None, lang: str
    ) -> None:
        self.store = store
        self.assessor = assessor
        self.as_of = as_of
        self.lang = lang
        self.counts = ImportCounts()
        self.by_ref: dict[str, list[str]] = {}
        for case in store.scan()[0]:
            if case.ref:
                self.by_ref.setdefault(case.ref, []).append(case.key)

    def row(self, row: InputRow) -> RowResult:
        """One row: assessed as ``batch`` does, then saved in its own transaction."""

        from riskcli.core.batch import InputRow, assess_row, row_answers
        from riskcli.core.profile import make_profile
        from riskcli.io.store import StoreError

        if row.data is None:
            return assess_row(self.assessor, row, self.as_of)
        data = dict(row.data)
        notes, problem = _notes(data, self.lang)
        row = InputRow(row.row, data)
        result = assess_row(self.assessor, row, self.as_of)
        if problem is not None:
            return result._replace(status="error", error=problem)
        if result.status != "ok":
            return result
        profile = make_profile(row_answers(row), source=f"row {row.row}", as_of=self.as_of)
        report = self.assessor.assess(profile)
        answers = profile.answers()
        if notes:
            answers[NOTES] = notes
        ref = profile.case_id
        keys = self.by_ref.get(ref, []) if ref else []
        if len(keys) > 1:
            return result._replace(
                status="error",
                error=_w(self.lang, "ambiguous", ref=repr(ref), keys=", ".join(keys)),
            )
        try:
            if keys:
                key = keys[0]
                stored = self.store.get_case(key)
                if _same(stored.answers, answers):
                    self.counts.unchanged += 1
                else:
                    self.store.update_case(key, answers, report.to_json_dict())
                self.counts.updated += 1
            else:
                key = self.store.add_case(answers, report.to_json_dict())
                self.counts.new += 1
                if ref:
                    self.by_ref[ref] = [key]
        except StoreError as exc:
            return result._replace(status="error", error=str(exc))
        self.counts.keys[row.row] = key
        return result


def _same(stored: dict[str, Any], answers: dict[str, Any]) -> bool:
    """Whether saving ``answers`` would change nothing (the store keeps no ``as_of``)."""
    clean = {k: v for k, v in answers.items() if k != "as_of" and v is not None}
    return stored == clean


def cases_import(
    ctx: typer.Context,
    input_path: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help=(
                "Intakes, as for `riskcli batch`: .csv (columns separated by ',', ';' or "
                "tabs), .jsonl or .json. A notes column is kept, encrypted with the case; "
                "other columns that are not profile fields are ignored."
            ),
        ),
    ],
    store: opt.Store = None,
    as_of: Annotated[
        dt.date | None,
        opt.as_of(
            "Assess every row as of this date, YYYY-MM-DD (default: each row's as_of, then "
            "today). The stored cases keep no date: they are assessed afresh when looked at."
        ),
    ] = None,
    lang: opt.Lang = Language.en,
) -> None:
    """Import a sheet of intakes into the case store: one case per row, with the batch summary.

    Every row is saved in its own transaction: a broken row becomes an error row of the
    summary and never stops the others. A row whose case_id is already in the store updates
    that case (and the summary says so) rather than adding a second one. Exit 0 if every row
    was imported, 1 if any row had an error, 2 if FILE cannot be read.
    """
    from riskcli.core.batch import Triage
    from riskcli.io.batch import PROGRESS_EVERY, read_rows
    from riskcli.render.progress import progress_bar
    from riskcli.render.text import wrap
    from riskcli.render.triage import render_intake, render_triage

    L = lang.value
    source, rows = read_rows(input_path, keep=(NOTES,))
    try:
        assessor = common.get_assessor(common.env_of(ctx))
        with common.open_store(store, create=True) as cases, progress_bar(L) as update:
            importer = Importer(cases, assessor, as_of, L)
            triage = Triage()
            total = source.records() if update is not None else None
            for row in rows:
                triage.add(importer.row(row))
                if update is not None and triage.rows % PROGRESS_EVERY == 0:
                    update(triage.rows, total)
            if update is not None:
                update(triage.rows, triage.rows)
            path = cases.path
    finally:
        source.close()
    notice = render_intake(*source.intake().notice(), L)
    if notice:
        sys.stderr.write(notice)
    counts = importer.counts
    sys.stdout.write(render_triage(triage, L))
    done = _w(
        L,
        "done",
        path=path,
        new=counts.new,
        updated=counts.updated,
        same=counts.unchanged,
        bad=triage.errors,
    )
    sys.stdout.write(wrap(done) + "\n")
    sys.stdout.flush()
    if triage.errors:
        raise typer.Exit(ExitStatus.ERROR)
