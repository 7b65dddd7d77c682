"""The one way riskcli writes a file about a person.

* A regular file, or a path that does not exist yet, is written atomically: into a
  temporary file made by ``mkstemp`` in the same folder (``O_EXCL``: a symlink
  planted under its name is never followed), mode 0600 from its creation whatever
  the umask, then renamed over the path. A reader sees the old file or the new one,
  never half of it; a failure leaves no temporary file behind.
* Anything else (a FIFO, a device such as ``/dev/null`` or ``/dev/tty``, a symlink
  such as ``/dev/stdout``, or ``-`` for standard output) is written *through*:
  opened for writing and never replaced, so the node stays what it was.

A temporary file is locked (``flock``) by the process writing it. One left behind by a
process that died (``kill -9``, a power cut) holds no lock: the next ``PrivateFile`` for the
same path removes it, so no partial copy of a person's results lingers beside the file.

Errors are ``OSError``; the caller names the option in its message.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO, Literal

STDOUT = "-"
MODE = 0o600


def _kind(path: Path) -> Literal["new", "regular", "link", "through"]:
    """How to write ``path``: create it, replace it, or write through it (``link``: a
    symlink to a regular file, written through too, so the link stays)."""
    if str(path) == STDOUT:
        return "through"
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return "new"
    if stat.S_ISREG(info.st_mode):
        return "regular"
    if stat.S_ISLNK(info.st_mode):
        with contextlib.suppress(OSError):
            if stat.S_ISREG(os.stat(path).st_mode):
                return "link"
    return "through"


class PrivateFile:
    """A file being written; ``commit()`` makes it the path's content, ``abort()`` drops it.

    Used as a context manager it commits on success and aborts on an exception.
    ``exclusive``: refuse (``FileExistsError``) to replace an existing regular file.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        binary: bool = False,
        newline: str | None = None,
        exclusive: bool = False,
    ):
        self.path = Path(path)
        self.tmp: Path | None = None
        self._closed = False
        self._own = False
        kind = _kind(self.path)
        if kind in ("regular", "link") and exclusive:
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path))
        self.exclusive = exclusive
        if kind in ("link", "through"):
            self.fh: IO[str] | IO[bytes] = self._through(binary, newline)
            return
        remove_stale_temps(self.path)
        fd, name = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        self.tmp = Path(name)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held until closed: "in use"
            os.fchmod(fd, MODE)  # mkstemp makes 0600 already; be explicit
            if binary:
                self.fh = os.fdopen(fd, "wb")
            else:
                self.fh = os.fdopen(fd, "w", encoding="utf-8", newline=newline)
        except BaseException:
            os.close(fd)
            self.tmp.unlink(missing_ok=True)
            raise

    def _through(self, binary: bool, newline: str | None) -> IO[str] | IO[bytes]:
        if str(self.path) == STDOUT:
            self._own = False
            return sys.stdout.buffer if binary else sys.stdout
        self._own = True
        # No O_CREAT: the node exists; O_TRUNC matters only if it leads to a regular file.
        flags = os.O_WRONLY | os.O_NOCTTY
        fd = os.open(self.path, flags)
        try:
            info = os.fstat(fd)
            if stat.S_ISREG(info.st_mode):  # a symlink to a file: keep the link, own the file
                os.ftruncate(fd, 0)
                with contextlib.suppress(OSError):
                    os.fchmod(fd, MODE)
            if binary:
                return os.fdopen(fd, "wb")
            return os.fdopen(fd, "w", encoding="utf-8", newline=newline)
        except BaseException:
            os.close(fd)
            raise

    def write(self, data: str | bytes) -> None:
        self.fh.write(data)  # type: ignore[arg-type]

    def commit(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.tmp is None:
            self.fh.flush()
            if self._own:
                self.fh.close()
            return
        try:
            self.fh.flush()
            os.fsync(self.fh.fileno())
            self.fh.close()
            if self.exclusive:
                os.link(self.tmp, self.path)  # fails if the path appeared meanwhile
                self.tmp.unlink()
            else:
                os.replace(self.tmp, self.path)
        except BaseException:
            self.fh.close()
            self.tmp.unlink(missing_ok=True)
            raise
        self.tmp = None

    def abort(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.tmp is None:
            with contextlib.suppress(OSError):
                self.fh.flush()
            if self._own:
                self.fh.close()
            return
        self.fh.close()
        self.tmp.unlink(missing_ok=True)
        self.tmp = None

    def __enter__(self) -> PrivateFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def remove_stale_temps(path: Path) -> list[Path]:
    """Remove the temporary files of ``path`` that no live process holds (left by a writer
    that was killed); return them. A temporary file being written is locked and kept."""
    removed: list[Path] = []
    try:
        candidates = list(path.parent.glob(f".{glob_escape(path.name)}.*.tmp"))
    except OSError:
        return removed
    for tmp in candidates:
        try:
            fd = os.open(tmp, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY)
        except OSError:
            continue
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # another process is writing it
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
                removed.append(tmp)
        finally:
            os.close(fd)
    return removed


def glob_escape(name: str) -> str:
    import glob

    return glob.escape(name)


def write_private(path: Path | str, data: str | bytes, *, exclusive: bool = False) -> None:
    """Write ``data`` (text as UTF-8) to ``path``: atomically and 0600, or through a
    non-regular file (see the module docstring). ``exclusive``: never replace a file."""
    with PrivateFile(path, binary=isinstance(data, bytes), exclusive=exclusive) as fh:
        fh.write(data)
