"""The typer app: the root's global options, and every command group, registered here.

Every command group lives in its own module and is registered here, explicitly, in
:data:`COMMANDS`; a module is imported only when its command runs (or its own
``--help`` is asked for): ``riskcli assess`` never loads the case store, its
cryptography or the batch machinery. ``riskcli --help`` lists every command from the
first sentence of its help, kept here (``tests/test_startup.py`` checks it against the
commands' own). :mod:`riskcli.cli.root` starts it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, MutableMapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core
import typer.main
import typer.models

from riskcli.cli import common


class Entry:
    """One command of the root: where it lives, and the first paragraph of its help."""

    def __init__(self, target: str, summary: str, *, extra: tuple[str, ...] = ()):
        self.target = target  # "module:function" (a command) or "module:app" (a group)
        self.summary = summary
        self.extra = extra  # "name=module:function": commands added to a group


# The commands, in the order `riskcli --help` lists them, with the first sentence of each
# one's help (what the list shows).
COMMANDS: dict[str, Entry] = {
    "assess": Entry(
        "riskcli.cli.assess:assess",
        "Assess one person's situation and report the risks, deadlines, advice and sources.",
    ),
    "batch": Entry(
        "riskcli.cli.volunteer:batch",
        "Assess many intakes: one result row per input row, in order, then a triage summary.",
    ),
    "template": Entry(
        "riskcli.cli.volunteer:template",
        "Write an empty intake sheet: every column and one made-up example row to overwrite.",
    ),
    "compare": Entry(
        "riskcli.cli.volunteer:compare",
        "Assess the same person for several destinations and rank them, safest first.",
    ),
    "rules": Entry("riskcli.cli.rules:app", "The rule pack: list, show and check the rules."),
    "cases": Entry(
        "riskcli.cli.cases:app",
        "Encrypted case files for volunteers: keep cases, follow deadlines, re-assess "
        "everyone when the rules change.",
        extra=("import=riskcli.cli.intake:cases_import",),
    ),
}


def _target(spec: str) -> Any:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def build_command(name: str, entry: Entry) -> typer.core.TyperCommand | typer.core.TyperGroup:
    """The click command of one entry, its module imported now."""
    found = _target(entry.target)
    if isinstance(found, typer.Typer):
        for extra in entry.extra:
            sub, _, spec = extra.partition("=")
            if not any(c.name == sub for c in found.registered_commands):
                found.command(sub)(_target(spec))
        return typer.main.get_group_from_info(
            typer.models.TyperInfo(found, name=name),
            pretty_exceptions_short=True,
            suggest_commands=True,
            rich_markup_mode=None,
        )
    command = typer.main.get_command_from_info(
        typer.models.CommandInfo(name=name, callback=found),
        pretty_exceptions_short=True,
        rich_markup_mode=None,
    )
    assert isinstance(command, typer.core.TyperCommand)
    return command


class LazyCommands(MutableMapping[str, Any]):
    """The root's commands by name, each built (its module imported) when first looked up."""

    def __init__(self) -> None:
        self.built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self.built:
            if name not in COMMANDS:
                raise KeyError(name)
            self.built[name] = build_command(name, COMMANDS[name])
        return self.built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self.built[name] = command

    def __delitem__(self, name: str) -> None:
        del self.built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS)


class LazyGroup(typer.core.TyperGroup):
    """The root group: commands are imported when run; the help lists them all without."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands()

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = [(name, entry.summary) for name, entry in COMMANDS.items()]
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        shown = [(name, typer.core.TyperCommand(name, help=text)) for name, text in rows]
        with formatter.section("Commands"):
            formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in shown])


app = typer.Typer(
    name="riskcli",
    cls=LazyGroup,
    help=(
        "Which risks of being sent back to Russia a person faces where they are, "
        "how soon, why, and what to do, citing the source of every rule."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class EngineChoice(StrEnum):
    auto = "auto"
    durable = "durable"
    oracle = "oracle"


def version_lines(env: common.Environment) -> list[str]:
    """riskcli's version, the rule pack's and the engine that runs (no engine is imported)."""
    import importlib.metadata
    import importlib.util

    from riskcli import __version__
    from riskcli.io.rulepack import default_rules_dir, pack_version

    directory = env.rules_dir or default_rules_dir()
    pack = pack_version(directory) if directory.is_dir() else "none found"
    if env.engine != "oracle" and importlib.util.find_spec("durable") is not None:
        engine = f"durable-rules {importlib.metadata.version('durable-rules')}"
    else:
        why = "" if env.engine == "oracle" else " (durable-rules does not run on this Python)"
        engine = f"the plain-Python evaluator of the same rules{why}"
    python = ".".join(map(str, sys.version_info[:3]))
    return [
        f"riskcli {__version__}",
        f"rule pack: {pack} ({directory})",
        f"engine: {engine}",
        f"Python: {python}",
    ]


def _version(ctx: typer.Context, value: bool) -> None:
    if value:
        env = common.env_of(ctx)
        params = ctx.params
        if params.get("rules") is not None:
            env.rules_dir = params["rules"]
        if params.get("engine") is not None:
            env.engine = params["engine"].value
        typer.echo("\n".join(version_lines(env)))
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    show_traceback: Annotated[
        bool, typer.Option("--traceback", help="Show the full traceback of an error (debugging).")
    ] = False,
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules",
            envvar="RISKCLI_RULES",
            is_eager=True,
            help="Folder of rule files to use instead of the bundled rule pack.",
        ),
    ] = None,
    engine: Annotated[
        EngineChoice,
        typer.Option(
            "--engine",
            help="Rules engine: durable-rules, or the plain-Python evaluator of the same rules.",
            hidden=True,
            is_eager=True,
        ),
    ] = EngineChoice.auto,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    env = common.env_of(ctx)
    env.traceback = show_traceback
    env.rules_dir = rules
    env.engine = engine.value
