"""Reading the rule pack from its folder: one YAML file per rule, plus ``sources.yaml``.

The files are parsed by the safe loader (:mod:`riskcli.io.loaders`) and validated by
the models of :mod:`riskcli.core.rules`. The default folders come from the
environment (``RISKCLI_RULES``, ``RISKCLI_SOURCES``) or beside the package.

The bundled pack is also kept pre-parsed, in ``bundled_pack.json`` beside this module
(committed, like the compiled message catalog; ``make pack`` writes it): the content of
every file as the safe loader read it, under the pack's version (the hash of its files).
It spares a start-up the YAML parser, never the validation: the same models check the
same data. It is used only for the bundled folder and only while that folder's files
hash to its version, so a changed, added or removed rule file is read from the folder.
Nothing is written at run time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskcli.core.errors import InputError, RulePackError
from riskcli.io.loaders import load_data

if TYPE_CHECKING:  # the models (pydantic) load with the pack, not for its version
    from riskcli.core.rules import Rule, RulePack

PACKAGE = Path(__file__).resolve().parent.parent  # riskcli/


PRECOMPILED = Path(__file__).resolve().with_name("bundled_pack.json")


def bundled_rules_dir() -> Path:
    """The pack that comes with riskcli: in the wheel, or beside the source tree."""
    packaged = PACKAGE / "_rules"
    return packaged if packaged.is_dir() else PACKAGE.parent / "rules"


def default_rules_dir() -> Path:
    env = os.environ.get("RISKCLI_RULES")
    if env:
        return Path(env)
    return bundled_rules_dir()


def default_sources_dir() -> Path | None:
    env = os.environ.get("RISKCLI_SOURCES")
    if env:
        return Path(env)
    candidate = PACKAGE.parent.parent / "shared" / "seeds"
    return candidate if candidate.is_dir() else None


def load_rule(path: Path, read: Callable[[Path, str], Any] | None = None) -> Rule:
    from riskcli.core.rules import rule_from_data

    try:
        data = (read or _read)(path, "rule file")
    except InputError as exc:
        raise RulePackError(str(exc)) from None
    return rule_from_data(data, path.name)


def _read(path: Path, what: str) -> Any:
    return load_data(path, what=what)


def pack_version(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.yaml")):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def load_rule_pack(directory: Path | None = None) -> RulePack:
    from riskcli.core.rules import build_pack, registry_from_data

    directory = directory or default_rules_dir()
    if not directory.is_dir():
        raise RulePackError(f"{directory}: no rule pack here (a folder of rule files)")
    version = pack_version(directory)
    read = _read
    parsed = precompiled(directory, version)
    if parsed is not None:

        def read(path: Path, what: str) -> Any:
            return parsed[path.name]

    registry_path = directory / "sources.yaml"
    try:
        registry = registry_from_data(read(registry_path, "source registry"))
    except InputError as exc:
        raise RulePackError(str(exc)) from None
    paths = sorted(directory.glob("*.yaml"))
    rules = [load_rule(p, read) for p in paths if p.name != "sources.yaml"]
    return build_pack(directory, rules, registry, version)


# --- the bundled pack, pre-parsed ---------------------------------------------------------


def precompiled(directory: Path, version: str) -> dict[str, Any] | None:
    """The pre-parsed content of the bundled pack's files (name -> data), if ``directory`` is
    the bundled folder and its files still hash to ``version``; else None (read the files)."""
    try:
        if directory.resolve() != bundled_rules_dir().resolve():
            return None
        document = json.loads(PRECOMPILED.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("version") != version:
        return None
    files: dict[str, Any] = document["files"]
    for where in document["dates"]:  # JSON has no dates: put back those YAML gave
        *path, last = where
        node = files
        for step in path:
            node = node[step]
        node[last] = dt.date.fromisoformat(node[last])
    return files


def _plain(value: Any, path: list[str | int], dates: list[list[str | int]]) -> Any:
    """What the YAML loader gave, as JSON can hold it; the places of dates noted in DATES."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise RulePackError(f"{path[0]}: a key that is not text: {key!r}")
            out[key] = _plain(item, [*path, key], dates)
        return out
    if isinstance(value, list):
        return [_plain(item, [*path, i], dates) for i, item in enumerate(value)]
    if type(value) is dt.date:
        dates.append(path)
        return value.isoformat()
    if value is None or isinstance(value, str | bool | int):
        return value
    raise RulePackError(f"{path[0]}: a value JSON cannot keep exactly: {value!r}")


def precompile(directory: Path) -> str:
    """The text of ``bundled_pack.json`` for the pack in ``directory`` (checked first: a
    pack that does not load is not pre-parsed)."""
    load_rule_pack(directory)
    dates: list[list[str | int]] = []
    files = {
        path.name: _plain(load_data(path, what="rule file"), [path.name], dates)
        for path in sorted(directory.glob("*.yaml"))
    }
    lines = [
        f"{json.dumps(name)}: {json.dumps(data, ensure_ascii=False)}"
        for name, data in files.items()
    ]
    return (
        "{"
        + f'"version": {json.dumps(pack_version(directory))},\n'
        + f'"dates": {json.dumps(dates, ensure_ascii=False)},\n'
        + '"files": {\n'
        + ",\n".join(lines)
        + "\n}}\n"
    )


if __name__ == "__main__":  # `make pack`: after changing a file of rules/
    PRECOMPILED.write_text(precompile(bundled_rules_dir()), encoding="utf-8")
    print(f"{PRECOMPILED}: the pack of {bundled_rules_dir()}, pre-parsed")
