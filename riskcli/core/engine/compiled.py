"""Rule conditions compiled once per pack, grouped into rulesets by destination.

What both engines match: :mod:`riskcli.core.engine.durable` (durable-rules) and
:mod:`riskcli.core.engine.oracle` (plain Python) take the same ``CompiledPack``.
The chunk sizes are durable-rules' limits (see that module's docstring).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from riskcli.core.conditions import Json, branch_count, compile_condition
from riskcli.core.errors import EngineError
from riskcli.core.rules import RulePack

MAX_BRANCHES_PER_RULESET = 48  # error 303 above 64 conditions holding at once
MAX_RULES_PER_RULESET = 200  # registration hangs at 512
MAX_GROUPS_PER_CONDITION = 15  # $and/$or groups in one condition; 16 fail with error 113
ANY = "*"

EngineName = Literal["auto", "durable", "oracle"]


def possible_name(rule_id: str) -> str:
    return f"{rule_id}?"


@dataclass(frozen=True)
class CompiledRule:
    name: str  # rule id, or rule id + "?" for the "possible" form
    rule_id: str
    mode: Literal["certain", "possible"]
    condition: Json
    branches: int


@dataclass
class CompiledPack:
    """Every rule compiled to durable-rules JSON, grouped into rulesets by destination."""

    rules: list[CompiledRule]
    # destination code (or "*" for rules that apply anywhere) -> rulesets (lists of rules)
    buckets: dict[str, list[list[CompiledRule]]] = field(default_factory=dict)

    def rulesets_for(self, destination: str) -> list[tuple[str, list[CompiledRule]]]:
        out = []
        for key in (destination, ANY):
            for i, chunk in enumerate(self.buckets.get(key, [])):
                out.append((f"{key}:{i}", chunk))
        return out


def _destination_anchor(destinations: list[str]) -> Json:
    if destinations == ["any"]:
        return {"$ex": {"destination": 1}}
    if len(destinations) == 1:
        return {"destination": destinations[0]}
    return {"$or": [{"destination": d} for d in destinations]}


def condition_fields(cond: Json) -> frozenset[str] | None:
    """Every fact field a compiled condition tests, present or absent; None if it compares
    a field with another one (then any field may matter)."""
    ((op, arg),) = cond.items()
    if op in ("$and", "$or"):
        parts = [condition_fields(part) for part in arg]
        if any(part is None for part in parts):
            return None
        return frozenset().union(*parts)  # type: ignore[arg-type]
    if not op.startswith("$"):
        return None if isinstance(arg, dict) else frozenset({op})
    if not isinstance(arg, dict) or any(isinstance(value, dict) for value in arg.values()):
        return None
    return frozenset(arg)


def group_count(cond: Json) -> int:
    """How many $and/$or groups a compiled condition holds (durable-rules takes 15)."""
    ((op, arg),) = cond.items()
    if op in ("$and", "$or"):
        return 1 + sum(group_count(part) for part in arg)
    return 0


def compile_pack(pack: RulePack) -> CompiledPack:
    compiled: list[CompiledRule] = []
    for rule in pack.rules:
        anchor = _destination_anchor(rule.destinations)
        certain = {"$and": [anchor, compile_condition(rule.condition, "certain")]}
        forms = [(rule.id, "certain", certain)]
        if rule.if_unknown == "report":
            possible = {"$and": [anchor, compile_condition(rule.condition, "possible")]}
            if possible != certain:
                forms.append((possible_name(rule.id), "possible", possible))
        for name, mode, cond in forms:
            groups = group_count(cond)
            if groups > MAX_GROUPS_PER_CONDITION:
                raise EngineError(
                    f"rule {rule.id}: its {mode} condition has {groups} all:/any: groups once "
                    f"compiled (each one_of, not_one_of, lacks and unanswered test adds one); "
                    f"the engine takes at most {MAX_GROUPS_PER_CONDITION}: split the rule"
                )
            branches = branch_count(cond)
            if branches > MAX_BRANCHES_PER_RULESET:
                raise EngineError(
                    f"rule {rule.id}: its {mode} condition has {branches} alternatives that can "
                    f"hold at once; the engine takes at most {MAX_BRANCHES_PER_RULESET}: "
                    "split the rule or simplify its any: lists"
                )
            compiled.append(CompiledRule(name, rule.id, mode, cond, branches))  # type: ignore[arg-type]
    by_rule = {c.rule_id: pack.by_id[c.rule_id] for c in compiled}
    buckets: dict[str, list[list[CompiledRule]]] = {}
    for rule_compiled in compiled:
        rule = by_rule[rule_compiled.rule_id]
        keys = [ANY] if rule.any_destination else rule.destinations
        for key in keys:
            chunks = buckets.setdefault(key, [[]])
            last = chunks[-1]
            load = sum(c.branches for c in last)
            if last and (
                load + rule_compiled.branches > MAX_BRANCHES_PER_RULESET
                or len(last) >= MAX_RULES_PER_RULESET
            ):
                chunks.append([rule_compiled])
            else:
                last.append(rule_compiled)
    return CompiledPack(compiled, buckets)


class Matcher(Protocol):
    name: str

    def match(self, fact: dict[str, Any]) -> set[str]:
        """The names (rule id, or rule id + '?') of compiled rules whose condition holds."""
        ...

    def match_many(self, facts: Sequence[dict[str, Any]]) -> list[set[str]]:
        """``match`` of each fact, in order (faster than one by one where the engine can)."""
        ...
