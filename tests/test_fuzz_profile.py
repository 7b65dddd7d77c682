"""Property tests over the profile (issue 7, item 1).

Any profile the model accepts is assessed by durable-rules without error and
gets exactly the report of the plain-Python oracle; any value the model
refuses ends in exit 2 and one line on stderr that names the field.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from fuzzkit import ANY_VALUE, BUDGETS, PACK, RULES, answers, assessor_for, budget
from hypothesis import given
from hypothesis import strategies as st

from riskcli.cli.root import main
from riskcli.core.assess import Assessor
from riskcli.core.conditions import to_fact
from riskcli.core.engine.durable import DURABLE_AVAILABLE
from riskcli.core.engine.oracle import interpret
from riskcli.core.errors import InputError
from riskcli.core.profile import FIELDS, make_profile
from riskcli.io.loaders import load_data


# The pack under test (fuzzkit.RULES), in place of conftest's fixtures of the same names.
@pytest.fixture(scope="session", name="assessor")
def _assessor() -> Assessor:
    return assessor_for("auto")


@pytest.fixture(scope="session", name="oracle")
def _oracle() -> Assessor:
    return assessor_for("oracle")


needs_durable = pytest.mark.skipif(not DURABLE_AVAILABLE, reason="durable-rules not installed")


def write_answers(path: Path, data: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@needs_durable
@pytest.mark.parametrize("budget_name", BUDGETS)
def test_accepted_profiles_get_the_oracle_report_from_durable_rules(
    budget_name: str, assessor: Assessor, oracle: Assessor
) -> None:
    fired: Counter[str] = Counter()

    @budget(budget_name, 600)
    @given(raw=answers(), lang=st.sampled_from([None, "en", "ru"]))
    def check(raw: dict[str, Any], lang: str | None) -> None:
        profile = make_profile(raw)  # every answer the strategy writes is a valid one
        fact = to_fact(profile)
        # durable-rules, the generated oracle and the interpreted JSON: one answer
        expected = interpret(oracle.compiled, fact)
        assert oracle.matcher.match(fact) == expected
        assert assessor.matcher.match(fact) == expected
        report = assessor.assess(profile, lang).to_json_dict()
        assert report == oracle.assess(profile, lang).to_json_dict()
        fired.update(item["id"] for item in report["risks"] + report["support"])

    check()
    # The generator reaches the rules, so agreement means something.
    assert len(fired) >= min(len(PACK.rules), 3), fired


@needs_durable
@pytest.mark.parametrize("budget_name", BUDGETS)
def test_cases_matched_together_get_what_each_gets_alone(
    budget_name: str, assessor: Assessor, oracle: Assessor
) -> None:
    """Batches match many cases in one call (one engine session per ruleset and 64 cases):
    each case gets the oracle's answer for it alone, whatever else is in the call."""

    @budget(budget_name, 150)
    @given(raws=st.lists(answers(), min_size=1, max_size=80))
    def check(raws: list[dict[str, Any]]) -> None:
        facts = [to_fact(make_profile(raw)) for raw in raws]
        expected = [interpret(oracle.compiled, fact) for fact in facts]
        assert assessor.matcher.match_many(facts) == expected
        assert oracle.matcher.match_many(facts) == expected

    check()


@pytest.mark.parametrize("budget_name", BUDGETS)
def test_any_answer_is_assessed_or_refused_naming_its_field(
    budget_name: str,
    assessor: Assessor,
    oracle: Assessor,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        "riskcli.cli.common.get_assessor", lambda env: assessor
    )  # the pack, loaded once
    outcomes: Counter[str] = Counter()
    field_names = st.one_of(st.sampled_from(FIELDS), st.text(min_size=1, max_size=12))

    @budget(budget_name, 300)
    @given(raw=answers(), field=field_names, value=ANY_VALUE, fmt=st.sampled_from(["json", "yaml"]))
    def check(raw: dict[str, Any], field: str, value: Any, fmt: str) -> None:
        raw = {**raw, field: value}
        path = tmp_path / f"answers.{fmt}"
        try:
            profile = make_profile(raw, source=str(path))
        except InputError as exc:
            outcomes["refused"] += 1
            message = exc.render(exc.lang or "en")  # answers in Russian: the error too
            quoted = repr(field)  # long names are cut short in messages, as long values are
            assert (quoted if len(quoted) <= 60 else quoted[:59] + "…") in message
            assert "\n" not in message
            write_answers(path, raw, fmt)
            if fmt == "yaml" and load_data(path) != raw:
                # PyYAML reads some characters it writes raw (NEL, U+2028) as line breaks
                # and NaN is unequal to itself: this one goes as JSON.
                path = path.with_suffix(".json")
                write_answers(path, raw, "json")
                message = message.replace(f"{path.with_suffix('.yaml')}: ", f"{path}: ", 1)
            code = main(["assess", "--answers", str(path), "--format", "json"])
            out, err = capsys.readouterr()
            assert (code, out, err) == (2, "", f"riskcli: {message}\n")
            return
        outcomes["accepted"] += 1
        assert assessor.assess(profile).to_json_dict() == oracle.assess(profile).to_json_dict()

    check()
    assert outcomes["refused"] > 0 and outcomes["accepted"] > 0, outcomes


@pytest.mark.parametrize("budget_name", BUDGETS)
def test_the_cli_prints_the_oracle_report_for_any_accepted_file(
    budget_name: str,
    assessor: Assessor,
    oracle: Assessor,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        "riskcli.cli.common.get_assessor", lambda env: assessor
    )  # the pack, loaded once

    @budget(budget_name, 100)
    @given(
        raw=answers(),
        fmt=st.sampled_from(["json", "yaml"]),
        lang=st.sampled_from([None, "en", "ru"]),
    )
    def check(raw: dict[str, Any], fmt: str, lang: str | None) -> None:
        path = tmp_path / f"answers.{fmt}"
        write_answers(path, raw, fmt)
        if fmt == "yaml" and load_data(path) != raw:  # a PyYAML quirk, as above: use JSON
            path = path.with_suffix(".json")
            write_answers(path, raw, "json")
        args = ["assess", "--answers", str(path), "--format", "json"]
        code = main(args + (["--lang", lang] if lang else []))
        out, err = capsys.readouterr()
        assert (code, err) == (0, "")
        expected = oracle.assess(make_profile(raw), lang).to_json_dict()
        assert json.loads(out) == expected

    check()


# A few real processes: what a person at a terminal gets, whole.
REFUSED = [
    (
        {"destination": "KG", "wanted": "yes"},
        "field 'wanted': 'yes' is not allowed; allowed: none, federal, interstate, international, unknown",
    ),
    (
        {"destination": "KG", "entry_date": "2023-02-30"},
        "field 'entry_date': '2023-02-30' is not a real date; allowed: a date as YYYY-MM-DD or DD.MM.YYYY",
    ),
    (
        {"destination": "Kyrgyzstan"},
        "field 'destination': 'Kyrgyzstan' is not a country code; allowed: an ISO 3166-1 alpha-2 country code such as KZ, KG, AM, GE, TR, DE, US",
    ),
    (
        {"destination": "KG", "draft_notice": 1},
        "field 'draft_notice': 1 is not a yes/no answer; allowed: true/false, yes/no, да/нет (or leave empty if unknown)",
    ),
    (
        {"destination": "KG", "wanted": "x" * 5000},
        "field 'wanted': '"
        + "x" * 58
        + "… is not allowed; allowed: none, federal, interstate, international, unknown",
    ),
    (
        {"destination": "KG", "criminal": "pending"},
        "unknown field 'criminal'; allowed fields: case_id, as_of, language, citizenship, documents, international_passport_expiry, destination, entry_date, stay_basis, criminal_case, wanted, arrested_in_absentia, charges, protest_history, draft_notice, military_liable, public_statements, activism_abroad, occupation, foreign_agent, organisation_status, foreign_funding, relatives_in_russia, onward_destinations, needs_shelter",
    ),
]


def run_riskcli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "riskcli", "--rules", str(RULES), *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(("data", "message"), REFUSED, ids=[m.split(":")[0] for _, m in REFUSED])
def test_a_refused_answer_in_a_real_process(
    data: dict[str, Any], message: str, tmp_path: Path
) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    done = run_riskcli("assess", "--answers", str(path), "--format", "json")
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.decode() == f"riskcli: {path}: {message}\n"


def test_an_accepted_answer_in_a_real_process(oracle: Assessor) -> None:
    data = {"destination": "kg", "as_of": "12.06.2023", "criminal_case": " pending ", "wanted": ""}
    done = run_riskcli(
        "assess", "--answers", "-", "--format", "json", stdin=json.dumps(data).encode()
    )
    assert (done.returncode, done.stderr) == (0, b"")
    assert json.loads(done.stdout) == oracle.assess(make_profile(data)).to_json_dict()
