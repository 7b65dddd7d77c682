"""The README's worked example is real: its answers give the report lines it shows."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import ROOT, Run


def test_worked_example_output_is_what_the_tool_prints(run: Run, tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    answers = re.search(r"```json\n(.*?)```", readme, re.S)
    console = re.search(r"```console\n\$ (.*?)\n(.*?)```", readme, re.S)
    assert answers and console
    case = tmp_path / "case.json"
    case.write_text(answers.group(1), encoding="utf-8")
    argv = console.group(1).split()[1:]  # drop ".venv/bin/riskcli"
    argv = [str(case) if a == "case.json" else a for a in argv]
    code, out, err = run(*argv)
    assert (code, err) == (0, "")
    shown = [line.removesuffix(" ...") for line in console.group(2).splitlines()]
    for line in shown:
        if line.strip() and line.strip() != "...":
            assert line in out, line
