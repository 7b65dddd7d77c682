"""Volunteer intake (issue 16): a spreadsheet of intakes into the case store, as a volunteer
keeps it: its own columns, ';' between columns, a BOM and Windows line ends, broken rows."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from riskcli.core import batch as core_batch
from riskcli.io.batch import assess_rows, read_rows
from riskcli.io.store import WEAK_KDF_ENV
from tests.conftest import Run

PASS = "correct horse battery staple"
AS_OF = "2023-06-12"
NAMES = ["Ivan Petrov", "Анна Смирнова", "Oleg Sidorov"]
PHONES = ["+7 999 123-45-67", "+995 555 01 02 03", "8 (912) 000-11-22"]
HEADER = (
    "case_id;name;phone;destination;citizenship;wanted;criminal_case;entry_date;documents;"
    "stay_basis;protest_history;notes;volunteer"
)
BROKEN = {101: "wanted", 502: "cells", 903: "date"}  # sheet index -> what is wrong


def _sheet(path: Path, rows: int = 1000) -> Path:
    rng = random.Random(16)
    lines = [HEADER]
    day = dt.date.fromisoformat(AS_OF)
    for i in range(rows):
        dest = rng.choice(["KZ", "KG", "AM", "GE", "TR", "DE", "RS"])
        wanted = rng.choice(["none", "federal", "international", "unknown", ""])
        case = rng.choice(["none", "pending", "unknown", ""])
        entry = (day - dt.timedelta(days=rng.randrange(1, 200))).isoformat()
        docs = rng.choice(["domestic_passport", "domestic_passport;international_passport", ""])
        basis = rng.choice(["visa_free", "visa", "refugee_claim_pending", ""])
        protest = rng.choice(["none", "participated", "detained", ""])
        notes = f'"met at the hostel; call back {i}"' if i % 7 == 0 else ""
        if BROKEN.get(i) == "wanted":
            wanted = "maybe"
        if BROKEN.get(i) == "date":
            entry = "2023-02-30"
        cells = [
            f"k-{i:04d}",
            NAMES[i % 3],
            PHONES[i % 3],
            dest,
            "RU",
            wanted,
            case,
            entry,
            f'"{docs}"' if ";" in docs else docs,
            basis,
            protest,
            notes,
            "Olga",
        ]
        if BROKEN.get(i) == "cells":
            cells = cells[:7]
        lines.append(";".join(cells))
    path.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    # One transaction per row means one fsync per row: in memory-backed /dev/shm where there
    # is one, so that a thousand rows take seconds (the behaviour is the same).
    shm = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(dir=shm)) if shm.is_dir() and os.access(shm, os.W_OK) else None
    path = (folder or tmp_path) / "cases.db"
    monkeypatch.setenv(WEAK_KDF_ENV, "1")
    monkeypatch.setenv("RISKCLI_STORE", str(path))
    monkeypatch.setenv("RISKCLI_PASSPHRASE", PASS)
    yield path
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _never_personal(*texts: str) -> None:
    for text in texts:
        for word in [*NAMES, *PHONES, "Olga", "hostel"]:
            assert word not in text, word


def test_import_a_volunteers_sheet_then_again(
    tmp_path: Path, store: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = _sheet(tmp_path / "intake.csv")
    code, out, err = run("cases", "import", str(sheet), "--as-of", AS_OF)
    assert code == 1, err  # three rows with errors; every other row imported
    assert out.startswith("1000 rows: 997 assessed, 3 with errors\n")
    assert "997 new case(s), 0 existing case(s) updated" in out.replace("\n", " ")
    assert "  row 103 (k-0101): field 'wanted': 'maybe' is not allowed" in out
    assert "  row 504: 7 cells, but the header names 13 columns (separated by ';')" in out
    assert "  row 905 (k-0903): field 'entry_date'" in out
    assert err.count("Ignored columns") == 1
    assert "name,\nphone, volunteer" in err or "name, phone, volunteer" in err
    shown = [line for line in (out + err).splitlines() if WEAK_KDF_ENV not in line]
    assert max(len(line) for line in shown) <= 80
    _never_personal(out, err)

    code, listed, err = run("cases", "list", "--as-of", AS_OF, "--format", "json")
    assert code == 0, err
    cases = json.loads(listed)
    assert len(cases) == 997
    assert len({c["case_id"] for c in cases}) == 997

    # ranked the way batch ranks the same sheet: its triage's order, every row in it
    monkeypatch.setattr(core_batch, "TOP_URGENT", 2000)
    source, rows = read_rows(sheet)
    triage = core_batch.Triage()
    results = []
    for result in assess_rows(rows, as_of=dt.date.fromisoformat(AS_OF), jobs=1):
        triage.add(result)
        if result.status == "ok":
            results.append(result)
    source.close()
    ranked = triage.urgent
    assert len(ranked) == triage.with_risks
    listed = [(c["highest_severity"], c["days_left"]) for c in cases]
    assert listed[: len(ranked)] == [(r.highest_severity, r.days_left) for r in ranked]
    assert all(c["highest_severity"] is None for c in cases[len(ranked) :])
    severity = {r.case_id: r.highest_severity for r in results}
    assert {c["case_id"]: c["highest_severity"] for c in cases} == severity
    # the order is not trivial: more than one severity, many different days left
    assert len(set(severity.values())) >= 2
    assert len({c["days_left"] for c in cases}) >= 20

    # a second import changes nothing, and says it updated those cases
    code, out, err = run("cases", "import", str(sheet), "--as-of", AS_OF)
    assert code == 1
    said = out.replace("\n", " ")
    assert "0 new case(s), 997 existing case(s) updated by case_id (997 of them already" in said
    code, again, _ = run("cases", "list", "--as-of", AS_OF, "--format", "json")
    assert json.loads(again) == cases

    # the notes are kept, encrypted, and shown by `cases show` only (never when redacted)
    code, shown, _ = run("cases", "show", "k-0007", "--as-of", AS_OF)
    assert code == 0
    assert shown.rstrip().endswith("met at the hostel; call back 7")
    assert "Volunteer's notes" in shown
    _never_personal(shown.replace("met at the hostel; call back 7", ""))
    code, redacted, _ = run("cases", "show", "k-0007", "--as-of", AS_OF, "--redact")
    assert "hostel" not in redacted
    code, exported, _ = run("cases", "export", "k-0007", "--format", "json")
    assert "notes" not in json.loads(exported)
    assert b"hostel" not in store.read_bytes() and b"Petrov" not in store.read_bytes()


def test_import_updates_a_changed_case_and_keeps_a_broken_rows_neighbours(
    tmp_path: Path, store: Path, run: Run
) -> None:
    sheet = tmp_path / "s.jsonl"
    sheet.write_text(
        '{"case_id": "a", "destination": "KZ", "name": "Ivan"}\n'
        '{"case_id": "b", "destination": "KG", "wanted": "federal"}\n'
    )
    code, out, err = run("cases", "import", str(sheet))
    assert code == 0, err
    assert "2 new case(s)" in out.replace("\n", " ")
    assert "Ignored columns" in err and "name" in err and "Ivan" not in out + err
    sheet.write_text(
        '{"case_id": "a", "destination": "KG", "wanted": "federal"}\n'
        '{"case_id": "b", "destination": "XX"}\n'
        '{"case_id": "c", "destination": "AM"}\n'
    )
    code, out, err = run("cases", "import", str(sheet))
    assert code == 1
    said = out.replace("\n", " ")
    assert "1 new case(s), 1 existing case(s) updated by case_id (0 of them" in said
    assert "row 2 (b): field 'destination'" in out
    code, listed, _ = run("cases", "list", "--format", "json")
    by_id = {c["case_id"]: c for c in json.loads(listed)}
    assert sorted(by_id) == ["a", "b", "c"]
    assert by_id["a"]["highest_severity"] == "critical"  # now in Kyrgyzstan, wanted


def test_import_skips_the_templates_example_row(tmp_path: Path, store: Path, run: Run) -> None:
    code, template, _ = run("template")
    sheet = tmp_path / "t.csv"
    header, example = template.splitlines()
    sheet.write_text(f"{header}\n{example}\n{example.replace('example (skipped)', 'n-1')}\n")
    code, out, err = run("cases", "import", str(sheet))
    assert code == 0, err
    assert "Skipped the template's example row (row 2): it is not a case." in err
    assert "1 new case(s)" in out.replace("\n", " ")


# --- batch after kill -9 (issue 15, point 8) ----------------------------------------------


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_killed_batch_leaves_no_workers_and_no_partial_file(tmp_path: Path, run: Run) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    sheet = tmp_path / "big.csv"
    lines = ["case_id,destination,wanted,entry_date,as_of"]
    lines += [f"c{i},KZ,none,2023-05-01,2023-06-12" for i in range(200_000)]
    sheet.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.csv"
    out.write_text("row,case_id\n1,old\n")  # a previous run's output
    cmd = [sys.executable, "-m", "riskcli", "batch", str(sheet), "-j", "2", "-o", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        children: list[int] = []
        deadline = time.monotonic() + 120
        while len(children) < 3 and time.monotonic() < deadline:  # two workers + the tracker
            time.sleep(0.2)
            children = _children(proc.pid)
        assert len(children) >= 2, "the batch did not start its workers"
        tmp = list(tmp_path.glob(".out.csv.*.tmp"))
        assert tmp, "the results are written to a hidden temporary file first"
        time.sleep(1.0)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 60
        while any(_alive(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [c for c in children if _alive(c)], "workers outlived the killed batch"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # the previous output is untouched; the dead run's partial temporary file is still there
    # until the next writer of that path removes it
    assert out.read_text() == "row,case_id\n1,old\n"
    assert list(tmp_path.glob(".out.csv.*.tmp"))
    small = tmp_path / "small.csv"
    small.write_text("case_id,destination,as_of\na,KZ,2023-06-12\nb,KZ\n")
    code, _, err = run("batch", str(small), "-o", str(out))
    assert code == 1  # row 3 has too few cells: an error, not ok
    assert "row 3: 2 cells, but the header names 3 columns" in err
    assert not list(tmp_path.glob(".out.csv.*.tmp"))
    from riskcli.io.batch import complete_rows

    text = out.read_text()
    assert complete_rows(text) == 2
    assert complete_rows(text.rsplit("# complete", 1)[0]) is None  # a cut file says so
    assert ",error," in text.splitlines()[2]


# --- reading a volunteer's sheet with `batch` ---------------------------------------------


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_batch_reads_the_separator_from_the_header_with_bom_and_crlf(
    tmp_path: Path, run: Run, sep: str
) -> None:
    rows = [
        ["case_id", "Name", "destination", "wanted", "documents", "phone", "as_of"],
        ["x1", "Ivan Petrov", "KG", "federal", "domestic_passport", "+7 999 1234567", AS_OF],
        ["x2", "Анна", "KZ", "none", "domestic_passport;international_passport", "", AS_OF],
    ]

    def cell(c: str) -> str:
        return f'"{c}"' if sep in c or ";" in c else c

    text = "\r\n".join(sep.join(cell(c) for c in row) for row in rows) + "\r\n"
    sheet = tmp_path / "s.csv"
    sheet.write_bytes(b"\xef\xbb\xbf" + text.encode())
    code, out, err = run("batch", str(sheet))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[1].startswith("2,x1,ok,critical,")
    assert lines[2].startswith("3,x2,ok,")
    assert lines[-1] == "# complete: 2 rows"
    assert err.startswith(
        "Ignored columns (not fields of the intake; their contents were not read): Name,\nphone\n"
    )
    _never_personal(out, err)
    assert "Анна" not in out + err


def test_a_phone_number_as_case_id_is_never_shown_in_the_triage(tmp_path: Path, run: Run) -> None:
    sheet = tmp_path / "s.csv"
    sheet.write_text(f"case_id,destination,wanted,as_of\n+7 912 345-67-89,KG,federal,{AS_OF}\n")
    code, _, err = run("batch", str(sheet))
    assert code == 0
    assert "345-67-89" not in err
    assert "CRITICAL     row 2  (row 2)" in err


def test_progress_counts_rows_as_a_reader_writes_them() -> None:
    from riskcli.render.progress import rows_done

    assert rows_done(1234, 30000) == "1,234 / 30,000 rows"
    assert rows_done(1234, 30000, "ru") == "1\u202f234 / 30\u202f000 строк"
    assert rows_done(7, None) == "7 rows"


def test_summary_in_russian_fits_80_columns(tmp_path: Path, run: Run) -> None:
    sheet = _sheet(tmp_path / "s.csv", rows=120)
    code, _, err = run("batch", str(sheet), "--as-of", AS_OF, "--lang", "ru")
    assert code == 1
    assert "Пропущены столбцы, которых нет в анкете" in err
    assert "строка 103 (k-0101): field 'wanted'" in err
    assert max(len(line) for line in err.splitlines()) <= 80
