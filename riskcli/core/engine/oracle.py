"""The plain-Python evaluator of the compiled rules: the test oracle, and the engine
where durable-rules cannot be installed (Python 3.13+).

The compiled JSON of each ruleset is turned, once, into one Python function (source
generated from the JSON, compiled in memory, never written anywhere) that returns
the names of the rules whose condition holds. It means exactly what
:func:`riskcli.core.conditions.evaluate` interprets (the tests hold the two
together): an equality holds only on a present key of the same type, an ordering
or ``$neq`` fails on a missing key, ``$ex``/``$nex`` test presence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from riskcli.core.conditions import ConditionError, Json, evaluate
from riskcli.core.engine.compiled import CompiledPack, CompiledRule

_ORDER = {"$lt": "<", "$lte": "<=", "$gt": ">", "$gte": ">=", "$neq": "!="}
_PLAIN = (str, int, bool)


class _Source:
    """Python source for one ruleset; constants and their types are bound by name."""

    def __init__(self) -> None:
        self.names: dict[str, Any] = {}

    def bind(self, value: Any) -> str:
        name = f"_c{len(self.names)}"
        self.names[name] = value
        return name

    def expr(self, cond: Json) -> str:
        if len(cond) != 1:
            raise ConditionError(f"malformed compiled condition {cond!r}")
        ((op, arg),) = cond.items()
        if op in ("$and", "$or"):
            joint = " and " if op == "$and" else " or "
            return "(" + joint.join(self.expr(part) for part in arg) + ")"
        if not op.startswith("$"):
            return self._compare(op, "==", arg, typed=True)
        ((key, value),) = arg.items()
        if op == "$ex":
            return f"({self.bind(key)} in f)"
        if op == "$nex":
            return f"({self.bind(key)} not in f)"
        if op in _ORDER:
            return self._compare(key, _ORDER[op], value, typed=False)
        raise ConditionError(f"operator {op} is not used by riskcli")

    def _compare(self, key: str, operator: str, value: Any, *, typed: bool) -> str:
        if type(value) not in _PLAIN:  # pragma: no cover - the compiler writes only these
            # anything else is interpreted, exactly as evaluate() does
            cond = {key: value} if typed else {_op(operator): {key: value}}
            return f"{self.bind(evaluate)}({self.bind(cond)}, f)"
        k, v = self.bind(key), self.bind(value)
        if typed:
            t = self.bind(type(value))
            return f"(type(f.get({k})) is {t} and f[{k}] == {v})"
        return f"({k} in f and f[{k}] {operator} {v})"


def _op(operator: str) -> str:
    return next(op for op, sign in _ORDER.items() if sign == operator)


def compile_ruleset(chunk: list[CompiledRule]) -> Callable[[Mapping[str, Any]], list[str]]:
    """One function: a fact in, the names of the chunk's rules that hold on it out."""
    source = _Source()
    lines = ["def ruleset(f):", "    out = []"]
    for rule in chunk:
        lines.append(f"    if {source.expr(rule.condition)}:")
        lines.append(f"        out.append({source.bind(rule.name)})")
    lines.append("    return out")
    namespace: dict[str, Any] = {"__builtins__": {"type": type}, **source.names}
    exec(compile("\n".join(lines), "<riskcli compiled rules>", "exec"), namespace)
    function: Callable[[Mapping[str, Any]], list[str]] = namespace["ruleset"]
    return function


class OracleMatcher:
    """Plain-Python evaluation of the same compiled conditions: the test oracle."""

    name = "oracle"

    def __init__(self, compiled: CompiledPack):
        self.compiled = compiled
        self._functions = {
            f"{key}:{i}": compile_ruleset(chunk)
            for key, chunks in compiled.buckets.items()
            for i, chunk in enumerate(chunks)
        }
        self._routes: dict[str, list[Callable[[Mapping[str, Any]], list[str]]]] = {}

    def _rulesets(self, destination: str) -> list[Callable[[Mapping[str, Any]], list[str]]]:
        route = self._routes.get(destination)
        if route is None:
            route = [self._functions[name] for name, _ in self.compiled.rulesets_for(destination)]
            if len(self._routes) < 1024:
                self._routes[destination] = route
        return route

    def match_many(self, facts: Sequence[dict[str, Any]]) -> list[set[str]]:
        return [self.match(fact) for fact in facts]

    def match(self, fact: dict[str, Any]) -> set[str]:
        out: set[str] = set()
        for function in self._rulesets(str(fact["destination"])):
            out.update(function(fact))
        return out


def interpret(compiled: CompiledPack, fact: Mapping[str, Any]) -> set[str]:
    """The same answer as :class:`OracleMatcher`, by interpreting the JSON (for the tests)."""
    destination = str(fact["destination"])
    return {
        rule.name
        for _, chunk in compiled.rulesets_for(destination)
        for rule in chunk
        if evaluate(rule.condition, fact)
    }
