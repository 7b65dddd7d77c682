"""The encrypted case store: one SQLite file, every answer and report sealed with AES-256-GCM.

What is on the disk, in the clear: a random key per case and per draft, timestamps, and the
store's own parameters (format name, scrypt salt and cost, a key-check value). Nothing a person
answered, not even the destination, and no report: those are JSON, padded to a multiple of
``PAD`` bytes, encrypted with AES-256-GCM under a key derived from the passphrase with scrypt.
Each record's associated data binds it to its case key and kind (``profile``, ``report``,
``draft``): a record moved to another row or column does not decrypt.

Every write is one ``BEGIN IMMEDIATE`` transaction with a rollback journal, so a process killed
while saving leaves the store as it was, or with the new case whole; ``busy_timeout`` lets two
processes use the store at once. A wrong passphrase, a damaged or foreign file: a ``StoreError``
(exit 2) with one clear line, and nothing written.

This module is the API the CLI (``riskcli cases``) and the interview (``assess --save-case``,
``assess --resume``) use: ``CaseStore.open(path, passphrase)``, ``add_case``, ``update_case``,
``save_assessment``, ``get_case``, ``cases``, ``delete_case``, ``save_draft``, ``load_draft``,
``drafts``, ``delete_draft``; ``wipe_store(path)``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
import sqlite3
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from riskcli.core.errors import InputError

FORMAT = "riskcli-case-store"
SCHEMA = 1
PAD = 512  # plaintexts are padded to a multiple of this, so sizes say little about the answers
NONCE = 12
KEY_CHECK = b"riskcli case store key check v1"
# Strong by default (about 32 MB and 0.1 s per derivation); stored in the file, so a store
# keeps the cost it was created with.
DEFAULT_KDF = {"n": 2**15, "r": 8, "p": 1}
# Tests only: a store created while this is set uses a trivial cost. Never set it for real use.
WEAK_KDF_ENV = "RISKCLI_TEST_WEAK_KDF"
WEAK_KDF = {"n": 2**4, "r": 8, "p": 1}
# Tests only: the path of a file to create inside the write transaction of add_case, after
# which the process sleeps (RISKCLI_TEST_PAUSE_SECONDS, default 60), so a test can kill it
# in the middle of a save, or make another process wait for the lock.
PAUSE_ENV = "RISKCLI_TEST_PAUSE_IN_WRITE"
MIN_PASSPHRASE = 8
BUSY_TIMEOUT_S = 30.0
KEY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud, typed by hand
KEY_LENGTH = 8

SCHEMA_SQL = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE cases (
    key TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    profile BLOB NOT NULL
);
CREATE TABLE assessments (
    case_key TEXT PRIMARY KEY REFERENCES cases(key) ON DELETE CASCADE,
    assessed TEXT NOT NULL,
    report BLOB NOT NULL
);
CREATE TABLE drafts (
    key TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    data BLOB NOT NULL
);
"""
TABLES = {"meta", "cases", "assessments", "drafts"}


class StoreError(InputError):
    """The store cannot be used as asked: wrong passphrase, damaged or foreign file, no case."""


@dataclass(frozen=True)
class StoredCase:
    """One case, decrypted: its answers (a profile mapping without ``as_of``) and last report."""

    key: str
    created: dt.datetime
    updated: dt.datetime
    answers: dict[str, Any]
    report: dict[str, Any] | None  # the last assessment, as Report.to_json_dict()
    assessed: dt.datetime | None

    @property
    def ref(self) -> str | None:
        """The volunteer's own reference for the case (the profile's ``case_id``)."""
        value = self.answers.get("case_id")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Draft:
    key: str
    created: dt.datetime
    updated: dt.datetime
    data: dict[str, Any]


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


def _kdf_params() -> dict[str, int]:
    return dict(WEAK_KDF if os.environ.get(WEAK_KDF_ENV) == "1" else DEFAULT_KDF)


def derive_key(passphrase: str, salt: bytes, params: dict[str, int]) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=params["n"], r=params["r"], p=params["p"])
    # NFC: the same Russian passphrase typed on another system may arrive decomposed (й).
    return kdf.derive(unicodedata.normalize("NFC", passphrase).encode("utf-8"))


def _aad(kind: str, key: str) -> bytes:
    return f"{FORMAT}/{SCHEMA}/{kind}/{key}".encode()


def _seal(aes: AESGCM, kind: str, key: str, data: Any) -> bytes:
    plain = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    plain += b" " * (-len(plain) % PAD)
    nonce = secrets.token_bytes(NONCE)
    return nonce + aes.encrypt(nonce, plain, _aad(kind, key))


def _valid_kdf(params: Any) -> bool:
    if not isinstance(params, dict) or set(params) != {"n", "r", "p"}:
        return False
    n, r, p = params["n"], params["r"], params["p"]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (n, r, p)):
        return False
    return bool(2 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16)


class CaseStore:
    """An open, unlocked store. Use ``CaseStore.open``; close it (or use ``with``)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, aes: AESGCM):
        self.path = path
        self._conn = conn
        self._aes = aes

    # --- opening -----------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, passphrase: str, *, create: bool = False) -> CaseStore:
        """Open the store at ``path`` (creating it, mode 0600, if ``create``) and unlock it.

        Raises StoreError: no store there (and not ``create``), not a riskcli store, damaged,
        or the wrong passphrase. Opening never writes to an existing store.
        """
        if not passphrase:
            raise StoreError("the passphrase is empty")
        exists = path.exists()
        if exists and not path.is_file():
            raise StoreError(f"{path}: not a file; --store must name the case store file")
        if not exists and not create:
            raise StoreError(
                f"{path}: no case store here yet; add a case with `riskcli cases add` "
                "(or choose the store with --store / RISKCLI_STORE)"
            )
        fresh = not exists or path.stat().st_size == 0
        if create and fresh and len(passphrase) < MIN_PASSPHRASE:
            raise StoreError(
                f"the passphrase for a new store must have at least {MIN_PASSPHRASE} "
                "characters; a long phrase of several words is best"
            )
        if not exists:
            _create_file(path)
        conn = _connect(path)
        try:
            _check_header(path)
            if _is_empty(conn, path):
                if not create:
                    raise StoreError(
                        f"{path}: an empty file, no case store yet; add a case with "
                        "`riskcli cases add`"
                    )
                _initialise(conn, passphrase, path)
            aes = _unlock(conn, path, passphrase)
        except BaseException:
            conn.close()
            raise
        return cls(path, conn, aes)

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

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            return list(self._conn.execute(sql, args))
        except sqlite3.DatabaseError as exc:
            raise _damaged(self.path, exc) from None

    def _open(self, kind: str, key: str, blob: Any) -> Any:
        if not isinstance(blob, bytes) or len(blob) <= NONCE:
            raise StoreError(f"{self.path}: the {kind} of case {key} is damaged")
        try:
            plain = self._aes.decrypt(blob[:NONCE], blob[NONCE:], _aad(kind, key))
            return json.loads(plain.decode("utf-8"))
        except (InvalidTag, ValueError):
            raise StoreError(
                f"{self.path}: the {kind} of case {key} is damaged or was tampered with"
            ) from None

    # --- cases -----------------------------------------------------------------------

    def add_case(
        self,
        answers: dict[str, Any],
        report: dict[str, Any] | None = None,
        *,
        draft: str | None = None,
    ) -> str:
        """Save a new case (and its first assessment); return its random key.

        ``draft``: the key of the interview draft the case was finished from; it is deleted in
        the same transaction, so there is never both a saved case and its draft, nor neither.
        """
        answers = _clean_answers(answers)
        now = _now()
        with self._write() as conn:
            key = new_key()
            while conn.execute("SELECT 1 FROM cases WHERE key = ?", (key,)).fetchone():
                key = new_key()
            conn.execute(
                "INSERT INTO cases (key, created, updated, profile) VALUES (?, ?, ?, ?)",
                (key, now, now, _seal(self._aes, "profile", key, answers)),
            )
            if report is not None:
                self._put_report(conn, key, report, now)
            if draft is not None:
                conn.execute("DELETE FROM drafts WHERE key = ?", (draft,))
            _test_pause()
        return key

    def update_case(
        self, key: str, answers: dict[str, Any], report: dict[str, Any] | None = None
    ) -> None:
        """Replace a case's answers (and its assessment, if given)."""
        answers = _clean_answers(answers)
        now = _now()
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE cases SET updated = ?, profile = ? WHERE key = ?",
                (now, _seal(self._aes, "profile", key, answers), key),
            )
            if cur.rowcount != 1:
                raise StoreError(f"no case {key} in {self.path}")
            if report is not None:
                self._put_report(conn, key, report, now)

    def save_assessment(self, key: str, report: dict[str, Any]) -> None:
        """Record a new assessment of a case (its report, with the rule pack version)."""
        with self._write() as conn:
            if not conn.execute("SELECT 1 FROM cases WHERE key = ?", (key,)).fetchone():
                raise StoreError(f"no case {key} in {self.path}")
            self._put_report(conn, key, report, _now())

    def save_assessments(self, reports: dict[str, dict[str, Any]]) -> None:
        """Record new assessments of several cases in one transaction (cases since deleted
        by another process are skipped)."""
        now = _now()
        with self._write() as conn:
            for key, report in reports.items():
                if conn.execute("SELECT 1 FROM cases WHERE key = ?", (key,)).fetchone():
                    self._put_report(conn, key, report, now)

    def _put_report(
        self, conn: sqlite3.Connection, key: str, report: dict[str, Any], now: str
    ) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO assessments (case_key, assessed, report) VALUES (?, ?, ?)",
            (key, now, _seal(self._aes, "report", key, report)),
        )

    def keys(self) -> list[str]:
        return [row[0] for row in self._query("SELECT key FROM cases ORDER BY rowid")]

    def get_case(self, key: str) -> StoredCase:
        rows = self._query(
            "SELECT c.key, c.created, c.updated, c.profile, a.assessed, a.report "
            "FROM cases c LEFT JOIN assessments a ON a.case_key = c.key WHERE c.key = ?",
            (key,),
        )
        if not rows:
            raise StoreError(f"no case {key} in {self.path}; see `riskcli cases list`")
        return self._case(rows[0])

    def cases(self) -> list[StoredCase]:
        rows = self._query(
            "SELECT c.key, c.created, c.updated, c.profile, a.assessed, a.report "
            "FROM cases c LEFT JOIN assessments a ON a.case_key = c.key "
            "ORDER BY c.rowid"
        )
        return [self._case(row) for row in rows]

    def scan(self) -> tuple[list[StoredCase], list[str]]:
        """Every case that can be read, and the keys of those that cannot (damaged)."""
        rows = self._query(
            "SELECT c.key, c.created, c.updated, c.profile, a.assessed, a.report "
            "FROM cases c LEFT JOIN assessments a ON a.case_key = c.key "
            "ORDER BY c.rowid"
        )
        good: list[StoredCase] = []
        bad: list[str] = []
        for row in rows:
            try:
                good.append(self._case(row))
            except StoreError:
                bad.append(row[0])
        return good, bad

    def _case(self, row: tuple[Any, ...]) -> StoredCase:
        key, created, updated, profile, assessed, report = row
        try:
            answers = self._open("profile", key, profile)
            stored = None if report is None else self._open("report", key, report)
            if not isinstance(answers, dict) or not (stored is None or isinstance(stored, dict)):
                raise ValueError
            return StoredCase(
                key=key,
                created=_time(created),
                updated=_time(updated),
                answers=answers,
                report=stored,
                assessed=None if assessed is None else _time(assessed),
            )
        except (ValueError, TypeError):
            raise StoreError(f"{self.path}: case {key} is damaged") from None

    def resolve(self, ref: str) -> str:
        """A case key from its key, a unique start of its key, or the volunteer's case_id."""
        keys = self.keys()
        if ref in keys:
            return ref
        by_ref = [case.key for case in self.scan()[0] if case.ref == ref]
        if len(by_ref) == 1:
            return by_ref[0]
        if len(by_ref) > 1:
            raise StoreError(
                f"case_id {ref!r} is used by several cases ({', '.join(by_ref)}); "
                "name one by its key"
            )
        starts = [k for k in keys if len(ref) >= 3 and k.startswith(ref.lower())]
        if len(starts) == 1:
            return starts[0]
        if len(starts) > 1:
            raise StoreError(f"{ref!r} starts several case keys: {', '.join(starts)}")
        raise StoreError(f"no case {ref!r} in {self.path}; see `riskcli cases list`")

    def delete_case(self, key: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM assessments WHERE case_key = ?", (key,))
            cur = conn.execute("DELETE FROM cases WHERE key = ?", (key,))
            if cur.rowcount != 1:
                raise StoreError(f"no case {key} in {self.path}")

    # --- drafts (an interrupted interview) -------------------------------------------

    def save_draft(self, data: dict[str, Any], key: str | None = None) -> str:
        """Save (or, with ``key``, replace) an interview draft; return its key."""
        now = _now()
        with self._write() as conn:
            if key is None:
                key = new_key()
                conn.execute(
                    "INSERT INTO drafts (key, created, updated, data) VALUES (?, ?, ?, ?)",
                    (key, now, now, _seal(self._aes, "draft", key, data)),
                )
            else:
                cur = conn.execute(
                    "UPDATE drafts SET updated = ?, data = ? WHERE key = ?",
                    (now, _seal(self._aes, "draft", key, data), key),
                )
                if cur.rowcount != 1:
                    raise StoreError(f"no draft {key} in {self.path}")
        return key

    def drafts(self) -> list[Draft]:
        rows = self._query("SELECT key, created, updated, data FROM drafts ORDER BY updated DESC")
        out = []
        for key, created, updated, blob in rows:
            data = self._open("draft", key, blob)
            if not isinstance(data, dict):
                raise StoreError(f"{self.path}: draft {key} is damaged")
            out.append(Draft(key, _time(created), _time(updated), data))
        return out

    def load_draft(self, key: str) -> Draft:
        for draft in self.drafts():
            if draft.key == key:
                return draft
        raise StoreError(f"no draft {key} in {self.path}")

    def delete_draft(self, key: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM drafts WHERE key = ?", (key,))


# --- helpers ------------------------------------------------------------------------


def _clean_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """A case is assessed for the day one looks at it: its answers keep no ``as_of``."""
    return {k: v for k, v in answers.items() if k != "as_of" and v is not None}


def _test_pause() -> None:
    marker = os.environ.get(PAUSE_ENV)
    if marker:
        Path(marker).write_text("in transaction\n")
        time.sleep(float(os.environ.get("RISKCLI_TEST_PAUSE_SECONDS", "60")))


def _damaged(path: Path, exc: Exception) -> StoreError:
    return StoreError(
        f"{path}: not a riskcli case store, or the file is damaged ({exc}); "
        "nothing was changed. Restore it from a backup or choose another --store"
    )


def _create_file(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return  # another process created it just now: use theirs
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the case store: {exc.strerror}") from None
    os.fchmod(fd, 0o600)  # whatever the umask
    os.close(fd)


SQLITE_MAGIC = b"SQLite format 3\x00"


def _check_header(path: Path) -> None:
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"{path}: cannot read: {exc.strerror}") from None
    if head and head != SQLITE_MAGIC:
        raise StoreError(
            f"{path}: not a riskcli case store (not an SQLite file); nothing was changed"
        )


def _connect(path: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise _damaged(path, exc) from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _damaged(path, exc) from None
    return conn


def _is_empty(conn: sqlite3.Connection, path: Path) -> bool:
    try:
        return bool(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0)
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, exc) from None


def _initialise(conn: sqlite3.Connection, passphrase: str, path: Path) -> None:
    """Create the tables and the key parameters, once, in one transaction."""
    try:
        _create_schema(conn, passphrase)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot create the case store ({exc})") from None


def _create_schema(conn: sqlite3.Connection, passphrase: str) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
            params = _kdf_params()
            salt = secrets.token_bytes(16)
            aes = AESGCM(derive_key(passphrase, salt, params))
            nonce = secrets.token_bytes(NONCE)
            check = nonce + aes.encrypt(nonce, KEY_CHECK, _aad("check", "-"))
            for statement in SCHEMA_SQL.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.executemany(
                "INSERT INTO meta (name, value) VALUES (?, ?)",
                [
                    ("format", FORMAT),
                    ("schema", str(SCHEMA)),
                    ("kdf", json.dumps({"name": "scrypt", **params})),
                    ("salt", salt),
                    ("check", check),
                ],
            )
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise


def _read_meta(conn: sqlite3.Connection, path: Path) -> dict[str, Any]:
    try:
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("integrity check failed")
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not names >= TABLES:
            raise StoreError(
                f"{path}: an SQLite file, but not a riskcli case store; nothing was changed"
            )
        meta = dict(conn.execute("SELECT name, value FROM meta"))
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, exc) from None
    if meta.get("format") != FORMAT:
        raise StoreError(
            f"{path}: an SQLite file, but not a riskcli case store; nothing was changed"
        )
    if meta.get("schema") != str(SCHEMA):
        raise StoreError(
            f"{path}: a case store of another version ({meta.get('schema')}); "
            "use the riskcli that made it"
        )
    return meta


def store_info(path: Path) -> int:
    """Check that ``path`` is a riskcli store (no passphrase needed); return its case count."""
    if not path.is_file():
        raise StoreError(f"{path}: no case store here")
    _check_header(path)
    conn = _connect(path)
    try:
        _read_meta(conn, path)
        return int(conn.execute("SELECT count(*) FROM cases").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, exc) from None
    finally:
        conn.close()


def _unlock(conn: sqlite3.Connection, path: Path, passphrase: str) -> AESGCM:
    meta = _read_meta(conn, path)
    try:
        kdf = json.loads(meta["kdf"])
        name = kdf.pop("name")
        salt, check = meta["salt"], meta["check"]
        if name != "scrypt" or not _valid_kdf(kdf) or not isinstance(salt, bytes):
            raise ValueError
        if not isinstance(check, bytes) or len(check) <= NONCE:
            raise ValueError
    except (KeyError, ValueError, TypeError, AttributeError):
        raise StoreError(
            f"{path}: the store's key parameters are damaged; nothing was changed"
        ) from None
    aes = AESGCM(derive_key(passphrase, salt, kdf))
    try:
        plain = aes.decrypt(check[:NONCE], check[NONCE:], _aad("check", "-"))
    except InvalidTag:
        raise StoreError(
            f"{path}: wrong passphrase (неверная парольная фраза); nothing was changed"
        ) from None
    if plain != KEY_CHECK:
        raise StoreError(f"{path}: the store's key check is damaged; nothing was changed")
    return aes


def wipe_store(path: Path) -> None:
    """Overwrite and remove the store and its journal. Check ``store_info`` first."""
    for victim in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            size = victim.stat().st_size
        except FileNotFoundError:
            continue
        with open(victim, "r+b") as fh:
            chunk = 1 << 16
            left = size
            while left > 0:
                n = min(chunk, left)
                fh.write(secrets.token_bytes(n))
                left -= n
            fh.flush()
            os.fsync(fh.fileno())
        victim.unlink()
