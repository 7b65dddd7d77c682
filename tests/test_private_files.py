"""Every file riskcli writes about a person: mode 0600 whatever the umask, written whole or
not at all, and a FIFO or a device given as the target is written through, never replaced."""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from riskcli.io.files import PrivateFile, write_private
from riskcli.io.store import WEAK_KDF_ENV
from tests.conftest import Run

CASES = Path(__file__).resolve().parent / "cases"
ALMATY = CASES / "kz-almaty.json"  # has a deadline, so the calendars have events
INTAKES = "case_id,destination,entry_date,as_of\nv-1,KZ,2022-09-21,2022-11-07\n"


@pytest.fixture(autouse=True)
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --- the writer itself ------------------------------------------------------------------


def test_a_new_file_is_0600(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    write_private(target, "answers")
    assert target.read_text(encoding="utf-8") == "answers"
    assert mode(target) == 0o600
    assert leftovers(tmp_path) == []


def test_an_existing_readable_file_is_replaced_by_a_private_one(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    before = target.stat().st_ino
    write_private(target, b"new")
    assert target.read_bytes() == b"new"
    assert mode(target) == 0o600
    assert target.stat().st_ino != before  # replaced atomically, not rewritten in place


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("kept", encoding="utf-8")
    with pytest.raises(RuntimeError), PrivateFile(target) as fh:
        fh.write("half")
        raise RuntimeError("stop")
    assert target.read_text(encoding="utf-8") == "kept"
    assert leftovers(tmp_path) == []


def test_a_symlink_planted_at_the_old_temporary_name_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("untouched", encoding="utf-8")
    (tmp_path / ".report.txt.tmp").symlink_to(victim)
    write_private(tmp_path / "report.txt", "answers")
    assert victim.read_text(encoding="utf-8") == "untouched"
    assert mode(tmp_path / "report.txt") == 0o600


def test_exclusive_never_replaces_a_file(tmp_path: Path) -> None:
    target = tmp_path / "export.yaml"
    target.write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError):
        write_private(target, "theirs", exclusive=True)
    assert target.read_text(encoding="utf-8") == "mine"
    write_private(tmp_path / "new.yaml", "fresh", exclusive=True)
    assert mode(tmp_path / "new.yaml") == 0o600
    assert leftovers(tmp_path) == []


def test_dev_null_stays_a_device(tmp_path: Path) -> None:
    write_private(Path("/dev/null"), "answers")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_dash_is_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    write_private("-", "to stdout\n")
    assert capsys.readouterr().out == "to stdout\n"


# --- every command that writes a file about a person ---------------------------------


def test_assess_output_and_calendar_are_0600(run: Run, tmp_path: Path) -> None:
    report, calendar = tmp_path / "r.txt", tmp_path / "d.ics"
    code, _, err = run("assess", "-a", str(ALMATY), "-o", str(report), "--ics", str(calendar))
    assert (code, err) == (0, "")
    assert mode(report) == 0o600
    assert mode(calendar) == 0o600
    assert b"BEGIN:VEVENT" in calendar.read_bytes()
    assert leftovers(tmp_path) == []


def test_batch_output_and_calendar_are_0600(run: Run, tmp_path: Path) -> None:
    intakes = tmp_path / "in.csv"
    intakes.write_text(INTAKES, encoding="utf-8")
    results, calendar = tmp_path / "out.csv", tmp_path / "d.ics"
    code, out, _ = run("batch", str(intakes), "-o", str(results), "--ics", str(calendar))
    assert (code, out) == (0, "")
    assert mode(results) == 0o600
    assert mode(calendar) == 0o600
    assert results.read_text(encoding="utf-8").startswith("row,case_id,status,")
    assert b"BEGIN:VEVENT" in calendar.read_bytes()
    assert leftovers(tmp_path) == []


def test_a_batch_that_cannot_read_its_input_leaves_no_file(run: Run, tmp_path: Path) -> None:
    results = tmp_path / "out.csv"
    code, _, _ = run("batch", str(tmp_path / "missing.csv"), "-o", str(results))
    assert code == 2
    assert not results.exists()
    assert leftovers(tmp_path) == []


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "store" / "cases.db"
    path.parent.mkdir()
    monkeypatch.setenv(WEAK_KDF_ENV, "1")
    monkeypatch.setenv("RISKCLI_STORE", str(path))
    monkeypatch.setenv("RISKCLI_PASSPHRASE", "correct horse battery staple")
    return path


def test_cases_show_export_and_deadlines_files_are_0600(
    run: Run, tmp_path: Path, store: Path
) -> None:
    code, out, err = run("cases", "add", "-a", str(ALMATY))
    assert code == 0, err
    key = out.split()[2]
    report, export, calendar = tmp_path / "r.md", tmp_path / "a.yaml", tmp_path / "all.ics"
    assert run("cases", "show", key, "-f", "markdown", "-o", str(report))[0] == 0
    assert run("cases", "export", key, "-o", str(export))[0] == 0
    assert run("cases", "deadlines", "--ics", str(calendar))[0] == 0
    for path in (report, export, calendar):
        assert mode(path) == 0o600, path
    assert b"BEGIN:VEVENT" in calendar.read_bytes()
    assert leftovers(tmp_path) == []


# --- FIFOs and devices ------------------------------------------------------------------


def test_assess_output_to_a_fifo_writes_through_it(run: Run, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    code, _, err = run("assess", "-a", str(ALMATY), "-f", "json", "-o", str(fifo))
    reader.join(timeout=60)
    assert (code, err) == (0, "")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(got[0])["summary"]["highest_severity"] is not None
    assert leftovers(tmp_path) == []


def test_assess_output_to_dev_null_keeps_the_device(run: Run) -> None:
    code, out, err = run("assess", "-a", str(ALMATY), "-o", "/dev/null", "--ics", "/dev/null")
    assert (code, out, err) == (0, "", "")
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_batch_output_to_a_fifo_writes_through_it(run: Run, tmp_path: Path) -> None:
    intakes = tmp_path / "in.csv"
    intakes.write_text(INTAKES, encoding="utf-8")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    code, _, _ = run("batch", str(intakes), "-o", str(fifo), "-f", "csv")
    reader.join(timeout=60)
    assert code == 0
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got[0].decode().splitlines()[1].startswith("2,v-1,ok,")
