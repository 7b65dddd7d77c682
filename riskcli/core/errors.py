"""Exit statuses and the exceptions the CLI maps to them (in one place: cli.main)."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path

from riskcli.i18n import DEFAULT_LANG, Message, msg


class ExitStatus(IntEnum):
    OK = 0
    ERROR = 1  # the work ran but something in it failed (a rule test, a batch row)
    BAD_INPUT = 2  # the input could not be used: nothing was done
    INTERRUPTED = 130  # Ctrl-C / Ctrl-D


class RiskcliError(Exception):
    """An error with a message fit for the person at the terminal.

    The message is a text, or a :class:`~riskcli.i18n.Message` (a key of the catalog and
    its parameters) that :meth:`render` puts into the user's language; ``str()`` is always
    the English. ``lang``, where known (the profile's language), is the language the
    person wrote in: the command line's own ``--lang`` comes first.
    """

    exit_status = ExitStatus.ERROR

    def __init__(self, message: str | Message = "", *, lang: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.lang = lang

    def render(self, lang: str = DEFAULT_LANG) -> str:
        message = self.message
        return message.render(lang) if isinstance(message, Message) else message

    def at(self, where: str) -> Message:
        """The message prefixed with WHERE ("answers.yaml: ...")."""
        return msg("error.at", where=where, error=self.message)


class InputError(RiskcliError):
    """Bad input: a file, a field, a value. The message names which and what is allowed."""

    exit_status = ExitStatus.BAD_INPUT


class RulePackError(RiskcliError):
    """A rule file or the source registry is malformed."""

    exit_status = ExitStatus.BAD_INPUT


class EngineError(RiskcliError):
    """The rules engine refused or broke; never silently wrong."""

    exit_status = ExitStatus.ERROR


class PackRefused(EngineError):
    """The engine refused the rule pack itself: no case can be assessed with it (a batch
    stops, rather than giving every row an error)."""


class BadValue(ValueError):
    """A value a field cannot take (raised inside the profile's validators): its message in
    words of the catalog, so that the error naming the field can be shown in either language."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


def cannot_write(option: str, path: Path | str, exc: OSError) -> Message:
    """``--output FILE: cannot write: Permission denied`` (the reason in the system's words)."""
    return msg("error.cannot_write", option=option, path=path, reason=exc.strerror)


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
