"""Triage that tells people apart (issue 12), over the REAL rule pack in rules/.

These tests assert what a person or a volunteer sees: certainty, the class of severity,
order, which questions are asked. They do not pin rule texts, which are edited in parallel.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from riskcli.cli.root import main
from riskcli.core.assess import Assessor
from riskcli.core.notes import mentioned
from riskcli.core.profile import make_profile
from riskcli.core.questions import BY_KEY, date_words
from riskcli.core.report import Report
from riskcli.io.store import WEAK_KDF_ENV
from riskcli.render.report import render_markdown, render_text

RANK = ["info", "low", "medium", "high", "critical"]
AS_OF = "2023-06-12"

GERMANY_SETTLED = {
    "destination": "DE",
    "citizenship": "RU",
    "documents": ["domestic_passport", "international_passport", "residence_permit"],
    "stay_basis": "residence_permit",
    "criminal_case": "none",
    "wanted": "none",
    "protest_history": "none",
    # arrested_in_absentia: not answered
}


def rank(severity: str | None) -> int:
    return -1 if severity is None else RANK.index(severity)


def report_of(assessor: Assessor, answers: dict[str, Any], lang: str = "en") -> Report:
    return assessor.assess(make_profile({"as_of": AS_OF, **answers}), lang)


def json_of(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(report.to_json_dict(), default=str))
    return data


# --- the headline is what is known ------------------------------------------------------


@pytest.mark.parametrize("country", ["DE", "AM", "GE", "TR", "KG", "KZ"])
def test_a_destination_alone_confirms_nothing_and_is_below_high(
    assessor: Assessor, country: str
) -> None:
    report = report_of(assessor, {"destination": country})
    data = json_of(report)
    assert [r["id"] for r in data["risks"] if r["certainty"] == "confirmed"] == []
    assert rank(data["summary"]["highest_severity"]) < rank("high")
    assert sum(data["summary"]["counts"].values()) == 0
    for lang in ("en", "ru"):
        text = render_text(report_of(assessor, {"destination": country}, lang))
        headline = text.splitlines()[1]
        for word in ("HIGH", "CRITICAL", "ВЫСОКИЙ", "КРИТИЧЕСКИЙ"):
            assert word not in headline
        assert "safe" not in headline.lower() and "безопас" not in headline.lower()


def test_the_settled_germany_resident_is_medium_or_lower(assessor: Assessor) -> None:
    report = report_of(assessor, GERMANY_SETTLED)
    assert rank(report.summary.highest_severity) <= rank("medium")
    # the arrest in absentia was taken from "no criminal case", and it says so
    inferred = {i.field: i for i in report.summary.inferred}
    assert inferred["arrested_in_absentia"].value is False
    assert inferred["arrested_in_absentia"].from_ == {"criminal_case": "none"}
    assert "not from the source documents" in inferred["arrested_in_absentia"].kind
    assert inferred["arrested_in_absentia"].known_as_of is not None
    text = render_text(report)
    assert "Taken from your answer “no criminal case”: not arrested in absentia" in text
    assert "general reference knowledge" in text
    ru = render_text(report_of(assessor, GERMANY_SETTLED, "ru"))
    assert "Из вашего ответа «уголовного дела нет» следует: заочного ареста нет" in ru
    data = json_of(report)
    assert data["summary"]["inferred"][0]["from"] == {"criminal_case": "none"}


def test_kyrgyzstan_no_case_not_wanted_has_no_possible_critical(assessor: Assessor) -> None:
    report = report_of(assessor, {"destination": "KG", "criminal_case": "none", "wanted": "none"})
    assert report.summary.possible_counts["critical"] == 0
    assert report.summary.counts["critical"] == 0
    assert all(r.severity != "critical" for r in report.risks)


def test_kyrgyzstan_wanted_unknown_keeps_the_confirmed_risk_and_asks_the_right_questions(
    assessor: Assessor,
) -> None:
    report = report_of(assessor, {"destination": "KG", "wanted": "unknown"})
    confirmed = [r for r in report.risks if r.certainty == "confirmed"]
    assert "unknown_case" in {r.category for r in confirmed}
    deportation = [r for r in report.risks if r.category == "deportation_on_request"]
    assert deportation and all(r.certainty == "possible" for r in deportation)
    assert "critical" in {r.severity for r in deportation}
    fields = [c.field for c in report.summary.to_check]
    assert {"arrested_in_absentia", "criminal_case", "wanted"} <= set(fields)
    # most at stake first: the questions that settle the deportation come before the rest
    assert report.summary.to_check[0].highest_severity == "critical"
    severities = [rank(c.highest_severity) for c in report.summary.to_check]
    assert severities == sorted(severities, reverse=True)
    critical_ids = {r.id for r in deportation if r.severity == "critical"}
    for item in report.summary.to_check:
        if item.field in {"arrested_in_absentia", "criminal_case", "wanted"}:
            assert critical_ids <= set(item.settles)
            assert item.question == BY_KEY[item.field].text.en


def test_a_risk_resting_on_unanswered_questions_is_possible_but_dont_know_confirms(
    assessor: Assessor,
) -> None:
    unanswered = report_of(assessor, {"destination": "KG"})
    dont_know = report_of(
        assessor, {"destination": "KG", "criminal_case": "unknown", "wanted": "unknown"}
    )
    unknown_case = [r for r in unanswered.risks if r.category == "unknown_case"]
    assert unknown_case and all(r.certainty == "possible" for r in unknown_case)
    assert any(r.category == "unknown_case" and r.certainty == "confirmed" for r in dont_know.risks)


# --- to_check is computed from the conditions ------------------------------------------------


@pytest.mark.parametrize(
    "answers",
    [
        {"destination": "KG", "wanted": "unknown"},
        {"destination": "DE"},
        {"destination": "KZ", "citizenship": "RU", "entry_date": "2023-05-01"},
        GERMANY_SETTLED,
    ],
)
def test_every_question_to_check_really_settles_what_it_names(
    assessor: Assessor, answers: dict[str, Any]
) -> None:
    """Answering the question with some allowed value changes the certainty of each risk it
    names: confirmed, or gone."""
    base = {"as_of": AS_OF, **answers}
    report = assessor.assess(make_profile(base))
    before = {r.id: r.certainty for r in report.risks}
    for item in report.summary.to_check:
        assert item.question.strip() and "{" not in item.question
        for rule_id in item.settles:
            assert before[rule_id] == "possible"
            changed = False
            for value in _values(item.field):
                try:
                    profile = make_profile({**base, item.field: value})
                except Exception:
                    continue
                after = {r.id: r.certainty for r in assessor.assess(profile).risks}
                if after.get(rule_id) != "possible":
                    changed = True
                    break
            assert changed, (item.field, rule_id)


def _values(field: str) -> list[Any]:
    question = BY_KEY[field]
    if question.kind == "yes_no":
        return [True, False]
    if question.kind == "multi":
        return [[], *([o.value] for o in question.options)]
    if question.kind == "date":
        return ["2000-01-01", "2023-01-01", "2023-06-01", "2030-01-01"]
    return [o.value for o in question.options]


# --- notes that fit ----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize(
    "answers",
    [
        {"destination": "KG", "criminal_case": "none", "wanted": "none"},
        {"destination": "KG", "criminal_case": "unknown", "wanted": "none"},
        {"destination": "KG", "protest_history": "participated"},
        {"destination": "DE", "protest_history": "participated", "criminal_case": "none"},
        GERMANY_SETTLED,
    ],
)
def test_notes_name_only_what_is_unknown(
    assessor: Assessor, answers: dict[str, Any], lang: str
) -> None:
    report = report_of(assessor, answers, lang)
    answered = {k for k, v in answers.items() if v != "unknown"}
    answered |= {i.field for i in report.summary.inferred}
    for risk in report.risks:
        assert not set(risk.unknown_fields) & answered, risk.id
        if risk.unknown_note:
            assert not mentioned(risk.unknown_note, lang) & answered, (risk.id, risk.unknown_note)
    text = render_text(report).lower()
    if "criminal_case" in answered and lang == "en":
        assert "do not know whether you have a criminal case" not in text
    if "protest_history" in answered and lang == "en":
        assert "did not say whether you protested" not in text


# --- order and the action-first block -------------------------------------------------------

OVERSTAY = {
    "destination": "KZ",
    "citizenship": "RU",
    "documents": ["domestic_passport"],
    "stay_basis": "visa_free",
    "entry_date": "2023-01-10",
}


def test_confirmed_first_and_a_confirmed_deadline_never_below_a_possible_one(
    assessor: Assessor,
) -> None:
    report = report_of(assessor, {**OVERSTAY, "entry_date": "2023-05-01"})
    certainties = [r.certainty for r in report.risks]
    assert certainties == sorted(certainties, key=lambda c: c != "confirmed")
    assert "possible" in certainties
    text = render_text(report)
    head = text.index("RISKS THAT FOLLOW FROM YOUR ANSWERS")
    could = text.index("COULD APPLY")
    assert head < could
    stay = next(r for r in report.risks if r.deadline is not None)
    assert stay.certainty == "confirmed"
    assert head < text.index(stay.title.split()[0]) < could
    assert report.summary.days_left == stay.days_left


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_text_report_opens_with_one_screen_of_what_to_do(assessor: Assessor, lang: str) -> None:
    report = report_of(assessor, OVERSTAY, lang)
    text = render_text(report)
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines)
    screen = "\n".join(lines[:24])
    assert report.summary.highest_severity == "critical"
    assert ("CRITICAL" if lang == "en" else "КРИТИЧЕСКИЙ") in lines[1]
    assert ("Nearest deadline" if lang == "en" else "Ближайший срок") in screen
    deadline = report.summary.nearest_deadline
    assert deadline is not None
    assert date_words(deadline, lang) in " ".join(screen.split())  # «9 апреля 2023 г.» in ru
    assert ("What to do first" if lang == "en" else "Что сделать в первую очередь") in screen
    first = [line for line in lines[:24] if re.match(r"\s+[123]\. ", line)]
    assert len(first) == 3
    advice = {a for r in report.risks if r.certainty == "confirmed" for a in r.advice}
    for line in first:
        start = line.split(". ", 1)[1]
        assert any(a.startswith(start) for a in advice)
    open_line = "Questions still open" if lang == "en" else "Вопросов без ответа"
    if report.summary.to_check:
        assert open_line in screen


def test_the_headline_counts_what_could_apply_and_the_questions(assessor: Assessor) -> None:
    report = report_of(assessor, {"destination": "KG", "wanted": "unknown"})
    line = render_text(report).splitlines()[1]
    n_possible = sum(report.summary.possible_counts.values())
    n_questions = len(report.summary.to_check)
    assert line.startswith("HIGH, and ")
    assert f"{n_possible} more risks could apply" in line
    assert f"answer {n_questions} questions to know" in line
    ru = render_text(report_of(assessor, {"destination": "KG", "wanted": "unknown"}, "ru"))
    assert ru.splitlines()[1].startswith("Уровень риска: ВЫСОКИЙ; ещё ")


@pytest.mark.parametrize("render", [render_text, render_markdown])
def test_each_quote_is_given_once_in_a_numbered_sources_list(
    assessor: Assessor, render: Any
) -> None:
    report = report_of(assessor, {"destination": "KG", "wanted": "unknown"})
    out = render(report)
    sources = [s for r in report.risks for s in r.sources]
    sources += [s for h in report.support for s in h.sources]
    cited = {(s.document, " ".join(s.quote.split())) for s in sources}
    if render is render_text:
        flat = " ".join(out.split())
        for _, quote in cited:
            assert flat.count(f"“{quote}”") == 1
        numbered = [line for line in out.splitlines() if re.match(r"\[\d+\] ", line)]
    else:
        numbered = [line for line in out.splitlines() if line.startswith("   > ")]
    assert len(numbered) == len(cited)
    assert "[1]" in out
    # JSON keeps the quotes per finding
    data = json_of(report)
    assert all(r["sources"] and r["sources"][0]["quote"] for r in data["risks"])


def test_answers_that_cannot_both_hold_are_a_clear_warning(assessor: Assessor) -> None:
    answers = {"destination": "KG", "criminal_case": "none", "arrested_in_absentia": True}
    report = report_of(assessor, answers)
    assert [c.fields for c in report.summary.conflicts] == [
        ["criminal_case", "arrested_in_absentia"]
    ]
    text = render_text(report)
    assert "WARNING" in "\n".join(text.splitlines()[:6])
    assert "ВНИМАНИЕ" in render_text(report_of(assessor, answers, "ru"))
    assert "> **WARNING" in render_markdown(report)
    # never a silent choice: the answer given (arrested) still counts
    assert report.summary.highest_severity == "critical"


def test_json_keeps_every_key_and_adds_those_of_spec_3_1(assessor: Assessor) -> None:
    data = json_of(report_of(assessor, {"destination": "KG", "wanted": "unknown"}))
    for key in ("schema_version", "as_of", "risks", "support", "summary"):
        assert key in data
    summary = data["summary"]
    for key in (
        "highest_severity",
        "counts",
        "possible_highest_severity",
        "possible_counts",
        "nearest_deadline",
        "days_left",
        "to_check",
        "inferred",
        "conflicts",
    ):
        assert key in summary
    item = summary["to_check"][0]
    assert set(item) == {"field", "question", "settles", "highest_severity"}
    for risk in data["risks"]:
        for key in ("id", "category", "severity", "certainty", "title", "explanation"):
            assert key in risk
        assert "deadline_kind" not in risk and "unknown_note_generated" not in risk


# --- one summary everywhere ---------------------------------------------------------------


def _batch_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"case_id": f"only-{c}", "destination": c} for c in ("DE", "AM", "GE", "TR", "KG", "KZ")
    ]
    rows += [
        {"case_id": "de-settled", **GERMANY_SETTLED},
        {"case_id": "kg-clear", "destination": "KG", "criminal_case": "none", "wanted": "none"},
        {"case_id": "kg-dont-know", "destination": "KG", "wanted": "unknown"},
        {"case_id": "kz-fresh", **OVERSTAY, "entry_date": "2023-05-20"},
        {"case_id": "kg-wanted", "destination": "KG", "citizenship": "RU", "wanted": "federal"},
        {"case_id": "kz-overstay", **OVERSTAY},
        {"case_id": "am-protester", "destination": "AM", "protest_history": "detained"},
    ]
    return rows


def test_batch_ranks_the_wanted_and_the_overstayer_above_everyone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "intakes.jsonl"
    path.write_text("\n".join(json.dumps({**r, "as_of": AS_OF}) for r in _batch_rows()) + "\n")
    code = main(["batch", str(path), "-f", "csv"])
    out, err = capsys.readouterr()
    assert code == 0, err
    rows = {r["case_id"]: r for r in csv.DictReader(io.StringIO(out))}
    for column in (
        "highest_severity",
        "possible_highest_severity",
        "to_check",
        "nearest_deadline",
        "days_left",
    ):
        assert column in next(iter(rows.values()))
    urgent = err.split("Most urgent first:\n", 1)[1].splitlines()
    order = [next(c for c in rows if f" {c} " in f" {line} ") for line in urgent if "(row" in line]
    assert set(order[:2]) == {"kg-wanted", "kz-overstay"}
    assert rows["kz-overstay"]["highest_severity"] == "critical"
    assert int(rows["kz-overstay"]["days_left"]) < 0
    for case in ("only-DE", "only-KG", "de-settled"):
        assert rank(rows[case]["highest_severity"] or None) < rank("high")
    assert "arrested_in_absentia" in rows["kg-dont-know"]["to_check"].split(";")
    severities = [rows[c]["highest_severity"] for c in rows]
    assert len({s for s in severities}) > 2  # not everyone HIGH


@pytest.fixture
def store_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(WEAK_KDF_ENV, "1")
    (tmp_path / "store").mkdir(mode=0o700)  # riskcli does not create the store's folder
    monkeypatch.setenv("RISKCLI_STORE", str(tmp_path / "store" / "cases.db"))
    monkeypatch.setenv("RISKCLI_PASSPHRASE", "correct horse battery staple")
    return tmp_path


def _cases_main(argv: list[str]) -> int:
    """The store takes RISKCLI_PASSPHRASE once per process: give it again, as a new run would."""
    os.environ["RISKCLI_PASSPHRASE"] = "correct horse battery staple"
    return main(argv)


def _add(tmp_path: Path, capsys: pytest.CaptureFixture[str], answers: dict[str, Any]) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers))
    assert _cases_main(["cases", "add", "-a", str(path), "--as-of", AS_OF]) == 0
    capsys.readouterr()


@pytest.mark.parametrize(("lang", "words"), [("en", "no information"), ("ru", "нет сведений")])
def test_cases_list_says_no_information_for_a_country_the_sources_do_not_describe(
    store_env: Path, capsys: pytest.CaptureFixture[str], lang: str, words: str
) -> None:
    _add(store_env, capsys, {"case_id": "fr-1", "destination": "FR", "criminal_case": "none"})
    assert _cases_main(["cases", "list", "--as-of", AS_OF, "--lang", lang]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if "fr-1" in line)
    assert words in row
    assert not re.search(r"\b(none|нет)\s*$", row.split("fr-1", 1)[1].split("  -")[0].strip())


def test_cases_list_and_deadlines_rank_and_show_the_case_summary(
    store_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _add(store_env, capsys, {"case_id": "only-de", "destination": "DE"})
    _add(store_env, capsys, {"case_id": "kz-fresh", **OVERSTAY, "entry_date": "2023-05-20"})
    _add(store_env, capsys, {"case_id": "kg-wanted", "destination": "KG", "wanted": "federal"})
    assert _cases_main(["cases", "list", "--as-of", AS_OF, "-f", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [c["case_id"] for c in listed] == ["kg-wanted", "kz-fresh", "only-de"]
    assert listed[2]["highest_severity"] is None
    assert listed[2]["possible_highest_severity"] is not None
    assert _cases_main(["cases", "deadlines", "--as-of", AS_OF]) == 0
    table = capsys.readouterr().out
    row = next(line for line in table.splitlines() if "kz-fresh" in line)
    # the HIGHEST column is the case's (its most serious confirmed risk)
    assert _cases_main(["cases", "list", "--as-of", AS_OF]) == 0
    listed_row = next(line for line in capsys.readouterr().out.splitlines() if "kz-fresh" in line)
    case_highest = listed_row.split("kz-fresh", 1)[1].split()[0]
    assert case_highest in row.split("kz-fresh", 1)[1]
    assert _cases_main(["cases", "reassess", "--as-of", AS_OF, "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["checked"] == 3


def test_the_calendar_keeps_each_deadline_kind_and_marks_what_could_apply(
    assessor: Assessor,
) -> None:
    from riskcli.io.ics import event_bytes

    confirmed = report_of(assessor, {**OVERSTAY, "entry_date": "2023-05-20"})
    possible = report_of(assessor, {"destination": "KZ", "entry_date": "2023-05-20"})
    sure = confirmed.deadlines()
    maybe = possible.deadlines()
    assert sure and all(d.kind == "entry_date" and d.certainty == "confirmed" for d in sure)
    assert maybe and all(d.certainty == "possible" for d in maybe)
    assert b"(if it applies)" not in event_bytes("c1", sure)
    assert b"(if it applies)" in event_bytes("c1", maybe)


def test_reassess_names_a_risk_that_became_confirmed(assessor: Assessor) -> None:
    from riskcli.core.summary import diff_reports

    before = report_of(assessor, {"destination": "KG"}).to_json_dict()
    after = report_of(assessor, {"destination": "KG", "wanted": "unknown"})
    changes = diff_reports(before, after)
    became = [c for c in changes if c.kind == "certainty"]
    assert became and all((c.before, c.after) == ("possible", "confirmed") for c in became)
    assert any(r.id == became[0].risk and r.category == "unknown_case" for r in after.risks)
