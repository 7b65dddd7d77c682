"""`riskcli assess --answers`: exact reports in every format and language, and clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_PACK, Run

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
GOLDEN = HERE / "golden"


@pytest.mark.parametrize("case", ["kz-almaty.json", "kg-activist.yaml", "kg-unknown.yaml"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_reports_match_golden_files(run: Run, case: str, fmt: str, lang: str) -> None:
    code, out, err = run(
        "--rules", str(FIXTURE_PACK), "assess", "-a", str(CASES / case), "-f", fmt, "--lang", lang
    )
    assert (code, err) == (0, "")
    stem = case.rsplit(".", 1)[0]
    assert out == (GOLDEN / f"{stem}.{lang}.{fmt}").read_text(encoding="utf-8")


def test_kazakhstan_json_has_the_deadline_and_days_left_of_the_spec_example(run: Run) -> None:
    code, out, _ = run("assess", "-a", str(CASES / "kz-almaty.json"), "-f", "json")
    assert code == 0
    report = json.loads(out)
    stay = next(r for r in report["risks"] if r["id"] == "kz-visa-free-90-days")
    assert stay["category"] == "expiring_stay"
    # The spec's example shape; the day of entry counts as day 1 (issue 13), so the last
    # day is a day earlier than the spec's illustrative 2022-12-24.
    assert (stay["deadline"], stay["days_left"]) == ("2022-12-23", 46)
    assert stay["deadline_label"] == "last day you may stay"
    assert stay["sources"][0]["document"] == "001_97a99247c5863a3b.txt"
    assert stay["sources"][0]["facts_as_of"] == "2022-11-07"
    assert set(report["summary"]["counts"]) == {"critical", "high", "medium", "low", "info"}


def test_kyrgyzstan_wanted_activist_is_critical(run: Run) -> None:
    code, out, _ = run("assess", "-a", str(CASES / "kg-activist.yaml"), "-f", "json")
    report = json.loads(out)
    assert code == 0
    assert report["summary"]["highest_severity"] == "critical"
    assert report["risks"][0]["id"] == "kg-deportation-on-request"
    assert report["language"] == "ru"  # from the profile's language field


def test_risks_are_ordered_by_severity_then_days_left(run: Run) -> None:
    _, out, _ = run("assess", "-a", str(CASES / "kg-activist.yaml"), "-f", "json")
    ranks = ["critical", "high", "medium", "low", "info"]
    risks = json.loads(out)["risks"]
    keys = [(ranks.index(r["severity"]), r.get("days_left", 10**9)) for r in risks]
    assert keys == sorted(keys)


def test_as_of_option_overrides_and_the_days_count_from_it(run: Run) -> None:
    _, out, _ = run(
        "assess", "-a", str(CASES / "kz-almaty.json"), "-f", "json", "--as-of", "2022-12-24"
    )
    stay = next(r for r in json.loads(out)["risks"] if r["id"] == "kz-visa-free-90-days")
    assert (stay["days_left"], stay["severity"]) == (-1, "critical")


def test_answers_from_standard_input(monkeypatch: pytest.MonkeyPatch, run: Run) -> None:
    import io

    data = (CASES / "kz-almaty.json").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = run("assess", "-a", "-", "-f", "json")
    assert code == 0 and json.loads(out)["case_id"] == "A-17"


def test_output_file_gets_the_report_and_stdout_stays_empty(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    code, out, _ = run(
        "assess", "-a", str(CASES / "kz-almaty.json"), "-f", "markdown", "-o", str(target)
    )
    assert (code, out) == (0, "")
    assert target.read_text(encoding="utf-8").startswith("# Risk assessment · Kazakhstan (KZ)")


def test_facts_age_is_stated_against_the_assessment_date(run: Run) -> None:
    case = str(CASES / "kz-almaty.json")
    _, out, _ = run("--rules", str(FIXTURE_PACK), "assess", "-a", case, "--as-of", "2026-11-22")
    assert "These facts date from 2022-11-07, 4 years before the assessment date" in out
    _, out, _ = run("assess", "-a", case, "--as-of", "2026-11-22", "-f", "json")
    facts = json.loads(out)["facts"]
    cited = {s["facts_as_of"] for r in json.loads(out)["risks"] for s in r["sources"]}
    assert facts["oldest"] == min(cited)  # the oldest fact the report rests on
    assert facts["years_before_as_of"] == 2026 - int(min(cited)[:4]) - (min(cited)[5:] > "11-22")


def test_uncovered_destination_says_so_instead_of_implying_safety(
    run: Run, write: Callable[..., Path]
) -> None:
    path = write("am.json", {"destination": "AM", "citizenship": "RU", "as_of": "2023-01-01"})
    code, out, _ = run("assess", "-a", str(path), "-f", "json")
    report = json.loads(out)
    assert code == 0
    assert report["coverage"]["destination_covered"] is False
    _, text, _ = run("assess", "-a", str(path))
    assert "The source documents say nothing specific about Armenia" in text


def test_unknown_answers_give_possible_findings_naming_what_is_unknown(
    run: Run, write: Callable[..., Path]
) -> None:
    path = write("kg.json", {"destination": "KG", "citizenship": "RU", "as_of": "2023-06-12"})
    _, out, _ = run("assess", "-a", str(path), "-f", "json")
    risk = next(r for r in json.loads(out)["risks"] if r["id"] == "kg-deportation-on-request")
    assert risk["certainty"] == "possible"
    assert risk["unknown_fields"] == ["criminal_case", "wanted", "arrested_in_absentia"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"destination": "ZZ"}', "field 'destination': 'ZZ' is not a country code"),
        ('{"destination": "KZ", "entry_date": "2022-13-01"}', "field 'entry_date'"),
        ('{"destination": "KZ", "wanted": "yes"}', "field 'wanted': 'yes' is not allowed"),
        ('{"destination": "KZ",', "broken JSON"),
        ("", "the answers file is empty"),
        ("   \n", "the answers file is empty"),
        ("[1, 2]", "expected a mapping of field names to answers"),
        ("destination: [KZ", "broken YAML"),
        ('{"destination": "KZ", "destination": "KG"}', "duplicate key 'destination'"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_nothing_on_stdout(
    run: Run, write: Callable[..., Path], content: str, message: str
) -> None:
    path = write("case.json", content)
    code, out, err = run("assess", "-a", str(path))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("riskcli: ")
    assert message in err
    assert "Traceback" not in err


def test_missing_file_and_bad_options_exit_2(run: Run, tmp_path: Path) -> None:
    code, out, err = run("assess", "-a", str(tmp_path / "nope.json"))
    assert (code, out) == (2, "")
    assert "nope.json: no such answers file" in err
    code, _, err = run("assess", "-a", str(CASES / "kz-almaty.json"), "--as-of", "tomorrow")
    assert code == 2 and "--as-of: 'tomorrow' is not a real date" in err
    code, _, err = run("assess", "-a", str(CASES / "kz-almaty.json"), "--format", "pdf")
    assert code == 2 and "pdf" in err


def test_no_answers_and_no_terminal_points_to_answers(run: Run) -> None:
    code, out, err = run("assess")
    assert (code, out) == (2, "")
    assert "--answers" in err


def test_traceback_flag_shows_the_traceback(run: Run, write: Callable[..., Path]) -> None:
    path = write("case.json", '{"destination": "ZZ"}')
    code, _, err = run("--traceback", "assess", "-a", str(path))
    assert code == 2
    assert "Traceback" in err and err.rstrip().endswith(
        "is not a country code; allowed: an ISO "
        "3166-1 alpha-2 country code such as KZ, "
        "KG, AM, GE, TR, DE, US"
    )


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path: Path) -> None:
    env = dict(os.environ, NO_COLOR="1")
    proc = subprocess.run(
        [sys.executable, "-m", "riskcli", "assess", "-a", str(CASES / "kg-activist.yaml")],
        capture_output=True, text=True, env=env, check=False, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0
    assert "\x1b[" not in proc.stdout
    assert "[КРИТИЧЕСКИЙ]" in proc.stdout  # severity as a word, not only a colour


def test_every_command_has_help(run: Run) -> None:
    for args in (["--help"], ["assess", "--help"], ["rules", "--help"], ["rules", "list", "--help"],
                 ["rules", "show", "--help"], ["rules", "check", "--help"]):  # fmt: skip
        code, out, _ = run(*args)
        assert code == 0 and "Usage:" in out


def test_an_output_file_is_readable_by_its_owner_only(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, _, _ = run("assess", "-a", str(CASES / "kz-almaty.json"), "-f", "json", "-o", str(target))
    assert code == 0
    assert target.stat().st_mode & 0o777 == 0o600  # the report names the answers given


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_facts_reported_after_the_assessment_date_are_marked_in_every_format(
    run: Run, lang: str
) -> None:
    # Assessed on 2022-01-13 (the date of 000), a Bishkek case is judged on facts The Insider
    # reported in June 2023: each such finding says so, in JSON, text and Markdown.
    case = str(CASES / "kg-activist.yaml")
    common = ("--rules", str(FIXTURE_PACK), "assess", "-a", case, "--lang", lang)
    _, out, _ = run(*common, "-f", "json", "--as-of", "2022-01-13")
    risks = json.loads(out)["risks"]
    assert risks and all(r["reported_after_as_of"] is True for r in risks)
    line = {
        "en": "Reported after the assessment date: this rests on facts dated 2023-06-12, "
        "later than 2022-01-13.",
        "ru": "Эти сведения появились после даты оценки: они датированы 12 июня 2023 г., "
        "а оценка сделана на 13 января 2022 г.",
    }[lang]
    for fmt in ("text", "markdown"):
        _, out, _ = run(*common, "-f", fmt, "--as-of", "2022-01-13")
        assert " ".join(out.split()).count(line) == len(risks), fmt
    # On the documents' own date nothing is marked, and the JSON key is left out.
    _, out, _ = run(*common, "-f", "json", "--as-of", "2023-06-12")
    assert all("reported_after_as_of" not in r for r in json.loads(out)["risks"])
    _, out, _ = run(*common, "-f", "text", "--as-of", "2023-06-12")
    assert line.split(":")[0] not in out
