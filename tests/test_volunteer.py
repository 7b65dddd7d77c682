"""Volunteer tools (issue 5): batch, template, compare, --ics.

Exact outputs are checked against a frozen copy of the rule pack in
tests/fixtures/pack, so that new rules in rules/ do not change them; the
comparison of a wanted activist also runs on the real pack.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from riskcli.cli.root import main
from riskcli.core.assess import Assessor
from riskcli.core.batch import InputRow, Triage
from riskcli.core.profile import FIELDS, make_profile
from riskcli.io.batch import (
    OUTPUT_COLUMNS,
    TEMPLATE_EXAMPLE,
    assess_rows,
    complete_rows,
    read_rows,
    results_text,
)
from riskcli.io.rulepack import load_rule_pack
from riskcli.render.triage import render_triage

PACK = Path(__file__).parent / "fixtures" / "pack"

SMALL_CSV = (
    "case_id,destination,citizenship,wanted,criminal_case,entry_date,documents,as_of\n"
    "a1,KG,RU,federal,pending,,,2023-06-12\n"
    "a2,KZ,RU,none,none,2023-05-01,domestic_passport,2023-06-12\n"
    "a3,KZ,RU,maybe,none,,,2023-06-12\n"
    '"a4,KZ\n'
    "\n"
    "a5,AM,RU,,,,,2023-06-12\n"
    ",KG,RU,unknown,,,,2023-06-12\n"
    "=cmd,KZ,RU,none,none,2023-03-20,domestic_passport;international_passport,2023-06-12\n"
)

EXPECTED_CSV = (
    "row,case_id,status,highest_severity,categories,nearest_deadline,days_left,error,"
    "certainty,destination_covered,possible_highest_severity,to_check\n"
    "2,a1,ok,critical,deportation_on_request;no_refugee_mechanism,,,,confirmed,true,high,"
    "stay_basis\n"
    "3,a2,ok,,expiring_stay,,,,possible,true,medium,stay_basis\n"
    "4,a3,error,,,,,\"field 'wanted': 'maybe' is not allowed; allowed: none, federal, "
    'interstate, international, unknown",,,,\n'
    "5,row 5,error,,,,,broken CSV: unexpected end of data (a cell cannot hold a line break)"
    ",,,,\n"
    "7,a5,ok,,,,,,,false,,\n"
    "8,row 8,ok,,deportation_on_request;no_refugee_mechanism,,,,possible,true,critical,"
    "criminal_case;wanted;arrested_in_absentia;stay_basis\n"
    "9,'=cmd,ok,,expiring_stay,,,,possible,true,high,stay_basis\n"
    "10,row 10,error,,,,,not UTF-8 text (byte 8 of the line); save the file as UTF-8,,,,\n"
    "# complete: 8 rows\n"
)

# The headline counts confirmed risks only (spec 3.1): a row whose risks all rest on
# unanswered questions is "none confirmed, some could apply", ranked below every confirmed
# risk, and shows the deadline it would have "if it applies".
EXPECTED_SUMMARY = """\
8 rows: 5 assessed, 3 with errors
Highest confirmed severity per case: CRITICAL 1, HIGH 0, MEDIUM 0, LOW 0,
  INFO 0, none confirmed, some could apply 3, no risk found 0,
  country not described by the rule pack (no information, not safety) 1
Most urgent first:
  CRITICAL          a1     (row 2)  deportation_on_request no_refugee_mechanism
  could be CRITICAL row 8  (row 8)  deportation_on_request no_refugee_mechanism
  could be HIGH     =cmd   (row 9)  deadline 2023-06-18, 6 days left (if it
                    applies)  expiring_stay
  could be MEDIUM   a2     (row 3)  deadline 2023-07-30, 48 days left (if it
                    applies)  expiring_stay
Rows with errors (fix them and run again):
  row 4 (a3): field 'wanted': 'maybe' is not allowed; allowed: none, federal,
      interstate, international, unknown
  row 5: broken CSV: unexpected end of data (a cell cannot hold a line break)
  row 10: not UTF-8 text (byte 8 of the line); save the file as UTF-8
"""


@pytest.fixture(scope="module")
def assessor() -> Assessor:
    return Assessor(load_rule_pack(PACK))


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    path = tmp_path / "intakes.csv"
    path.write_bytes(SMALL_CSV.encode() + b"a8,KZ,R\xffU,,,,,2023-06-12\n")
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# --- batch ---------------------------------------------------------------------------


def test_batch_csv_exact_output_and_summary(
    small_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["--rules", str(PACK), "batch", str(small_csv)], capsys)
    assert code == 1  # rows with errors: all rows still written
    assert out == EXPECTED_CSV
    assert err == EXPECTED_SUMMARY


def test_batch_jsonl_output_to_file(
    small_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out.jsonl"
    code, out, _ = run(["--rules", str(PACK), "batch", str(small_csv), "-o", str(target)], capsys)
    assert code == 1
    assert out == ""
    *rows, end = [json.loads(line) for line in target.read_text().splitlines()]
    assert end == {"complete": True, "rows": 8}
    assert complete_rows(target.read_text()) == 8
    assert [r["row"] for r in rows] == [2, 3, 4, 5, 7, 8, 9, 10]
    assert rows[1] == {
        "row": 3,
        "case_id": "a2",
        "status": "ok",
        "highest_severity": None,  # nothing confirmed: stay_basis is unanswered
        "categories": ["expiring_stay"],
        "nearest_deadline": None,  # of a confirmed risk (spec 3.1)
        "days_left": None,
        "error": None,
        "certainty": "possible",
        "destination_covered": True,
        "possible_highest_severity": "medium",
        "to_check": ["stay_basis"],
    }
    assert rows[2]["status"] == "error"
    assert rows[2]["error"].startswith("field 'wanted': 'maybe' is not allowed")
    assert not list(tmp_path.glob(".*.tmp"))


def test_batch_all_ok_exits_0_and_json_list_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "in.json"
    path.write_text(
        json.dumps(
            [
                {"case_id": "x1", "destination": "KG", "wanted": "federal", "as_of": "2023-06-12"},
                {"case_id": "x2", "destination": "KZ", "citizenship": "", "as_of": "2023-06-12"},
            ]
        )
    )
    code, out, err = run(["--rules", str(PACK), "batch", str(path), "-f", "jsonl"], capsys)
    assert code == 0, err
    *rows, end = [json.loads(line) for line in out.splitlines()]
    assert end == {"complete": True, "rows": 2}
    assert [(r["row"], r["case_id"], r["status"]) for r in rows] == [
        (1, "x1", "ok"),
        (2, "x2", "ok"),
    ]
    assert rows[0]["highest_severity"] == "critical"
    assert err.startswith("2 rows: 2 assessed, 0 with errors\n")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "no such file"),
        ("in.xlsx", b"x", "unknown kind of file '.xlsx'"),
        ("empty.csv", b"", "empty: no header line"),
        ("nodest.csv", b"case_id,wanted\na,none\n", "no 'destination' column"),
        ("twice.csv", b"destination,destination\nKZ,KZ\n", "named twice: destination"),
        ("obj.json", b'{"destination": "KZ"}', "expected a JSON list of intakes"),
    ],
)
def test_batch_unreadable_input_exits_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes | None,
    message: str,
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(["--rules", str(PACK), "batch", str(path)], capsys)
    assert code == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_batch_output_extension_refused_before_reading(
    small_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["batch", str(small_csv), "-o", str(tmp_path / "out.xlsx")], capsys)
    assert code == 2
    assert "allowed: .csv, .jsonl" in err
    assert not (tmp_path / "out.xlsx").exists()


def test_hostile_rows_become_error_rows(tmp_path: Path, assessor: Assessor) -> None:
    path = tmp_path / "bad.jsonl"
    lines = [
        b'{"destination": "KZ", "as_of": "2023-06-12"}',
        b"\xef\xbb\xbf not json",
        b'{"destination": "KZ", "destination": "KG"}',
        b'["KZ"]',
        b'{"destination": "KZ", "wanted": "no\x00ne"}',
        b'{"destination": "KZ", "as_of": "0000-00-00"}',
        b'{"destination": "KZ", "name": "Ivan", "as_of": "2023-06-12"}',
        b"[" * 100_000,
        b'{"destination": "KZ", "x": "' + b"a" * (2 * 1024 * 1024) + b'"}',
        b'{"destination": "KG", "wanted": "federal", "as_of": "2023-06-12"}',
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    source, rows = read_rows(path)
    results = list(assess_rows(rows, assessor=assessor, jobs=1))
    source.close()
    assert [r.row for r in results] == list(range(1, 11))
    assert [r.status for r in results] == ["ok"] + ["error"] * 5 + ["ok"] + ["error"] * 2 + ["ok"]
    assert source.ignored == ["name"]  # an unknown key is ignored, by name, never its value
    errors = [r.error or "" for r in results[1:9]]
    assert errors[0].startswith("broken JSON")
    assert "duplicate key 'destination'" in errors[1]
    assert errors[2] == "expected an object of field names to answers, got a list"
    assert errors[3] == "contains a NUL byte"
    assert "field 'as_of'" in errors[4]
    assert "nested too deeply" in errors[6] or "broken JSON" in errors[6]
    assert errors[7] == "line longer than 1024 KB; not read"
    assert results[9].highest_severity == "critical"


def test_broken_json_list_keeps_rows_before_it(tmp_path: Path, assessor: Assessor) -> None:
    path = tmp_path / "in.json"
    path.write_text('[{"destination": "KZ"}, {"destination": "KG"} {"destination": "AM"}]')
    source, rows = read_rows(path)
    results = list(assess_rows(rows, assessor=assessor, jobs=1))
    source.close()
    assert [(r.row, r.status) for r in results] == [(1, "ok"), (2, "ok"), (3, "error")]
    assert results[2].error == (
        "expected , or ] after element 2; the rest of the file cannot be read"
    )


def test_multiprocess_equals_single_process(tmp_path: Path, assessor: Assessor) -> None:
    path = tmp_path / "many.csv"
    lines = ["case_id,destination,wanted,criminal_case,entry_date,citizenship,as_of"]
    wanted = ["none", "federal", "unknown", "", "bogus"]
    for i in range(600):
        dest = ("KZ", "KG", "AM")[i % 3]
        entry = (dt.date(2023, 1, 1) + dt.timedelta(days=i % 170)).isoformat()
        lines.append(f"c{i},{dest},{wanted[i % 5]},none,{entry},RU,2023-06-12")
    path.write_text("\n".join(lines) + "\n")

    def results(jobs: int) -> str:
        source, rows = read_rows(path)
        try:
            got = assess_rows(rows, rules_dir=PACK, jobs=jobs, assessor=assessor)
            return results_text(got, "csv")
        finally:
            source.close()

    single = results(1)
    assert single.count("\n") == 601
    assert ",error," in single and ",critical," in single and ",expiring_stay," in single
    assert results(2) == single


def test_triage_keeps_most_urgent_bounded() -> None:
    from riskcli.core.batch import RowResult

    triage = Triage()
    for i in range(100):
        triage.add(RowResult(i + 2, f"c{i}", "ok", "high", ("draft",), None, None))
    triage.add(RowResult(200, "late", "ok", "critical", ("draft",), dt.date(2023, 1, 9), 3))
    triage.add(RowResult(201, "soon", "ok", "critical", ("draft",), dt.date(2023, 1, 7), 1))
    urgent = triage.urgent
    assert len(urgent) == 20
    assert [r.case_id for r in urgent[:3]] == ["soon", "late", "c0"]
    assert "... and 82 more with risks" in render_triage(triage)


# --- template --------------------------------------------------------------------------


def test_template_csv_has_every_column_and_a_valid_example(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["template"], capsys)
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == list(FIELDS)
    assert len(rows) == 2
    example = {k: v for k, v in zip(rows[0], rows[1], strict=True) if v}
    assert example == {k: v for k, v in TEMPLATE_EXAMPLE.items() if v}
    make_profile(example)  # the example is a valid intake


def test_template_json_round_trips_through_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["template", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert isinstance(data, list) and list(data[0]) == list(FIELDS)
    sheet = tmp_path / "sheet.json"
    sheet.write_text(out)
    code, out, err = run(
        ["--rules", str(PACK), "batch", str(sheet), "--as-of", "2024-06-01"], capsys
    )
    assert code == 0, err
    assert out.splitlines()[1:] == ["# complete: 0 rows"]  # the example is not a case
    assert "Skipped the template's example row (row 1): it is not a case." in err
    # a row filled in below the example is read; the example still is not
    filled = [*data, {**data[0], "case_id": "k-2"}]
    sheet.write_text(json.dumps(filled))
    code, out, err = run(
        ["--rules", str(PACK), "batch", str(sheet), "--as-of", "2024-06-01"], capsys
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[1].startswith("2,k-2,ok,") and lines[2:] == ["# complete: 1 rows"]


# --- compare ---------------------------------------------------------------------------

ACTIVIST = {
    "case_id": "c-77",
    "citizenship": "RU",
    "occupation": "activist",
    "public_statements": True,
    "wanted": "federal",
    "criminal_case": "pending",
    "documents": ["domestic_passport"],
    "entry_date": "2023-05-20",
    "destination": "KG",
}


def _answers(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(data))
    return path


def test_compare_wanted_activist_kyrgyzstan_last_on_real_pack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _answers(tmp_path, ACTIVIST)
    code, out, err = run(
        ["compare", "-a", str(path), "--as-of", "2023-06-12", "-f", "json"], capsys
    )
    assert code == 0, err
    data = json.loads(out)
    ranked = [d["destination"] for d in data["destinations"]]
    assert "KG" in ranked and len(ranked) >= 2
    assert ranked[-1] == "KG"
    assert data["destinations"][-1]["highest_severity"] == "critical"
    assert data["not_covered"] == []


def test_compare_text_exact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _answers(tmp_path, ACTIVIST)
    argv = ["--rules", str(PACK), "compare", "-a", str(path), "--as-of", "2023-06-12"]
    code, out, _ = run([*argv, "-d", "kg,KZ,AM"], capsys)
    assert code == 0
    assert out == (
        "Destinations compared, safest first · as of 2023-06-12 · case c-77\n"
        "\n"
        "1. Kazakhstan (KZ)  possible MEDIUM  nearest deadline 2023-08-18 (67 days left,\n"
        "     if it applies)\n"
        "     - MEDIUM (possible): Your visa-free stay in Kazakhstan runs out after 90\n"
        "       days\n"
        "2. Kyrgyzstan (KG)  CRITICAL\n"
        "     - CRITICAL: Kyrgyzstan sends people with a Russian criminal case or wanted\n"
        "       status back to Russia\n"
        "     - HIGH (possible): Kyrgyzstan has no way to recognise you as a refugee\n"
        "\n"
        "The rule pack says nothing specific about: Armenia (AM). That is no information,\n"
        "not safety: ask a lawyer or an organisation that helps people in your situation\n"
        "there.\n"
        "\n"
        "Safest first means only: fewest and least severe of the risks the sources\n"
        "describe. riskcli is not legal advice; laws and practice change.\n"
    )
    assert max(len(line) for line in out.splitlines()) <= 80
    code, out, _ = run([*argv, "-d", "AM", "-f", "json", "--lang", "ru"], capsys)
    data = json.loads(out)
    assert data["destinations"] == []
    assert data["not_covered"] == [{"destination": "AM", "destination_name": "Армения"}]


def test_compare_bad_destination_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _answers(tmp_path, ACTIVIST)
    code, out, err = run(["compare", "-a", str(path), "-d", "KZ,XX"], capsys)
    assert (code, out) == (2, "")
    assert err.startswith("riskcli: --destinations: 'XX' is not a country code")


# --- iCalendar -------------------------------------------------------------------------

PERSONAL = {
    "case_id": "K-17",
    "citizenship": "RU",
    "destination": "KZ",
    "entry_date": "2023-05-01",
    "documents": ["domestic_passport"],
    "stay_basis": "visa_free",
    "wanted": "federal",
    "occupation": "journalist",
}


def _events(path: Path) -> list[Any]:
    cal = Calendar.from_ical(path.read_bytes())
    return list(cal.walk("VEVENT"))


def test_assess_ics_parses_back_with_two_alarms_and_no_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = _answers(tmp_path, PERSONAL)
    ics = tmp_path / "d.ics"
    argv = ["--rules", str(PACK), "assess", "-a", str(answers), "--as-of", "2023-06-12"]
    code, out, err = run([*argv, "-f", "json", "--ics", str(ics)], capsys)
    assert code == 0, err
    report = json.loads(out)
    deadlines = {r["deadline"] for r in report["risks"] if "deadline" in r}
    assert deadlines == {"2023-07-30"}
    events = _events(ics)
    assert len(events) == 1
    event = events[0]
    assert event.decoded("dtstart") == dt.date(2023, 7, 30)
    assert str(event["summary"]) == "riskcli: end of stay, case K-17"
    alarms = event.walk("VALARM")
    assert sorted(a.decoded("trigger") for a in alarms) == [
        dt.timedelta(days=-14),
        dt.timedelta(days=-3),
    ]
    text = ics.read_text().replace("\r\n ", "").lower()
    for word in ("kz", "kazakhstan", "journalist", "federal", "visa", "wanted", "russia"):
        assert word not in text.replace("vcalendar", "").replace("prodid", ""), word
    assert "k-17" in text


def test_batch_ics_one_event_per_deadline_in_russian(
    small_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ics = tmp_path / "all.ics"
    argv = ["--rules", str(PACK), "batch", str(small_csv), "--ics", str(ics), "--lang", "ru"]
    code, _, _ = run(argv, capsys)
    assert code == 1
    events = _events(ics)
    assert [(str(e["summary"]), e.decoded("dtstart")) for e in events] == [
        # both stays rest on an unanswered stay_basis: the events say so
        ("riskcli: конец срока пребывания (если это вас касается), дело a2", dt.date(2023, 7, 30)),
        (
            "riskcli: конец срока пребывания (если это вас касается), дело =cmd",
            dt.date(2023, 6, 18),
        ),
    ]
    assert all(len(e.walk("VALARM")) == 2 for e in events)


def test_row_without_data_is_error_row(assessor: Assessor) -> None:
    (result,) = assess_rows([InputRow(7, None, "broken")], assessor=assessor, jobs=1)
    assert (result.row, result.case_id, result.status, result.error) == (
        7,
        "row 7",
        "error",
        "broken",
    )
    assert OUTPUT_COLUMNS[:8] == (
        "row",
        "case_id",
        "status",
        "highest_severity",
        "categories",
        "nearest_deadline",
        "days_left",
        "error",
    )


def crash_on_row_5(rows: list[InputRow]) -> list[Any]:
    """Stands in for the C engine crashing a worker process (run in the worker)."""
    import os
    import signal

    if any(r.row == 5 for r in rows):
        os.kill(os.getpid(), signal.SIGSEGV)
    return []


def test_a_worker_that_dies_is_a_clear_error_not_a_hang() -> None:
    from riskcli.core.errors import EngineError
    from riskcli.io.batch import _parallel

    rows = iter([InputRow(i, {"destination": "KZ"}) for i in range(1, 11)])
    with pytest.raises(EngineError, match=r"a worker process died while assessing rows 1-10"):
        list(_parallel(rows, 2, PACK, "auto", None, task=crash_on_row_5))


def test_triage_names_every_broken_row_up_to_a_bound() -> None:
    from riskcli.core.batch import MORE_ERROR_ROWS, TOP_ERRORS, RowResult

    triage = Triage()
    total = TOP_ERRORS + MORE_ERROR_ROWS + 7
    for i in range(total):
        triage.add(RowResult(i + 2, f"c{i}", "error", error="field 'wanted': bad"))
    triage.add(RowResult(total + 5, "z", "error", error="field 'charges': bad"))
    text = render_triage(triage)
    # one line per reason, its rows as ranges; the rest by number only; one screen at most
    assert text.count("field 'wanted': bad") == 1
    assert f"  rows 2–{TOP_ERRORS + 1}: field 'wanted': bad\n" in text
    assert (
        f"  other rows with errors: {TOP_ERRORS + 2}–{TOP_ERRORS + MORE_ERROR_ROWS + 1}\n" in text
    )
    assert text.endswith("... and 8 more rows with errors (status error in the output)\n")
    assert len(text.splitlines()) <= 24
    assert max(len(line) for line in text.splitlines()) <= 80


# --- a batch in worker processes: the workers read, assess and write -----------------


def _mixed_sheet(path: Path, n: int) -> Path:
    """More rows than a chunk holds, with every kind of line the reader meets: intakes with
    and without deadlines, refused answers, a wrong number of cells, a line that is not
    UTF-8, blank lines, the template's example, a line too long to read."""
    from riskcli.io.batch import EXAMPLE_CASE_ID, MAX_LINE_BYTES

    head = "case_id,destination,wanted,criminal_case,entry_date,stay_basis,citizenship,as_of\n"
    lines = [head.encode()]
    wanted = ["none", "federal", "unknown", "", "bogus"]
    for i in range(n):
        dest = ("KZ", "KG", "AM", "DE")[i % 4]
        entry = (dt.date(2023, 1, 1) + dt.timedelta(days=i % 170)).isoformat()
        basis = ("visa_free", "", "residence_permit")[i % 3]
        line = f"c{i},{dest},{wanted[i % 5]},none,{entry},{basis},RU,2023-06-12\n".encode()
        if i % 97 == 5:
            line = f"c{i},KZ,none\n".encode()
        elif i % 131 == 7:
            line = b"c\xff,KZ,,,,,,\n"
        elif i % 89 == 3:
            line = b"\n"
        elif i == 300:
            line = f"{EXAMPLE_CASE_ID},KZ,none,none,,,RU,2023-06-12\n".encode()
        elif i == 401:
            line = b"x" * (MAX_LINE_BYTES + 10) + b"\n"
        lines.append(line)
    path.write_bytes(b"".join(lines))
    return path


def _without_stamps(ics: Path) -> str:
    return "".join(
        line for line in ics.read_text().splitlines(True) if not line.startswith("DTSTAMP")
    )


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_batch_in_worker_processes_is_the_same_as_in_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """The workers read the CSV lines, assess and write the rows; what a volunteer gets
    (results file, calendar, triage summary, exit code) is byte for byte what one process
    gives."""
    sheet = _mixed_sheet(tmp_path / "mixed.csv", 700)
    got = {}
    for jobs in (1, 2):
        out, ics = tmp_path / f"out-{jobs}.{fmt}", tmp_path / f"cal-{jobs}.ics"
        argv = ["--rules", str(PACK), "batch", str(sheet), "-o", str(out), "--ics", str(ics)]
        code, _, err = run([*argv, "--jobs", str(jobs)], capsys)
        got[jobs] = (code, out.read_bytes(), _without_stamps(ics), err)
    assert got[1] == got[2]
    code, text, calendar, summary = got[1]
    assert code == 1
    assert complete_rows(text.decode()) == 700 - 8 - 1  # 8 blank lines, the example
    for seen in ("line longer than 1024 KB", "not UTF-8 text", "3 cells", "critical"):
        assert seen in text.decode()
    assert calendar.count("BEGIN:VEVENT") > 50
    assert "example row (row 302)" in summary  # its line: after the header, i = 300


def test_parts_of_a_triage_merged_in_order_are_the_whole() -> None:
    """Triage.merge of the parts of a batch (as the workers count them) gives the counts,
    the most urgent cases and the error rows that adding every row gives."""
    import random

    from riskcli.core.batch import TOP_ERRORS, RowResult

    rng = random.Random(17)
    results = []
    for row in range(2, 3000):
        if rng.random() < 0.05:
            results.append(RowResult(row, f"c{row}", "error", error=f"bad {rng.randint(1, 3)}"))
            continue
        severity = rng.choice([None, "low", "medium", "high", "critical"])
        possible = rng.choice([None, "medium", "critical"])
        days = rng.choice([None, *range(-5, 60)])
        deadline = None if days is None else dt.date(2023, 6, 12) + dt.timedelta(days=days)
        results.append(
            RowResult(
                row,
                f"c{row}",
                "ok",
                severity,
                ("draft",),
                deadline,
                days,
                destination_covered=rng.random() < 0.9,
                possible_highest_severity=possible,
            )
        )
    whole = Triage()
    for result in results:
        whole.add(result)
    merged = Triage()
    start = 0
    while start < len(results):
        size = rng.randint(1, 300)
        part = Triage(top_errors=size)
        for result in results[start : start + size]:
            part.add(result)
        merged.merge(part)
        start += size
    assert whole.errors > TOP_ERRORS
    for name in ("rows", "errors", "counts", "with_risks", "first_errors", "other_error_rows"):
        assert getattr(merged, name) == getattr(whole, name), name
    assert merged.urgent == whole.urgent  # the same 20, in the same order
    with pytest.raises(ValueError, match="every error row"):
        Triage().merge(whole)  # a part that dropped error rows


def test_a_chunk_for_a_worker_is_bounded_in_lines_and_in_bytes() -> None:
    """Lines can be up to MAX_LINE_BYTES each: the chunks in flight to the workers are cut
    by their text's size too, so memory stays bounded on a file of long lines."""
    from riskcli.io.batch import CHUNK_BYTES, CHUNKSIZE, MAX_LINE_BYTES, _chunk

    long_lines = iter([(i, b"x" * MAX_LINE_BYTES) for i in range(1, 40)])
    sizes = []
    while chunk := _chunk(long_lines):
        assert sum(len(raw) for _, raw in chunk) < CHUNK_BYTES + MAX_LINE_BYTES
        sizes.append(len(chunk))
    assert sum(sizes) == 39 and len(sizes) > 3
    short = iter([(i, b"a,KZ") for i in range(1, 1000)])
    assert len(_chunk(short)) == CHUNKSIZE
    rows = iter([InputRow(i, {"destination": "KZ"}) for i in range(1, 1000)])
    assert len(_chunk(rows)) == CHUNKSIZE
