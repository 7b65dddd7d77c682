"""Where a long run's results go: a results file and a calendar, both whole or not at all.

``BatchOutputs`` opens ``--output`` (privately: mode 0600, written to a temporary file in
its folder and renamed into place; standard output when there is none) and ``--ics``, gives
the stream and the per-result callback to the run, and on ``commit()`` puts both into place.
Leaving the ``with`` block without ``commit()`` (an error, Ctrl-C) removes what was begun:
never half a results file under the name the volunteer gave.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Protocol

from riskcli.core.errors import InputError, cannot_write
from riskcli.core.report import DeadlineItem
from riskcli.io.files import PrivateFile
from riskcli.io.ics import IcsWriter


class HasDeadlines(Protocol):
    @property
    def case_id(self) -> str: ...
    @property
    def deadlines(self) -> tuple[DeadlineItem, ...] | list[DeadlineItem]: ...


class BatchOutputs:
    """The results stream (a private file, or standard output) and the calendar of a run."""

    def __init__(self, output: Path | None, ics: Path | None, *, lang: str = "en"):
        self.output = output
        self._sink: PrivateFile | None = None
        self._calendar: IcsWriter | None = None
        try:
            if output is not None:
                try:
                    self._sink = PrivateFile(output, newline="")
                except OSError as exc:
                    raise InputError(cannot_write("--output", output, exc)) from None
            if ics is not None:
                self._calendar = IcsWriter(ics, lang)
        except BaseException:
            self.abort()
            raise

    @property
    def stream(self) -> IO[str]:
        """Where the result rows are written."""
        if self._sink is None:
            return sys.stdout
        return self._sink.fh  # type: ignore[return-value]

    @property
    def on_result(self) -> Callable[[HasDeadlines], None] | None:
        """Called with each result: its deadlines go to the calendar (if one was asked for)."""
        calendar = self._calendar
        if calendar is None:
            return None

        def add(result: HasDeadlines) -> None:
            calendar.add(result.case_id, result.deadlines)

        return add

    def commit(self) -> None:
        """Put the results file and the calendar into place (both were complete)."""
        if self._sink is not None:
            try:
                self._sink.commit()
            except OSError as exc:
                raise InputError(cannot_write("--output", self.output or "", exc)) from None
            self._sink = None
        else:
            sys.stdout.flush()
        if self._calendar is not None:
            self._calendar.close()
            self._calendar = None

    def abort(self) -> None:
        """Remove whatever was begun and not committed."""
        if self._sink is not None:
            self._sink.abort()
            self._sink = None
        if self._calendar is not None:
            self._calendar.abort()
            self._calendar = None

    def __enter__(self) -> BatchOutputs:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.abort()
