"""A progress bar for long work on stderr, when stderr is a terminal: "1,234 / 30,000 rows".

Nothing is drawn when stderr is a file or a pipe (a log gets the summary only).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

WORDS = {"en": "rows", "ru": "строк"}

Update = Callable[[int, int | None], None]


def count(n: int, lang: str = "en") -> str:
    """A count as a reader writes it: 30,000 in English, 30 000 (narrow no-break space) in
    Russian."""
    text = f"{n:,}"
    return text.replace(",", "\u202f") if lang == "ru" else text


def rows_done(done: int, total: int | None, lang: str = "en") -> str:
    word = WORDS.get(lang, WORDS["en"])
    if total is None:
        return f"{count(done, lang)} {word}"
    return f"{count(done, lang)} / {count(total, lang)} {word}"


def progress_bar(lang: str = "en") -> tuple[Update | None, Callable[[], None]]:
    """(update(rows done, rows in all or None), stop); update is None off a terminal."""
    if not sys.stderr.isatty():
        return None, _nothing
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

    def stop() -> None:
        if started:
            progress.stop()

    return update, stop


def _nothing() -> None:
    return None
