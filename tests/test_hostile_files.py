"""Hostile answers files and rule files (issue 7, item 3).

Each one must end in exit 2, nothing on stdout and ONE clear line on stderr,
within a second, and never construct an object from a YAML tag. All cases run
in one child process (so a hang or a crash fails these tests instead of
killing the suite); a few also run as the real command.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from fuzzkit import RULES

TIME_LIMIT = 1.0  # seconds, per case, measured inside the child process
CHILD_TIMEOUT = 180  # seconds for all cases together; only reached if something hangs
ALLOWED = {
    "wanted": "none, federal, interstate, international, unknown",
    "date": "a date as YYYY-MM-DD or DD.MM.YYYY",
    "country": "an ISO 3166-1 alpha-2 country code such as KZ, KG, AM, GE, TR, DE, US",
}


def billion_laughs(levels: int = 9) -> str:
    text = 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for i in range(1, levels + 1):
        text += f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n"
    return text


def deep_block(levels: int) -> str:
    return (
        "destination: KG\n"
        + "".join("  " * i + "a:\n" for i in range(levels))
        + "  " * levels
        + "b: 1\n"
    )


def _laughs_sizes(levels: int = 9) -> list[int]:
    sizes = [10]  # a list of nine strings: ten values
    for _ in range(levels):
        sizes.append(1 + 9 * sizes[-1])
    return sizes


# The answers file: a mapping (1), each key (1) and its list, destination: KG (2), wanted: *l9.
LAUGHS_EXPANDED = 1 + sum(1 + s for s in _laughs_sizes()) + 2 + 1 + _laughs_sizes()[-1]


@dataclass(frozen=True)
class Case:
    name: str
    content: bytes
    message: str  # the stderr line after "riskcli: <file>: "; a regex if it starts with "^"
    suffix: str = ".yaml"


def _latin1_offset(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    raise AssertionError("valid UTF-8")


LATIN1 = '{"destination": "KG", "case_id": "Café Müller"}'.encode("latin-1")

ANSWERS: list[Case] = [
    Case(
        "latin-1",
        LATIN1,
        f"not UTF-8 text (byte {_latin1_offset(LATIN1)}); save it as UTF-8",
        ".json",
    ),
    Case(
        "utf-16 with BOM",
        '{"destination": "KG"}'.encode("utf-16"),
        "UTF-16 or UTF-32 text; save it as UTF-8",
        ".json",
    ),
    Case(
        "utf-16 without BOM",
        '{"destination": "KG"}'.encode("utf-16-le"),
        "contains a NUL byte; not a text file",
        ".json",
    ),
    Case("utf-32", "destination: KG\n".encode("utf-32"), "UTF-16 or UTF-32 text; save it as UTF-8"),
    Case(
        "NUL byte", b"destination: KG\x00\nwanted: none\n", "contains a NUL byte; not a text file"
    ),
    Case(
        "10 MB line",
        b'{"destination": "KG", "case_id": "' + b"x" * (10 * 1024 * 1024) + b'"}',
        "larger than 5 MB; not read",
        ".json",
    ),
    Case(
        "4 MB value",
        b'{"destination": "KG", "wanted": "' + b"y" * (4 * 1024 * 1024) + b'"}',
        "field 'wanted': '" + "y" * 58 + "… is not allowed; allowed: " + ALLOWED["wanted"],
        ".json",
    ),
    Case("100000 [ (JSON)", b"[" * 100_000, "lists or mappings nested more than 64 deep", ".json"),
    Case(
        "100000 { (JSON)", b'{"a":' * 100_000, "lists or mappings nested more than 64 deep", ".json"
    ),
    Case(
        "65 levels (JSON)",
        b'{"destination": "KG", "charges": ' + b"[" * 64 + b"]" * 64 + b"}",
        "lists or mappings nested more than 64 deep",
        ".json",
    ),
    Case(
        "100000 [ (YAML)",
        b"destination: KG\ncharges: " + b"[" * 100_000,
        "lists or mappings nested more than 64 deep",
    ),
    Case("deep block YAML", deep_block(200).encode(), "lists or mappings nested more than 64 deep"),
    Case(
        "billion laughs",
        (billion_laughs() + "destination: KG\nwanted: *l9\n").encode(),
        f"YAML aliases (*name) expand to {LAUGHS_EXPANDED} values; at most 100000 more than written are allowed",
    ),
    Case(
        "alias in itself",
        b"destination: KG\ncharges: &a [*a]\n",
        "line 2: a YAML alias refers to a value that contains it",
    ),
    Case(
        "tag os.system",
        b'destination: !!python/object/apply:os.system ["touch {marker}"]\n',
        "line 1, column 14: broken YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'",
    ),
    Case(
        "tag object/new",
        b"destination: KG\nwanted: !!python/object/new:subprocess.Popen [[touch, {marker}]]\n",
        "line 2, column 9: broken YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/new:subprocess.Popen'",
    ),
    Case(
        "tag name",
        b"!!python/name:os.system\n",
        "line 1, column 1: broken YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:python/name:os.system'",
    ),
    Case(
        "local tag",
        b"destination: !evil KG\n",
        "line 1, column 14: broken YAML: could not determine a constructor for the tag '!evil'",
    ),
    Case(
        "duplicate key (JSON)",
        b'{"destination": "KG", "wanted": "none", "wanted": "federal"}',
        "duplicate key 'wanted'",
        ".json",
    ),
    Case(
        "duplicate key (YAML)",
        b"destination: KG\nwanted: none\nwanted: federal\n",
        "line 3, column 1: broken YAML: duplicate key 'wanted'",
    ),
    Case(
        "number for a country",
        b'{"destination": 417}',
        f"field 'destination': 417 is not a country code; allowed: {ALLOWED['country']}",
        ".json",
    ),
    Case(
        "number for text",
        b"destination: KG\ncase_id: 12\n",
        "field 'case_id': Input should be a valid string; allowed: free text of at most 64 characters on one line, with no names",
    ),
    Case(
        "number for a date",
        b'{"destination": "KG", "entry_date": 20230101}',
        f"field 'entry_date': 20230101 is not a date; allowed: {ALLOWED['date']}",
        ".json",
    ),
    Case(
        "text for yes/no",
        b"destination: KG\ndraft_notice: '1'\n",
        "field 'draft_notice': '1' is not a yes/no answer; allowed: true/false, yes/no, да/нет (or leave empty if unknown)",
    ),
    Case(
        "list for a value",
        b"destination: [KG, KZ]\n",
        f"field 'destination': ['KG', 'KZ'] is not a country code; allowed: {ALLOWED['country']}",
    ),
    Case(
        "0000-00-00 (JSON)",
        b'{"destination": "KG", "entry_date": "0000-00-00"}',
        f"field 'entry_date': '0000-00-00' is not a real date; allowed: {ALLOWED['date']}",
        ".json",
    ),
    Case(
        "0000-00-00 (YAML)",
        b"destination: KG\nentry_date: 0000-00-00\n",
        "line 2, column 13: broken YAML: '0000-00-00' is not a real date",
    ),
    Case(
        "2023-02-30 (YAML)",
        b"destination: KG\nas_of: 2023-02-30\n",
        "line 2, column 8: broken YAML: '2023-02-30' is not a real date",
    ),
    Case(
        "30.02.2023",
        b"destination: KG\nentry_date: 30.02.2023\n",
        f"field 'entry_date': '30.02.2023' is not a real date; allowed: {ALLOWED['date']}",
    ),
    Case(
        "year 1066",
        b"destination: KG\nentry_date: 1066-10-14\n",
        f"field 'entry_date': 1066-10-14 is out of range (1992-01-01 to 2100-12-31); allowed: {ALLOWED['date']}",
    ),
    Case(
        "5000-digit number (JSON)",
        b'{"destination": "KG", "charges": [' + b"9" * 5000 + b"]}",
        "a number too long to read",
        ".json",
    ),
    Case(
        "5000-digit number (YAML)",
        b"destination: KG\ncharges: [" + b"9" * 5000 + b"]\n",
        "line 2, column 11: broken YAML: a number too long to read",
    ),
    Case(
        "NaN",
        b'{"destination": "KG", "charges": [NaN]}',
        "field 'charges': 'nan' is not an article number; allowed: articles of the Russian Criminal Code such as 282.1 or 207.3",
        ".json",
    ),
    Case(
        "a list, not a mapping",
        b'[{"destination": "KG"}]',
        "expected a mapping of field names to answers, got list",
        ".json",
    ),
    Case("a number key", b"1: KG\n", "field names must be text, got 1"),
    Case("empty", b"  \n\n", "the answers file is empty"),
    Case(
        "broken JSON",
        b'{"destination": "KG",\n "wanted": }',
        "line 2, column 12: broken JSON: Expecting value",
        ".json",
    ),
]


NEEDED = (r"^when:.*$", r"^severity: .*$", r"^  as_of: .*$")


def _rule_file() -> Path:
    """The first rule file with every line the mutations below change."""
    for path in sorted(RULES.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if path.name != "sources.yaml" and all(re.search(n, text, flags=re.M) for n in NEEDED):
            return path
    raise AssertionError(f"no rule file in {RULES} has all of {NEEDED}")


def _mutated(change: Callable[[dict[str, Any]], None]) -> bytes:
    data = yaml.safe_load(_rule_file().read_text(encoding="utf-8"))
    change(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return change


def _text_with(replace: str, by: str) -> bytes:
    text = _rule_file().read_text(encoding="utf-8")
    assert re.search(replace, text, flags=re.M), replace
    return re.sub(replace, by, text, count=1, flags=re.M).encode("utf-8")


RULE_TEXT = _rule_file().read_text(encoding="utf-8")
CP1251 = RULE_TEXT.encode("cp1251", errors="replace")

RULE_FILES: list[Case] = [
    Case(
        "cp1251 (Windows Cyrillic)",
        CP1251,
        f"not UTF-8 text (byte {_latin1_offset(CP1251)}); save it as UTF-8",
    ),
    Case("utf-16", RULE_TEXT.encode("utf-16"), "UTF-16 or UTF-32 text; save it as UTF-8"),
    Case("NUL byte", RULE_TEXT.encode() + b"\x00", "contains a NUL byte; not a text file"),
    Case(
        "10 MB line",
        RULE_TEXT.encode() + b"# " + b"x" * (10 * 1024 * 1024) + b"\n",
        "larger than 5 MB; not read",
    ),
    Case(
        "deep when",
        _text_with(r"^when:.*$", "when: " + "[" * 100_000),
        "lists or mappings nested more than 64 deep",
    ),
    Case(
        "billion laughs",
        (RULE_TEXT + "\n" + billion_laughs()).encode(),
        r"^YAML aliases \(\*name\) expand to \d{10} values; at most 100000 more than written are allowed$",
    ),
    Case(
        "tag",
        _text_with(
            r"^severity: .*$", 'severity: !!python/object/apply:os.system ["touch {marker}"]'
        ),
        r"^line \d+, column 11: broken YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'$",
    ),
    Case(
        "duplicate key",
        (RULE_TEXT + "\nseverity: info\n").encode(),
        r"^line \d+, column 1: broken YAML: duplicate key 'severity'$",
    ),
    Case(
        "number for severity",
        _text_with(r"^severity: .*$", "severity: 5"),
        "{name}: severity: Input should be 'critical', 'high', 'medium', 'low' or 'info'",
    ),
    Case(
        "text for destinations",
        _mutated(_set("destinations", "KG")),
        "{name}: destinations: Input should be a valid list",
    ),
    Case(
        "number for a country",
        _mutated(_set("destinations", [417])),
        "{name}: destinations[0]: Input should be a valid string",
    ),
    Case(
        "number for a quote",
        _mutated(_set("sources.0.quote", 12345678901)),
        "{name}: sources[0].quote: Input should be a valid string",
    ),
    Case(
        "text for a day count",
        _mutated(_set("when", {"field": "days_in_country", "lt": "90"})),
        "{name}: when: when.lt: expected a whole number of days, got '90'",
    ),
    Case(
        "2023-02-30",
        _text_with(r"^  as_of: .*$", "  as_of: 2023-02-30"),
        r"^line \d+, column 10: broken YAML: '2023-02-30' is not a real date$",
    ),
    Case(
        "0000-00-00",
        _text_with(r"^  as_of: .*$", "  as_of: 0000-00-00"),
        r"^line \d+, column 10: broken YAML: '0000-00-00' is not a real date$",
    ),
    Case("unknown field", _mutated(_set("severty", "high")), "{name}: severty: unknown field"),
]

OK_ANSWERS = b'{"destination": "KG", "as_of": "2023-06-12", "wanted": "none"}'


# --- one child process runs every case -------------------------------------------------

CHILD = r"""
import contextlib, io, json, sys, time
from riskcli.cli.root import main
for line in sys.stdin:
    argv = json.loads(line)
    print(json.dumps({"start": argv}), flush=True)
    out, err = io.StringIO(), io.StringIO()
    began = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    seconds = time.perf_counter() - began
    print(json.dumps({"argv": argv, "code": code, "out": out.getvalue(), "err": err.getvalue(), "seconds": seconds}), flush=True)
"""


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    seconds: float


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Write every hostile file, run them all in one child process, collect what each did."""
    root = tmp_path_factory.mktemp("hostile")
    marker = root / "PWNED"
    ok = root / "ok.json"
    ok.write_bytes(OK_ANSWERS)
    runs: dict[str, list[str]] = {}
    paths: dict[str, Path] = {}
    for i, case in enumerate(ANSWERS):
        path = root / f"answers{i}{case.suffix}"
        path.write_bytes(case.content.replace(b"{marker}", str(marker).encode()))
        paths[f"answers:{case.name}"] = path
        runs[f"answers:{case.name}"] = ["assess", "--answers", str(path), "--format", "json"]
    for i, case in enumerate(RULE_FILES):
        pack = root / f"rules{i}"
        shutil.copytree(RULES, pack)
        path = pack / _rule_file().name
        path.write_bytes(case.content.replace(b"{marker}", str(marker).encode()))
        paths[f"rules:{case.name}"] = path
        runs[f"rules:{case.name}"] = ["--rules", str(pack), "assess", "--answers", str(ok)]
    keys = list(runs)
    stdin = "".join(json.dumps(runs[key]) + "\n" for key in keys)
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
            check=False,
        )
        stdout, returncode = done.stdout, done.returncode
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout or b""
        stdout, returncode = (out.decode() if isinstance(out, bytes) else out), None
    results: dict[str, Any] = {"paths": paths, "marker": marker, "returncode": returncode}
    by_argv = {json.dumps(argv): key for key, argv in runs.items()}
    for line in stdout.splitlines():
        record = json.loads(line)
        if "code" in record:
            key = by_argv[json.dumps(record["argv"])]
            results[key] = Outcome(record["code"], record["out"], record["err"], record["seconds"])
        else:
            results["last_started"] = by_argv[json.dumps(record["start"])]
    return results


def _check(outcomes: dict[str, Any], key: str, message: str) -> None:
    if key not in outcomes:
        pytest.fail(
            f"{key}: never finished (child exit {outcomes['returncode']}, "
            f"last started: {outcomes.get('last_started')}): a hang or a crash"
        )
    got: Outcome = outcomes[key]
    path: Path = outcomes["paths"][key]
    assert got.code == 2, got
    assert got.out == ""
    assert got.err.endswith("\n") and got.err.count("\n") == 1, got.err
    prefix = f"riskcli: {path}: "
    line = got.err.rstrip("\n")
    if message.startswith("{name}: "):  # rule validation errors name the file, not the path
        prefix, message = f"riskcli: {path.name}: ", message.removeprefix("{name}: ")
    assert line.startswith(prefix), line
    if message.startswith("^"):
        assert re.match(message, line.removeprefix(prefix)), line
    else:
        assert line.removeprefix(prefix) == message
    assert got.seconds < TIME_LIMIT, f"{key} took {got.seconds:.2f} s"
    assert not outcomes["marker"].exists(), "a YAML tag ran a command"


@pytest.mark.parametrize("case", ANSWERS, ids=[c.name for c in ANSWERS])
def test_hostile_answers_file(case: Case, outcomes: dict[str, Any]) -> None:
    _check(outcomes, f"answers:{case.name}", case.message)


@pytest.mark.parametrize("case", RULE_FILES, ids=[c.name for c in RULE_FILES])
def test_hostile_rule_file(case: Case, outcomes: dict[str, Any]) -> None:
    _check(outcomes, f"rules:{case.name}", case.message)


# --- what is not hostile stays accepted ----------------------------------------------------


def test_a_byte_order_mark_is_read_as_utf8(
    tmp_path: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    plain, bom = tmp_path / "plain.json", tmp_path / "bom.json"
    plain.write_bytes(OK_ANSWERS)
    bom.write_bytes(b"\xef\xbb\xbf" + OK_ANSWERS)
    expected = run("assess", "--answers", str(plain), "--format", "json")
    assert expected[0] == 0
    assert run("assess", "--answers", str(bom), "--format", "json") == expected


def test_a_rule_file_with_a_byte_order_mark_loads(
    tmp_path: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    answers = tmp_path / "ok.json"
    answers.write_bytes(OK_ANSWERS)
    pack = tmp_path / "rules"
    shutil.copytree(RULES, pack)
    path = pack / _rule_file().name
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    expected = run("--rules", str(RULES), "assess", "--answers", str(answers), "-f", "json")
    got = run("--rules", str(pack), "assess", "--answers", str(answers), "-f", "json")
    assert expected[0] == 0
    assert (got[0], got[2]) == (0, "")
    assert json.loads(got[1])["risks"] == json.loads(expected[1])["risks"]


def test_aliases_that_expand_modestly_are_fine(tmp_path: Path) -> None:
    from riskcli.io.loaders import load_data

    path = tmp_path / "answers.yaml"
    path.write_text("docs: &d [domestic_passport]\ndocuments: *d\ndestination: KZ\n")
    assert load_data(path)["documents"] == ["domestic_passport"]


def test_64_levels_of_nesting_are_allowed_65_are_not(tmp_path: Path) -> None:
    from riskcli.core.errors import InputError
    from riskcli.io.loaders import MAX_DEPTH, load_data

    for suffix, depth in ((".json", MAX_DEPTH), (".yaml", MAX_DEPTH)):
        path = tmp_path / f"ok{suffix}"
        path.write_text("[" * depth + "]" * depth)
        load_data(path)
        path.write_text("[" * (depth + 1) + "]" * (depth + 1))
        with pytest.raises(InputError, match="nested more than 64 deep"):
            load_data(path)


# --- the real command, for the worst of them ------------------------------------------------

REAL = ["billion laughs", "100000 [ (YAML)", "tag os.system", "10 MB line", "utf-16 with BOM"]


@pytest.mark.parametrize("name", REAL)
def test_hostile_answers_in_a_real_process(name: str, tmp_path: Path) -> None:
    case = next(c for c in ANSWERS if c.name == name)
    marker = tmp_path / "PWNED"
    path = tmp_path / f"answers{case.suffix}"
    path.write_bytes(case.content.replace(b"{marker}", str(marker).encode()))
    done = subprocess.run(
        [sys.executable, "-m", "riskcli", "assess", "--answers", str(path)],
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, b"")
    assert done.stderr.decode() == f"riskcli: {path}: {case.message}\n"
    assert not marker.exists()


def test_hostile_bytes_on_standard_input_in_a_real_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "riskcli", "assess", "--answers", "-"],
        input='{"destination": "KG"}'.encode("utf-16"),
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, b"")
    assert done.stderr.decode() == "riskcli: <stdin>: UTF-16 or UTF-32 text; save it as UTF-8\n"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_an_endless_device_as_answers_file_is_cut_at_5_mb() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "riskcli", "assess", "--answers", "/dev/zero"],
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, b"")
    assert done.stderr.decode() == "riskcli: /dev/zero: larger than 5 MB; not read\n"
