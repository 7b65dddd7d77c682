"""``riskcli cases`` and ``--redact``, as a volunteer uses them (issue 6)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import sqlite3
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from riskcli.cli import common as cli_common
from riskcli.cli.root import main
from riskcli.io.store import WEAK_KDF_ENV, CaseStore
from tests.conftest import FIXTURE_PACK, keep_passphrase_env

PASS = "correct horse battery staple"
AS_OF = "2022-11-07"

KZ_47 = {  # the article's example: 47 days left on 2022-11-07
    "case_id": "vol-17",
    "destination": "KZ",
    "citizenship": "RU",
    "documents": ["domestic_passport"],
    "entry_date": "2022-09-25",
    "stay_basis": "visa_free",
    "charges": ["207.3"],
}
KZ_10 = {**KZ_47, "case_id": "vol-18", "entry_date": "2022-08-19"}  # 10 days left
KG = {"case_id": "vol-19", "destination": "KG", "citizenship": "RU", "criminal_case": "pending"}


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "store" / "cases.db"
    path.parent.mkdir(mode=0o700)  # riskcli never creates a store's folder
    monkeypatch.setenv(WEAK_KDF_ENV, "1")
    monkeypatch.setenv("RISKCLI_STORE", str(path))
    monkeypatch.setenv("RISKCLI_PASSPHRASE", PASS)
    # Exact outputs are pinned to the small fixture pack, not the growing real one.
    monkeypatch.setenv("RISKCLI_RULES", str(FIXTURE_PACK))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return path


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    def run(*argv: str, stdin: str = "") -> Result:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
        with keep_passphrase_env():
            code = main(list(argv))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def write(tmp_path: Path, name: str, data: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data))
    return str(path)


def add(run: Any, tmp_path: Path, data: dict[str, Any]) -> str:
    result = run("cases", "add", "--answers", write(tmp_path, "a.yaml", data), "--as-of", AS_OF)
    assert result.code == 0, result.err
    return str(result.out.split()[2])


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_add_list_most_urgent_first(run: Any, tmp_path: Path, store: Path) -> None:
    first = run("cases", "add", "-a", write(tmp_path, "a.yaml", KZ_47), "--as-of", AS_OF)
    assert first.code == 0
    key47 = first.out.split()[2]
    assert first.out == (
        f"saved case {key47} (vol-17): highest severity MEDIUM; "
        "nearest deadline 2022-12-24 (47 days left)\n"
    )
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    key10 = add(run, tmp_path, KZ_10)
    key_kg = add(run, tmp_path, KG)
    listed = run("cases", "list", "--as-of", AS_OF)
    assert listed.code == 0, listed.err
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert listed.out == (
        "KEY       CASE ID  HIGHEST   DEADLINE    DAYS LEFT     LAST ASSESSED\n"
        f"{key_kg}  vol-19   CRITICAL  -           -             {today}\n"
        f"{key10}  vol-18   HIGH      2022-11-17  10 days left  {today}\n"
        f"{key47}  vol-17   MEDIUM    2022-12-24  47 days left  {today}\n"
    )
    data = json.loads(run("cases", "list", "--as-of", AS_OF, "-f", "json").out)
    assert [d["key"] for d in data] == [key_kg, key10, key47]
    assert data[2]["days_left"] == 47 and data[2]["nearest_deadline"] == "2022-12-24"
    assert data[0]["highest_severity"] == "critical" and data[0]["days_left"] is None
    assert all(d["assessed_with_current_rules"] for d in data)
    ru = run("cases", "list", "--as-of", AS_OF, "--lang", "ru")
    assert ru.out.splitlines()[0].split()[:3] == ["КЛЮЧ", "НОМЕР", "ДЕЛА"]
    assert "осталось 10 дней" in ru.out


def test_days_left_follow_the_date(run: Any, tmp_path: Path, store: Path) -> None:
    key = add(run, tmp_path, KZ_47)
    later = json.loads(run("cases", "list", "--as-of", "2022-12-20", "-f", "json").out)
    assert later == [
        {
            "key": key,
            "case_id": "vol-17",
            "highest_severity": "high",
            "nearest_deadline": "2022-12-24",
            "days_left": 4,
            "possible_highest_severity": None,
            "to_check": [],
            "destination_covered": True,
            "last_assessed": later[0]["last_assessed"],
            "assessed_with_current_rules": True,
        }
    ]


def test_show_matches_assess_and_resolves_ids(run: Any, tmp_path: Path, store: Path) -> None:
    key = add(run, tmp_path, KZ_47)
    direct = run("assess", "-a", write(tmp_path, "p.yaml", KZ_47), "--as-of", AS_OF, "-f", "json")
    for ref in (key, key[:4], "vol-17"):
        shown = run("cases", "show", ref, "--as-of", AS_OF, "-f", "json")
        assert shown.code == 0, shown.err
        assert shown.out == direct.out
    md = run("cases", "show", "vol-17", "--as-of", AS_OF, "-f", "markdown")
    assert md.out.startswith("# Risk assessment · Kazakhstan (KZ) · Assessment date 2022-11-07")
    stored = json.loads(run("cases", "show", key, "--stored", "-f", "json").out)
    assert stored["as_of"] == AS_OF and stored["risks"][0]["days_left"] == 47
    missing = run("cases", "show", "nope-nope")
    assert missing.code == 2 and missing.out == ""
    assert missing.err.startswith("riskcli: no case 'nope-nope' in ")


def test_redact(run: Any, tmp_path: Path, store: Path) -> None:
    answers = write(tmp_path, "p.yaml", KZ_47)
    full = json.loads(run("assess", "-a", answers, "--as-of", AS_OF, "-f", "json").out)
    red = run("assess", "-a", answers, "--as-of", AS_OF, "-f", "json", "--redact")
    assert red.code == 0
    data = json.loads(red.out)
    assert "case_id" not in data and "answers" not in data and data["redacted"] is True
    assert [r["triggered_by"] for r in data["risks"]] == [{}]
    assert full["risks"][0]["triggered_by"]["entry_date"] == "2022-09-25"
    for key in ("deadline", "days_left", "advice", "sources", "severity", "title"):
        assert data["risks"][0][key] == full["risks"][0][key]
    assert "vol-17" not in red.out and "207.3" not in red.out
    for fmt in ("text", "markdown"):
        out = run("assess", "-a", answers, "--as-of", AS_OF, "-f", fmt, "--redact").out
        assert "vol-17" not in out and "2022-12-24" in out
        assert "vol-17" in run("assess", "-a", answers, "--as-of", AS_OF, "-f", fmt).out
    key = add(run, tmp_path, KZ_47)
    for fmt in ("text", "markdown", "json"):
        out = run("cases", "show", key, "--as-of", AS_OF, "-f", fmt, "--redact").out
        assert "vol-17" not in out and key not in out and "207.3" not in out
        assert "2022-12-24" in out


def test_edit(run: Any, tmp_path: Path, store: Path) -> None:
    key = add(run, tmp_path, KZ_47)
    result = run(
        "cases", "edit", "vol-17", "--changes", "-", "--unset", "charges", "--as-of", AS_OF,
        stdin="entry_date: 2022-08-19\n",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.out == (
        f"updated case {key} (vol-17): highest severity HIGH; "
        "nearest deadline 2022-11-17 (10 days left)\n"
    )
    with CaseStore.open(store, PASS) as cases:
        answers = cases.get_case(key).answers
    assert answers["entry_date"] == "2022-08-19" and "charges" not in answers
    before = sha(store)
    bad = run("cases", "edit", key, "--changes", write(tmp_path, "c.yaml", {"wanted": "maybe"}))
    assert bad.code == 2 and "field 'wanted'" in bad.err and "allowed: none, federal" in bad.err
    unknown = run("cases", "edit", key, "--changes", "-", stdin="name: Ivan\n")
    assert unknown.code == 2 and "unknown field 'name'" in unknown.err
    nothing = run("cases", "edit", key)
    assert nothing.code == 2 and "nothing to change" in nothing.err
    assert sha(store) == before
    replaced = run("cases", "edit", key, "-a", write(tmp_path, "kg.yaml", KG))
    assert replaced.code == 0 and "(vol-19)" in replaced.out


def test_answers_on_the_command_line_are_refused(run: Any, tmp_path: Path, store: Path) -> None:
    key = add(run, tmp_path, KZ_47)
    before = sha(store)
    refused = run("cases", "edit", key, "--set", "wanted=international")
    assert refused.code == 2 and refused.out == ""
    assert "never taken on the command line" in refused.err
    assert "--changes FILE" in refused.err and "--changes -" in refused.err
    assert "interview" in refused.err and refused.err.count("\n") == 1
    assert sha(store) == before
    assert "--set" not in run("cases", "edit", "--help").out
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert "--set" not in readme


def test_delete(run: Any, tmp_path: Path, store: Path) -> None:
    key = add(run, tmp_path, KZ_47)
    other = add(run, tmp_path, KG)
    no = run("cases", "delete", key, stdin="n\n")
    assert no.code == 1 and "nothing deleted" in no.err
    yes = run("cases", "delete", key, stdin="y\n")
    assert yes.code == 0 and yes.out == f"deleted case {key}\n"
    assert run("cases", "delete", "vol-19", "--yes").code == 0
    with CaseStore.open(store, PASS) as cases:
        assert cases.keys() == []
    assert other


def test_export_round_trip(run: Any, tmp_path: Path, store: Path) -> None:
    key = add(run, tmp_path, KZ_47)
    out = tmp_path / "export.yaml"
    result = run("cases", "export", key, "-o", str(out))
    assert result.code == 0 and result.out == ""
    assert "UNENCRYPTED" in result.err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert yaml.safe_load(out.read_text()) == KZ_47
    again = run("cases", "export", key, "-o", str(out))
    assert again.code == 2 and "already exists" in again.err
    assert run("cases", "export", key, "-o", str(out), "--force", "-f", "json").code == 0
    assert json.loads(out.read_text()) == KZ_47
    shown = run("cases", "show", key, "--as-of", AS_OF, "-f", "json").out
    assert run("assess", "-a", str(out), "--as-of", AS_OF, "-f", "json").out == shown


def test_deadlines(run: Any, tmp_path: Path, store: Path) -> None:
    k47 = add(run, tmp_path, KZ_47)
    k10 = add(run, tmp_path, KZ_10)
    add(run, tmp_path, KG)
    result = run("cases", "deadlines", "--as-of", "2022-11-20")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split()[:2] == ["DEADLINE", "DAYS"]
    assert lines[1].split()[:6] == ["2022-11-17", "passed", "3", "days", "ago", k10]
    assert lines[2].split()[:5] == ["2022-12-24", "34", "days", "left", k47]
    assert len(lines) == 3
    soon = json.loads(
        run("cases", "deadlines", "--as-of", AS_OF, "--within", "30", "-f", "json").out
    )
    assert [(d["key"], d["days_left"], d["severity"]) for d in soon] == [(k10, 10, "high")]


def test_deadlines_calendar_has_every_case_and_no_answers(
    run: Any, tmp_path: Path, store: Path
) -> None:
    import icalendar

    add(run, tmp_path, KZ_47)
    add(run, tmp_path, KZ_10)
    target = tmp_path / "cases.ics"
    result = run("cases", "deadlines", "--as-of", AS_OF, "--ics", str(target))
    assert result.code == 0
    cal = icalendar.Calendar.from_ical(target.read_bytes())
    events = list(cal.walk("VEVENT"))
    days = sorted(str(e.decoded("dtstart")) for e in events)
    assert days == ["2022-11-17", "2022-12-24"]
    text = target.read_text(encoding="utf-8")
    assert "case vol-17" in text and "case vol-18" in text  # each event names its case id
    assert "Kazakhstan" not in text and "domestic_passport" not in text
    assert all(len(list(e.walk("VALARM"))) == 2 for e in events)


def test_wipe(run: Any, tmp_path: Path, store: Path) -> None:
    add(run, tmp_path, KZ_47)
    before = sha(store)
    wrong = run("cases", "wipe", stdin="wipe\n")
    assert wrong.code == 1 and "not wiped" in wrong.err and sha(store) == before
    done = run("cases", "wipe", stdin="WIPE\n")
    assert done.code == 0 and done.out == f"wiped {store}\n"
    assert "with 1 case(s)" in done.err
    assert list(store.parent.iterdir()) == []
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a store")
    refused = run("cases", "wipe", "--store", str(foreign), stdin="WIPE\n")
    assert refused.code == 2 and "not a riskcli case store" in refused.err
    assert foreign.read_text() == "not a store"


def test_passphrase_errors(
    run: Any, tmp_path: Path, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no store yet: reading commands create nothing
    missing = run("cases", "list")
    assert missing.code == 2 and "no case store here yet" in missing.err
    assert not store.exists()
    monkeypatch.setenv("RISKCLI_PASSPHRASE", "short")
    weak = run("cases", "add", "-a", write(tmp_path, "a.yaml", KZ_47))
    assert weak.code == 2 and "at least 12 characters" in weak.err
    assert not store.exists()
    monkeypatch.setenv("RISKCLI_PASSPHRASE", PASS)
    add(run, tmp_path, KZ_47)
    before = sha(store)
    monkeypatch.setenv("RISKCLI_PASSPHRASE", PASS + "!")
    for argv in (("cases", "list"), ("cases", "add", "-a", write(tmp_path, "b.yaml", KG))):
        wrong = run(*argv)
        assert wrong.code == 2 and wrong.out == ""
        assert wrong.err == (
            f"riskcli: {store}: wrong passphrase (неверная парольная фраза); nothing was changed\n"
        )
    assert sha(store) == before
    monkeypatch.delenv("RISKCLI_PASSPHRASE")
    monkeypatch.setattr(cli_common, "_have_terminal", lambda: False)
    no_tty = run("cases", "list")
    assert no_tty.code == 2 and "set RISKCLI_PASSPHRASE" in no_tty.err
    # a passphrase is never a command-line argument
    usage = run("cases", "list", "--passphrase", PASS)
    assert usage.code == 2


def test_prompted_passphrase(
    run: Any, tmp_path: Path, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RISKCLI_PASSPHRASE")
    monkeypatch.setattr(cli_common, "_have_terminal", lambda: True)
    typed = iter([PASS, PASS + "x", "short", PASS, PASS + "y"])
    monkeypatch.setattr(cli_common.getpass, "getpass", lambda prompt, stream: next(typed))
    differ = run("cases", "add", "-a", write(tmp_path, "a.yaml", KZ_47))
    assert differ.code == 2 and "no passphrase agreed on after three tries" in differ.err
    assert "the two differ; once more" in differ.err
    assert "too short: at least 12 characters" in differ.err  # refused at once, asked again
    assert not store.exists()
    typed = iter(["short", PASS, PASS, PASS])  # too short, then agreed; then opened
    assert run("cases", "add", "-a", write(tmp_path, "a.yaml", KZ_47)).code == 0
    assert run("cases", "list").code == 0


def test_corrupted_store_cli(run: Any, tmp_path: Path, store: Path) -> None:
    add(run, tmp_path, KZ_47)
    store.write_bytes(store.read_bytes()[:5000])
    result = run("cases", "list")
    assert result.code == 2 and result.out == ""
    assert result.err.startswith(f"riskcli: {store}: ") and "damaged" in result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err


# --- reassess ------------------------------------------------------------------------


def copy_rules(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(FIXTURE_PACK, rules)
    return rules


def test_reassess_detects_a_changed_rule_pack(run: Any, tmp_path: Path, store: Path) -> None:
    rules = copy_rules(tmp_path)
    k47 = add(run, tmp_path, KZ_47)
    k10 = add(run, tmp_path, KZ_10)
    kg = add(run, tmp_path, KG)
    base = ["--rules", str(rules), "cases", "reassess"]
    same = run(*base, "--as-of", AS_OF)
    assert same.code == 0
    assert same.out.startswith("Rule pack ") and "no case changed (3 checked)" in same.out
    # the pack changes: a 60-day stay instead of 90, and the KG refugee rule is dropped
    kz = rules / "kz-visa-free-90-days.yaml"
    kz.write_text(kz.read_text().replace("add_days: 90", "add_days: 60"))
    dropped = rules / "kg-no-refugee-mechanism.yaml"
    dropped_id = yaml.safe_load(dropped.read_text())["id"]
    dropped.unlink()
    what_if = run(*base, "--as-of", AS_OF, "-f", "json")
    assert what_if.code == 0, what_if.err
    data = json.loads(what_if.out)
    assert data["saved"] is False and data["checked"] == 3
    changed = {c["key"]: c for c in data["changed"]}
    # most urgent first: the 10-day case's deadline has now passed (critical), then the
    # KG case (critical, no deadline), then the 47-day case (now high)
    assert [c["key"] for c in data["changed"]] == [k10, kg, k47]
    kinds10 = [(c["kind"], c.get("before"), c.get("after")) for c in changed[k10]["changes"]]
    assert ("deadline_passed", None, "2022-10-18") in kinds10
    assert ("severity_up", "high", "critical") in kinds10
    assert ("deadline_moved", "2022-11-17", "2022-10-18") in kinds10
    kinds47 = [(c["kind"], c.get("before"), c.get("after")) for c in changed[k47]["changes"]]
    assert kinds47 == [
        ("severity_up", "medium", "high"),
        ("deadline_moved", "2022-12-24", "2022-11-24"),
    ]
    assert [(c["kind"], c["risk"]) for c in changed[kg]["changes"]] == [("gone_risk", dropped_id)]
    assert changed[kg]["previous_rule_pack"] != data["rule_pack"]["version"]
    text = run(*base, "--as-of", AS_OF)
    assert "3 of 3 case(s) changed" in text.out
    assert f"{k10} (vol-18)" in text.out
    assert "deadline moved 2022-12-24 → 2022-11-24" in text.out
    assert "(what-if run: nothing saved)" in text.err


def test_reassess_saves_unless_dry_run(run: Any, tmp_path: Path, store: Path) -> None:
    rules = copy_rules(tmp_path)
    key = add(run, tmp_path, {**KZ_47, "entry_date": "2000-01-01"})  # long passed
    kz = rules / "kz-visa-free-90-days.yaml"
    kz.write_text(kz.read_text().replace("add_days: 90", "add_days: 60"))
    base = ["--rules", str(rules), "cases", "reassess", "-f", "json"]
    dry = json.loads(run(*base, "--dry-run").out)
    assert [c["key"] for c in dry["changed"]] == [key] and dry["saved"] is False
    first = json.loads(run(*base).out)
    assert [(c["kind"]) for c in first["changed"][0]["changes"]] == ["deadline_moved"]
    assert first["saved"] is True
    second = json.loads(run(*base).out)
    assert second["changed"] == []
    listed = json.loads(run("--rules", str(rules), "cases", "list", "-f", "json").out)
    assert listed[0]["assessed_with_current_rules"] is True
    stale = run("cases", "list")  # the bundled rules differ from the saved assessment's
    assert "were last assessed with other rules" in stale.out


def test_one_damaged_case_does_not_hide_the_others(run: Any, tmp_path: Path, store: Path) -> None:
    good = add(run, tmp_path, KZ_47)
    bad = add(run, tmp_path, KG)
    conn = sqlite3.connect(store)
    conn.execute("UPDATE cases SET profile = zeroblob(600) WHERE key = ?", (bad,))
    conn.commit()
    conn.close()
    listed = run("cases", "list", "--as-of", AS_OF)
    assert listed.code == 1
    assert [line.split()[0] for line in listed.out.splitlines()[1:]] == [good]
    assert listed.err == (
        f"case(s) {bad} cannot be read: damaged. `riskcli cases delete KEY` removes one\n"
    )
    shown = run("cases", "show", bad)
    assert shown.code == 2 and f"the profile of case {bad} is damaged" in shown.err
    assert run("cases", "show", "vol-17", "--as-of", AS_OF).code == 0
    assert run("cases", "delete", bad, "--yes").code == 0
    assert run("cases", "list").code == 0


def test_show_output_file_is_private(run: Any, tmp_path: Path, store: Path) -> None:
    key = add(run, tmp_path, KZ_47)
    out = tmp_path / "report.md"
    result = run("cases", "show", key, "-f", "markdown", "-o", str(out), "--as-of", AS_OF)
    assert result.code == 0 and result.out == ""
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "vol-17" in out.read_text()


def test_reassess_new_risk_and_severity_down(run: Any, tmp_path: Path, store: Path) -> None:
    rules = copy_rules(tmp_path)
    key = add(run, tmp_path, KZ_47)
    kz = rules / "kz-visa-free-90-days.yaml"
    text = kz.read_text()
    kz.write_text(text.replace("severity: medium\n", "severity: low\n", 1))
    twin = text.replace("id: kz-visa-free-90-days", "id: kz-visa-free-twin")
    (rules / "kz-visa-free-twin.yaml").write_text(twin)
    result = run("--rules", str(rules), "cases", "reassess", "--as-of", AS_OF, "--dry-run")
    assert result.code == 0, result.err
    assert result.out.splitlines()[2:] == [
        f"{key} (vol-17): highest severity MEDIUM; nearest deadline 2022-12-24 (47 days left)",
        "  new risk: [MEDIUM] Your visa-free stay in Kazakhstan runs out after 90 days "
        "(kz-visa-free-twin)",
        "  severity down MEDIUM → LOW: [LOW] Your visa-free stay in Kazakhstan runs out after "
        "90 days (kz-visa-free-90-days)",
    ]
    ru = run("--rules", str(rules), "cases", "reassess", "--as-of", AS_OF, "--lang", "ru")
    assert "новый риск: [СРЕДНИЙ]" in ru.out and "уровень ниже СРЕДНИЙ → НИЗКИЙ" in ru.out


@pytest.mark.skipif(sys.platform != "linux", reason="XDG data folder")
def test_default_store_is_in_the_user_data_folder(
    run: Any, tmp_path: Path, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RISKCLI_STORE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    result = run("cases", "add", "--answers", "-", stdin=json.dumps(KZ_47))
    assert result.code == 0, result.err
    default = tmp_path / "xdg" / "riskcli" / "cases.db"
    assert stat.S_IMODE(default.stat().st_mode) == 0o600
    assert json.loads(run("cases", "list", "-f", "json").out)[0]["case_id"] == "vol-17"
