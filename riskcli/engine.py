"""The rules engine. The only module that imports durable-rules.

Each rule's condition is compiled once per process (see ``conditions``) and
registered on one ``Host`` whose background dispatcher is switched off. Each
case is asserted as one fact under its own session id, and that session is
deleted in ``finally``, so memory stays flat over any number of cases.

Limits of durable-rules 2.0.28 guarded here (measured; see the project notes):

* a ruleset of 512 rules or more hangs at registration: rules are split into
  rulesets by destination and into chunks well under that;
* too many conditions holding at once for one fact fails with error 303:
  chunks are sized by the number of OR branches that can hold at once;
* a rule whose only test is that a field is absent never returns: every
  compiled rule is anchored on the destination;
* exceptions inside actions are swallowed by the engine: the action only
  records the rule id, and any error in it is re-raised after the call;
* a condition with more than 15 ``$and``/``$or`` groups is refused at
  registration (error 113, naming no rule): each is counted when compiling;
* a 1025th live session corrupts the engine: there is only ever one;
* deleting the session of a fact that matched no rule, when no fact has yet
  matched in that ruleset, crashes the process (segfault or ``free(): invalid
  pointer``; found by the property tests): every ruleset holds a sentinel rule
  that every fact matches, so no fact goes unhandled.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from riskcli.conditions import Json, branch_count, compile_condition, evaluate
from riskcli.errors import EngineError
from riskcli.rules import RulePack

MAX_BRANCHES_PER_RULESET = 48  # error 303 above 64 conditions holding at once
MAX_RULES_PER_RULESET = 200  # registration hangs at 512
MAX_GROUPS_PER_CONDITION = 15  # $and/$or groups in one condition; 16 fail with error 113
# In every ruleset, matched by every fact (a name no rule id can take): see the module docstring.
SENTINEL = "riskcli:seen"
SENTINEL_RULE: Json = {"$ex": {"destination": 1}}
ANY = "*"

EngineName = Literal["auto", "durable", "oracle"]

try:  # durable-rules builds only on Python 3.11 / 3.12
    from durable import engine as _durable

    DURABLE_AVAILABLE = True
    DURABLE_IMPORT_ERROR = ""
except ImportError as _exc:  # pragma: no cover - depends on the Python version
    _durable = None
    DURABLE_AVAILABLE = False
    DURABLE_IMPORT_ERROR = str(_exc)


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


class OracleMatcher:
    """Plain-Python evaluation of the same compiled conditions: the test oracle."""

    name = "oracle"

    def __init__(self, compiled: CompiledPack):
        self.compiled = compiled

    def match(self, fact: dict[str, Any]) -> set[str]:
        destination = str(fact["destination"])
        return {
            rule.name
            for _, chunk in self.compiled.rulesets_for(destination)
            for rule in chunk
            if evaluate(rule.condition, fact)
        }


_HOST: Any = None
_REGISTERED: dict[str, tuple[str, Any]] = {}  # compiled pack -> (ruleset prefix, recorder)
_counter = itertools.count(1)
_SIDS = itertools.count(1)  # unique per process: a session id is never reused while live


def _host() -> Any:
    """One Host per process, its background dispatcher off (it races synchronous calls)."""
    global _HOST
    if _HOST is None:
        assert _durable is not None

        class QuietHost(_durable.Host):  # type: ignore[misc]
            def _run(self) -> None:  # no timer threads, no background dispatch
                return None

        _HOST = QuietHost()
    return _HOST


class _Recorder:
    """Collects the rules fired by one synchronous assert; holds an action's error, if any."""

    def __init__(self) -> None:
        self.fired: list[str] = []
        self.error: BaseException | None = None

    def record(self, name: str) -> None:
        self.fired.append(name)


def _action(recorder: _Recorder, name: str) -> Callable[[Any], None]:
    def act(_closure: Any) -> None:
        try:
            recorder.record(name)
        except BaseException as exc:
            recorder.error = exc

    return act


def _ignore(_closure: Any) -> None:
    """The sentinel's action: nothing to record."""


class DurableMatcher:
    """durable-rules: one fact per case, under its own session, deleted afterwards."""

    name = "durable"

    def __init__(self, compiled: CompiledPack):
        if not DURABLE_AVAILABLE:
            raise EngineError(f"durable-rules cannot be imported here: {DURABLE_IMPORT_ERROR}")
        self.compiled = compiled
        self._host = _host()
        fingerprint = repr([(c.name, c.condition) for c in compiled.rules])
        if fingerprint not in _REGISTERED:
            prefix = f"riskcli{next(_counter)}"
            recorder = _Recorder()
            definitions = {}
            for key, chunks in compiled.buckets.items():
                for i, chunk in enumerate(chunks):
                    definitions[f"{prefix}/{key}:{i}"] = {
                        rule.name: {
                            "all": [{"m": copy.deepcopy(rule.condition)}],
                            "run": _action(recorder, rule.name),
                        }
                        for rule in chunk
                    }
                    definitions[f"{prefix}/{key}:{i}"][SENTINEL] = {
                        "all": [{"m": copy.deepcopy(SENTINEL_RULE)}],
                        "run": _ignore,
                    }
            try:
                self._host.register_rulesets(definitions)
            except Exception as exc:
                raise EngineError(f"durable-rules refused the rule pack: {exc}") from exc
            # The same rules are registered once per process and shared (no unregister exists).
            _REGISTERED[fingerprint] = (prefix, recorder)
        self._prefix, self.recorder = _REGISTERED[fingerprint]

    def match(self, fact: dict[str, Any]) -> set[str]:
        recorder = self.recorder
        recorder.fired.clear()
        recorder.error = None
        destination = str(fact["destination"])
        for key, _chunk in self.compiled.rulesets_for(destination):
            ruleset = f"{self._prefix}/{key}"
            sid = str(next(_SIDS))
            message = dict(fact, id=sid, sid=sid)
            try:
                self._host.assert_fact(ruleset, message)
            except _durable.MessageNotHandledException:
                pass
            except Exception as exc:
                raise EngineError(f"durable-rules failed on this case ({ruleset}): {exc}") from exc
            finally:
                self._host.delete_state(ruleset, sid)
            if recorder.error is not None:
                error, recorder.error = recorder.error, None
                if isinstance(error, KeyboardInterrupt):
                    raise error
                raise EngineError(f"a rule action failed inside durable-rules: {error!r}")
        result = set(recorder.fired)
        recorder.fired.clear()
        return result


def make_matcher(compiled: CompiledPack, engine: EngineName = "auto") -> Matcher:
    """The durable-rules matcher, or the oracle where durable-rules cannot be imported."""
    if engine == "oracle":
        return OracleMatcher(compiled)
    if engine == "durable" or DURABLE_AVAILABLE:
        return DurableMatcher(compiled)
    return OracleMatcher(compiled)  # `riskcli --version` says which engine runs


def engine_names() -> Iterable[str]:
    return ("durable", "oracle") if DURABLE_AVAILABLE else ("oracle",)
