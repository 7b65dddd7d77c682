"""Start-up (issue 17): what `--version` and `--help` load, the lazy rule pack of the
interview, and the exit without the interpreter's teardown."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from riskcli.cli.assess import LazyDestinations, PackLoader
from riskcli.cli.common import Environment
from riskcli.core.errors import RulePackError

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
