"""Exit statuses and the exceptions the CLI maps to them (in one place: cli.main)."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    ERROR = 1  # the work ran but something in it failed (a rule test, a batch row)
    BAD_INPUT = 2  # the input could not be used: nothing was done
    INTERRUPTED = 130  # Ctrl-C / Ctrl-D


class RiskcliError(Exception):
    """An error with a message fit for the person at the terminal."""

    exit_status = ExitStatus.ERROR


class InputError(RiskcliError):
    """Bad input: a file, a field, a value. The message names which and what is allowed."""

    exit_status = ExitStatus.BAD_INPUT


class RulePackError(RiskcliError):
    """A rule file or the source registry is malformed."""

    exit_status = ExitStatus.BAD_INPUT


class EngineError(RiskcliError):
    """The rules engine refused or broke; never silently wrong."""

    exit_status = ExitStatus.ERROR


class Interrupted(Exception):
    """Ctrl-C or Ctrl-D stopped the work (the interview): exit 130 with one line.

    ``lang``: the language the person chose, for that line; ``draft_kept``: an
    encrypted draft of the answers so far was left for ``--resume``; ``hidden``: the
    quick exit (Ctrl-Q) cleared the screen, and nothing more is to be shown.
    """

    def __init__(self, lang: str = "en", *, draft_kept: bool = False, hidden: bool = False):
        super().__init__(lang)
        self.lang = lang
        self.draft_kept = draft_kept
        self.hidden = hidden
