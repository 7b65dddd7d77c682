"""The encrypted case store: one SQLite file, every answer and report sealed with AES-256-GCM.

What is on the disk, in the clear: that the file is a riskcli case store (format name and
version), the key parameters (scrypt salt and cost, the wrapped data key), a random key per
case and per draft, each record's version number and its timestamps, and how many records
there are. Every record is compressed and padded to a fixed bucket size (``BUCKETS``: 4 KiB
for answers and drafts, 32 KiB for reports, larger only for outliers), so a ciphertext's
size says nothing about the severity, the destination or how many risks a report holds.

The key: a random 256-bit data key encrypts every record; it is stored wrapped (AES-GCM)
by a key derived from the passphrase with scrypt (``DEFAULT_KDF``: N=2^17, r=8, p=1, about
128 MB). ``change_passphrase`` re-wraps the data key; records are not touched. Key
parameters read from the file are capped (``kdf_params_ok``): a hostile file cannot make an
open hang or eat the memory. A checksum over the key parameters tells damage apart from a
wrong passphrase.

Rollback: each record's associated data binds it to its kind, its case key and its version;
an authenticated index (sealed with the data key) lists every record's (kind, key, version,
timestamps) and is checked on every open. A row copied back from an older copy of the file,
a deleted row or a changed timestamp is a ``StoreError``. What this cannot see: the whole
file put back as it was (its index is as old as its rows); that needs a reference kept
outside the file.

Loose files: a store must be a regular file of the user's own, not open to the group or
others, and not reached through a symbolic link (checked with ``O_NOFOLLOW`` and
``fstat``). A store is created only when asked (``create=True``), never in a folder that
does not exist (unless ``make_parent``, used for the default location only).

Every write is one ``BEGIN IMMEDIATE`` transaction with a rollback journal that also updates
the index, so a process killed while saving leaves the store as it was, or with the new
case whole; ``busy_timeout`` lets two processes use the store at once. A wrong passphrase,
a damaged or foreign file: a ``StoreError`` (exit 2) with one clear line, nothing written,
no raw bytes shown.

Public API (used by ``riskcli cases``, ``assess --save-case``/``--resume`` and
``cases import``); keep it stable:

- ``CaseStore.open(path, passphrase, create=False)`` (a context manager; ``.created`` says
  whether this call made the store)
- cases: ``add_case``, ``update_case``, ``get_case``, ``cases``, ``scan``, ``keys``,
  ``resolve``, ``delete_case``, ``save_assessment``, ``save_assessments``,
  ``find_by_ref`` (a case by its ``case_id``)
- drafts: ``save_draft``, ``load_draft``, ``drafts``, ``scan_drafts``, ``delete_draft``
- ``change_passphrase``; ``check_new_passphrase``; ``store_info``, ``wipe_target``,
  ``wipe_store``; ``harden_process``; ``printable``, ``name_like``
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import itertools
import json
import os
import secrets
import sqlite3
import stat
import struct
import time
import unicodedata
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from riskcli.core.errors import InputError
from riskcli.core.profile import UNSHOWABLE

FORMAT = "riskcli-case-store"
SCHEMA = 2
NONCE = 12
TAG = 16
# A record's plaintext: compressed, then padded with zeros to the first bucket that holds it
# (at least the kind's minimum). Realistic answers fit 4 KiB, realistic reports (4-40 KB of
# JSON, 3-10 KB compressed) fit 32 KiB; larger buckets exist only so nothing is refused.
BUCKETS = (4096, 32768, 262144, 2097152, 16777216)
MIN_BUCKET = {"profile": 4096, "draft": 4096, "report": 32768, "index": 4096}
# Strong by default (about 128 MB and half a second per derivation); stored in the file, so
# a store keeps the cost it was created (or last re-keyed) with.
DEFAULT_KDF = {"n": 2**17, "r": 8, "p": 1}
# Caps on key parameters read from a file: above them the file is refused, never run.
MAX_KDF_N = 2**20
MAX_KDF_R = 16
MAX_KDF_P = 4
MAX_KDF_MEMORY = 2**28  # 128 * n * r bytes: 256 MiB
MIN_KDF_N = 2**14  # below this a real store was never written: damaged or altered
# Tests only: a store created while this is set uses a trivial cost. Never set it for real use.
WEAK_KDF_ENV = "RISKCLI_TEST_WEAK_KDF"
WEAK_KDF = {"n": 2**4, "r": 8, "p": 1}
# Tests only: the path of a file to create inside the write transaction of add_case, after
# which the process sleeps (RISKCLI_TEST_PAUSE_SECONDS, default 60), so a test can kill it
# in the middle of a save, or make another process wait for the lock.
PAUSE_ENV = "RISKCLI_TEST_PAUSE_IN_WRITE"
MIN_PASSPHRASE = 12
# The passwords people pick first (each at least 12 characters long, lower case): refused
# however long. Not a full list: a short phrase of several unrelated words is what we ask.
COMMON_PASSPHRASES = frozenset(
    {
        "123456789012",
        "1234567890123",
        "12345678901234",
        "123456789012345",
        "1234567890qwerty",
        "qwertyuiopasdfgh",
        "qwertyuiop123",
        "qwerty123456",
        "qwertyqwerty",
        "password1234",
        "password12345",
        "password123456",
        "passwordpassword",
        "iloveyou1234",
        "abcdefghijkl",
        "abc123abc123",
        "111111111111",
        "000000000000",
        "123123123123",
        "1q2w3e4r5t6y",
        "1qaz2wsx3edc",
        "zaq12wsxcde3",
        "letmein12345",
        "welcome12345",
        "administrator",
        "changeme1234",
        "qwerty1234567",
        "пароль123456",
        "парольпароль",
        "йцукенгшщзхъ",
        "ятебялюблю12",
    }
)
BUSY_TIMEOUT_S = 30.0
KEY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud, typed by hand
KEY_LENGTH = 8

SCHEMA_SQL = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE cases (
    key TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    profile BLOB NOT NULL
);
CREATE TABLE assessments (
    case_key TEXT PRIMARY KEY REFERENCES cases(key) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    assessed TEXT NOT NULL,
    report BLOB NOT NULL
);
CREATE TABLE drafts (
    key TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    data BLOB NOT NULL
);
"""
TABLES = {"meta", "cases", "assessments", "drafts"}
# What the index lists, per table: the key column and the columns after the version.
INDEXED = {
    "cases": ("key", ("created", "updated")),
    "assessments": ("case_key", ("assessed",)),
    "drafts": ("key", ("created", "updated")),
}
WHAT = {"cases": "case", "assessments": "assessment of case", "drafts": "draft"}
# Errors a damaged file can raise from sqlite3 or from decoding what it returns.
DAMAGE = (sqlite3.Error, ValueError, TypeError, KeyError, OverflowError, zlib.error)


class StoreError(InputError):
    """The store cannot be used as asked: wrong passphrase, damaged or foreign file, no case."""


def printable(text: str) -> str:
    """``text`` with anything unprintable (control and escape codes, bidi overrides) escaped,
    so a value from an older or altered store cannot drive the terminal."""
    return "".join(
        c.encode("unicode_escape").decode("ascii") if unicodedata.category(c) in UNSHOWABLE else c
        for c in text
    )


@dataclass(frozen=True)
class StoredCase:
    """One case, decrypted: its answers (a profile mapping without ``as_of``) and last report.

    ``version``: the version of its answers record; pass it to ``update_case`` (and, for
    several cases, ``save_assessments``) so a save never overwrites another process's
    newer edit.
    """

    key: str
    created: dt.datetime
    updated: dt.datetime
    answers: dict[str, Any]
    report: dict[str, Any] | None  # the last assessment, as Report.to_json_dict()
    assessed: dt.datetime | None
    version: int = 0

    @property
    def ref(self) -> str | None:
        """The volunteer's own reference (the profile's ``case_id``), safe to print."""
        value = self.answers.get("case_id")
        return printable(value) if isinstance(value, str) else None


@dataclass(frozen=True)
class Draft:
    """An interrupted interview's answers so far."""

    key: str
    created: dt.datetime
    updated: dt.datetime
    data: dict[str, Any]
    version: int = 0


def default_store_path() -> Path:
    """``RISKCLI_STORE``, else ``cases.db`` in the user's data directory (platformdirs)."""
    env = os.environ.get("RISKCLI_STORE")
    if env:
        return Path(env)
    from platformdirs import user_data_path

    return user_data_path("riskcli", appauthor=False) / "cases.db"


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def new_key() -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


# --- the process --------------------------------------------------------------------


def harden_process() -> None:
    """No core dump of a process that holds the key: RLIMIT_CORE 0 and, on Linux, not
    dumpable (which also keeps other processes of the same user from reading its memory)."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with contextlib.suppress(OSError, AttributeError):
        import ctypes
        import ctypes.util

        name = ctypes.util.find_library("c")
        if name:
            libc = ctypes.CDLL(name, use_errno=True)
            PR_SET_DUMPABLE = 4
            libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


# --- passphrases and keys ---------------------------------------------------------------


def _nfc(passphrase: str) -> str:
    # NFC: the same Russian passphrase typed on another system may arrive decomposed (й).
    return unicodedata.normalize("NFC", passphrase)


def check_new_passphrase(passphrase: str) -> None:
    """Refuse a passphrase too weak for a new store (or a new passphrase): StoreError."""
    text = _nfc(passphrase)
    if len(text) < MIN_PASSPHRASE:
        raise StoreError(
            f"the passphrase must have at least {MIN_PASSPHRASE} characters; "
            "a phrase of several unrelated words is best"
        )
    folded = text.casefold().replace(" ", "")
    if folded in COMMON_PASSPHRASES or len(set(folded)) <= 2 or _is_run(folded):
        raise StoreError(
            "this passphrase is one of the first that anyone guessing would try; "
            "choose a phrase of several unrelated words"
        )


def _is_run(text: str) -> bool:
    """Digits or letters counting up or down (123456789012, abcdefghijklm)."""
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(text)}
    return steps <= {1, -9} or steps <= {-1, 9} or steps == {1} or steps == {-1}


def _kdf_params() -> dict[str, int]:
    return dict(WEAK_KDF if os.environ.get(WEAK_KDF_ENV) == "1" else DEFAULT_KDF)


def kdf_params_ok(params: Any) -> bool:
    """Key parameters within the caps (and not trivially weak, outside tests)."""
    if not isinstance(params, dict) or set(params) != {"n", "r", "p"}:
        return False
    n, r, p = params["n"], params["r"], params["p"]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (n, r, p)):
        return False
    floor = 2 if os.environ.get(WEAK_KDF_ENV) == "1" else MIN_KDF_N
    return bool(
        floor <= n <= MAX_KDF_N
        and n & (n - 1) == 0
        and 1 <= r <= MAX_KDF_R
        and 1 <= p <= MAX_KDF_P
        and 128 * n * r <= MAX_KDF_MEMORY
    )


def derive_key(passphrase: str, salt: bytes, params: dict[str, int]) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=params["n"], r=params["r"], p=params["p"])
    return kdf.derive(_nfc(passphrase).encode("utf-8"))


def _wrap_aad(kdf_text: str, salt: bytes) -> bytes:
    return f"{FORMAT}/{SCHEMA}/wrap/{kdf_text}/{salt.hex()}".encode()


def _params_check(kdf_text: str, salt: bytes, wrapped: bytes) -> bytes:
    """A checksum (not a secret) over the key parameters: tells damage from a wrong passphrase."""
    h = hashlib.sha256(f"{FORMAT}/{SCHEMA}/params/".encode())
    for part in (kdf_text.encode(), salt, wrapped):
        h.update(struct.pack(">I", len(part)) + part)
    return h.digest()


def _wrap(passphrase: str, data_key: bytes) -> list[tuple[str, Any]]:
    """The meta rows that hold ``data_key`` wrapped by a fresh key from ``passphrase``."""
    params = _kdf_params()
    kdf_text = json.dumps({"name": "scrypt", **params}, sort_keys=True)
    salt = secrets.token_bytes(16)
    kek = AESGCM(derive_key(passphrase, salt, params))
    nonce = secrets.token_bytes(NONCE)
    wrapped = nonce + kek.encrypt(nonce, data_key, _wrap_aad(kdf_text, salt))
    return [
        ("kdf", kdf_text),
        ("salt", salt),
        ("wrapped", wrapped),
        ("params_check", _params_check(kdf_text, salt, wrapped)),
    ]


# --- records ----------------------------------------------------------------------------


def _aad(kind: str, key: str, version: int) -> bytes:
    return f"{FORMAT}/{SCHEMA}/{kind}/{key}/{version}".encode()


def bucket_size(kind: str, length: int) -> int:
    """The padded plaintext size of a record of ``kind`` whose framed content is ``length``."""
    for size in BUCKETS:
        if size >= MIN_BUCKET[kind] and size >= length:
            return size
    raise StoreError(f"a {kind} of {length} bytes is too large for the case store")


def _seal(aes: AESGCM, kind: str, key: str, version: int, data: Any) -> bytes:
    plain = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    packed = zlib.compress(plain, 9)
    framed = struct.pack(">I", len(packed)) + packed
    framed += bytes(bucket_size(kind, len(framed)) - len(framed))
    nonce = secrets.token_bytes(NONCE)
    return nonce + aes.encrypt(nonce, framed, _aad(kind, key, version))


def _unseal(aes: AESGCM, kind: str, key: str, version: int, blob: Any) -> Any:
    """The record's data; InvalidTag or ValueError if it does not open."""
    if not isinstance(blob, bytes) or len(blob) <= NONCE + TAG:
        raise ValueError("too short")
    framed = aes.decrypt(blob[:NONCE], blob[NONCE:], _aad(kind, key, version))
    (length,) = struct.unpack(">I", framed[:4])
    if length > len(framed) - 4:
        raise ValueError("bad length")
    return json.loads(zlib.decompress(framed[4 : 4 + length]).decode("utf-8"))


# --- the index: every record's (kind, key, version, timestamps), sealed -----------------

Index = dict[str, dict[str, list[Any]]]


def _empty_index() -> dict[str, Any]:
    return {"generation": 0, **{table: {} for table in INDEXED}}


def _rows(conn: sqlite3.Connection) -> Index:
    """What the tables hold, in the index's shape."""
    out: Index = {}
    for table, (key_col, cols) in INDEXED.items():
        sql = f"SELECT {key_col}, version, {', '.join(cols)} FROM {table}"
        out[table] = {str(row[0]): list(row[1:]) for row in conn.execute(sql)}
    return out


def _index_difference(index: dict[str, Any], rows: Index) -> str | None:
    """What differs between the sealed index and the tables, in words; None if nothing."""
    for table in INDEXED:
        listed: dict[str, list[Any]] = index.get(table, {})
        found = rows.get(table, {})
        what = WHAT[table]
        for key in sorted(set(listed) - set(found)):
            return f"{what} {printable(key)} was deleted outside riskcli"
        for key in sorted(set(found) - set(listed)):
            return f"{what} {printable(key)} was added or copied in outside riskcli"
        for key in sorted(found):
            want, have = listed[key], found[key]
            if have[0] != want[0]:
                return (
                    f"{what} {printable(key)} holds another version of its record than "
                    "the last one saved (an older copy put back?)"
                )
            if have[1:] != want[1:]:
                return f"the timestamps of {what} {printable(key)} were changed"
    return None


class CaseStore:
    """An open, unlocked store. Use ``CaseStore.open``; close it (or use ``with``)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, data_key: bytes, created: bool):
        self.path = path
        self.created = created
        self._conn = conn
        self._key = data_key
        self._aes = AESGCM(data_key)

    # --- opening -----------------------------------------------------------------

    @classmethod
    def open(
        cls, path: Path, passphrase: str, *, create: bool = False, make_parent: bool = False
    ) -> CaseStore:
        """Open the store at ``path`` and unlock it.

        ``create``: make the store (mode 0600) if there is none, or if the file is empty;
        the passphrase of a new store must pass ``check_new_passphrase``. Its folder must
        exist, unless ``make_parent`` (the default location only). ``.created`` tells.

        Raises StoreError: no store there (and not ``create``), a symlink, a file open to
        others, not a riskcli store, damaged, changed outside riskcli (the index check), or
        the wrong passphrase. Opening never writes to an existing store.
        """
        if not passphrase:
            raise StoreError("the passphrase is empty")
        harden_process()
        info = _check_file(path)
        if info is None and not create:
            raise StoreError(
                f"{path}: no case store here yet; create one with `riskcli cases init` "
                "(or choose the store with --store / RISKCLI_STORE)"
            )
        fresh = info is None or info.st_size == 0
        if create and fresh:
            check_new_passphrase(passphrase)
        if info is None:
            _create_file(path, make_parent=make_parent)
            info = _check_file(path)
            if info is None:
                raise StoreError(f"{path}: the new case store vanished as it was made")
        conn = _connect(path, info)
        created = False
        try:
            if _is_empty(conn, path):
                if not create:
                    raise StoreError(
                        f"{path}: an empty file, no case store yet; create one with "
                        "`riskcli cases init`"
                    )
                created = _initialise(conn, passphrase, path)
            store = cls(path, conn, _unlock(conn, path, passphrase), created)
            store._check_index()
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> CaseStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- low level ------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it is saved, or none of it."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.path}: the store is busy or read-only: {exc}") from None
        try:
            yield self._conn
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            raise StoreError(f"{self.path}: could not save ({exc}); nothing was changed") from None
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            raise
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            raise StoreError(f"{self.path}: could not save: {exc}") from None

    @contextlib.contextmanager
    def _change(self) -> Iterator[tuple[sqlite3.Connection, dict[str, Any], int]]:
        """A write transaction that also updates the sealed index: yields the connection,
        the index (to change in place) and the version of every record written now."""
        with self._write() as conn:
            index = self._read_index(conn)
            index["generation"] = int(index["generation"]) + 1
            yield conn, index, index["generation"]
            conn.execute(
                "UPDATE meta SET value = ? WHERE name = 'index'",
                (_seal(self._aes, "index", "-", 0, index),),
            )

    def _read_index(self, conn: sqlite3.Connection) -> dict[str, Any]:
        try:
            row = conn.execute("SELECT value FROM meta WHERE name = 'index'").fetchone()
            if row is None:
                raise ValueError("no index")
            index = _unseal(self._aes, "index", "-", 0, row[0])
            if not isinstance(index, dict) or not isinstance(index.get("generation"), int):
                raise ValueError("bad index")
            return index
        except (InvalidTag, *DAMAGE):
            raise StoreError(
                f"{self.path}: the store's index is damaged or was tampered with; "
                "nothing was changed. Restore the file from a backup you trust"
            ) from None

    def _check_index(self) -> None:
        """The tables hold exactly the records the sealed index lists (read in one snapshot)."""
        try:
            self._conn.execute("BEGIN")
            try:
                index = self._read_index(self._conn)
                rows = _rows(self._conn)
            finally:
                self._conn.execute("COMMIT")
        except DAMAGE as exc:
            raise _damaged(self.path, exc) from None
        problem = _index_difference(index, rows)
        if problem:
            raise StoreError(
                f"{self.path}: the store was changed outside riskcli: {problem}; nothing was "
                "changed. Restore the file from a backup you trust, or `riskcli cases wipe` it"
            )

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            return list(self._conn.execute(sql, args))
        except DAMAGE as exc:
            raise _damaged(self.path, exc) from None

    def _open(self, kind: str, key: str, version: Any, blob: Any) -> Any:
        try:
            return _unseal(self._aes, kind, key, int(version), blob)
        except (InvalidTag, *DAMAGE):
            raise StoreError(
                f"{self.path}: the {kind} of case {printable(key)} is damaged or was tampered with"
            ) from None

    # --- cases -----------------------------------------------------------------------

    def add_case(
        self,
        answers: dict[str, Any],
        report: dict[str, Any] | None = None,
        *,
        draft: str | None = None,
    ) -> str:
        """Save a new case (and its first assessment) in one transaction; return its key.

        ``answers``: the profile's answers (``Profile.answers()``; ``as_of`` is dropped);
        ``report``: ``Report.to_json_dict()``. ``draft``: the key of the interview draft the
        case was finished from; it is deleted in the same transaction, so there is never
        both a saved case and its draft, nor neither.
        """
        answers = _clean_answers(answers)
        now = _now()
        with self._change() as (conn, index, version):
            key = new_key()
            while conn.execute("SELECT 1 FROM cases WHERE key = ?", (key,)).fetchone():
                key = new_key()
            conn.execute(
                "INSERT INTO cases (key, version, created, updated, profile) "
                "VALUES (?, ?, ?, ?, ?)",
                (key, version, now, now, _seal(self._aes, "profile", key, version, answers)),
            )
            index["cases"][key] = [version, now, now]
            if report is not None:
                self._put_report(conn, index, key, report, now, version)
            if draft is not None:
                conn.execute("DELETE FROM drafts WHERE key = ?", (draft,))
                index["drafts"].pop(draft, None)
            _test_pause()
        return key

    def update_case(
        self,
        key: str,
        answers: dict[str, Any],
        report: dict[str, Any] | None = None,
        *,
        expected_version: int | None = None,
    ) -> None:
        """Replace a case's answers (and its assessment, if given) in one transaction.

        ``expected_version``: the ``StoredCase.version`` the new answers were made from; if
        another process saved the case since, nothing is written and StoreError says so.
        """
        answers = _clean_answers(answers)
        now = _now()
        with self._change() as (conn, index, version):
            row = conn.execute("SELECT version, created FROM cases WHERE key = ?", (key,))
            found = row.fetchone()
            if found is None:
                raise StoreError(f"no case {printable(key)} in {self.path}")
            if expected_version is not None and found[0] != expected_version:
                raise StoreError(
                    f"case {key} was changed by another riskcli while you worked on it; "
                    "nothing was saved: run the command again"
                )
            conn.execute(
                "UPDATE cases SET version = ?, updated = ?, profile = ? WHERE key = ?",
                (version, now, _seal(self._aes, "profile", key, version, answers), key),
            )
            index["cases"][key] = [version, found[1], now]
            if report is not None:
                self._put_report(conn, index, key, report, now, version)

    def save_assessment(self, key: str, report: dict[str, Any]) -> None:
        """Record a new assessment of a case (its report, with the rule pack version)."""
        with self._change() as (conn, index, version):
            if not conn.execute("SELECT 1 FROM cases WHERE key = ?", (key,)).fetchone():
                raise StoreError(f"no case {printable(key)} in {self.path}")
            self._put_report(conn, index, key, report, _now(), version)

    def save_assessments(
        self, reports: Mapping[str, dict[str, Any]], versions: Mapping[str, int] | None = None
    ) -> list[str]:
        """Record new assessments of several cases in one transaction; return the keys skipped.

        Skipped: cases deleted since, and (given ``versions``, each case's
        ``StoredCase.version`` the report was made from) cases whose answers another process
        changed since: their newer assessment is kept, never overwritten.
        """
        now = _now()
        skipped: list[str] = []
        with self._change() as (conn, index, version):
            for key, report in reports.items():
                row = conn.execute("SELECT version FROM cases WHERE key = ?", (key,)).fetchone()
                if row is None or (versions is not None and row[0] != versions.get(key)):
                    skipped.append(key)
                    continue
                self._put_report(conn, index, key, report, now, version)
        return skipped

    def _put_report(
        self,
        conn: sqlite3.Connection,
        index: dict[str, Any],
        key: str,
        report: dict[str, Any],
        now: str,
        version: int,
    ) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO assessments (case_key, version, assessed, report) "
            "VALUES (?, ?, ?, ?)",
            (key, version, now, _seal(self._aes, "report", key, version, report)),
        )
        index["assessments"][key] = [version, now]

    def keys(self) -> list[str]:
        """Every case's key, oldest first."""
        return [row[0] for row in self._query("SELECT key FROM cases ORDER BY rowid")]

    _SELECT = (
        "SELECT c.key, c.created, c.updated, c.profile, a.assessed, a.report, c.version, "
        "a.version FROM cases c LEFT JOIN assessments a ON a.case_key = c.key"
    )

    def get_case(self, key: str) -> StoredCase:
        """One case by its key (see ``resolve``); StoreError if absent or damaged."""
        rows = self._query(f"{self._SELECT} WHERE c.key = ?", (key,))
        if not rows:
            raise StoreError(f"no case {printable(key)} in {self.path}; see `riskcli cases list`")
        return self._case(rows[0])

    def cases(self) -> list[StoredCase]:
        """Every case, oldest first; StoreError if one is damaged (``scan`` skips those)."""
        return [self._case(row) for row in self._query(f"{self._SELECT} ORDER BY c.rowid")]

    def scan(self) -> tuple[list[StoredCase], list[str]]:
        """Every case that can be read, and the keys of those that cannot (damaged)."""
        good: list[StoredCase] = []
        bad: list[str] = []
        for row in self._query(f"{self._SELECT} ORDER BY c.rowid"):
            try:
                good.append(self._case(row))
            except StoreError:
                bad.append(printable(str(row[0])))
        return good, bad

    def find_by_ref(self, ref: str) -> list[StoredCase]:
        """The readable cases whose ``case_id`` is ``ref`` (for ``cases import``)."""
        return [c for c in self.scan()[0] if c.answers.get("case_id") == ref]

    def _case(self, row: tuple[Any, ...]) -> StoredCase:
        key, created, updated, profile, assessed, report, version, report_version = row
        try:
            answers = self._open("profile", key, version, profile)
            stored = None if report is None else self._open("report", key, report_version, report)
            if not isinstance(answers, dict) or not (stored is None or isinstance(stored, dict)):
                raise ValueError
            return StoredCase(
                key=key,
                created=_time(created),
                updated=_time(updated),
                answers=answers,
                report=stored,
                assessed=None if assessed is None else _time(assessed),
                version=int(version),
            )
        except DAMAGE:
            raise StoreError(f"{self.path}: case {printable(str(key))} is damaged") from None

    def resolve(self, ref: str) -> str:
        """A case key from its key, a unique start of its key, or the volunteer's case_id."""
        keys = self.keys()
        if ref in keys:
            return ref
        by_ref = [case.key for case in self.find_by_ref(ref)]
        if len(by_ref) == 1:
            return by_ref[0]
        if len(by_ref) > 1:
            raise StoreError(
                f"case_id {printable(ref)!r} is used by several cases ({', '.join(by_ref)}); "
                "name one by its key"
            )
        starts = [k for k in keys if len(ref) >= 3 and k.startswith(ref.lower())]
        if len(starts) == 1:
            return starts[0]
        if len(starts) > 1:
            raise StoreError(f"{printable(ref)!r} starts several case keys: {', '.join(starts)}")
        raise StoreError(f"no case {printable(ref)!r} in {self.path}; see `riskcli cases list`")

    def delete_case(self, key: str) -> None:
        """Delete a case and its assessment (secure_delete overwrites their pages)."""
        with self._change() as (conn, index, _version):
            conn.execute("DELETE FROM assessments WHERE case_key = ?", (key,))
            cur = conn.execute("DELETE FROM cases WHERE key = ?", (key,))
            if cur.rowcount != 1:
                raise StoreError(f"no case {printable(key)} in {self.path}")
            index["cases"].pop(key, None)
            index["assessments"].pop(key, None)

    # --- drafts (an interrupted interview) -------------------------------------------

    def save_draft(self, data: dict[str, Any], key: str | None = None) -> str:
        """Save (or, with ``key``, replace) an interview draft; return its key."""
        now = _now()
        with self._change() as (conn, index, version):
            if key is None:
                key = new_key()
                conn.execute(
                    "INSERT INTO drafts (key, version, created, updated, data) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (key, version, now, now, _seal(self._aes, "draft", key, version, data)),
                )
                index["drafts"][key] = [version, now, now]
            else:
                found = conn.execute("SELECT created FROM drafts WHERE key = ?", (key,))
                row = found.fetchone()
                if row is None:
                    raise StoreError(f"no draft {printable(key)} in {self.path}")
                conn.execute(
                    "UPDATE drafts SET version = ?, updated = ?, data = ? WHERE key = ?",
                    (version, now, _seal(self._aes, "draft", key, version, data), key),
                )
                index["drafts"][key] = [version, row[0], now]
        return key

    def scan_drafts(self) -> tuple[list[Draft], list[str]]:
        """Every draft that can be read (newest first), and the keys of damaged ones."""
        rows = self._query(
            "SELECT key, created, updated, data, version FROM drafts ORDER BY updated DESC"
        )
        good: list[Draft] = []
        bad: list[str] = []
        for key, created, updated, blob, version in rows:
            try:
                data = self._open("draft", key, version, blob)
                if not isinstance(data, dict):
                    raise ValueError
                good.append(Draft(key, _time(created), _time(updated), data, int(version)))
            except (StoreError, *DAMAGE):
                bad.append(printable(str(key)))
        return good, bad

    def drafts(self) -> list[Draft]:
        """Every draft, newest first; StoreError if one is damaged."""
        good, bad = self.scan_drafts()
        if bad:
            raise StoreError(
                f"{self.path}: draft {bad[0]} is damaged; `riskcli cases drafts --delete "
                f"{bad[0]}` removes it"
            )
        return good

    def load_draft(self, key: str) -> Draft:
        for draft in self.drafts():
            if draft.key == key:
                return draft
        raise StoreError(f"no draft {printable(key)} in {self.path}")

    def delete_draft(self, key: str) -> None:
        """Delete a draft (nothing happens if there is none by that key)."""
        with self._change() as (conn, index, _version):
            conn.execute("DELETE FROM drafts WHERE key = ?", (key,))
            index["drafts"].pop(key, None)

    # --- the passphrase ----------------------------------------------------------------

    def change_passphrase(self, new: str) -> None:
        """Wrap the data key with a key from ``new`` (fresh salt, today's cost); the records
        are not touched. ``new`` must pass ``check_new_passphrase``."""
        check_new_passphrase(new)
        rows = _wrap(new, self._key)
        with self._write() as conn:
            conn.executemany("UPDATE meta SET value = ? WHERE name = ?", [(v, n) for n, v in rows])


# --- helpers ------------------------------------------------------------------------


def name_like(case_id: str) -> bool:
    """Whether a case_id looks like a person's name: two capitalised words, Latin or
    Cyrillic (``Anna-Petrova-KG``, ``Иван Иванов``). A hint for a warning, not a rule."""
    import re

    words = re.split(r"[\s_.\-/]+", case_id.strip())
    capitalised = [
        w for w in words if len(w) >= 2 and w[0].isupper() and w[1:].islower() and w.isalpha()
    ]
    return len(capitalised) >= 2


def _clean_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """A case is assessed for the day one looks at it: its answers keep no ``as_of``."""
    return {k: v for k, v in answers.items() if k != "as_of" and v is not None}


def _test_pause() -> None:
    marker = os.environ.get(PAUSE_ENV)
    if marker:
        Path(marker).write_text("in transaction\n")
        time.sleep(float(os.environ.get("RISKCLI_TEST_PAUSE_SECONDS", "60")))


def _reason(exc: BaseException) -> str:
    """An exception's words, safe to print: one line, printable, no raw bytes."""
    if isinstance(exc, sqlite3.Error):
        text = str(exc)
    elif isinstance(exc, UnicodeDecodeError):
        text = "text that is not UTF-8"
    else:
        text = type(exc).__name__
    return printable(text.replace("\n", " "))[:120]


def _damaged(path: Path, exc: BaseException) -> StoreError:
    return StoreError(
        f"{path}: not a riskcli case store, or the file is damaged ({_reason(exc)}); "
        "nothing was changed. Restore it from a backup or choose another --store"
    )


def _check_file(path: Path) -> os.stat_result | None:
    """The store file's status (None: there is none), refusing a symlink, something not a
    regular file, a file of another user, or one the group or others may read or write."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except FileNotFoundError:
        if os.path.islink(path):
            raise StoreError(
                f"{path}: a symbolic link to nowhere; riskcli opens a case store only by "
                "its real path (no store was created)"
            ) from None
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StoreError(
                f"{path}: a symbolic link; riskcli opens a case store only by its real path "
                f"({os.path.realpath(path)})"
            ) from None
        raise StoreError(f"{path}: cannot open: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        head = os.read(fd, len(SQLITE_MAGIC)) if stat.S_ISREG(info.st_mode) else b""
    finally:
        os.close(fd)
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"{path}: not a file; --store must name the case store file")
    if head and head != SQLITE_MAGIC:
        raise StoreError(
            f"{path}: not a riskcli case store (not an SQLite file, or its header is "
            "damaged); nothing was changed"
        )
    if info.st_uid != os.geteuid():
        raise StoreError(f"{path}: belongs to another user; riskcli opens only your own store")
    if info.st_mode & 0o077:
        raise StoreError(
            f"{path}: open to other users (mode {stat.S_IMODE(info.st_mode):04o}); a case "
            f"store must be yours alone: `chmod 600 {path}` if that is right, then run again"
        )
    return info


def _create_file(path: Path, *, make_parent: bool) -> None:
    parent = path.parent
    if not parent.is_dir():
        if not make_parent:
            raise StoreError(
                f"{parent}: no such folder (an encrypted volume not mounted?); riskcli does "
                "not create it: create it yourself or choose another --store"
            )
        try:
            parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise StoreError(f"{parent}: cannot create the folder: {exc.strerror}") from None
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        if os.path.islink(path):
            raise StoreError(
                f"{path}: a symbolic link; riskcli creates a case store only at a real path"
            ) from None
        return  # another process created it just now: use theirs
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the case store: {exc.strerror}") from None
    os.fchmod(fd, 0o600)  # whatever the umask
    os.close(fd)


SQLITE_MAGIC = b"SQLite format 3\x00"


def check_header(path: Path, head: bytes, size: int) -> None:
    """The SQLite header as riskcli writes it; StoreError (one line) if it is not."""
    if not head:
        return
    if head[:16] != SQLITE_MAGIC:
        raise StoreError(
            f"{path}: not a riskcli case store (not an SQLite file, or its header is "
            "damaged); nothing was changed"
        )
    if len(head) < 100:
        raise StoreError(f"{path}: the case store is damaged (truncated); nothing was changed")
    page = struct.unpack(">H", head[16:18])[0]
    page = 65536 if page == 1 else page
    ok = (
        512 <= page <= 65536
        and page & (page - 1) == 0
        and head[18] in (1, 2)
        and head[19] in (1, 2)
        and head[20] == 0
        and head[21:24] == b"\x40\x20\x20"
        and struct.unpack(">I", head[56:60])[0] in (0, 1)  # UTF-8 (0: not yet set)
        and struct.unpack(">I", head[44:48])[0] in (0, 1, 2, 3, 4)
    )
    if not ok:
        raise StoreError(
            f"{path}: the case store's header is damaged; nothing was changed. Restore it "
            "from a backup, or `riskcli cases wipe` it"
        )
    pages = struct.unpack(">I", head[28:32])[0]
    valid_for = struct.unpack(">I", head[92:96])[0]
    counter = struct.unpack(">I", head[24:28])[0]
    if size % page or (pages and valid_for == counter and pages * page > size):
        raise StoreError(
            f"{path}: the case store is damaged (truncated: {size} bytes); nothing was "
            "changed. Restore it from a backup, or `riskcli cases wipe` it"
        )


def _connect(path: Path, info: os.stat_result) -> sqlite3.Connection:
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
            # the size as the header was read: another process may have just written the
            # store it created (info was taken before, when it was still empty)
            size = os.fstat(fh.fileno()).st_size
    except OSError as exc:
        raise StoreError(f"{path}: cannot read: {exc.strerror}") from None
    check_header(path, head, size)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except DAMAGE as exc:
        raise _damaged(path, exc) from None
    try:
        now = os.lstat(path)
        if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
            raise StoreError(f"{path}: the file was replaced while riskcli opened it")
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
    except DAMAGE as exc:
        conn.close()
        raise _damaged(path, exc) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _is_empty(conn: sqlite3.Connection, path: Path) -> bool:
    try:
        return bool(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0)
    except DAMAGE as exc:
        raise _damaged(path, exc) from None


def _initialise(conn: sqlite3.Connection, passphrase: str, path: Path) -> bool:
    """Create the tables and the key, once, in one transaction; False if another process
    just did."""
    try:
        return _create_schema(conn, passphrase)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot create the case store ({_reason(exc)})") from None


def _create_schema(conn: sqlite3.Connection, passphrase: str) -> bool:
    conn.execute("BEGIN IMMEDIATE")
    try:
        made = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
        if made:
            data_key = AESGCM.generate_key(bit_length=256)
            for statement in SCHEMA_SQL.split(";"):
                if statement.strip():
                    conn.execute(statement)
            index = _seal(AESGCM(data_key), "index", "-", 0, _empty_index())
            rows: list[tuple[str, Any]] = [("format", FORMAT), ("schema", str(SCHEMA))]
            rows += _wrap(passphrase, data_key)
            rows.append(("index", index))
            conn.executemany("INSERT INTO meta (name, value) VALUES (?, ?)", rows)
        conn.execute("COMMIT")
        return bool(made)
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise


def _read_meta(conn: sqlite3.Connection, path: Path) -> dict[str, Any]:
    try:
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("integrity check failed")
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" not in names:
            raise StoreError(
                f"{path}: an SQLite file, but not a riskcli case store; nothing was changed"
            )
        meta = {str(n): v for n, v in conn.execute("SELECT name, value FROM meta")}
    except DAMAGE as exc:
        raise _damaged(path, exc) from None
    if meta.get("format") != FORMAT:
        raise StoreError(
            f"{path}: an SQLite file, but not a riskcli case store; nothing was changed"
        )
    if meta.get("schema") == "1":
        raise StoreError(
            f"{path}: a case store of riskcli's first format, which this version no longer "
            "opens; with the riskcli that made it, `riskcli cases export ID -o FILE` each "
            "case, then `riskcli cases init` a new store and `riskcli cases add -a FILE` "
            "them (README: case files)"
        )
    if meta.get("schema") != str(SCHEMA) or not names >= TABLES:
        raise StoreError(
            f"{path}: a case store of another version ({printable(str(meta.get('schema')))}); "
            "use the riskcli that made it"
        )
    return meta


def store_info(path: Path) -> int:
    """Check that ``path`` is a riskcli store (no passphrase needed); return its case count."""
    info = _check_file(path)
    if info is None:
        raise StoreError(f"{path}: no case store here")
    conn = _connect(path, info)
    try:
        _read_meta(conn, path)
        return int(conn.execute("SELECT count(*) FROM cases").fetchone()[0])
    except DAMAGE as exc:
        raise _damaged(path, exc) from None
    finally:
        conn.close()


def _key_parameters_damaged(path: Path) -> StoreError:
    return StoreError(
        f"{path}: the store's key parameters are damaged, so the passphrase cannot be "
        "checked; nothing was changed. Restore the file from a backup"
    )


def _unlock(conn: sqlite3.Connection, path: Path, passphrase: str) -> bytes:
    """The data key, unwrapped with the key derived from ``passphrase``."""
    meta = _read_meta(conn, path)
    try:
        kdf_text, salt, wrapped = meta["kdf"], meta["salt"], meta["wrapped"]
        check = meta["params_check"]
        if not (isinstance(kdf_text, str) and isinstance(salt, bytes)):
            raise ValueError
        if not (isinstance(wrapped, bytes) and isinstance(check, bytes)):
            raise ValueError
        if not secrets.compare_digest(check, _params_check(kdf_text, salt, wrapped)):
            raise ValueError
        kdf = json.loads(kdf_text)
        if not isinstance(kdf, dict) or kdf.pop("name", None) != "scrypt" or len(salt) < 16:
            raise ValueError
    except (KeyError, ValueError, TypeError, AttributeError):
        raise _key_parameters_damaged(path) from None
    if not kdf_params_ok(kdf):
        raise StoreError(
            f"{path}: the store's key parameters are outside what riskcli accepts "
            f"(scrypt n ≤ 2^{MAX_KDF_N.bit_length() - 1}, r ≤ {MAX_KDF_R}, p ≤ {MAX_KDF_P}, "
            f"at most {MAX_KDF_MEMORY >> 20} MiB): damaged or altered; nothing was changed"
        )
    kek = AESGCM(derive_key(passphrase, salt, kdf))
    try:
        data_key = kek.decrypt(wrapped[:NONCE], wrapped[NONCE:], _wrap_aad(kdf_text, salt))
    except (InvalidTag, ValueError):
        raise StoreError(
            f"{path}: wrong passphrase (неверная парольная фраза); nothing was changed"
        ) from None
    if len(data_key) != 32:
        raise _key_parameters_damaged(path)
    return data_key


# --- wiping -------------------------------------------------------------------------


@dataclass(frozen=True)
class WipeTarget:
    """What ``cases wipe`` would destroy: the file (a symlink's target), the link itself,
    the number of cases (None: the file is damaged), and the journal files beside it."""

    path: Path
    link: Path | None
    cases: int | None


def wipe_target(path: Path) -> WipeTarget:
    """What wiping ``path`` means, without the passphrase; StoreError if it is not and never
    was a riskcli store (a foreign file is never wiped). A damaged store (truncated, header
    replaced) is still one: its format marker is found in its bytes."""
    link: Path | None = None
    real = path
    if os.path.islink(path):
        link = path
        real = Path(os.path.realpath(path))
    try:
        info = os.stat(real)
    except FileNotFoundError:
        raise StoreError(f"{path}: no case store here; nothing to wipe") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"{path}: not a file; --store must name the case store file")
    try:
        return WipeTarget(real, link, _count_cases(real))
    except StoreError:
        if not _has_marker(real):
            raise StoreError(
                f"{path}: not a riskcli case store (and no sign it ever was one); nothing was wiped"
            ) from None
        return WipeTarget(real, link, None)


def _count_cases(path: Path) -> int:
    with path.open("rb") as fh:
        head = fh.read(100)
    if not head:
        raise StoreError(f"{path}: an empty file, not a riskcli case store")
    check_header(path, head, path.stat().st_size)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    except DAMAGE as exc:
        raise _damaged(path, exc) from None
    try:
        meta = {str(n): v for n, v in conn.execute("SELECT name, value FROM meta")}
        if meta.get("format") != FORMAT:
            raise StoreError(f"{path}: not a riskcli case store")
        return int(conn.execute("SELECT count(*) FROM cases").fetchone()[0])
    except DAMAGE as exc:
        if isinstance(exc, sqlite3.OperationalError) and "no such table" in str(exc):
            raise StoreError(f"{path}: not a riskcli case store") from None
        raise _damaged(path, exc) from None
    finally:
        conn.close()


def _has_marker(path: Path) -> bool:
    """Whether the file holds riskcli's format marker anywhere (it is in the meta table)."""
    marker = FORMAT.encode()
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            if marker in tail + chunk:
                return True
            tail = chunk[-len(marker) :]
    return False


def _overwrite(victim: Path) -> bool:
    try:
        size = victim.stat().st_size
    except FileNotFoundError:
        return False
    with open(victim, "r+b") as fh:
        left = size
        while left > 0:
            n = min(1 << 16, left)
            fh.write(secrets.token_bytes(n))
            left -= n
        fh.flush()
        os.fsync(fh.fileno())
    victim.unlink()
    return True


def wipe_store(target: WipeTarget | Path) -> None:
    """Overwrite with random bytes and remove the store and its journals (and the link it
    was reached through). Find the target with ``wipe_target`` first."""
    if isinstance(target, Path):
        target = wipe_target(target)
    path = target.path
    for victim in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
        _overwrite(victim)
    if target.link is not None:
        with contextlib.suppress(FileNotFoundError):
            target.link.unlink()
