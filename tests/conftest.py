from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from riskcli.cli.root import main
from riskcli.core.assess import Assessor
from riskcli.core.engine.durable import DURABLE_AVAILABLE
from riskcli.io.rulepack import default_sources_dir, load_rule_pack

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
FIXTURE_PACK = Path(__file__).resolve().parent / "fixtures" / "pack"


def _engine_line() -> str:
    engine = "durable-rules" if DURABLE_AVAILABLE else "plain-Python oracle only (no durable-rules)"
    return f"riskcli engine: {engine}"


def pytest_report_header() -> str:
    return _engine_line()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Said at the end too, so a quiet run (-q, as in `make test`) still tells which engine ran."""
    terminalreporter.write_line(_engine_line())


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    found = default_sources_dir()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true and the source documents (../shared/seeds) are missing")
        pytest.skip("source documents (../shared/seeds) not found")
    return found


@pytest.fixture(scope="session")
def assessor() -> Assessor:
    return Assessor(load_rule_pack(RULES))


@pytest.fixture(scope="session")
def oracle() -> Assessor:
    return Assessor(load_rule_pack(RULES), engine="oracle")


@pytest.fixture(autouse=True)
def _reset_cli_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RISKCLI_RULES", raising=False)
    # Error messages follow RISKCLI_LANG / the locale: the tests' expectations are English
    # unless a test sets them.
    for name in ("RISKCLI_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


Run = Callable[..., tuple[int, str, str]]


@contextlib.contextmanager
def keep_passphrase_env() -> Iterator[None]:
    """riskcli removes RISKCLI_PASSPHRASE from its environment once read; a test that runs
    several commands in one process gives each the environment a shell would."""
    saved = os.environ.get("RISKCLI_PASSPHRASE")
    try:
        yield
    finally:
        if saved is not None:
            os.environ["RISKCLI_PASSPHRASE"] = saved


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Run the CLI in-process: (exit code, stdout, stderr)."""

    def _run(*args: str) -> tuple[int, str, str]:
        with keep_passphrase_env():
            code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    def _write(name: str, content: str | bytes | dict[str, Any]) -> Path:
        import json

        path = tmp_path / name
        if isinstance(content, dict):
            path.write_text(json.dumps(content), encoding="utf-8")
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write
