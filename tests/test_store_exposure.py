"""What a seized laptop or another user of the machine learns from the case store (issue 15).

Each test names the point of the issue it covers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import random
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from riskcli.cli.root import main
from riskcli.io import store as store_mod
from riskcli.io.store import (
    PAUSE_ENV,
    WEAK_KDF_ENV,
    CaseStore,
    StoreError,
    check_new_passphrase,
    name_like,
    printable,
)
from tests.conftest import FIXTURE_PACK, keep_passphrase_env

PASS = "correct horse battery staple"
NEW_PASS = "seven lanterns over the quiet bay"
ROOT = Path(__file__).resolve().parent.parent

LOW = {"case_id": "c-low", "destination": "DE", "citizenship": "RU"}
HIGH = {
    "case_id": "c-high",
    "destination": "KG",
    "citizenship": "RU",
    "criminal_case": "pending",
    "wanted": "international",
    "charges": ["207.3", "280.3", "275"],
    "documents": ["domestic_passport"],
    "entry_date": "2022-09-25",
}
KZ = {
    "case_id": "vol-17",
    "destination": "KZ",
    "citizenship": "RU",
    "documents": ["domestic_passport"],
    "entry_date": "2022-09-25",
    "stay_basis": "visa_free",
    "wanted": "international",
}


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "vault" / "cases.db"
    path.parent.mkdir(mode=0o700)
    monkeypatch.setenv(WEAK_KDF_ENV, "1")
    monkeypatch.setenv("RISKCLI_STORE", str(path))
    monkeypatch.setenv("RISKCLI_PASSPHRASE", PASS)
    monkeypatch.setenv("RISKCLI_RULES", str(FIXTURE_PACK))
    return path


Result = tuple[int, str, str]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    def run(*argv: str, stdin: str = "") -> Result:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
        with keep_passphrase_env():
            code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def answers_file(tmp_path: Path, data: dict[str, Any], name: str = "a.yaml") -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data))
    return str(path)


def add(run: Any, tmp_path: Path, data: dict[str, Any]) -> str:
    code, out, err = run("cases", "add", "-a", answers_file(tmp_path, data))
    assert code == 0, err
    return str(out.split()[2])


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_clear_line(err: str) -> None:
    assert err.count("\n") == 1 and err.startswith("riskcli: "), err
    assert "internal error" not in err and "Traceback" not in err
    assert all(c.isprintable() for c in err.rstrip("\n")), repr(err)


# --- 1. nothing secret on the command line, in the environment, or in a core dump --------


def test_the_passphrase_variable_is_removed_once_read(store: Path, tmp_path: Path) -> None:
    with keep_passphrase_env():
        assert main(["cases", "add", "-a", answers_file(tmp_path, KZ)]) == 0
        assert "RISKCLI_PASSPHRASE" not in os.environ


def riskcli(*args: str) -> list[str]:
    return [sys.executable, "-m", "riskcli", "--engine", "oracle", *args]


def child_env(path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RISKCLI_")}
    env.update({"RISKCLI_STORE": str(path), WEAK_KDF_ENV: "1", **extra})
    return env


def test_passphrase_file_and_fd(store: Path, tmp_path: Path) -> None:
    secret = tmp_path / "pass.txt"
    secret.write_text(PASS + "\n")
    secret.chmod(0o600)
    answers = answers_file(tmp_path, KZ)
    added = subprocess.run(
        riskcli("cases", "--passphrase-file", str(secret), "add", "-a", answers),
        env=child_env(store),
        capture_output=True,
        text=True,
    )
    assert added.returncode == 0, added.stderr
    read, write = os.pipe()
    os.write(write, (PASS + "\n").encode())
    os.close(write)
    listed = subprocess.run(
        riskcli("cases", "--passphrase-fd", str(read), "list", "-f", "json"),
        env=child_env(store),
        capture_output=True,
        text=True,
        pass_fds=(read,),
    )
    os.close(read)
    assert listed.returncode == 0, listed.stderr
    assert [c["case_id"] for c in json.loads(listed.stdout)] == ["vol-17"]
    secret.chmod(0o644)
    loose = subprocess.run(
        riskcli("cases", "--passphrase-file", str(secret), "list"),
        env=child_env(store),
        capture_output=True,
        text=True,
    )
    assert loose.returncode == 2 and "open to other users" in loose.stderr


def test_no_core_dump_while_the_key_is_held(tmp_path: Path, store: Path) -> None:
    marker = tmp_path / "in-transaction"
    proc = subprocess.Popen(
        riskcli("cases", "add", "-a", answers_file(tmp_path, KZ)),
        env=child_env(store, RISKCLI_PASSPHRASE=PASS, **{PAUSE_ENV: str(marker)}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        end = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < end, "the add never reached its transaction"
            time.sleep(0.05)
        limits = Path(f"/proc/{proc.pid}/limits").read_text()
        environ = Path(f"/proc/{proc.pid}/environ").read_bytes()
    finally:
        proc.kill()
        proc.communicate()
    core = next(line for line in limits.splitlines() if line.startswith("Max core file size"))
    assert core.split()[4:6] == ["0", "0"], core
    # the passphrase variable still shows in /proc/PID/environ (the kernel's copy of the
    # start-up environment), but a process that is not dumpable has that file owned by root
    assert environ  # readable here only because the tests run as root, or by the owner
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import ctypes; from riskcli.io.store import harden_process; harden_process(); "
            "print(ctypes.CDLL(None).prctl(3, 0, 0, 0, 0))",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert probe.stdout.strip() == "0", probe.stderr  # PR_GET_DUMPABLE: not dumpable


# --- 2. a record's size says nothing ----------------------------------------------------


def blob_sizes(path: Path) -> tuple[list[int], list[int]]:
    conn = sqlite3.connect(path)
    profiles = [len(r[0]) for r in conn.execute("SELECT profile FROM cases")]
    reports = [len(r[0]) for r in conn.execute("SELECT report FROM assessments")]
    conn.close()
    return profiles, reports


def test_a_low_and_a_high_risk_case_give_identical_sizes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, assessor: Any
) -> None:
    from riskcli.core.profile import make_profile

    monkeypatch.setenv(WEAK_KDF_ENV, "1")
    sizes = {}
    highest = {}
    for name, answers in (("low", LOW), ("high", HIGH)):
        path = tmp_path / f"{name}.db"
        profile = make_profile(answers, source=name, as_of=dt.date(2022, 11, 7))
        report = assessor.assess(profile)
        highest[name] = report.summary.highest_severity
        with CaseStore.open(path, PASS, create=True) as cases:
            cases.add_case(profile.answers(), report.to_json_dict())
        sizes[name] = (blob_sizes(path), path.stat().st_size)
    assert highest["low"] != highest["high"]  # the two really differ
    assert sizes["low"] == sizes["high"]


def random_answers(rng: random.Random, destinations: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"destination": rng.choice(destinations), "citizenship": "RU"}
    pick = rng.random
    if pick() < 0.3:
        return {**out, "criminal_case": "none", "wanted": "none"}
    if pick() < 0.7:
        out["criminal_case"] = rng.choice(["none", "pending", "convicted", "unknown"])
    if pick() < 0.7:
        out["wanted"] = rng.choice(["none", "federal", "interstate", "international"])
    if pick() < 0.6:
        out["charges"] = rng.sample(["207.3", "280.3", "275", "354.1", "328"], rng.randint(1, 4))
    if pick() < 0.7:
        out["documents"] = rng.sample(
            ["domestic_passport", "international_passport"], rng.randint(1, 2)
        )
    if pick() < 0.8:
        out["entry_date"] = f"2022-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}"
    if pick() < 0.5:
        out["case_id"] = f"v-{rng.randint(1, 10**6)}"
    return out


def test_sizes_across_many_random_cases_fall_in_the_buckets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, oracle: Any
) -> None:
    from riskcli.core.profile import make_profile

    monkeypatch.setenv(WEAK_KDF_ENV, "1")
    rng = random.Random(15)
    destinations = oracle.pack.destinations_by_coverage
    path = tmp_path / "many.db"
    severities = set()
    with CaseStore.open(path, PASS, create=True) as cases:
        for _ in range(60):
            try:
                profile = make_profile(random_answers(rng, destinations), source="r")
            except Exception:
                continue
            report = oracle.assess(profile)
            severities.add(report.summary.highest_severity)
            cases.add_case(profile.answers(), report.to_json_dict())
    profiles, reports = blob_sizes(path)
    assert len(reports) >= 40 and len(severities) >= 2
    overhead = store_mod.NONCE + store_mod.TAG
    assert set(profiles) == {4096 + overhead}
    assert set(reports) == {32768 + overhead}


# --- 3. rollback, deleted rows, changed timestamps -----------------------------------------


def snapshot(path: Path, table: str, key_col: str, key: str) -> tuple[Any, ...]:
    conn = sqlite3.connect(path)
    row = conn.execute(f"SELECT * FROM {table} WHERE {key_col} = ?", (key,)).fetchone()
    conn.close()
    return tuple(row)


def put_back(path: Path, table: str, row: tuple[Any, ...]) -> None:
    conn = sqlite3.connect(path)
    marks = ", ".join("?" * len(row))
    conn.execute(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", row)
    conn.commit()
    conn.close()


def test_an_old_row_copied_back_is_detected(run: Any, tmp_path: Path, store: Path) -> None:
    key = add(run, tmp_path, KZ)
    old_case = snapshot(store, "cases", "key", key)
    old_report = snapshot(store, "assessments", "case_key", key)
    code, _, err = run("cases", "edit", key, "--changes", "-", stdin="wanted: none\n")
    assert code == 0, err
    put_back(store, "cases", old_case)
    put_back(store, "assessments", old_report)
    code, out, err = run("cases", "show", key, "-f", "json")
    assert code == 2 and out == ""
    one_clear_line(err)
    assert "changed outside riskcli" in err and "another version of its record" in err


def test_the_version_column_cannot_be_forged(run: Any, tmp_path: Path, store: Path) -> None:
    key = add(run, tmp_path, KZ)
    old_case = snapshot(store, "cases", "key", key)
    assert run("cases", "edit", key, "--changes", "-", stdin="wanted: none\n")[0] == 0
    current = snapshot(store, "cases", "key", key)
    forged = (old_case[0], current[1], current[2], current[3], old_case[4])
    put_back(store, "cases", forged)  # the old record under the new version and timestamps
    code, _, err = run("cases", "show", key)
    assert code == 2 and "damaged or was tampered with" in err
    one_clear_line(err)


@pytest.mark.parametrize(
    ("sql", "words"),
    [
        ("DELETE FROM assessments", "was deleted outside riskcli"),
        ("DELETE FROM cases", "was deleted outside riskcli"),
        ("UPDATE cases SET updated = '2020-01-01T00:00:00+00:00'", "timestamps of case"),
        ("UPDATE assessments SET assessed = '2020-01-01T00:00:00+00:00'", "timestamps of"),
    ],
)
def test_deleted_rows_and_changed_timestamps_are_detected(
    run: Any, tmp_path: Path, store: Path, sql: str, words: str
) -> None:
    add(run, tmp_path, KZ)
    conn = sqlite3.connect(store)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(sql)
    conn.commit()
    conn.close()
    code, out, err = run("cases", "list")
    assert code == 2 and out == ""
    one_clear_line(err)
    assert words in err


# --- 4. loose files -------------------------------------------------------------------------


def test_a_store_open_to_others_is_refused(run: Any, tmp_path: Path, store: Path) -> None:
    add(run, tmp_path, KZ)
    store.chmod(0o666)
    code, _, err = run("cases", "list")
    assert code == 2 and "open to other users (mode 0666)" in err and "chmod 600" in err
    assert stat.S_IMODE(store.stat().st_mode) == 0o666
    loose = tmp_path / "vault" / "loose.db"
    loose.touch(mode=0o666)
    loose.chmod(0o666)
    code, _, err = run("cases", "add", "--store", str(loose), "-a", answers_file(tmp_path, KZ))
    assert code == 2 and "open to other users" in err
    assert loose.stat().st_size == 0 and stat.S_IMODE(loose.stat().st_mode) == 0o666


def test_a_symlinked_store_is_refused(run: Any, tmp_path: Path, store: Path) -> None:
    add(run, tmp_path, KZ)
    link = tmp_path / "link.db"
    link.symlink_to(store)
    code, _, err = run("cases", "list", "--store", str(link))
    assert code == 2 and "symbolic link" in err
    dangling = tmp_path / "dangling.db"
    target = tmp_path / "vault" / "target.db"
    dangling.symlink_to(target)
    code, _, err = run("cases", "add", "--store", str(dangling), "-a", answers_file(tmp_path, KZ))
    assert code == 2 and "symbolic link" in err
    assert not target.exists()


def test_a_store_is_created_only_when_asked_and_never_its_folder(
    run: Any, tmp_path: Path, store: Path
) -> None:
    code, _, err = run("cases", "list")
    assert code == 2 and "cases init" in err and not store.exists()
    unmounted = tmp_path / "volume" / "cases.db"
    code, _, err = run("cases", "add", "--store", str(unmounted), "-a", answers_file(tmp_path, KZ))
    assert code == 2 and "no such folder" in err
    assert not unmounted.parent.exists()
    assert run("cases", "init", "--store", str(unmounted))[0] == 2
    assert not unmounted.parent.exists()
    code, _out, err = run("cases", "add", "-a", answers_file(tmp_path, KZ))
    assert code == 0
    assert f"riskcli: created a new case store at {store}\n" in err
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    code, _, err = run("cases", "add", "-a", answers_file(tmp_path, KZ))
    assert code == 0 and "created" not in err
    other = tmp_path / "vault" / "other.db"
    code, _out, err = run("cases", "init", "--store", str(other))
    assert code == 0 and err.endswith(f"created a new case store at {other}\n")
    code, _, err = run("cases", "init", "--store", str(other))
    assert code == 2 and "already exists" in err


# --- 5. the key -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "weak",
    ["12345678", "short", "password1234", "123456789012", "aaaaaaaaaaaaaaa", "qwerty123456"],
)
def test_weak_passphrases_are_refused(weak: str, tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        check_new_passphrase(weak)
    with pytest.raises(StoreError):
        CaseStore.open(tmp_path / "c.db", weak, create=True)
    assert not (tmp_path / "c.db").exists()


def test_a_good_passphrase_passes() -> None:
    check_new_passphrase(PASS)
    check_new_passphrase("мой йод и ёж навсегда")


def test_passwd_rewraps_the_data_key(
    run: Any, tmp_path: Path, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = add(run, tmp_path, KZ)
    new = tmp_path / "new.txt"
    new.write_text(NEW_PASS + "\n")
    new.chmod(0o600)
    conn = sqlite3.connect(store)
    profile_before = conn.execute("SELECT profile FROM cases").fetchone()[0]
    conn.close()
    code, out, err = run("cases", "passwd", "--new-passphrase-file", str(new))
    assert code == 0, err
    code, _, err = run("cases", "list")
    assert code == 2 and "wrong passphrase" in err
    monkeypatch.setenv("RISKCLI_PASSPHRASE", NEW_PASS)
    code, out, err = run("cases", "show", key, "-f", "json")
    assert code == 0 and json.loads(out)["case_id"] == "vol-17"
    conn = sqlite3.connect(store)
    assert conn.execute("SELECT profile FROM cases").fetchone()[0] == profile_before
    conn.close()
    weak = tmp_path / "weak.txt"
    weak.write_text("12345678\n")
    weak.chmod(0o600)
    code, _, err = run("cases", "passwd", "--new-passphrase-file", str(weak))
    assert code == 2 and "at least 12" in err


def forge_kdf(path: Path, params: dict[str, Any]) -> None:
    """An attacker who rewrites the key parameters and their checksum."""
    conn = sqlite3.connect(path)
    meta = dict(conn.execute("SELECT name, value FROM meta"))
    text = json.dumps({"name": "scrypt", **params}, sort_keys=True)
    check = store_mod._params_check(text, meta["salt"], meta["wrapped"])
    conn.execute("UPDATE meta SET value = ? WHERE name = 'kdf'", (text,))
    conn.execute("UPDATE meta SET value = ? WHERE name = 'params_check'", (check,))
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    "params",
    [
        {"n": 2**20, "r": 32, "p": 16},
        {"n": 2**21, "r": 8, "p": 1},
        {"n": 2**20, "r": 8, "p": 1},  # 1 GiB of memory
        {"n": 2**14, "r": 8, "p": 64},
    ],
)
def test_hostile_key_parameters_are_refused_not_run(
    run: Any, tmp_path: Path, store: Path, params: dict[str, int]
) -> None:
    add(run, tmp_path, KZ)
    forge_kdf(store, params)
    code, _, err = run("cases", "list")
    assert code == 2 and "key parameters are outside what riskcli accepts" in err
    one_clear_line(err)


@pytest.mark.parametrize("name", ["salt", "kdf", "wrapped", "params_check"])
def test_damaged_key_parameters_are_not_a_wrong_passphrase(
    run: Any, tmp_path: Path, store: Path, name: str
) -> None:
    add(run, tmp_path, KZ)
    conn = sqlite3.connect(store)
    value = conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()[0]
    raw = bytearray(value.encode() if isinstance(value, str) else value)
    raw[len(raw) // 2] ^= 0x04
    new: Any = bytes(raw).decode("utf-8", "replace") if isinstance(value, str) else bytes(raw)
    conn.execute("UPDATE meta SET value = ? WHERE name = ?", (new, name))
    conn.commit()
    conn.close()
    code, _, err = run("cases", "list")
    assert code == 2 and "key parameters are damaged" in err and "wrong passphrase" not in err
    one_clear_line(err)


def test_a_first_format_store_is_refused_with_how_to_migrate(
    run: Any, tmp_path: Path, store: Path
) -> None:
    conn = sqlite3.connect(store)
    conn.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL)")
    conn.execute("CREATE TABLE cases (key TEXT PRIMARY KEY)")
    conn.executemany(
        "INSERT INTO meta VALUES (?, ?)", [("format", "riskcli-case-store"), ("schema", "1")]
    )
    conn.commit()
    conn.close()
    store.chmod(0o600)
    code, _, err = run("cases", "list")
    assert code == 2 and "first format" in err and "cases export" in err
    one_clear_line(err)


# --- 6. wipe and damaged files ----------------------------------------------------------------


def damage(path: Path, how: str) -> None:
    raw = bytearray(path.read_bytes())
    if how == "truncated":
        raw = raw[: len(raw) // 2 + 100]
    elif how == "header":
        raw[:100] = random.Random(6).randbytes(100)
    elif how == "empty-header":
        raw[:16] = b"\0" * 16
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("how", ["truncated", "header", "empty-header"])
def test_wipe_works_on_a_damaged_store(run: Any, tmp_path: Path, store: Path, how: str) -> None:
    for i in range(8):
        add(run, tmp_path, {**KZ, "case_id": f"v{i}"})
    damage(store, how)
    code, _, err = run("cases", "list")
    assert code == 2
    one_clear_line(err)
    code, _, err = run("cases", "wipe", stdin="no\n")
    assert code == 1 and store.exists()
    code, _out, err = run("cases", "wipe", stdin="WIPE\n")
    assert code == 0, err
    assert "damaged" in err or "case(s)" in err
    assert list(store.parent.iterdir()) == []


def test_wipe_through_a_symlink_wipes_the_target_and_removes_the_link(
    run: Any, tmp_path: Path, store: Path
) -> None:
    add(run, tmp_path, KZ)
    link = tmp_path / "link.db"
    link.symlink_to(store)
    code, out, err = run("cases", "wipe", "--store", str(link), stdin="WIPE\n")
    assert code == 0, err
    assert not store.exists() and not os.path.lexists(link)
    assert "removed the link" in out


def test_wipe_still_refuses_a_file_that_never_was_a_store(
    run: Any, tmp_path: Path, store: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n" * 500)
    code, _, err = run("cases", "wipe", "--store", str(notes), stdin="WIPE\n")
    assert code == 2 and "not a riskcli case store" in err
    assert notes.read_text() == "my notes\n" * 500


def test_flipped_header_bytes_give_one_clear_line_never_wrong_passphrase(
    run: Any, tmp_path: Path, store: Path
) -> None:
    add(run, tmp_path, KZ)
    good = store.read_bytes()
    rng = random.Random(1500)
    failures = 0
    # every header byte once with a small flip (byte 59: the text encoding, UTF-8 -> UTF-16),
    # then 20 random flips
    flips = [(i, 3) for i in range(100)]
    flips += [(rng.randrange(100), rng.randrange(1, 256)) for _ in range(20)]
    # and the store's own header: the key parameters, around the format marker
    marker = good.find(b"riskcli-case-store")
    assert marker > 0
    start = max(100, marker - 400)
    flips += [(rng.randrange(start, marker + 200), rng.randrange(1, 256)) for _ in range(60)]
    for offset, bits in flips:
        raw = bytearray(good)
        raw[offset] ^= bits
        store.write_bytes(bytes(raw))
        code, out, err = run("cases", "list", "-f", "json")
        if code != 0:
            failures += 1
            assert code == 2 and out == "", (offset, bits, err)
            one_clear_line(err)
            assert "wrong passphrase" not in err
    assert failures >= 20  # most of the header matters


# --- 7. races ---------------------------------------------------------------------------


def test_reassess_never_overwrites_a_concurrent_edit(
    run: Any, tmp_path: Path, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from riskcli.cli import cases as cases_cli

    key = add(run, tmp_path, KZ)
    real = cases_cli.assess_case
    edited: list[Any] = []

    def assess_then_edit(*args: Any, **kwargs: Any) -> Any:
        report = real(*args, **kwargs)
        if not edited:  # another process edits the case while reassess works
            with CaseStore.open(store, PASS) as other:
                case = other.get_case(key)
                edit = {**case.answers, "destination": "KG"}
                other.update_case(key, edit, {"marker": "the edit's report"})
            edited.append(True)
        return report

    monkeypatch.setattr(cases_cli, "assess_case", assess_then_edit)
    code, _, err = run("cases", "reassess")
    assert code == 0, err
    with CaseStore.open(store, PASS) as cases:
        case = cases.get_case(key)
    assert case.answers["destination"] == "KG"
    assert case.report == {"marker": "the edit's report"}


def test_an_edit_made_from_a_stale_read_is_refused(tmp_path: Path, store: Path) -> None:
    with CaseStore.open(store, PASS, create=True) as cases:
        key = cases.add_case(KZ)
        seen = cases.get_case(key)
        cases.update_case(key, {**KZ, "wanted": "none"})
        with pytest.raises(StoreError, match="changed by another riskcli"):
            cases.update_case(key, {**KZ, "wanted": "federal"}, expected_version=seen.version)
        assert cases.get_case(key).answers["wanted"] == "none"


# --- 9. what the terminal shows, and names ----------------------------------------------------


def test_a_case_id_with_escape_codes_is_refused(run: Any, tmp_path: Path, store: Path) -> None:
    for bad in ("\x1b]0;owned\x07", "ok\u202eevil", "a\x00b"):
        code, out, err = run("cases", "add", "-a", answers_file(tmp_path, {**KZ, "case_id": bad}))
        assert code == 2 and out == "" and "printable characters only" in err
        assert "\x1b" not in err and "\u202e" not in err and "\x00" not in err
        code, out, err = run("assess", "-a", answers_file(tmp_path, {**KZ, "case_id": bad}))
        assert code == 2 and "\x1b" not in out + err


def test_an_old_case_id_with_escape_codes_is_shown_escaped(
    run: Any, tmp_path: Path, store: Path
) -> None:
    with CaseStore.open(store, PASS, create=True) as cases:  # as an older riskcli stored it
        cases.add_case({**KZ, "case_id": "\x1b]0;owned\x07"})
    for argv in (("cases", "list"), ("cases", "list", "-f", "json"), ("cases", "deadlines")):
        code, out, err = run(*argv)
        assert code == 0, err
        assert "\x1b" not in out + err and "\x07" not in out + err
    assert "\\x1b]0;owned\\x07" in run("cases", "list")[1]
    assert printable("a\x1bb") == "a\\x1bb"


@pytest.mark.parametrize(
    ("case_id", "warned"),
    [
        ("Anna-Petrova-KG", True),
        ("Иван Иванов", True),
        ("anna_petrova", False),
        ("vol-17", False),
        ("KZ-2023-17", False),
        ("Almaty-17", False),
    ],
)
def test_a_case_id_like_a_name_is_warned_about(
    run: Any, tmp_path: Path, store: Path, case_id: str, warned: bool
) -> None:
    assert name_like(case_id) is warned
    code, _, err = run("cases", "add", "-a", answers_file(tmp_path, {**KZ, "case_id": case_id}))
    assert code == 0
    assert ("looks like a person's name" in err) is warned


def test_redact_says_what_it_hides_and_what_it_does_not(
    run: Any, tmp_path: Path, store: Path
) -> None:
    key = add(run, tmp_path, KZ)
    for argv in (("cases", "show", "--help"), ("assess", "--help")):
        help_text = " ".join(run(*argv)[1].split())
        assert "does NOT hide the findings' titles" in help_text
    code, out, err = run("cases", "show", key, "--redact")
    assert code == 0 and "vol-17" not in out
    assert "left out the answers, the case id" in err and "can reveal" in err
    code, out, err = run("assess", "-a", answers_file(tmp_path, KZ), "--redact", "--lang", "ru")
    assert code == 0 and "могут выдать положение человека" in err


# --- 10. drafts -------------------------------------------------------------------------


def test_drafts_are_listed_and_deleted(run: Any, tmp_path: Path, store: Path) -> None:
    with CaseStore.open(store, PASS, create=True) as cases:
        first = cases.save_draft({"destination": "KZ", "wanted": "none"})
        second = cases.save_draft({"destination": "KG"})
    code, out, err = run("cases", "drafts")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["KEY", "STARTED", "LAST", "SAVED", "ANSWERS"]
    assert {line.split()[0] for line in lines[1:3]} == {first, second}
    assert "assess --resume" in out
    data = json.loads(run("cases", "drafts", "-f", "json")[1])
    assert {d["key"]: d["answers"] for d in data["drafts"]} == {first: 2, second: 1}
    code, out, _ = run("cases", "drafts", "--delete", first)
    assert code == 0 and out == f"deleted draft {first}\n"
    code, _, err = run("cases", "drafts", "--delete", first)
    assert code == 2 and "no draft" in err
    assert run("cases", "drafts", "--delete-all")[0] == 0
    assert run("cases", "drafts")[1] == "No drafts of interrupted interviews.\n"


def test_the_readme_says_what_the_file_reveals() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### What the case file reveals") :]
    section = " ".join(section[: section.index("\n## ")].split())
    for words in (
        "riskcli case store",
        "how many cases",
        "timestamps",
        "bucketed",
        "It does not reveal",
        "whole file put back",
        "reference kept outside the file",
    ):
        assert words in section, words
