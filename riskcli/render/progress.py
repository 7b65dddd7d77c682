"""A progress bar on standard error for long work (``riskcli batch``), shown only on a
terminal and only once work flows; it is gone when the work ends, however it ends."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Update = Callable[[int, int], None]


@contextmanager
def progress_bar(label: str = "batch") -> Iterator[Update | None]:
    """``with progress_bar() as update:`` ``update(done, total)``; None when stderr is not a
    terminal (nothing is drawn, and the caller need not count)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeRemainingColumn

    progress = Progress(
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = progress.add_task(label, total=None)
    started = False

    def update(done: int, total: int) -> None:
        nonlocal started
        if not started:  # only once the input is open and rows flow
            started = True
            progress.start()
        progress.update(task, completed=done, total=max(total, 1))

    try:
        yield update
    finally:
        if started:
            progress.stop()
