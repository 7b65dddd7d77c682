"""The batch's results file and calendar: whole or not at all (riskcli.io.outputs)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from riskcli.core.errors import InputError
from riskcli.io.outputs import BatchOutputs


def test_committed_outputs_are_private_and_complete(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with BatchOutputs(tmp_path / "out.csv", tmp_path / "out.ics") as outputs:
            outputs.stream.write("row,case_id\n")
            outputs.commit()
    finally:
        os.umask(old)
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == "row,case_id\n"
    assert (tmp_path / "out.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    for name in ("out.csv", "out.ics"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "out.ics"]


def test_a_run_that_fails_leaves_nothing_behind(tmp_path: Path) -> None:
    (tmp_path / "out.csv").write_text("the last run's results\n", encoding="utf-8")
    with (
        pytest.raises(KeyboardInterrupt),
        BatchOutputs(tmp_path / "out.csv", tmp_path / "out.ics") as outputs,
    ):
        outputs.stream.write("half a row")
        raise KeyboardInterrupt
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == "the last run's results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_calendar_that_cannot_be_written_drops_the_results_file_too(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--ics"):
        BatchOutputs(tmp_path / "out.csv", tmp_path / "no" / "such" / "out.ics")
    assert list(tmp_path.iterdir()) == []
