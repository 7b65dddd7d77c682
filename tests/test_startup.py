"""Start-up (issue 17): what `--version` and `--help` load, the lazy rule pack of the
interview, and the exit without the interpreter's teardown."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest
import typer.core
import yaml

from riskcli.cli.assess import LazyDestinations, PackLoader
from riskcli.cli.common import Environment
from riskcli.cli.root import starts_with_the_language_question
from riskcli.core import rules as rules_module
from riskcli.core.assess import Assessor
from riskcli.core.engine import compiled as compiled_module
from riskcli.core.engine.compiled import compile_pack
from riskcli.core.errors import RulePackError
from riskcli.core.profile import make_profile
from riskcli.io import rulepack

# Run in a fresh interpreter: which modules did the command load?
LOADED = r"""
import json, sys
from riskcli.cli.root import main
code = main(sys.argv[1:])
sys.stdout.flush()
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""
ENGINE_MODULES = ("riskcli.core.engine", "durable", "durable_rules_engine")
PROMPT_MODULES = ("questionary", "prompt_toolkit")


@pytest.mark.parametrize(
    "args", [["--version"], ["--help"], ["assess", "--help"], ["batch", "--help"]]
)
def test_version_and_help_load_no_engine_and_no_prompts(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", LOADED, *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("riskcli " if args == ["--version"] else "Usage: riskcli")
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    heavy = [m for m in loaded if m.split(".")[0] in ENGINE_MODULES or m in ENGINE_MODULES]
    heavy += [m for m in loaded if m.startswith("riskcli.core.engine")]
    heavy += [m for m in loaded if m.split(".")[0] in PROMPT_MODULES]
    assert heavy == []


STORE_MODULES = ("riskcli.io.store", "cryptography", "sqlite3", "_sqlite3")
OTHER_COMMANDS = ("riskcli.cli.cases", "riskcli.cli.intake", "riskcli.cli.volunteer")
OTHER_COMMANDS += ("riskcli.cli.rules", "riskcli.io.batch", "riskcli.io.store")


def loaded_by(*args: str, stdin: str | None = None) -> tuple[str, set[str]]:
    """Standard output of a command run in a fresh interpreter, and the modules it loaded."""
    done = subprocess.run(
        [sys.executable, "-c", LOADED, *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, set(json.loads(done.stderr.strip().splitlines()[-1]))


def _under(loaded: set[str], tops: tuple[str, ...]) -> list[str]:
    return sorted(m for m in loaded if any(m == t or m.startswith(f"{t}.") for t in tops))


def test_assess_loads_only_its_own_command() -> None:
    answers = json.dumps({"destination": "KG", "wanted": "federal", "as_of": "2023-06-12"})
    out, loaded = loaded_by("assess", "-a", "-", "--format", "json", stdin=answers)
    assert "kg-deportation-on-request" in out
    assert "riskcli.cli.assess" in loaded
    assert _under(loaded, STORE_MODULES + OTHER_COMMANDS + PROMPT_MODULES) == []
    assert _under(loaded, ("riskcli.core.check", "riskcli.render.html")) == []
    # JSON answers and the bundled pack, built: no YAML parser at all
    assert _under(loaded, ("yaml", "riskcli.io.safeyaml")) == []
    _, loaded = loaded_by("assess", "-a", "-", "--format", "json", stdin="destination: KG\n")
    assert "riskcli.io.safeyaml" in loaded  # a YAML answers file: it is loaded for it


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_load_no_command_and_no_model(args: list[str]) -> None:
    out, loaded = loaded_by(*args)
    assert out.startswith("riskcli " if args == ["--version"] else "Usage: riskcli")
    models = ("riskcli.core.profile", "riskcli.core.rules", "riskcli.core.report")
    commands = ("riskcli.cli.assess", "riskcli.core.assess", "riskcli.render", *OTHER_COMMANDS)
    assert _under(loaded, ("pydantic", "pycountry", *models, *commands, *STORE_MODULES)) == []


def test_the_store_is_loaded_by_the_commands_that_open_it() -> None:
    _, loaded = loaded_by("cases", "--help")
    assert "riskcli.cli.cases" in loaded and "riskcli.cli.intake" in loaded
    _, loaded = loaded_by("rules", "list")
    assert "riskcli.cli.rules" in loaded
    assert _under(loaded, (*STORE_MODULES, "riskcli.cli.cases")) == []


def test_the_root_help_lists_every_command_in_the_commands_own_words() -> None:
    from riskcli.cli.app import COMMANDS, build_command

    # the root's list is written from COMMANDS without importing the commands: each
    # summary must be what the command's own help shows there, at any width
    for name, entry in COMMANDS.items():
        real = build_command(name, entry)
        stub = typer.core.TyperCommand(name, help=entry.summary)
        for limit in (20, 45, 60, 74, 120, 400):
            assert stub.get_short_help_str(limit) == real.get_short_help_str(limit), name
    out, _ = loaded_by("--help")
    listed = out.split("Commands:\n", 1)[1].split()
    assert [w for w in listed if w in COMMANDS] == list(COMMANDS)


def test_the_commands_are_completed_and_found_by_name() -> None:
    env = {**os.environ, "_RISKCLI_COMPLETE": "complete_bash", "COMP_CWORD": "1"}
    script = [sys.executable, "-m", "riskcli"]

    def complete(words: str, cword: int) -> list[str]:
        env.update(COMP_WORDS=words, COMP_CWORD=str(cword))
        done = subprocess.run(script, capture_output=True, text=True, env=env, timeout=60)
        return done.stdout.split()

    assert complete("riskcli ", 1) == ["assess", "batch", "template", "compare", "rules", "cases"]
    assert complete("riskcli ca", 1) == ["cases"]
    assert complete("riskcli cases im", 2) == ["import"]
    assert "--format" in complete("riskcli assess --fo", 2)
    typo = run_cli("asess")
    assert typo.returncode == 2 and "Did you mean 'assess'" in typo.stderr


def test_the_interview_reads_the_pack_only_once_started(tmp_path: Path) -> None:
    loader = PackLoader(Environment(rules_dir=tmp_path / "no-such-pack"))
    destinations = LazyDestinations(loader)
    assert not loader._thread.is_alive() and loader._thread.ident is None  # nothing read yet
    loader.start({"citizenship": "RU"})  # the interview's first answer starts it
    loader.start({"citizenship": "RU", "documents": []})  # and only once
    with pytest.raises(RulePackError):  # the pack's own error, where the pack is needed
        len(destinations)


def test_the_interview_destinations_are_the_packs() -> None:
    loader = PackLoader(Environment())  # the bundled pack
    destinations = LazyDestinations(loader)
    expected = loader.pack().destinations_by_coverage
    assert list(destinations) == expected and "KG" in destinations
    assert loader.assessor().pack.destinations_by_coverage == expected


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "riskcli", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        check=False,
    )


def test_output_is_whole_on_the_quick_exit(tmp_path: Path) -> None:
    # A normal exit skips the interpreter's teardown: what was written must all be there,
    # through a pipe and into a file.
    answers = json.dumps({"destination": "KG", "wanted": "federal", "as_of": "2023-06-12"})
    piped = run_cli("assess", "-a", "-", "--format", "json", stdin=answers)
    assert (piped.returncode, piped.stderr) == (0, "")
    report = json.loads(piped.stdout)
    assert "kg-deportation-on-request" in {r["id"] for r in report["risks"]}
    out = tmp_path / "report.json"
    to_file = run_cli("assess", "-a", "-", "--format", "json", "-o", str(out), stdin=answers)
    assert to_file.returncode == 0
    assert json.loads(out.read_text(encoding="utf-8")) == report


def test_an_error_still_exits_with_its_status_and_message(tmp_path: Path) -> None:
    done = run_cli("assess", "-a", str(tmp_path / "missing.json"))
    assert done.returncode == 2
    assert done.stdout == "" and done.stderr.startswith("riskcli: ")


# --- the bundled pack, built (riskcli/io/bundled_pack.pickle, `make pack`) ---------------


def _keys_of(data: bytes) -> dict[str, str]:
    assert data.startswith(rulepack.MAGIC)
    line = data[len(rulepack.MAGIC) :].split(b"\n", 1)[0]
    keys: dict[str, str] = json.loads(line)
    return keys


def test_the_built_pack_is_in_step_with_rules_and_code() -> None:
    bundled = rulepack.bundled_rules_dir()
    keys = _keys_of(rulepack.PRECOMPILED.read_bytes())
    assert keys == {"version": rulepack.pack_version(bundled), "code": rulepack.code_key()}, (
        "rules/ or a module of PACK_CODE changed: run `make pack` "
        "(riskcli/io/bundled_pack.pickle is out of step)"
    )


def _read_from_yaml(pack_dir: Path) -> rulepack.RulePack:
    """The pack as the YAML files give it, the built one out of the way."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rulepack, "PRECOMPILED", pack_dir / "no-such-file.pickle")
        return rulepack.load_rule_pack(pack_dir)


def test_the_built_pack_is_the_yaml_files_exactly() -> None:
    bundled = rulepack.bundled_rules_dir()
    assert rulepack.prebuilt(bundled, rulepack.pack_version(bundled)) is not None  # in use
    fast = rulepack.load_rule_pack()
    slow = _read_from_yaml(bundled)
    assert fast.rules == slow.rules and fast.registry == slow.registry
    assert fast.version == slow.version and fast.directory == slow.directory
    assert slow.compiled is None and fast.compiled is not None
    assert fast.compiled == compile_pack(slow)  # compiled as the code compiles it now
    assert [(r.condition, r.fields) for r in fast.rules] == [
        (r.condition, r.fields) for r in slow.rules
    ]
    # the dates YAML gave are dates still (a test's profile holds them untyped)
    as_of = {r.id: r.tests.as_of for r in fast.rules}
    assert as_of == {r.id: r.tests.as_of for r in slow.rules}
    assert any(isinstance(d, dt.date) for d in as_of.values())


@pytest.fixture
def bundled_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled pack standing in for it, with its own built file."""
    pack = tmp_path / "rules"
    shutil.copytree(rulepack.bundled_rules_dir(), pack)
    pre = tmp_path / "bundled_pack.pickle"
    pre.write_bytes(rulepack.prebuild(pack))
    monkeypatch.setattr(rulepack, "bundled_rules_dir", lambda: pack)
    monkeypatch.setattr(rulepack, "PRECOMPILED", pre)
    monkeypatch.delenv("RISKCLI_RULES", raising=False)
    return pack


def _no_yaml(path: object, what: str = "") -> None:
    raise AssertionError(f"the YAML file {path} was read")


def _not_here(*args: object, **kwargs: object) -> None:
    raise AssertionError("validated or compiled at run time")


def test_the_bundled_pack_is_neither_read_nor_validated_nor_compiled(
    bundled_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _read_from_yaml(bundled_copy)
    monkeypatch.setattr(rulepack, "load_data", _no_yaml)
    monkeypatch.setattr(rules_module, "rule_from_data", _not_here)
    monkeypatch.setattr(rules_module, "registry_from_data", _not_here)
    monkeypatch.setattr(compiled_module, "_compile_pack", _not_here)
    pack = rulepack.load_rule_pack()
    assert pack.rules == expected.rules and pack.directory == bundled_copy
    report = Assessor(pack).assess(make_profile({"destination": "KG", "wanted": "federal"}))
    assert "kg-deportation-on-request" in [r.id for r in report.risks]


@pytest.mark.parametrize("key", ["0123456789abcdef", ""])
def test_a_built_pack_of_other_code_is_never_used(
    bundled_copy: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    # "": a module of PACK_CODE whose source cannot be read (its hash cannot be checked)
    read: list[object] = []
    real = rulepack.load_data
    monkeypatch.setattr(rulepack, "load_data", lambda p, what="": read.append(p) or real(p))
    monkeypatch.setattr(rulepack, "code_key", lambda: key)
    pack = rulepack.load_rule_pack()
    assert pack.compiled is None and len(read) == len(list(bundled_copy.glob("*.yaml")))
    assert pack.rules == _read_from_yaml(bundled_copy).rules


def test_pack_code_names_every_module_that_makes_a_pack(tmp_path: Path) -> None:
    # In a fresh interpreter: the riskcli modules that reading, validating and compiling a
    # pack from its files imports; a change to any of them must change code_key().
    script = (
        "import json, sys\n"
        "from riskcli.io import rulepack\n"
        "from riskcli.core.engine.compiled import compile_pack\n"
        f"rulepack.PRECOMPILED = rulepack.Path({str(tmp_path / 'none.pickle')!r})\n"
        "pack = rulepack.load_rule_pack()\n"
        "compile_pack(pack)\n"
        "[(r.condition, r.fields) for r in pack.rules]\n"
        "print(json.dumps([m.__file__ for n, m in sys.modules.items()\n"
        "                  if n.startswith('riskcli') and getattr(m, '__file__', None)]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    package = Path(rulepack.__file__).resolve().parent.parent
    used = {Path(f).resolve().relative_to(package).as_posix() for f in json.loads(done.stdout)}
    assert used <= set(rulepack.PACK_CODE), sorted(used - set(rulepack.PACK_CODE))
    assert all((package / name).is_file() for name in rulepack.PACK_CODE)


def _edit_title(pack: Path) -> str:
    path = pack / "unknown-case.yaml"
    text = path.read_text(encoding="utf-8")
    old = yaml.safe_load(text)["text"]["en"]["title"]
    path.write_text(text.replace(old, "An edited title of this rule"), encoding="utf-8")
    return "unknown-case"


def _edit_sources(pack: Path) -> str:
    path = pack / "sources.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    first = next(iter(data["documents"].values()))
    first["title"] = "An edited title of this document"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return "sources"


def _remove_rule(pack: Path) -> str:
    (pack / "unknown-case.yaml").unlink()
    return "removed"


def _add_rule(pack: Path) -> str:
    text = (pack / "unknown-case.yaml").read_text(encoding="utf-8")
    (pack / "unknown-case-copy.yaml").write_text(
        text.replace("id: unknown-case", "id: unknown-case-copy"), encoding="utf-8"
    )
    return "added"


@pytest.mark.parametrize("change", [_edit_title, _edit_sources, _remove_rule, _add_rule])
def test_a_stale_pre_parsed_pack_is_never_used(bundled_copy: Path, change: Any) -> None:
    before = rulepack.load_rule_pack()
    what = change(bundled_copy)
    after = rulepack.load_rule_pack()
    assert after.version != before.version
    assert after.rules == _read_from_yaml(bundled_copy).rules  # the files, as they are now
    ids = {r.id for r in after.rules}
    if what == "unknown-case":
        assert after.by_id["unknown-case"].text.en.title == "An edited title of this rule"
    elif what == "sources":
        titles = [d.title for d in after.registry.documents.values()]
        assert "An edited title of this document" in titles
    elif what == "removed":
        assert "unknown-case" not in ids
    else:
        assert "unknown-case-copy" in ids


def test_another_folder_is_read_from_its_files(
    bundled_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # --rules DIR with the very same files: still read from them, never from the bundled's
    other = tmp_path / "mine"
    shutil.copytree(bundled_copy, other)
    assert rulepack.pack_version(other) == rulepack.pack_version(bundled_copy)
    assert rulepack.prebuilt(other, rulepack.pack_version(other)) is None
    monkeypatch.setattr(rulepack, "load_data", _no_yaml)
    with pytest.raises(AssertionError, match="was read"):
        rulepack.load_rule_pack(other)


# --- the interview's first question, drawn at start-up (riskcli/interview/early.py) -------


class Screen:
    """Just enough of a terminal to compare screens: characters with their SGR attributes,
    cursor moves (CR, LF, CSI A/B/C/D, H), erase below (CSI J) and to the end of the line
    (CSI K); other sequences (modes, the cursor's visibility) change nothing drawn."""

    CSI = re.compile(r"\x1b\[([?0-9;]*)([A-Za-z@])")

    def __init__(self, rows: int = 24, cols: int = 80):
        self.rows, self.cols = rows, cols
        self.cells: dict[tuple[int, int], tuple[str, str]] = {}
        self.row = self.col = 0
        self.sgr = ""

    def feed(self, data: str) -> Screen:
        i = 0
        while i < len(data):
            match = self.CSI.match(data, i)
            if match:
                self._csi(match.group(1), match.group(2))
                i = match.end()
                continue
            ch = data[i]
            i += 1
            if ch == "\r":
                self.col = 0
            elif ch == "\n":
                self.row += 1
            elif ch == "\x1b":
                i += 1  # a two-character escape: nothing drawn
            elif ch >= " ":
                self.cells[(self.row, self.col)] = (ch, self.sgr)
                self.col = min(self.col + 1, self.cols - 1)
        return self

    def _csi(self, args: str, final: str) -> None:
        if args.startswith("?"):
            return
        n = int(args.split(";")[0] or 1) if final in "ABCD" else 0
        if final == "A":
            self.row = max(0, self.row - n)
        elif final == "B":
            self.row += n
        elif final == "C":
            self.col = min(self.col + n, self.cols - 1)
        elif final == "D":
            self.col = max(0, self.col - n)
        elif final == "H":
            parts = [int(p or 1) for p in args.split(";")] if args else [1, 1]
            self.row, self.col = parts[0] - 1, (parts[1] - 1 if len(parts) > 1 else 0)
        elif final == "J":
            for cell in list(self.cells):
                if cell[0] > self.row or (cell[0] == self.row and cell[1] >= self.col):
                    del self.cells[cell]
        elif final == "K":
            for cell in list(self.cells):
                if cell[0] == self.row and cell[1] >= self.col:
                    del self.cells[cell]
        elif final == "m":
            codes = [c for c in args.split(";") if c not in ("", "0")]
            if args and not args.startswith("0"):  # added to what holds (no reset first)
                codes = [*filter(None, self.sgr.split(";")), *codes]
            self.sgr = ";".join(codes)

    def lines(self) -> list[str]:
        last = max((r for r, _ in self.cells), default=-1)
        out = []
        for r in range(last + 1):
            row = "".join(self.cells.get((r, c), (" ", ""))[0] for c in range(self.cols))
            out.append(row.rstrip())
        return out

    def styled(self) -> dict[tuple[int, int], tuple[str, str]]:
        return {k: v for k, v in self.cells.items() if v[0] != " " or v[1]}


TTY_ENV = {
    "TERM": "xterm-256color",
    "LC_ALL": "",
    "PROMPT_TOOLKIT_NO_CPR": "1",  # no terminal emulator here to answer cursor queries
}


def spawn_assess(lang: str, *args: str, color: bool = True) -> pexpect.spawn:
    env = {**os.environ, **TTY_ENV, "LANG": lang}
    env.pop("NO_COLOR", None)
    if not color:
        env["NO_COLOR"] = "1"
    return pexpect.spawn(
        sys.executable,
        ["-m", "riskcli", "assess", "--as-of", "2023-06-12", *args],
        env=env,
        dimensions=(24, 80),
        timeout=60,
    )


DRAWN_FIRST = r"""
import json, os, sys
from riskcli.interview.early import draw_first_question
master, slave = os.openpty()
first = draw_first_question({"TERM": "xterm-256color", "LANG": sys.argv[1]}, slave, slave)
assert first is not None, "not drawn"
drawn = os.read(master, 65536).decode()
first.close()
print(json.dumps({"drawn": drawn, "modules": sorted(sys.modules)}))
"""


@pytest.mark.parametrize("lang", ["en_US.UTF-8", "ru_RU.UTF-8"])
def test_the_first_question_is_drawn_before_the_libraries_load(lang: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", DRAWN_FIRST, lang], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    heavy = ("prompt_toolkit", "questionary", "typer", "pydantic", "yaml", "pycountry")
    assert _under(set(found["modules"]), heavy) == []
    lines = Screen().feed(found["drawn"]).lines()
    selected = "English" if lang.startswith("en") else "Русский"
    assert "Language / Язык" in lines[1] and f"» {selected}" in "\n".join(lines[2:])


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.parametrize(("lang", "color"), [("en_US.UTF-8", False), ("ru_RU.UTF-8", True)])
def test_the_widget_takes_over_the_same_screen(lang: str, color: bool) -> None:
    """What is drawn at start-up is what questionary then draws: nothing moves."""
    child = spawn_assess(lang, color=color)
    seen = b""

    def upto(pattern: bytes, exact: bool = True) -> str:
        nonlocal seen
        (child.expect_exact if exact else child.expect)(pattern)
        seen += child.before + child.after
        return seen.decode()

    try:
        upto(b"Enter)")  # the early drawing's first line, whole
        early = upto(b"\x1b[2A")  # its end: the cursor back up to the prompt's line
        upto(b"\x1b[J")  # the widget begins: it erases, then draws its own
        upto(b"Enter)")
        after = upto(rb"\x1b\[[0-9]+D\x1b\[2A", exact=False)  # its cursor back up
        before_screen, after_screen = Screen().feed(early), Screen().feed(after)
        assert before_screen.lines()[1].startswith("? Language / Язык")
        assert after_screen.styled() == before_screen.styled()
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 130


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_keys_pressed_before_the_widget_is_ready_are_kept_and_not_echoed() -> None:
    child = spawn_assess("en_US.UTF-8", color=False)
    try:
        child.expect_exact("Language / Язык".encode())
        child.send("\x1b[B\r")  # at once: Down, Enter (Русский)
        child.expect_exact("Несколько вопросов".encode())  # the intro, in Russian
        seen = child.before.decode()
        assert "^[" not in seen  # the terminal did not echo the keys
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 130


INTERRUPTED_WHILE_LOADING = r"""
import sys
import riskcli.cli.root as root
def main(argv=None, first=None):
    assert first is not None and first.state == "drawn"
    raise KeyboardInterrupt  # Ctrl-C while the rest was loading
root.main = main
sys.argv = ["riskcli", "assess"]
root.run()
"""


def _in_a_terminal(python_args: str, lang: str, then: str) -> str:
    """What a terminal shows of ``python <python_args>`` and the shell commands ``then``."""
    env = {**os.environ, **TTY_ENV, "LANG": lang, "NO_COLOR": "1"}
    script = f"{sys.executable} {python_args}{then}"
    child = pexpect.spawn("/bin/sh", ["-c", script], env=env, dimensions=(24, 80), timeout=60)
    try:
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    return str(child.before.decode())


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.parametrize(
    ("lang", "line"),
    [("en_US.UTF-8", "stopped; nothing was saved"), ("ru_RU.UTF-8", "остановлено; ничего")],
)
def test_ctrl_c_while_loading_says_stopped_and_restores_the_terminal(lang: str, line: str) -> None:
    out = _in_a_terminal(f"-c '{INTERRUPTED_WHILE_LOADING}'", lang, "; echo status=$?; stty -a")
    lines = Screen().feed(out).lines()
    assert lines[1].startswith("? Language / Язык (") and lines[2] == ""  # no choices left
    assert lines[3].startswith(line) and "status=130" in out
    modes = out.split("status=130", 1)[1].split()
    assert "echo" in modes and "icanon" in modes and "isig" in modes  # as before riskcli


# Ctrl-C lands where Python would lose it while the rest loads: in a class's __set_name__
# (made a RuntimeError: a traceback, exit 1) or in a weakref's callback (printed and
# dropped: the question would never stop). riskcli stops there and then; in the moment
# before it can say so, the Ctrl-C is kept and raised at the hand-over.
LOST_WHILE_LOADING = r"""
import os, signal, sys, weakref
import riskcli.cli.root as root
where = sys.argv[1]
def ctrl_c():
    os.kill(os.getpid(), signal.SIGINT)
    for _ in range(10000):
        pass
class Named:
    def __set_name__(self, owner, name):
        ctrl_c()
class Thing:
    pass
def main(argv=None, first=None):
    if where == "kept":  # the moment before the words to stop are loaded: kept for the hand-over
        first.stopped_line = None
    if where == "set_name":
        class Loaded:
            attribute = Named()
    else:
        thing = Thing()
        ref = weakref.ref(thing, lambda _: ctrl_c())
        del thing
    first.hand_over()
    print("NOT STOPPED")
    return 0
root.main = main
sys.argv = ["riskcli", "assess"]
root.run()
"""


# Ctrl-C in the moment the words to stop are loaded (as the question is drawn): it stops
# as soon as they are, not once the whole interview has loaded.
WHILE_THE_WORDS_LOAD = r"""
import os, signal, sys
import riskcli.i18n
real = riskcli.i18n.t
def t(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGINT)
    for _ in range(10000):
        pass
    return real(*args, **kwargs)
riskcli.i18n.t = t
import riskcli.cli.root as root
def main(argv=None, first=None):
    print("THE REST LOADED")
    return 0
root.main = main
sys.argv = ["riskcli", "assess"]
root.run()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_ctrl_c_as_the_question_is_drawn_stops_before_the_rest_loads() -> None:
    out = _in_a_terminal(f"-c '{WHILE_THE_WORDS_LOAD}'", "en_US.UTF-8", "; echo status=$?")
    assert "status=130" in out and "THE REST LOADED" not in out
    lines = Screen().feed(out).lines()
    assert lines[1].startswith("? Language / Язык (") and lines[2] == ""  # no choices left
    assert lines[3].startswith("stopped; nothing was saved")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.parametrize("where", ["set_name", "weakref", "kept"])
def test_ctrl_c_where_python_would_lose_it_still_stops(where: str) -> None:
    out = _in_a_terminal(f"-c '{LOST_WHILE_LOADING}' {where}", "en_US.UTF-8", "; echo status=$?")
    assert "status=130" in out and "NOT STOPPED" not in out
    assert "Traceback" not in out and "Exception ignored" not in out
    lines = Screen().feed(out).lines()
    assert lines[1].startswith("? Language / Язык (") and lines[2] == ""  # no choices left
    assert lines[3].startswith("stopped; nothing was saved")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.parametrize(
    ("args", "said"),
    [(["--format", "bogus"], "Invalid value"), (["--as-of", "2023-02-30"], "--as-of")],
)
def test_an_error_before_the_interview_takes_the_question_away(args: list[str], said: str) -> None:
    child = spawn_assess("en_US.UTF-8", *args, color=False)
    try:
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 2
    screen = "\n".join(Screen().feed(child.before.decode()).lines())
    assert said in screen and "Language / Язык" not in screen and "English" not in screen


@pytest.mark.parametrize(
    ("argv", "early"),
    [
        (["assess"], True),
        (["assess", "--as-of", "2023-06-12", "-f", "json", "-o", "x.json"], True),
        (["--rules", "r", "--traceback", "assess", "--as-of=2023-06-12", "--redact"], True),
        (["assess", "--lang", "ru"], False),  # the first question is not the language
        (["assess", "--answers", "a.yaml"], False),
        (["assess", "-a", "-"], False),
        (["assess", "--save-case"], False),  # the passphrase is asked first
        (["assess", "--resume"], False),
        (["assess", "--help"], False),
        (["assess", "--as-of"], False),
        (["--version"], False),
        (["batch", "x.csv"], False),
        ([], False),
    ],
)
def test_which_commands_draw_the_first_question_early(argv: list[str], early: bool) -> None:
    assert starts_with_the_language_question(argv) is early


LISTENED = r"""
import json, os, select, sys, time
from riskcli.interview.early import draw_first_question
master, slave = os.openpty()
first = draw_first_question({"TERM": "xterm-256color", "LANG": "en_US.UTF-8"}, slave, slave)
assert first is not None, "not drawn"

def output():
    out = b""
    while select.select([master], [], [], 0.3)[0]:
        out += os.read(master, 65536)
    return out.decode()

drawn = output()
os.write(master, b"\x1b[Bj")  # Down, then j: the pointer goes down twice (round to English)
os.write(master, b"k")  # k: up, to Russian
moved = output()
os.write(master, "жx\r\x1b[B".encode())  # not moves: the widget's, every byte of them
time.sleep(0.3)
handed = first.hand_over()
left = b""
while select.select([slave], [], [], 0.1)[0]:
    left += os.read(slave, 1)
first.close()
print(json.dumps({"drawn": drawn, "moved": moved, "handed": handed,
                  "pointed": first.pointed_value(), "kept": (first.pending + left).decode(),
                  "pending": first.pending.decode()}))
"""


def test_keys_that_move_the_pointer_move_it_at_once_and_no_other_key_is_lost() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LISTENED], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    screen = Screen().feed(found["drawn"])
    assert screen.lines()[2:4] == [" » English", "   Русский"]
    screen.feed(found["moved"])
    assert screen.lines()[2:4] == ["   English", " » Русский"]  # drawn as questionary would
    assert found["handed"] and found["pointed"] == "ru"
    # the first other key, whole, and all after it: for the widget, in order
    assert found["kept"] == "жx\r\x1b[B" and found["pending"] == "ж"


def test_no_pydantic_plugin_is_looked_for_or_run(tmp_path: Path) -> None:
    """A pydantic plugin installed beside riskcli would see every answer validated: riskcli
    turns plugins off before any model is built (and skips scanning packages for them)."""
    answers = tmp_path / "a.json"
    answers.write_text('{"destination": "KG"}', encoding="utf-8")
    code = (
        "import sys, pydantic.plugin._loader as loader\n"
        "from riskcli.cli.root import main\n"
        "main(['assess', '--answers', sys.argv[1], '--format', 'json'])\n"
        "print('plugins:', loader._plugins, file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    done = subprocess.run(
        [sys.executable, "-c", code, str(answers)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert "plugins: None" in done.stderr  # never loaded: get_plugins() returned early


FAILED_DRAWING = r"""
import json, os, sys, termios
import riskcli.interview.early as early
master, slave = os.openpty()
before = termios.tcgetattr(slave)

def fail(*_args):
    raise KeyboardInterrupt  # Ctrl-C while the question is being laid out

early.render = fail
try:
    early.draw_first_question({"TERM": "xterm-256color", "LANG": "en_US.UTF-8"}, slave, slave)
except KeyboardInterrupt:
    pass
print(json.dumps({"restored": termios.tcgetattr(slave) == before}))
"""


def test_ctrl_c_while_the_first_question_is_drawn_leaves_the_terminal_as_it_was() -> None:
    """The terminal stops echoing before the question is drawn; Ctrl-C (or an error) in that
    moment must not leave it so (no echo, no line mode) after riskcli has gone."""
    done = subprocess.run(
        [sys.executable, "-c", FAILED_DRAWING], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"restored": True}
