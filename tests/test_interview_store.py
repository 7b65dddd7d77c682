"""`riskcli assess --save-case` and `--resume`: the interview with an encrypted draft."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from riskcli.cli import common as cli_common
from riskcli.cli import root as cli
from riskcli.io.store import WEAK_KDF_ENV, CaseStore
from tests.conftest import keep_passphrase_env
from tests.test_interview import (
    ALMATY,
    CTRL_C,
    DONE,
    ENTER,
    START,
    _default_key_bindings_built_once,  # noqa: F401 - speeds up the prompts here too
    pick,
    sel,
)

PASS = "correct horse battery"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cases.db"
    monkeypatch.setenv(WEAK_KDF_ENV, "1")
    monkeypatch.setenv("RISKCLI_STORE", str(path))
    monkeypatch.setenv("RISKCLI_PASSPHRASE", PASS)
    monkeypatch.setattr(cli_common, "can_interview", lambda: True)
    return path


def run_keys(
    keys: list[str], args: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text("".join(keys))
        pipe.close()
        with keep_passphrase_env():
            code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def contents(path: Path) -> tuple[int, int]:
    with CaseStore.open(path, PASS) as cases:
        return len(cases.cases()), len(cases.drafts())


ARGS = ["assess", "--lang", "en", "--as-of", "2022-11-07", "--format", "json", "--save-case"]


def test_save_case_keeps_the_case_and_no_draft(store: Path, capsys: Any) -> None:
    keys = [*ALMATY[1:], DONE, ENTER]  # ... review: done; the report; keep it: yes (first)
    code, out, err = run_keys(keys, ARGS, capsys)
    assert code == 0, err
    assert "saved as case" in err
    stay = [r for r in json.loads(out)["risks"] if r["id"] == "kz-visa-free-90-days"]
    assert stay[0]["days_left"] == 46  # day of entry is day 1: last day 2022-12-23
    assert contents(store) == (1, 0)


def test_declining_forgets_the_draft(store: Path, capsys: Any) -> None:
    code, _, err = run_keys([*ALMATY[1:], DONE, pick(1)], ARGS, capsys)
    assert code == 0, err
    assert contents(store) == (0, 0)


def test_ctrl_c_keeps_an_encrypted_draft_that_resume_continues(store: Path, capsys: Any) -> None:
    first = START[1:4]  # citizenship, documents, country
    code, out, err = run_keys([*first, CTRL_C], ARGS, capsys)
    assert (code, out) == (130, "")
    assert "your answers so far are kept encrypted" in err
    assert contents(store) == (0, 1)
    raw = store.read_bytes()
    # The draft is encrypted. (Markers long enough that random ciphertext cannot hold them
    # by chance: a bare b"KZ" turns up in about one store in ten.)
    for plain in (b"domestic_passport", b'"KZ"', b"destination", b"citizenship"):
        assert plain not in raw, plain
    # --resume asks only what is still missing: from "already there?" on.
    rest = ALMATY[1 + len(first) :]
    resume = ["assess", "--lang", "en", "--as-of", "2022-11-07", "--format", "json", "--resume"]
    code, out, err = run_keys([*rest, DONE, ENTER], resume, capsys)
    assert code == 0, err
    # It says what was restored.
    said = " ".join(err.split())  # the line is wrapped to the terminal
    assert "Continuing your interrupted interview: 3 answers restored" in said
    assert "(Citizenship, Documents, Country)" in said
    report = json.loads(out)
    assert report["coverage"]["destination"] == "KZ"
    assert contents(store) == (1, 0)


def test_resume_without_a_draft_is_a_clear_error(store: Path, capsys: Any) -> None:
    code, _, err = run_keys([], ["assess", "--save-case", "--answers", "x.json"], capsys)
    assert code == 2 and "--save-case and --resume go with the interview" in err
    CaseStore.open(store, PASS, create=True).close()
    code, out, err = run_keys([], ["assess", "--resume"], capsys)
    assert (code, out) == (2, "")
    assert "no interrupted interview to resume" in err


def test_cases_edit_on_a_terminal_reruns_the_interview_with_the_stored_answers(
    store: Path, capsys: Any, tmp_path: Path
) -> None:
    from tests.test_interview import ALMATY_PROFILE

    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({**ALMATY_PROFILE, "case_id": "E-1"}), encoding="utf-8")
    code, _, err = run_keys([], ["cases", "add", "--answers", str(answers)], capsys)
    assert code == 0, err
    # Asked: only what the case has no answer to ("already there?", onward countries);
    # then the review; save the changes: no.
    new = [sel("in_country", True), ENTER]
    code, out, err = run_keys([*new, DONE, pick(0)], ["cases", "edit", "E-1"], capsys)
    assert code == 0, err
    assert "nothing was changed" in err
    # "All correct: show the report" shows it, before the question about saving.
    assert "Risk assessment · Kazakhstan (KZ)" in out
    # Again, and this time keep it: the case is re-assessed and saved.
    code, out, err = run_keys([*new, DONE, pick(1)], ["cases", "edit", "E-1"], capsys)
    assert code == 0, err
    assert "updated case" in out
    assert contents(store) == (1, 0)
