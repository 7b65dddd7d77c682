"""Rule conditions compiled once per pack, grouped into rulesets by destination.

What both engines match: :mod:`riskcli.core.engine.durable` (durable-rules) and
:mod:`riskcli.core.engine.oracle` (plain Python) take the same ``CompiledPack``.
The chunk sizes are durable-rules' limits (see that module's docstring).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, Protocol

from riskcli.core.conditions import Json, compile_condition
from riskcli.core.errors import EngineError
from riskcli.core.rules import RulePack

MAX_BRANCHES_PER_RULESET = 48  # error 303 (or a crash) at 64+ conditions holding at once
MAX_RULES_PER_RULESET = 200  # registration hangs at 512
MAX_GROUPS_PER_CONDITION = 15  # $and/$or groups in one condition; 16 fail with error 113
ANY = "*"

EngineName = Literal["auto", "durable", "oracle"]


def possible_name(rule_id: str) -> str:
    return f"{rule_id}?"


class CompiledRule(NamedTuple):
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


# --- simpler conditions, and how many of their branches can hold at once ---------------
#
# durable-rules joins the branches of an $or at one node and goes on from it once per
# branch that holds: a rule fires once per such branch (one C call each), and too many at
# once for one fact fail (error 303). ``simplify`` drops the branches that repeat or can
# never hold; ``simultaneous`` counts, for the budget of a ruleset, the branches that can
# hold together, knowing that branches which disagree on a field (absent in one, present
# in the other; two different values) never do.

_FALSE: Json = {"$nex": {"destination": 1}}  # every fact has a destination (the anchor)
_TRUE: Json = {"$ex": {"destination": 1}}


def _key(cond: Json) -> str:
    return repr(cond)  # conditions are one-key dicts built the same way every time


def simplify(cond: Json) -> Json:
    """The same condition without nested groups of one kind where that counts no more
    branches, repeated branches, and branches that cannot hold (a missing destination,
    inside the destination anchor)."""
    ((op, arg),) = cond.items()
    if op not in ("$and", "$or"):
        return cond
    children = [simplify(p) for p in arg]
    if op == "$or":
        children = [p for p in children if p != _FALSE and not _never(p)] or [_FALSE]
    nested = _unique(children)
    if not any(op in part for part in nested):
        return _group(op, nested)
    flat = _unique(piece for part in nested for piece in _members(part, op))
    if op == "$and":
        return _group(op, flat)  # an $and in an $and adds a group and nothing else
    inner = {_key(p) for part in nested if "$or" in part for p in part["$or"]}
    nested = [p for p in nested if _key(p) not in inner]  # A or (A or B) is A or B
    options = [_group(op, flat), _group(op, nested)]
    return min(options, key=lambda c: (simultaneous(c), group_count(c)))


def _members(cond: Json, op: str) -> list[Json]:
    parts: list[Json] = cond.get(op, [cond])
    return parts


def _unique(parts: Iterable[Json]) -> list[Json]:
    seen: set[str] = set()
    out = []
    for part in parts:
        key = _key(part)
        if key not in seen:
            seen.add(key)
            out.append(part)
    return out


def _group(op: str, parts: list[Json]) -> Json:
    return parts[0] if len(parts) == 1 else {op: parts}


def _never(cond: Json) -> bool:
    return "$and" in cond and any(p == _FALSE for p in cond["$and"])


# What a condition requires of a field, if it holds: absent, or present (with this value).
_ABSENT = ("absent", None)


# Results for the conditions of one compile_pack (keyed by identity, holding the condition
# so that its id is not reused; emptied when the pack is compiled).
_MEMO: dict[tuple[str, int], tuple[Json, Any]] = {}


def _memo(kind: str, cond: Json, compute: Any) -> Any:
    hit = _MEMO.get((kind, id(cond)))
    if hit is not None and hit[0] is cond:
        return hit[1]
    value = compute(cond)
    _MEMO[(kind, id(cond))] = (cond, value)
    return value


def _requires(cond: Json) -> dict[str, tuple[str, Any]]:
    result: dict[str, tuple[str, Any]] = _memo("requires", cond, _requires_of)
    return result


def _requires_of(cond: Json) -> dict[str, tuple[str, Any]]:
    ((op, arg),) = cond.items()
    if op == "$and":
        out: dict[str, tuple[str, Any]] = {}
        for part in arg:
            for field_name, need in _requires(part).items():
                if out.get(field_name, ("present", None))[0] == "present" and (
                    need[1] is not None or field_name not in out
                ):
                    out[field_name] = need
        return out
    if op == "$or":  # what every branch requires (a value only as presence)
        common: dict[str, tuple[str, Any]] = {}
        for i, part in enumerate(arg):
            needs = {
                name: ("present", None) if kind == "value" else (kind, value)
                for name, (kind, value) in _requires(part).items()
            }
            common = needs if i == 0 else {k: v for k, v in common.items() if needs.get(k) == v}
        return common
    if op == "$nex":
        return {next(iter(arg)): _ABSENT}
    if op.startswith("$"):  # $ex, $neq, $lt ...: a comparison fails on a missing field
        return {next(iter(arg)): ("present", None)}
    return {op: ("value", arg)}


def _exclusive(a: Json, b: Json) -> bool:
    """True if the two can never hold for the same fact. Two values are told apart as
    Python tells them: durable-rules converts types (``1`` matches ``"1"`` and ``true``),
    so this holds because the compiler gives each field values of one type only."""
    need_a, need_b = _requires(a), _requires(b)
    for field_name, (kind_a, value_a) in need_a.items():
        if field_name not in need_b:
            continue
        kind_b, value_b = need_b[field_name]
        if (kind_a == "absent") != (kind_b == "absent"):
            return True
        if kind_a == kind_b == "value" and value_a != value_b:
            return True
    return False


def simultaneous(cond: Json) -> int:
    """At most how many branches of this condition can hold at once for one fact (so, how
    many times durable-rules fires it at most)."""
    result: int = _memo("simultaneous", cond, _simultaneous_of)
    return result


def _simultaneous_of(cond: Json) -> int:
    ((op, arg),) = cond.items()
    if op == "$and":
        total = 1
        for part in arg:
            total *= simultaneous(part)
        return total
    if op == "$or":
        counts = [simultaneous(part) for part in arg]
        if all(_exclusive(a, b) for i, a in enumerate(arg) for b in arg[i + 1 :]):
            return max(counts)
        return sum(counts)
    return 1


def group_count(cond: Json) -> int:
    """How many $and/$or groups a compiled condition holds (durable-rules takes 15)."""
    ((op, arg),) = cond.items()
    if op in ("$and", "$or"):
        return 1 + sum(group_count(part) for part in arg)
    return 0


def _anchored(anchor: Json, cond: Json) -> Json:
    """The destination test first (durable-rules needs it: module docstring of the engine),
    then the rest, simplified."""
    rest = simplify(cond)
    if rest == _TRUE:
        return {"$and": [anchor, rest]}
    ((op, arg),) = rest.items()
    return {"$and": [anchor, *(arg if op == "$and" else [rest])]}


def compile_pack(pack: RulePack) -> CompiledPack:
    """The pack compiled for the engine: once per pack (kept on it), or as it came
    compiled (the bundled pack, :mod:`riskcli.io.rulepack`)."""
    if pack.compiled is None:
        try:
            pack.compiled = _compile_pack(pack)
        finally:
            _MEMO.clear()
    return pack.compiled


def _compile_pack(pack: RulePack) -> CompiledPack:
    compiled: list[CompiledRule] = []
    for rule in pack.rules:
        anchor = _destination_anchor(rule.destinations)
        certain = _anchored(anchor, compile_condition(rule.condition, "certain"))
        forms = [(rule.id, "certain", certain)]
        if rule.if_unknown == "report":
            possible = _anchored(anchor, compile_condition(rule.condition, "possible"))
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
            branches = simultaneous(cond)
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
