"""What every command group shares: the run's ``Environment``, the assessor, output.

``main()`` makes one ``Environment`` per run and passes it to typer as the
context object; the root callback fills it from the global options and every
command reads it with :func:`env_of`. Nothing here is global state.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from riskcli.core.errors import InputError, cannot_write
from riskcli.io.files import write_private
from riskcli.io.store import (
    MIN_PASSPHRASE,
    WEAK_KDF_ENV,
    CaseStore,
    StoreError,
    default_store_path,
)

if TYPE_CHECKING:
    from riskcli.core.assess import Assessor
    from riskcli.core.engine.compiled import EngineName
    from riskcli.core.profile import Profile

PASSPHRASE_ENV = "RISKCLI_PASSPHRASE"


@dataclass
class Environment:
    """One run of the command line (like httpie's ``Environment``): the global options."""

    traceback: bool = False
    rules_dir: Path | None = None
    engine: EngineName = "auto"
    # The language of messages: --lang of the command, where given (else the profile's
    # language, then RISKCLI_LANG / the locale: see error_language).
    lang: str | None = None
    # The language of the person's answers, once known (the profile's, the interview's).
    spoken: str | None = None

    def error_language(self, hint: str | None = None) -> str:
        """The language to tell the user an error in: --lang, the language the person wrote
        in (HINT, from the error: a profile's ``language``; else the answers' once known),
        then RISKCLI_LANG / LANG."""
        from riskcli.i18n import language_from_environment

        return self.lang or hint or self.spoken or language_from_environment(os.environ)


def env_of(ctx: typer.Context) -> Environment:
    env = ctx.find_object(Environment)
    return env if env is not None else ctx.ensure_object(Environment)


def get_assessor(env: Environment) -> Assessor:
    """The rule pack, loaded and compiled, with the engine the run asked for."""
    from riskcli.core.assess import Assessor
    from riskcli.io.rulepack import load_rule_pack

    return Assessor(load_rule_pack(env.rules_dir), engine=env.engine)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def can_interview() -> bool:
    """The interview needs a person at a terminal: keys on stdin, prompts on stderr."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def stopped_line(lang: str = "en", draft_kept: bool = False) -> str:
    from riskcli.i18n import t

    return t(lang, "cli.stopped_draft" if draft_kept else "cli.stopped")


def use_color(output: Path | None) -> bool:
    return output is None and stdout_is_terminal() and "NO_COLOR" not in os.environ


def text_width(output: Path | None) -> int:
    if output is None and stdout_is_terminal():
        return max(40, min(shutil.get_terminal_size((80, 24)).columns, 100))
    return 80


def emit(text: str, output: Path | None) -> None:
    """Write a result to --output (whole, or not at all) or to standard output.

    A file is readable by its owner only (mode 0600): reports name the answers given.
    A FIFO or a device (``/dev/null``, ``/dev/tty``) is written through, never replaced.
    """
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        write_private(output, text)
    except OSError as exc:
        raise InputError(cannot_write("--output", output, exc)) from None


def load_profile_file(path: str, as_of: dt.date | None) -> Profile:
    from riskcli.core.profile import make_profile
    from riskcli.io.loaders import load_data

    name = "<stdin>" if path == "-" else path
    data = load_data(path, what="answers file")
    return make_profile(data, source=name, as_of=as_of)


# --- the case store's passphrase --------------------------------------------------------


def _have_terminal() -> bool:
    try:
        fd = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        return False
    os.close(fd)
    return True


def read_passphrase(path: Path, *, new: bool) -> str:
    """From RISKCLI_PASSPHRASE, or asked on the terminal without echo (prompt on stderr)."""
    env = os.environ.get(PASSPHRASE_ENV)
    if env is not None:
        if not env:
            raise StoreError(f"{PASSPHRASE_ENV} is set but empty")
        return env
    if not _have_terminal():
        raise StoreError(
            f"no terminal to ask the store's passphrase on; set {PASSPHRASE_ENV} "
            "(never pass a passphrase as a command-line argument)"
        )
    what = "new case store" if new else "case store"
    prompt = f"Passphrase for the {what} {path} / парольная фраза: "
    if not new:
        return getpass.getpass(prompt, stream=sys.stderr)
    for _ in range(3):  # a new store: a too-short passphrase is refused at once, and asked again
        first = getpass.getpass(prompt, stream=sys.stderr)
        if len(first) < MIN_PASSPHRASE:
            sys.stderr.write(
                f"riskcli: too short: at least {MIN_PASSPHRASE} characters, please "
                f"(слишком короткая: нужно не меньше {MIN_PASSPHRASE} символов)\n"
            )
            continue
        again = getpass.getpass("The same passphrase again / ещё раз: ", stream=sys.stderr)
        if again == first:
            return first
        sys.stderr.write("riskcli: the two differ; once more (не совпали; ещё раз)\n")
    raise StoreError("no passphrase agreed on after three tries; nothing was created")


def open_store(store: Path | None, *, create: bool = False) -> CaseStore:
    """Open (``create``: or make) the store the user chose, asking for the passphrase."""
    path = (store or default_store_path()).expanduser()
    if not create and not path.exists():
        raise StoreError(
            f"{path}: no case store here yet; add a case with `riskcli cases add` "
            "(or choose the store with --store / RISKCLI_STORE)"
        )
    new = create and (not path.exists() or (path.is_file() and path.stat().st_size == 0))
    passphrase = read_passphrase(path, new=new)
    if new and os.environ.get(WEAK_KDF_ENV) == "1":
        typer.echo(
            f"riskcli: WARNING: {WEAK_KDF_ENV}=1 makes the new store's key weak (for tests only)",
            err=True,
        )
    return CaseStore.open(path, passphrase, create=create)


def ask(prompt: str) -> str:
    """Ask on stderr, read one line from stdin ('' at end of input): stdout stays clean."""
    sys.stderr.write(f"{prompt} ")
    sys.stderr.flush()
    return sys.stdin.readline().strip()
