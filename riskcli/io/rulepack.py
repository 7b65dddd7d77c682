"""Reading the rule pack from its folder: one YAML file per rule, plus ``sources.yaml``.

The files are parsed by the safe loader (:mod:`riskcli.io.loaders`) and validated by
the models of :mod:`riskcli.core.rules`. The default folders come from the
environment (``RISKCLI_RULES``, ``RISKCLI_SOURCES``) or beside the package.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from riskcli.core.errors import InputError, RulePackError
from riskcli.core.rules import Rule, RulePack, build_pack, registry_from_data, rule_from_data
from riskcli.io.loaders import load_data

PACKAGE = Path(__file__).resolve().parent.parent  # riskcli/


def default_rules_dir() -> Path:
    env = os.environ.get("RISKCLI_RULES")
    if env:
        return Path(env)
    packaged = PACKAGE / "_rules"
    return packaged if packaged.is_dir() else PACKAGE.parent / "rules"


def default_sources_dir() -> Path | None:
    env = os.environ.get("RISKCLI_SOURCES")
    if env:
        return Path(env)
    candidate = PACKAGE.parent.parent / "shared" / "seeds"
    return candidate if candidate.is_dir() else None


def load_rule(path: Path) -> Rule:
    try:
        data = load_data(path, what="rule file")
    except InputError as exc:
        raise RulePackError(str(exc)) from None
    return rule_from_data(data, path.name)


def pack_version(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.yaml")):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def load_rule_pack(directory: Path | None = None) -> RulePack:
    directory = directory or default_rules_dir()
    if not directory.is_dir():
        raise RulePackError(f"{directory}: no rule pack here (a folder of rule files)")
    registry_path = directory / "sources.yaml"
    try:
        registry = registry_from_data(load_data(registry_path, what="source registry"))
    except InputError as exc:
        raise RulePackError(str(exc)) from None
    rules = [load_rule(p) for p in sorted(directory.glob("*.yaml")) if p.name != "sources.yaml"]
    return build_pack(directory, rules, registry, pack_version(directory))
