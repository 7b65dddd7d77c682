"""Conditions: from a rule's ``when`` to plain comparisons over a flat fact.

A rule's condition is written over profile fields and a few features derived
here in Python (day counts). It is compiled, once, to the JSON condition
language of durable-rules. Two compiled forms are kept for each rule, under
Kleene's three-valued logic, so that "don't know" is never read as "no":

* ``certain``: true only if the answers given make the condition true;
* ``possible``: true unless the answers given make it false (an unknown
  answer could still make it true).

``evaluate`` is a plain-Python evaluator of the same compiled JSON: the
oracle the durable-rules engine is tested against, and the engine itself
where durable-rules cannot be installed.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal, NamedTuple

from riskcli.core.profile import (
    FIELDS,
    OrganisationStatus,
    Profile,
    ProtestHistory,
    field_enum,
    field_kind,
)

Kind = Literal["enum", "country", "bool", "date", "number", "list", "text"]


class FieldSpec(NamedTuple):
    kind: Kind
    values: tuple[str, ...] = ()  # allowed values (enum, list of enum)
    derived_from: tuple[str, ...] = ()  # for features: the profile fields they come from
    doc: str = ""


def _vals(enum: Any) -> tuple[str, ...]:
    return tuple(e.value for e in enum if e.value != "unknown")


# Every name a condition may test. Profile fields keep their spec §1 names; their kinds and
# allowed values are read from the profile model.
FIELD_SPECS: dict[str, FieldSpec] = {
    **{
        name: FieldSpec(field_kind(name), _vals(field_enum(name) or ()))
        for name in FIELDS
        if name != "as_of"
    },
    # Derived in Python from the answers and the assessment date.
    "days_in_country": FieldSpec(
        "number",
        derived_from=("entry_date",),
        doc="days from entry_date to as_of (negative if entry is planned)",
    ),
    "days_until_passport_expiry": FieldSpec(
        "number",
        derived_from=("international_passport_expiry",),
        doc="days from as_of to international_passport_expiry (negative once expired)",
    ),
    "days_from_entry_to_passport_expiry": FieldSpec(
        "number",
        derived_from=("entry_date", "international_passport_expiry"),
        doc=(
            "days from entry_date to international_passport_expiry (compare with the length "
            "of a stay counted from entry: 89 means it expires on day 90)"
        ),
    ),
    "political_exposure": FieldSpec(
        "bool",
        derived_from=(
            "protest_history",
            "public_statements",
            "organisation_status",
            "foreign_agent",
        ),
        doc=(
            "yes if the person protested, spoke out publicly, belongs to an organisation Russia "
            "has designated, or is a foreign agent; no only if all four are answered and none "
            "holds; unknown otherwise (Kleene's or, computed here to keep rules small)"
        ),
    ),
}

ENUM_UNKNOWN = "unknown"


def _political_exposure(values: Mapping[str, Any]) -> bool | None:
    protest = values.get("protest_history")
    org = values.get("organisation_status")
    answers = [
        None if protest is None else protest is not ProtestHistory.none,
        values.get("public_statements"),
        None if org is None else org is not OrganisationStatus.none,
        values.get("foreign_agent"),
    ]
    if any(answer is True for answer in answers):
        return True
    return None if any(answer is None for answer in answers) else False


def _key(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", text)


@functools.lru_cache(maxsize=4096)
def item_key(field: str, item: str) -> str:
    return f"{field}__{_key(item)}"


def known_key(field: str) -> str:
    """The fact key whose presence says a field is known."""
    return f"{field}__known" if FIELD_SPECS[field].kind == "list" else field


# The answered fields a fact is made of, with their kinds and keys (in FIELD_SPECS order).
_FACT_FIELDS: tuple[tuple[str, Kind, str], ...] = tuple(
    (name, spec.kind, known_key(name))
    for name, spec in FIELD_SPECS.items()
    if not spec.derived_from and name != "case_id"
)


def to_fact(profile: Profile) -> dict[str, Any]:
    """Flatten a profile into the engine's fact: JSON scalars only; unknown = absent.

    Lists become one ``field__item: 1`` key per item held plus ``field__known: 1``
    (durable-rules cannot take a list of scalars); dates become day numbers;
    booleans become 1/0; an enum answer ``unknown`` is left out like a missing one.
    """
    return fact_of(profile.__dict__)


def fact_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`to_fact` of a profile's field values (a validated profile's, or one with some
    of them replaced by other valid answers: the trials of :mod:`riskcli.core.summary`)."""
    fact: dict[str, Any] = {}
    for name, kind, known in _FACT_FIELDS:
        value = values.get(name)
        if value is not None:
            _put(fact, name, kind, known, value)
    _derive(fact, values)
    return fact


def fact_with(fact: Mapping[str, Any], values: Mapping[str, Any], changed: Any) -> dict[str, Any]:
    """``fact_of(values)``, made from ``fact``: the fact of values that differ from these
    only in the fields named in ``changed`` (a trial answer or two, out of thirty)."""
    out = dict(fact)
    for name in changed:
        spec = _FACT_SPEC.get(name)
        if spec is None:
            continue
        kind, known = spec
        if kind == "list":
            prefix = f"{name}__"
            for key in [key for key in out if key.startswith(prefix)]:
                del out[key]
        else:
            out.pop(name, None)
        value = values.get(name)
        if value is not None:
            _put(out, name, kind, known, value)
    if not _DERIVING.isdisjoint(changed):  # else every derived feature is as it was
        for key in _DERIVED:
            out.pop(key, None)
        _derive(out, values)
    return out


_FACT_SPEC = {name: (kind, known) for name, kind, known in _FACT_FIELDS}
_DERIVED = tuple(name for name, spec in FIELD_SPECS.items() if spec.derived_from)
# What _derive reads: the fields the features come from, and the assessment date.
_DERIVING = frozenset({"as_of"}.union(*(FIELD_SPECS[name].derived_from for name in _DERIVED)))


def _put(fact: dict[str, Any], name: str, kind: Kind, known: str, value: Any) -> None:
    """The keys of one answered field."""
    if kind == "list":
        fact[known] = 1
        for item in value:
            fact[item_key(name, str(item))] = 1
    elif kind == "bool":
        fact[name] = 1 if value else 0
    elif kind == "date":
        fact[name] = value.toordinal()
    else:  # an enum member (a StrEnum: str() is its value), a country code
        text = str(value) if isinstance(value, str) else str(getattr(value, "value", value))
        if text != ENUM_UNKNOWN:
            fact[name] = text


def _derive(fact: dict[str, Any], values: Mapping[str, Any]) -> None:
    """The features derived from the answers and the assessment date."""
    exposure = _political_exposure(values)
    if exposure is not None:
        fact["political_exposure"] = 1 if exposure else 0
    as_of: dt.date = values["as_of"]
    entry = values.get("entry_date")
    expiry = values.get("international_passport_expiry")
    if entry is not None:
        fact["days_in_country"] = (as_of - entry).days
    if expiry is not None:
        fact["days_until_passport_expiry"] = (expiry - as_of).days
        if entry is not None:
            fact["days_from_entry_to_passport_expiry"] = (expiry - entry).days


# --- the condition language ------------------------------------------------

LEAF_OPS = (
    "is",
    "is_not",
    "one_of",
    "not_one_of",
    "contains",
    "lacks",
    "contains_any",
    "known",
    "lt",
    "lte",
    "gt",
    "gte",
)
NEGATION = {
    "is": "is_not",
    "is_not": "is",
    "one_of": "not_one_of",
    "not_one_of": "one_of",
    "contains": "lacks",
    "lacks": "contains",
    "lt": "gte",
    "gte": "lt",
    "lte": "gt",
    "gt": "lte",
}
OPS_FOR_KIND: dict[str, tuple[str, ...]] = {
    "enum": ("is", "is_not", "one_of", "not_one_of", "known"),
    "country": ("is", "is_not", "one_of", "not_one_of", "known"),
    "text": ("known",),
    "bool": ("is", "known"),
    "date": ("lt", "lte", "gt", "gte", "known"),
    "number": ("lt", "lte", "gt", "gte", "known"),
    "list": ("contains", "lacks", "contains_any", "known"),
}


class ConditionError(ValueError):
    """A condition that does not fit the language; the message says where."""


class Leaf(NamedTuple):
    field: str
    op: str
    value: Any  # normalised: str, int (days / day number), bool, tuple[str, ...]


Node = tuple[str, Any]  # ("all", [...]) | ("any", [...]) | ("leaf", Leaf) | ("true", None)


def parse_condition(raw: Any, where: str = "when") -> Node:
    """Parse the YAML form into a tree in negation normal form, checking names and values."""
    return _parse(raw, where, negate=False)


def _parse(raw: Any, where: str, negate: bool) -> Node:
    if raw is None:
        return ("true", None)
    if not isinstance(raw, Mapping) or not raw:
        raise ConditionError(f"{where}: expected all:, any:, not: or a field test")
    keys = set(raw)
    if keys == {"all"} or keys == {"any"}:
        (group,) = keys
        items = raw[group]
        if not isinstance(items, list) or not items:
            raise ConditionError(f"{where}.{group}: expected a non-empty list")
        children = [_parse(item, f"{where}.{group}[{i}]", negate) for i, item in enumerate(items)]
        # De Morgan: not(all) = any(not), not(any) = all(not).
        kind = group if not negate else ("any" if group == "all" else "all")
        return (kind, children)
    if keys == {"not"}:
        return _parse(raw["not"], f"{where}.not", not negate)
    leaf = _parse_leaf(raw, where)
    return _negate_leaf(leaf) if negate else ("leaf", leaf)


def _negate_leaf(leaf: Leaf) -> Node:
    if leaf.op == "contains_any":  # not any of them = lacks each
        return ("all", [("leaf", Leaf(leaf.field, "lacks", item)) for item in leaf.value])
    if leaf.op in ("known", "is") and isinstance(leaf.value, bool):
        return ("leaf", Leaf(leaf.field, leaf.op, not leaf.value))
    return ("leaf", Leaf(leaf.field, NEGATION[leaf.op], leaf.value))


def _parse_leaf(raw: Mapping[str, Any], where: str) -> Leaf:
    field = raw.get("field")
    if field not in FIELD_SPECS:
        allowed = ", ".join(FIELD_SPECS)
        raise ConditionError(f"{where}.field: {field!r} is not a field; allowed: {allowed}")
    ops = [k for k in raw if k != "field"]
    if len(ops) != 1 or ops[0] not in LEAF_OPS:
        raise ConditionError(
            f"{where}: a field test takes exactly one of: {', '.join(LEAF_OPS)} (got {ops})"
        )
    op = ops[0]
    spec = FIELD_SPECS[field]
    if op not in OPS_FOR_KIND[spec.kind]:
        raise ConditionError(
            f"{where}: {op!r} does not apply to {field!r}; "
            f"allowed: {', '.join(OPS_FOR_KIND[spec.kind])}"
        )
    return Leaf(field, op, _check_value(field, spec, op, raw[op], where))


def _check_value(field: str, spec: FieldSpec, op: str, value: Any, where: str) -> Any:
    if op == "known":
        if not isinstance(value, bool):
            raise ConditionError(f"{where}.known: expected true or false")
        return value
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise ConditionError(f"{where}.{op}: {field!r} is yes/no; expected true or false")
        return value
    if spec.kind in ("number", "date"):
        if spec.kind == "date" and isinstance(value, dt.date):
            return value.toordinal()
        if spec.kind == "number" and isinstance(value, int) and not isinstance(value, bool):
            return value
        expected = "a date (YYYY-MM-DD)" if spec.kind == "date" else "a whole number of days"
        raise ConditionError(f"{where}.{op}: expected {expected}, got {value!r}")
    many = op in ("one_of", "not_one_of", "contains_any")
    values = value if many else [value]
    if not isinstance(values, list) or not values:
        raise ConditionError(f"{where}.{op}: expected {'a list' if many else 'a value'}")
    for item in values:
        if not isinstance(item, str):
            raise ConditionError(f"{where}.{op}: expected text, got {item!r}")
        if spec.values and item not in spec.values:
            allowed = ", ".join(spec.values)
            raise ConditionError(f"{where}.{op}: {item!r} is not allowed; allowed: {allowed}")
    return tuple(values) if many else values[0]


def fields_of(node: Node) -> set[str]:
    kind, body = node
    if kind == "leaf":
        return {body.field}
    if kind in ("all", "any"):
        return set().union(*(fields_of(child) for child in body))
    return set()


# --- compiling to durable-rules JSON -------------------------------------------

Json = dict[str, Any]


def _ex(key: str) -> Json:
    return {"$ex": {key: 1}}


def _nex(key: str) -> Json:
    return {"$nex": {key: 1}}


def _and(parts: list[Json]) -> Json:
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _or(parts: list[Json]) -> Json:
    return parts[0] if len(parts) == 1 else {"$or": parts}


def _fact_value(spec: FieldSpec, value: Any) -> Any:
    if spec.kind == "bool":
        return 1 if value else 0
    return value


def _leaf_true(leaf: Leaf) -> Json:
    """The leaf holds on the answers given (its field known)."""
    spec = FIELD_SPECS[leaf.field]
    f, op, v = leaf.field, leaf.op, leaf.value
    if op == "known":
        return _ex(known_key(f)) if v else _nex(known_key(f))
    if op == "is":
        return {f: _fact_value(spec, v)}
    if op == "is_not":
        return {"$neq": {f: v}}
    if op == "one_of":
        return _or([{f: item} for item in v])
    if op == "not_one_of":
        return _and([_ex(f)] + [{"$neq": {f: item}} for item in v])
    if op == "contains":
        return {item_key(f, v): 1}
    if op == "lacks":
        return _and([_ex(known_key(f)), _nex(item_key(f, v))])
    if op == "contains_any":
        return _or([{item_key(f, item): 1} for item in v])
    return {f"${op}": {f: v}}  # lt lte gt gte


def _leaf_possible(leaf: Leaf) -> Json:
    """The leaf holds, or its field is unknown and so it might."""
    if leaf.op == "known":
        return _leaf_true(leaf)
    if leaf.op == "lacks":
        return _nex(item_key(leaf.field, leaf.value))
    return _or([_nex(known_key(leaf.field)), _leaf_true(leaf)])


def compile_condition(node: Node, mode: Literal["certain", "possible"]) -> Json:
    kind, body = node
    if kind == "leaf":
        return _leaf_true(body) if mode == "certain" else _leaf_possible(body)
    if kind == "true":
        return _ex("destination")
    parts = [compile_condition(child, mode) for child in body]
    return _and(parts) if kind == "all" else _or(parts)


# --- the plain-Python evaluator (oracle) ------------------------------------------


def evaluate(cond: Json, fact: Mapping[str, Any]) -> bool:
    """Evaluate compiled JSON as durable-rules does (a missing field fails a comparison)."""
    if len(cond) != 1:
        raise ConditionError(f"malformed compiled condition {cond!r}")
    ((op, arg),) = cond.items()
    if op == "$and":
        return all(evaluate(part, fact) for part in arg)
    if op == "$or":
        return any(evaluate(part, fact) for part in arg)
    if not op.startswith("$"):
        return op in fact and fact[op] == arg and type(fact[op]) is type(arg)
    ((key, value),) = arg.items()
    if op == "$ex":
        return key in fact
    if op == "$nex":
        return key not in fact
    if key not in fact:
        return False
    actual = fact[key]
    if op == "$neq":
        return bool(actual != value)
    if op == "$lt":
        return bool(actual < value)
    if op == "$lte":
        return bool(actual <= value)
    if op == "$gt":
        return bool(actual > value)
    if op == "$gte":
        return bool(actual >= value)
    raise ConditionError(f"operator {op} is not used by riskcli")


_COMPARE = {"$lt": "<", "$lte": "<=", "$gt": ">", "$gte": ">=", "$neq": "!="}
Predicate = Callable[[Mapping[str, Any]], bool]


def compile_predicate(cond: Json) -> Predicate:
    """``lambda fact: evaluate(cond, fact)`` as one Python function, made once in memory
    from the same JSON (never written anywhere); the tests hold the two together."""
    names: dict[str, Any] = {}

    def bind(value: Any) -> str:
        name = f"_c{len(names)}"
        names[name] = value
        return name

    def expr(node: Json) -> str:
        if len(node) != 1:
            raise ConditionError(f"malformed compiled condition {node!r}")
        ((op, arg),) = node.items()
        if op in ("$and", "$or"):
            if not arg:  # all([]) and any([])
                return str(op == "$and")
            joint = " and " if op == "$and" else " or "
            return "(" + joint.join(expr(part) for part in arg) + ")"
        if not op.startswith("$"):
            if type(arg) not in (str, int, bool):
                return f"{bind(evaluate)}({bind(node)}, f)"
            return (
                f"(type(f.get({bind(op)})) is {bind(type(arg))} and f[{bind(op)}] == {bind(arg)})"
            )
        ((key, value),) = arg.items()
        if op == "$ex":
            return f"({bind(key)} in f)"
        if op == "$nex":
            return f"({bind(key)} not in f)"
        if op in _COMPARE:
            k = bind(key)
            return f"({k} in f and bool(f[{k}] {_COMPARE[op]} {bind(value)}))"
        raise ConditionError(f"operator {op} is not used by riskcli")

    body = expr(cond)
    namespace: dict[str, Any] = {"__builtins__": {"type": type, "bool": bool}, **names}
    exec(
        compile(f"def predicate(f):\n    return {body}\n", "<riskcli condition>", "exec"), namespace
    )
    function: Predicate = namespace["predicate"]
    return function
