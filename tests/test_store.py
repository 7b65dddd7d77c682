"""The encrypted case store: nothing leaked, nothing lost (issue 6, point 6 and 7)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from riskcli.io.store import (
    DEFAULT_KDF,
    PAUSE_ENV,
    WEAK_KDF_ENV,
    CaseStore,
    StoreError,
    store_info,
    wipe_store,
)

PASS = "correct horse battery staple"
ROOT = Path(__file__).resolve().parent.parent

# Answers with values that cannot turn up by chance in random bytes.
SECRET_CASE_ID = "ZX-case-4471"
SECRET_ARTICLE = "207.3"
ANSWERS: dict[str, Any] = {
    "case_id": SECRET_CASE_ID,
    "destination": "KZ",
    "citizenship": "RU",
    "documents": ["domestic_passport"],
    "entry_date": "2022-09-25",
    "charges": [SECRET_ARTICLE, "280.3"],
    "criminal_case": "pending",
    "wanted": "interstate",
}


@pytest.fixture(autouse=True)
def weak_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WEAK_KDF_ENV, "1")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def store_files(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir() if p.name.startswith(path.name))


def forbidden_bytes() -> list[bytes]:
    """Byte strings that would show an answer (or a report about it) in the clear."""
    out = [
        SECRET_CASE_ID.encode(),
        SECRET_ARTICLE.encode(),
        b"280.3",
        b'"KZ"',
        b"'KZ'",
        b"destination",
        b"Kazakhstan",
        b"interstate",
        b"domestic_passport",
        b"2022-09-25",
    ]
    out += [s.encode("utf-16-le") for s in (SECRET_CASE_ID, "Kazakhstan", "destination")]
    return out


def assert_no_answers(path: Path) -> None:
    files = store_files(path)
    assert files, "no store files to check"
    for file in files:
        raw = file.read_bytes()
        for needle in forbidden_bytes():
            assert needle not in raw, f"{needle!r} readable in {file.name}"


def test_round_trip_and_keys(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    with CaseStore.open(path, PASS, create=True) as store:
        key = store.add_case({**ANSWERS, "as_of": "2022-11-07"}, {"risks": [], "x": 1})
        other = store.add_case({"destination": "KG", "case_id": "second"})
        assert re.fullmatch(r"[a-z2-9]{8}", key) and key != other
        case = store.get_case(key)
        assert case.answers == ANSWERS  # as_of is never stored: a case is assessed for today
        assert case.report == {"risks": [], "x": 1}
        assert case.ref == SECRET_CASE_ID
        assert store.get_case(other).report is None
        assert [c.key for c in store.cases()] == [key, other]
        assert store.resolve(key) == key
        assert store.resolve(SECRET_CASE_ID) == key
        assert store.resolve(key[:4]) == key
        store.update_case(key, {**ANSWERS, "wanted": "none"})
        assert store.get_case(key).answers["wanted"] == "none"
        assert store.get_case(key).report == {"risks": [], "x": 1}
        store.save_assessment(key, {"risks": [1]})
        assert store.get_case(key).report == {"risks": [1]}
        store.delete_case(other)
        assert store.keys() == [key]
        with pytest.raises(StoreError, match="no case"):
            store.resolve("second")
    assert path.stat().st_mode & 0o777 == 0o600


def test_drafts(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    with CaseStore.open(path, PASS, create=True) as store:
        key = store.save_draft({"answers": {"destination": "KZ"}, "step": 3})
        assert store.load_draft(key).data == {"answers": {"destination": "KZ"}, "step": 3}
        assert store.save_draft({"step": 4}, key) == key
        assert [d.data for d in store.drafts()] == [{"step": 4}]
        store.delete_draft(key)
        assert store.drafts() == []
        with pytest.raises(StoreError, match="no draft"):
            store.load_draft(key)
    assert_no_answers(path)


def test_default_kdf_is_strong() -> None:
    assert DEFAULT_KDF["n"] >= 2**17 and DEFAULT_KDF["r"] >= 8


def test_kdf_cost_is_stored_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cases.db"
    monkeypatch.delenv(WEAK_KDF_ENV)
    CaseStore.open(path, PASS, create=True).close()
    conn = sqlite3.connect(path)
    kdf = json.loads(conn.execute("SELECT value FROM meta WHERE name='kdf'").fetchone()[0])
    conn.close()
    assert kdf == {"name": "scrypt", **DEFAULT_KDF}


def test_raw_bytes_hold_no_answers(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    with CaseStore.open(path, PASS, create=True) as store:
        report = {"risks": [{"title": "Kazakhstan", "triggered_by": ANSWERS}]}
        for i in range(5):
            store.add_case({**ANSWERS, "case_id": f"{SECRET_CASE_ID}{i}"}, report)
        store.save_draft({"answers": ANSWERS})
        key = store.add_case(ANSWERS, report)
        # the case id and answers must not be readable while the store is open, either
        assert_no_answers(path)
        store.delete_case(key)
    assert_no_answers(path)


def test_only_keys_and_timestamps_in_the_clear(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    with CaseStore.open(path, PASS, create=True) as store:
        key = store.add_case(ANSWERS, {"risks": []})
        store.save_draft({"answers": ANSWERS})
    conn = sqlite3.connect(path)
    stamp = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00")
    for table, text_cols in (
        ("cases", ("key", "created", "updated")),
        ("assessments", ("case_key", "assessed")),
        ("drafts", ("key", "created", "updated")),
    ):
        for row in conn.execute(f"SELECT {', '.join(text_cols)} FROM {table}"):
            assert re.fullmatch(r"[a-z2-9]{8}", row[0])
            assert all(stamp.fullmatch(v) for v in row[1:])
    blobs = conn.execute("SELECT profile FROM cases").fetchall()
    assert all(isinstance(b[0], bytes) and len(b[0]) == 4096 + 12 + 16 for b in blobs)
    meta = dict(conn.execute("SELECT name, value FROM meta"))
    conn.close()
    assert set(meta) == {"format", "schema", "kdf", "salt", "wrapped", "params_check", "index"}
    assert key not in str(meta)


def test_wrong_passphrase_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    with CaseStore.open(path, PASS, create=True) as store:
        store.add_case(ANSWERS)
    before, mtime = sha(path), path.stat().st_mtime_ns
    with pytest.raises(StoreError, match="wrong passphrase"):
        CaseStore.open(path, PASS + "x")
    with pytest.raises(StoreError, match="wrong passphrase"):
        CaseStore.open(path, PASS + "x", create=True)
    assert sha(path) == before and path.stat().st_mtime_ns == mtime
    assert [p.name for p in store_files(path)] == ["cases.db"]


def test_swapped_or_altered_records_do_not_decrypt(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    with CaseStore.open(path, PASS, create=True) as store:
        a = store.add_case({"destination": "KZ"}, {"r": 1})
        b = store.add_case({"destination": "KG"}, {"r": 2})
    conn = sqlite3.connect(path)
    pa = conn.execute("SELECT profile FROM cases WHERE key=?", (a,)).fetchone()[0]
    pb = conn.execute("SELECT profile FROM cases WHERE key=?", (b,)).fetchone()[0]
    ra = conn.execute("SELECT report FROM assessments WHERE case_key=?", (a,)).fetchone()[0]
    # a profile moved to another case, and a report put in place of a profile
    conn.execute("UPDATE cases SET profile=? WHERE key=?", (pb, a))
    conn.execute("UPDATE cases SET profile=? WHERE key=?", (ra, b))
    conn.commit()
    conn.close()
    with CaseStore.open(path, PASS) as store:
        with pytest.raises(StoreError, match=f"profile of case {a} is damaged or was tampered"):
            store.get_case(a)
        with pytest.raises(StoreError, match=f"profile of case {b} is damaged or was tampered"):
            store.get_case(b)
    conn = sqlite3.connect(path)
    flipped = bytes([pa[0]]) + bytes([pa[1] ^ 1]) + pa[2:]
    conn.execute("UPDATE cases SET profile=? WHERE key=?", (flipped, a))
    conn.commit()
    conn.close()
    with CaseStore.open(path, PASS) as store, pytest.raises(StoreError, match="tampered"):
        store.get_case(a)


def test_foreign_and_damaged_files(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("my notes\n" * 100)
    with pytest.raises(StoreError, match="not a riskcli case store"):
        CaseStore.open(text, PASS, create=True)
    assert text.read_text() == "my notes\n" * 100

    foreign = tmp_path / "other.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    foreign.chmod(0o600)
    before = sha(foreign)
    with pytest.raises(StoreError, match="an SQLite file, but not a riskcli case store"):
        CaseStore.open(foreign, PASS, create=True)
    with pytest.raises(StoreError, match="not a riskcli case store"):
        store_info(foreign)
    assert sha(foreign) == before

    empty = tmp_path / "empty.db"
    empty.touch(mode=0o600)
    with pytest.raises(StoreError, match="no case store yet"):
        CaseStore.open(empty, PASS)
    assert empty.stat().st_size == 0


def make_store(path: Path, n: int) -> list[str]:
    with CaseStore.open(path, PASS, create=True) as store:
        return [store.add_case({**ANSWERS, "case_id": f"c{i}"}, {"risks": []}) for i in range(n)]


@pytest.mark.parametrize("where", ["header", "middle", "truncated", "meta"])
def test_damaged_store_is_a_clear_error(tmp_path: Path, where: str) -> None:
    path = tmp_path / "cases.db"
    make_store(path, 12)
    raw = bytearray(path.read_bytes())
    if where == "header":
        raw[0:16] = b"\xff" * 16
    elif where == "middle":
        raw[4096:12288] = os.urandom(8192)
    elif where == "truncated":
        raw = raw[: len(raw) // 2 + 100]
    else:
        conn = sqlite3.connect(path)
        conn.execute("UPDATE meta SET value=x'00' WHERE name='salt'")
        conn.commit()
        conn.close()
        raw = bytearray(path.read_bytes())
    path.write_bytes(bytes(raw))
    with pytest.raises(StoreError) as info, CaseStore.open(path, PASS) as store:
        store.cases()
    message = str(info.value)
    assert "\n" not in message
    assert re.search(r"damaged|not a riskcli case store|wrong passphrase", message)


# --- several processes ----------------------------------------------------------------


def cli_env(path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "RISKCLI_STORE": str(path),
            "RISKCLI_PASSPHRASE": PASS,
            WEAK_KDF_ENV: "1",
        }
    )
    env.pop("RISKCLI_RULES", None)
    env.update(extra)
    return env


def answers_file(tmp_path: Path, name: str, case_id: str) -> Path:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({**ANSWERS, "case_id": case_id}))
    return path


def riskcli(*args: str) -> list[str]:
    return [sys.executable, "-m", "riskcli", "--engine", "oracle", *args]


def wait_for(marker: Path, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while not marker.exists():
        if proc.poll() is not None:
            raise AssertionError(f"process ended early: {proc.communicate()}")
        if time.monotonic() > end:
            proc.kill()
            proc.communicate()
            raise AssertionError("the process never reached its transaction")
        time.sleep(0.05)


def test_kill_9_during_add_keeps_every_earlier_case(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    keys = make_store(path, 3)
    marker = tmp_path / "in-transaction"
    env = cli_env(path, **{PAUSE_ENV: str(marker)})
    proc = subprocess.Popen(
        riskcli("cases", "add", "--answers", str(answers_file(tmp_path, "new", "killed"))),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    wait_for(marker, proc)
    journal = Path(f"{path}-journal")
    assert journal.exists()  # the new case is half written
    assert journal.stat().st_mode & 0o777 == 0o600
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert_no_answers(path)  # the hot journal too
    with CaseStore.open(path, PASS) as store:
        cases = store.cases()
        assert [c.key for c in cases] == keys
        assert [c.ref for c in cases] == ["c0", "c1", "c2"]
    done = subprocess.run(
        riskcli("cases", "list", "--format", "json"), env=cli_env(path), capture_output=True
    )
    assert done.returncode == 0, done.stderr
    assert sorted(row["key"] for row in json.loads(done.stdout)) == sorted(keys)


def test_two_processes_add_at_once(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"  # neither process finds a store: both race to create it
    marker = tmp_path / "first-in-transaction"
    first = subprocess.Popen(
        riskcli("cases", "add", "-a", str(answers_file(tmp_path, "a", "first"))),
        env=cli_env(path, **{PAUSE_ENV: str(marker), "RISKCLI_TEST_PAUSE_SECONDS": "3"}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    second_env = cli_env(path)
    wait_for(marker, first)
    # the first holds the write lock for 3 s: the second must wait for it, then save
    second = subprocess.run(
        riskcli("cases", "add", "-a", str(answers_file(tmp_path, "b", "second"))),
        env=second_env,
        capture_output=True,
    )
    _out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert second.returncode == 0, second.stderr
    with CaseStore.open(path, PASS) as store:
        assert sorted(c.ref or "" for c in store.cases()) == ["first", "second"]


def test_two_processes_create_a_store_at_once(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    procs = [
        subprocess.Popen(
            riskcli("cases", "add", "-a", str(answers_file(tmp_path, name, name))),
            env=cli_env(path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name in ("one", "two")
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    with CaseStore.open(path, PASS) as store:
        assert sorted(c.ref or "" for c in store.cases()) == ["one", "two"]


def test_a_store_written_just_after_it_was_looked_at_is_opened(tmp_path: Path) -> None:
    """The race of two processes creating a store at once, made certain: the second saw the
    file empty (the first had only created it), then the first wrote the store. The second
    opens it; it is not called truncated."""
    from riskcli.io import store as store_module

    path = tmp_path / "cases.db"
    make_store(path, 1)
    seen_empty = os.stat_result((*os.stat(path)[:6], 0, *os.stat(path)[7:]))
    store_module._connect(path, seen_empty).close()
    with CaseStore.open(path, PASS) as store:
        assert len(store.cases()) == 1


def test_wipe_overwrites_and_removes(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    make_store(path, 2)
    assert store_info(path) == 2
    wipe_store(path)
    assert store_files(path) == []


def test_saving_a_case_deletes_its_draft_in_the_same_transaction(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    with CaseStore.open(path, PASS, create=True) as store:
        draft = store.save_draft({"answers": {"destination": "KZ"}})
        other = store.save_draft({"answers": {"destination": "KG"}})
        key = store.add_case({"destination": "KZ"}, draft=draft)
        assert [d.key for d in store.drafts()] == [other]
        store.delete_case(key)
        store.save_assessments({key: {"risks": []}})  # deleted meanwhile: skipped
        assert store.keys() == []


def test_passphrase_is_unicode_normalised(tmp_path: Path) -> None:
    import unicodedata

    path = tmp_path / "cases.db"
    phrase = "мой йод и ёж навсегда"
    CaseStore.open(path, unicodedata.normalize("NFC", phrase), create=True).close()
    decomposed = unicodedata.normalize("NFD", phrase)
    assert decomposed != unicodedata.normalize("NFC", phrase)
    CaseStore.open(path, decomposed).close()


def test_a_failed_write_is_a_clear_error_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cases.db"
    make_store(path, 2)
    before = sha(path)
    with CaseStore.open(path, PASS) as store:
        real_put = store._put_report

        def failing_put(*args: Any) -> None:
            real_put(*args)
            raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr(store, "_put_report", failing_put)
        with pytest.raises(StoreError, match=r"could not save \(disk I/O error\); nothing"):
            store.add_case(ANSWERS, {"risks": []})
        assert len(store.keys()) == 2
    assert sha(path) == before
