"""The command line's start: ``run()`` (the console script, ``python -m riskcli``) and
``main()``.

This module loads nothing but the standard library at start-up. ``main()`` makes the
run's ``Environment`` (the global options), runs the typer app of
:mod:`riskcli.cli.app`, maps every exception to one ``ExitStatus`` and one line on
stderr (``--traceback`` shows the rest); the commands do the work.

When the command is an interview that starts with the language question (``riskcli
assess`` on a terminal, no answers file, no --lang), ``run()`` draws that question
before loading anything else (:mod:`riskcli.interview.early`): the person reads it while
the rest loads, and the interview's widget takes over the same screen.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from riskcli.interview.early import FirstQuestion

INTERRUPTED = 130  # riskcli.core.errors.ExitStatus.INTERRUPTED, without loading it first

# `riskcli [global options] assess [options]` whose interview starts with the language:
# options that take a value, and flags; any other word (--answers, --lang, --save-case,
# --resume, --help...) and the question is not drawn early.
_VALUED = frozenset({"--rules", "--engine", "--as-of", "--format", "-f", "--output", "-o", "--ics"})
_FLAGS = frozenset({"--traceback", "--redact"})


def starts_with_the_language_question(argv: list[str]) -> bool:
    """Whether these arguments run the interview whose first question is the language."""
    command = False
    words = iter(argv)
    for word in words:
        name, eq, _ = word.partition("=")
        if word == "assess" and not command:
            command = True
        elif name in _VALUED:
            if not eq and next(words, None) is None:
                return False
        elif word not in _FLAGS:
            return False
    return command


def main(argv: list[str] | None = None, first: FirstQuestion | None = None) -> int:
    """Run the CLI; map every outcome to an ExitStatus and at most one line on stderr.
    ``first``: the interview's first question, already on the screen."""
    # pydantic runs the plugins installed beside it on every validation (an observability
    # plugin could record the answers it sees) and looks them up in every package's
    # metadata at the first model: riskcli uses none, so none is looked for or run. Set
    # for this process and its workers, whatever was set before; riskcli's own modules
    # used as a library are not covered.
    os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
    from riskcli.cli import common
    from riskcli.cli.app import app
    from riskcli.core.errors import ExitStatus, Interrupted, RiskcliError

    env = common.Environment(first_question=first)

    def stopped(lang: str | None = None, draft_kept: bool = False) -> None:
        if first is not None and first.state == "drawn":
            first.interrupted()
            lang = lang or first.lang
        sys.stderr.write(f"\n{common.stopped_line(lang or 'en', draft_kept)}\n")

    try:
        app(args=argv, prog_name="riskcli", obj=env)
    except SystemExit as exc:  # typer's own exits: help, usage errors (2), Ctrl-C (130)
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if code == ExitStatus.INTERRUPTED:
            stopped()
        return code
    except Interrupted as stop:
        if not stop.hidden:  # the quick exit leaves a clear screen, not a line about it
            stopped(stop.lang, stop.draft_kept)
        return ExitStatus.INTERRUPTED
    except (KeyboardInterrupt, EOFError):
        stopped()
        return ExitStatus.INTERRUPTED
    except RiskcliError as exc:
        if env.traceback:
            import traceback

            traceback.print_exc()
        sys.stderr.write(f"riskcli: {exc.render(env.error_language(exc.lang))}\n")
        return exc.exit_status
    except Exception as exc:
        if env.traceback:
            import traceback

            traceback.print_exc()
        sys.stderr.write(f"riskcli: internal error: {exc!r} (run with --traceback for details)\n")
        return ExitStatus.ERROR
    finally:
        if first is not None:
            first.withdraw()  # the interview never took it over: nothing is left of it
    return ExitStatus.OK


def _alone() -> bool:
    """No other thread and no child process left: nothing is owed a clean shutdown."""
    import threading

    if threading.active_count() != 1:
        return False
    if "multiprocessing" in sys.modules:
        import multiprocessing

        if multiprocessing.active_children():
            return False
    return True


def _stopped_while_loading(first: FirstQuestion | None) -> int:
    """Ctrl-C before ``main()`` could catch it (riskcli was still loading)."""
    from riskcli.i18n import t

    lang = "en"
    if first is not None:
        first.interrupted()
        lang = first.lang
    sys.stderr.write(f"\n{t(lang, 'cli.stopped')}\n")
    return INTERRUPTED


def run() -> NoReturn:
    """The console script and ``python -m riskcli``: :func:`main`, then the exit.

    On the normal exit of a command (status 0, no thread or child process left) the
    interpreter's teardown (a sixth of a one-shot command, freeing every module) is
    skipped: standard output and error are flushed, every file riskcli wrote is already
    closed (``riskcli.io.files`` writes whole files in ``with`` blocks, the store is
    closed by its ``with``), and the process ends with ``os._exit``. Any other exit, or
    an error while flushing, takes the ordinary way out.
    """
    first: FirstQuestion | None = None
    try:
        if starts_with_the_language_question(sys.argv[1:]):
            from riskcli.interview.early import draw_first_question

            first = draw_first_question()
        code = main(first=first)
    except KeyboardInterrupt:
        code = _stopped_while_loading(first)
    finally:
        if first is not None:
            first.close()  # the terminal's settings as they were
    if code == 0 and _alone():
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        else:
            os._exit(code)
    sys.exit(code)
