"""The layout of ARCHITECTURE.md, enforced from the imports of every module (ast).

A package may import only the packages its row allows; durable-rules has one
importer, questionary and prompt_toolkit one package; nothing imports the command
line; the core prints nothing and reads no environment variable.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "riskcli"

# Which of riskcli's packages each package may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "core": {"i18n"},
    "io": {"core", "i18n"},
    "render": {"core", "i18n"},
    "interview": {"core", "i18n"},
    "cli": {"core", "io", "render", "interview", "i18n"},
    "i18n": set(),
}
# Modules at the top of the package.
TOP: dict[str, set[str]] = {
    "riskcli": set(),  # __init__: the version only
    "riskcli.__main__": {"cli"},
}
DURABLE_OWNER = "riskcli.core.engine.durable"
PROMPT_PACKAGES = ("questionary", "prompt_toolkit")
CORE_FORBIDDEN_CALLS = ("print",)
CORE_FORBIDDEN_ATTRIBUTES = {("os", "environ"), ("os", "getenv"), ("sys", "stdout")}


def modules() -> dict[str, ast.Module]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return out


MODULES = modules()


def imported(name: str, tree: ast.Module) -> set[str]:
    """Every module name an import in ``tree`` names (function-level imports too)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{name}:{node.lineno}: write imports absolute"
            module = node.module or ""
            out.add(module)
            # `from riskcli.cli import root` imports the module riskcli.cli.root
            out.update(f"{module}.{alias.name}" for alias in node.names)
    return out


def layer(module: str) -> str | None:
    """The riskcli package a module belongs to (core, io, ...); "" for riskcli itself."""
    parts = module.split(".")
    if parts[0] != "riskcli":
        return None
    return parts[1] if len(parts) > 1 else ""


def riskcli_layers(names: set[str]) -> set[str]:
    """The riskcli packages among imported names (``riskcli`` alone: its version)."""
    return {found for n in names if (found := layer(n)) and n != "riskcli.__version__"}


def test_every_module_belongs_to_a_package_of_the_table() -> None:
    for name in MODULES:
        if name in TOP:
            continue
        assert layer(name) in ALLOWED, f"{name}: not in a package of ARCHITECTURE.md"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_follow_the_table(name: str) -> None:
    own = layer(name)
    allowed = TOP[name] if name in TOP else ALLOWED[own or ""] | {own or ""}
    used = riskcli_layers(imported(name, MODULES[name]))
    assert used <= allowed, f"{name} imports {sorted(used - allowed)}; allowed: {sorted(allowed)}"


def test_nothing_imports_the_command_line() -> None:
    for name, tree in MODULES.items():
        if layer(name) == "cli" or name == "riskcli.__main__":
            continue
        names = imported(name, tree)
        assert not any(n == "riskcli.cli" or n.startswith("riskcli.cli.") for n in names), name


def _imports_package(tree: ast.Module, name: str, top: str) -> bool:
    return any(n == top or n.startswith(f"{top}.") for n in imported(name, tree))


def test_only_the_durable_module_imports_durable_rules() -> None:
    importers = {n for n, tree in MODULES.items() if _imports_package(tree, n, "durable")}
    assert importers == {DURABLE_OWNER}


def test_only_the_interview_imports_questionary_and_prompt_toolkit() -> None:
    for top in PROMPT_PACKAGES:
        importers = {n for n, tree in MODULES.items() if _imports_package(tree, n, top)}
        assert importers, f"nothing imports {top}: is the table out of date?"
        outside = {n for n in importers if layer(n) != "interview"}
        assert not outside, f"{top} imported outside riskcli.interview: {sorted(outside)}"


def core_violations(name: str, tree: ast.Module) -> list[str]:
    """Where a core module prints or reads the environment or standard output."""
    out = []
    for node in ast.walk(tree):
        call = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        if call and node.func.id in CORE_FORBIDDEN_CALLS:  # type: ignore[attr-defined]
            out.append(f"{name}:{node.lineno}: {node.func.id}()")  # type: ignore[attr-defined]
        attr = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
        if attr and (node.value.id, node.attr) in CORE_FORBIDDEN_ATTRIBUTES:  # type: ignore[attr-defined]
            out.append(f"{name}:{node.lineno}: {node.value.id}.{node.attr}")  # type: ignore[attr-defined]
        if isinstance(node, ast.ImportFrom) and node.module in {"os", "sys"}:
            names = {alias.name for alias in node.names} & {"environ", "getenv", "stdout"}
            out += [f"{name}:{node.lineno}: from {node.module} import {n}" for n in names]
    return out


@pytest.mark.parametrize("name", sorted(n for n in MODULES if layer(n) == "core"))
def test_the_core_prints_nothing_and_reads_no_environment(name: str) -> None:
    assert core_violations(name, MODULES[name]) == []


def test_the_checks_see_a_violation() -> None:
    """The checks above are not vacuous: a core module importing the CLI, printing and
    reading the environment is caught."""
    fake = "riskcli.core.fake"
    tree = ast.parse(
        "from riskcli.cli import common\nimport os\nos.environ.get('X')\n"
        "print(os.getenv('Y'))\nfrom sys import stdout\n"
    )
    assert riskcli_layers(imported(fake, tree)) == {"cli"}
    assert len(core_violations(fake, tree)) == 4
