"""What every command group shares: the run's ``Environment``, the assessor, output.

``main()`` makes one ``Environment`` per run and passes it to typer as the
context object; the root callback fills it from the global options and every
command reads it with :func:`env_of`. Nothing here is global state.
"""

from __future__ import annotations

import contextlib
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

if TYPE_CHECKING:
    from riskcli.core.assess import Assessor
    from riskcli.core.engine.compiled import EngineName
    from riskcli.core.profile import Profile
    from riskcli.interview.early import FirstQuestion
    from riskcli.io.store import CaseStore

# The case store (riskcli.io.store: cryptography, sqlite3) is imported by the functions
# that need it, never at start-up: `riskcli assess` does not open it.

PASSPHRASE_ENV = "RISKCLI_PASSPHRASE"
# Where the passphrase is (a path or a descriptor number, never the passphrase itself): set by
# `riskcli cases --passphrase-file` / `--passphrase-fd`, or by the user.
PASSPHRASE_FILE_ENV = "RISKCLI_PASSPHRASE_FILE"
PASSPHRASE_FD_ENV = "RISKCLI_PASSPHRASE_FD"


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
    # The interview's first question, drawn before the rest of riskcli was loaded.
    first_question: FirstQuestion | None = None

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
    from riskcli.io.files import write_private

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


REDACT_HELP = (
    "Leave out the answers, the case id and the store's key: risks, deadlines, advice and "
    "sources only. It does NOT hide the findings' titles and advice, which name the "
    "destination and can reveal the situation (e.g. a pending refugee application): read "
    "the report before you send it."
)


def redact_note(lang: str) -> str:
    """What --redact hid and what it did not (said on stderr with every redacted report)."""
    from riskcli.i18n import t

    return t(lang, "cases.redact_note")


# --- the case store's passphrase --------------------------------------------------------


def _have_terminal() -> bool:
    try:
        fd = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        return False
    os.close(fd)
    return True


MAX_PASSPHRASE_BYTES = 4096


def _first_line(data: bytes, where: str) -> str:
    from riskcli.io.store import StoreError

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError(f"{where}: the passphrase is not UTF-8 text") from None
    line = text.split("\n", 1)[0].removesuffix("\r")
    if not line:
        raise StoreError(f"{where}: the passphrase is empty")
    return line


def passphrase_from_file(path: Path) -> str:
    """The first line of ``path``: a file of the user's own, not open to others."""
    import stat

    from riskcli.io.store import StoreError

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise StoreError(f"--passphrase-file {path}: cannot open: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode) and info.st_mode & 0o077:
            raise StoreError(
                f"--passphrase-file {path}: open to other users (mode "
                f"{stat.S_IMODE(info.st_mode):04o}); `chmod 600 {path}` first"
            )
        data = os.read(fd, MAX_PASSPHRASE_BYTES)
    finally:
        os.close(fd)
    return _first_line(data, f"--passphrase-file {path}")


def passphrase_from_fd(fd: int) -> str:
    """The first line read from file descriptor ``fd`` (which is then closed)."""
    from riskcli.io.store import StoreError

    chunks: list[bytes] = []
    try:
        while sum(map(len, chunks)) < MAX_PASSPHRASE_BYTES:
            chunk = os.read(fd, MAX_PASSPHRASE_BYTES)
            if not chunk:
                break
            chunks.append(chunk)
            if b"\n" in chunk:
                break
    except OSError as exc:
        raise StoreError(f"--passphrase-fd {fd}: cannot read: {exc.strerror}") from None
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
    return _first_line(b"".join(chunks), f"--passphrase-fd {fd}")


def read_passphrase(path: Path, *, new: bool) -> str:
    """The store's passphrase: from --passphrase-file or --passphrase-fd, else
    RISKCLI_PASSPHRASE (removed from the environment once read, so no child process or
    /proc/PID/environ reader sees it), else asked on the terminal without echo (prompt on
    stderr). Core dumps are turned off first: this process is about to hold the key."""
    from riskcli.io.store import MIN_PASSPHRASE, StoreError, harden_process

    harden_process()
    file = os.environ.pop(PASSPHRASE_FILE_ENV, None)
    fd = os.environ.pop(PASSPHRASE_FD_ENV, None)
    if file:
        os.environ.pop(PASSPHRASE_ENV, None)
        return passphrase_from_file(Path(file))
    if fd:
        os.environ.pop(PASSPHRASE_ENV, None)
        if not fd.isdigit():
            raise StoreError(f"--passphrase-fd {fd!r}: give a file descriptor number")
        return passphrase_from_fd(int(fd))
    value = os.environ.pop(PASSPHRASE_ENV, None)
    if value is not None:
        if not value:
            raise StoreError(f"{PASSPHRASE_ENV} is set but empty")
        return value
    if not _have_terminal():
        raise StoreError(
            "no terminal to ask the store's passphrase on; use `riskcli cases "
            f"--passphrase-file FILE` or `--passphrase-fd N`, or set {PASSPHRASE_ENV} "
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


def read_new_passphrase(source: Path | None) -> str:
    """A new passphrase (``cases passwd``): the first line of ``source``, or typed twice."""
    from riskcli.io.store import StoreError

    if source is not None:
        return passphrase_from_file(source)
    if not _have_terminal():
        raise StoreError(
            "no terminal to ask the new passphrase on; give it with --new-passphrase-file FILE"
        )
    first = getpass.getpass("New passphrase / новая парольная фраза: ", stream=sys.stderr)
    again = getpass.getpass("The same passphrase again / ещё раз: ", stream=sys.stderr)
    if again != first:
        raise StoreError("the two passphrases differ; nothing was changed")
    return first


def store_path(store: Path | None) -> Path:
    from riskcli.io.store import default_store_path

    return (store or default_store_path()).expanduser()


def open_store(store: Path | None, *, create: bool = False) -> CaseStore:
    """Open (``create``: or make) the store the user chose, asking for the passphrase.

    A new store is announced in one line on stderr, with where it is. Its folder is never
    created, except the default one in the user data folder.
    """
    from riskcli.io.store import WEAK_KDF_ENV, CaseStore, StoreError

    path = store_path(store)
    if not create and not path.exists() and not path.is_symlink():
        raise StoreError(
            f"{path}: no case store here yet; create one with `riskcli cases init` "
            "(or choose the store with --store / RISKCLI_STORE)"
        )
    new = create and (not path.exists() or (path.is_file() and path.stat().st_size == 0))
    passphrase = read_passphrase(path, new=new)
    if new and os.environ.get(WEAK_KDF_ENV) == "1":
        typer.echo(
            f"riskcli: WARNING: {WEAK_KDF_ENV}=1 makes the new store's key weak (for tests only)",
            err=True,
        )
    default = store is None and not os.environ.get("RISKCLI_STORE")
    opened = CaseStore.open(path, passphrase, create=create, make_parent=default)
    if opened.created:
        typer.echo(f"riskcli: created a new case store at {path}", err=True)
    return opened


def ask(prompt: str) -> str:
    """Ask on stderr, read one line from stdin ('' at end of input): stdout stays clean."""
    sys.stderr.write(f"{prompt} ")
    sys.stderr.flush()
    return sys.stdin.readline().strip()
