"""Reading the rule pack from its folder: one YAML file per rule, plus ``sources.yaml``.

The files are parsed by the safe loader (:mod:`riskcli.io.loaders`) and validated by
the models of :mod:`riskcli.core.rules`. The default folders come from the
environment (``RISKCLI_RULES``, ``RISKCLI_SOURCES``) or beside the package.

The bundled pack is also kept built, in ``bundled_pack.pickle`` beside this module
(committed, like the compiled message catalog; ``make pack`` writes it): the rules and the
source registry as the models validated them from the files, and the pack compiled for
the engine. A start-up then reads neither YAML nor validates nor compiles. It is used
only for the bundled folder, and only while both keys in its first line hold: the pack's
version (the hash of its files), so a changed, added or removed rule file is read from the
folder; and the hash of the code that reads, validates and compiles a pack (``PACK_CODE``,
with pydantic's version), so a change to that code is never met with objects the old code
made. Nothing is written at run time. The file is part of riskcli, as its modules are:
it is unpickled only from beside this module, never from a user's folder.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskcli.core.errors import InputError, RulePackError
from riskcli.io.loaders import load_data

if TYPE_CHECKING:  # the models (pydantic) load with the pack, not for its version
    from riskcli.core.rules import Rule, RulePack, SourceRegistry

PACKAGE = Path(__file__).resolve().parent.parent  # riskcli/


PRECOMPILED = Path(__file__).resolve().with_name("bundled_pack.pickle")
MAGIC = b"riskcli pack 1\n"
# The modules (under riskcli/) whose code reads, validates or compiles a pack, or defines
# the classes of the objects kept built: every riskcli module that loading and compiling a
# pack imports (tests/test_startup.py checks it in a fresh interpreter).
PACK_CODE = (
    "__init__.py",
    "core/__init__.py",
    "core/conditions.py",
    "core/engine/__init__.py",
    "core/engine/compiled.py",
    "core/engine/durable.py",
    "core/engine/oracle.py",
    "core/errors.py",
    "core/profile.py",
    "core/rules.py",
    "i18n/__init__.py",
    "i18n/messages.py",
    "io/__init__.py",
    "io/loaders.py",
    "io/rulepack.py",
    "io/safeyaml.py",
)


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


def load_rule(path: Path) -> Rule:
    from riskcli.core.rules import rule_from_data

    try:
        data = _read(path, "rule file")
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
    from riskcli.core.rules import build_pack

    directory = directory or default_rules_dir()
    if not directory.is_dir():
        raise RulePackError(f"{directory}: no rule pack here (a folder of rule files)")
    version = pack_version(directory)
    built = prebuilt(directory, version)
    if built is not None:
        return built
    return build_pack(directory, *_from_files(directory), version)


def _from_files(directory: Path) -> tuple[list[Rule], SourceRegistry]:
    """The rules and the source registry, read from the folder's files and validated."""
    from riskcli.core.rules import registry_from_data

    try:
        registry = registry_from_data(_read(directory / "sources.yaml", "source registry"))
    except InputError as exc:
        raise RulePackError(str(exc)) from None
    paths = sorted(directory.glob("*.yaml"))
    return [load_rule(p) for p in paths if p.name != "sources.yaml"], registry


# --- the bundled pack, built (make pack) ---------------------------------------------------


def code_key() -> str:
    """The hash of the code that makes a pack's objects (``PACK_CODE``) and of pydantic's
    version (its models' pickled state); '' if a module's source cannot be read."""
    from pydantic.version import VERSION

    digest = hashlib.sha256(VERSION.encode())
    for name in PACK_CODE:
        try:
            data = (PACKAGE / name).read_bytes()
        except OSError:
            return ""
        digest.update(b"\0" + name.encode() + b"\0" + data)
    return digest.hexdigest()[:16]


def _head(version: str, code: str) -> bytes:
    """The built file's first line: its two keys."""
    return MAGIC + json.dumps({"version": version, "code": code}).encode() + b"\n"


def prebuilt(directory: Path, version: str) -> RulePack | None:
    """The bundled pack as ``make pack`` built it, if ``directory`` is the bundled folder and
    both keys hold (its files hash to ``version``; the code is the code that built it);
    else None (read the files)."""
    import pickle

    from riskcli.core.rules import build_pack

    try:
        if directory.resolve() != bundled_rules_dir().resolve():
            return None
        data = PRECOMPILED.read_bytes()
    except OSError:
        return None
    code = code_key()
    head = _head(version, code)
    if not code or not data.startswith(head):
        return None
    rules, registry, compiled = pickle.loads(data[len(head) :])
    pack = build_pack(directory, rules, registry, version)
    pack.compiled = compiled
    return pack


def prebuild(directory: Path) -> bytes:
    """The content of ``bundled_pack.pickle`` for the pack in ``directory``: read from its
    files, validated and compiled (a pack that does not load or compile is not built)."""
    import pickle

    from riskcli.core.engine.compiled import compile_pack
    from riskcli.core.rules import build_pack

    version = pack_version(directory)
    rules, registry = _from_files(directory)
    compiled = compile_pack(build_pack(directory, rules, registry, version))
    for rule in rules:  # what the engine and the report read of each rule, worked out now
        _ = rule.condition, rule.fields
    return _head(version, code_key()) + pickle.dumps((rules, registry, compiled), protocol=5)


if __name__ == "__main__":  # `make pack`: after changing rules/ or a module of PACK_CODE
    PRECOMPILED.write_bytes(prebuild(bundled_rules_dir()))
    print(f"{PRECOMPILED}: the pack of {bundled_rules_dir()}, built")
