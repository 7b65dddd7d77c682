"""A progress bar on standard error for long work (``riskcli batch``, ``riskcli cases
import``): "1,234 / 30,000 rows", shown only on a terminal and only once work flows; it is
gone when the work ends, however it ends. Nothing is drawn when stderr is a file or a pipe
(a log gets the summary only)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from riskcli.i18n import t

# update(rows done, rows in all or None when the total is not known)
Update = Callable[[int, int | None], None]


def count(n: int, lang: str = "en") -> str:
    """A count as a reader writes it: 30,000 in English, 30 000 (narrow no-break space) in
    Russian."""
    text = f"{n:,}"
    return text.replace(",", "\u202f") if lang == "ru" else text


def rows_done(done: int, total: int | None, lang: str = "en") -> str:
    """The rows done, "1,234 / 30,000 rows" (the plural agrees with the total), or "7 rows"."""
    if total is None:
        return t(lang, "progress.rows", n=done, done=count(done, lang))
    return t(lang, "progress.rows_of", n=total, done=count(done, lang), total=count(total, lang))


@contextmanager
def progress_bar(lang: str = "en") -> Iterator[Update | None]:
    """``with progress_bar(lang) as update:`` ``update(done, total)``; None when stderr is
    not a terminal (nothing is drawn, and the caller need not count)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        BarColumn(bar_width=30),
        TextColumn("{task.fields[rows]}"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = progress.add_task("rows", total=None, rows="")
    started = False

    def update(done: int, total: int | None) -> None:
        nonlocal started
        if not started:  # only once the input is open and rows flow
            started = True
            progress.start()
        shown = max(total, done) if total is not None else None
        progress.update(task, completed=done, total=shown, rows=rows_done(done, shown, lang))

    try:
        yield update
    finally:
        if started:
            progress.stop()
