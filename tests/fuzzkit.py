"""Shared pieces of the property-based tests: hypothesis profiles and profile strategies.

The strategies are written over the profile model (spec §1) and over whatever
rules are in ``rules/``: the dates they generate cluster around every day
count a rule tests, every deadline and every escalation step, so that a rule
added later is reached without touching this file.

Two hypothesis settings profiles: ``ci`` (a few thousand examples in all, in
``make test``) and ``long`` (10^5 examples per property, behind the ``slow``
marker, in ``make fuzz``). Tests pick one by parametrising over ``BUDGETS``.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import pycountry
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from riskcli.core.assess import Assessor
from riskcli.core.conditions import FIELD_SPECS, Node
from riskcli.core.profile import (
    MAX_DATE,
    MIN_DATE,
    PAST_FIELDS,
    Citizenship,
    CriminalCase,
    Document,
    Language,
    Occupation,
    OrganisationStatus,
    ProtestHistory,
    StayBasis,
    Wanted,
)
from riskcli.core.rules import RulePack, Severity
from riskcli.io.rulepack import load_rule_pack

ROOT = Path(__file__).resolve().parent.parent
# The pack the properties run over: the project's, or any other (RISKCLI_FUZZ_RULES=DIR).
RULES = Path(os.environ.get("RISKCLI_FUZZ_RULES") or ROOT / "rules")

LONG_EXAMPLES = int(os.environ.get("RISKCLI_FUZZ_EXAMPLES", "100000"))

settings.register_profile(
    "ci",
    deadline=None,  # a loaded 2-core box: time per example varies a lot
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "long",
    parent=settings.get_profile("ci"),
    max_examples=LONG_EXAMPLES,
)

# Each property runs under both: `ci` in `make test`, `long` (marker `slow`) in `make fuzz`.
BUDGETS = ["ci", pytest.param("long", marks=pytest.mark.slow)]


def budget(name: str, ci_examples: int) -> settings:
    """The settings for one property: its own example count in ``ci``, 10^5 in ``long``."""
    if name == "long":
        return settings.get_profile("long")
    return settings(settings.get_profile("ci"), max_examples=ci_examples)


@functools.cache
def assessor_for(engine: Literal["auto", "durable", "oracle"]) -> Assessor:
    """One Assessor per engine over the pack under test (RULES), for the whole session."""
    return Assessor(load_rule_pack(RULES), engine=engine)


# --- what the rule pack tests ----------------------------------------------------------

PACK: RulePack = load_rule_pack(RULES)

ENUMS: dict[str, type[StrEnum]] = {
    "language": Language,
    "citizenship": Citizenship,
    "stay_basis": StayBasis,
    "criminal_case": CriminalCase,
    "wanted": Wanted,
    "protest_history": ProtestHistory,
    "occupation": Occupation,
    "organisation_status": OrganisationStatus,
}
BOOLS = tuple(
    name for name, spec in FIELD_SPECS.items() if spec.kind == "bool" and not spec.derived_from
)
DATES = ("entry_date", "international_passport_expiry")
# Fields whose answer can be "the clean one": no case, not wanted, no, none.
CLEAN: dict[str, Any] = {
    **{name: False for name in BOOLS},
    "criminal_case": "none",
    "wanted": "none",
    "protest_history": "none",
    "organisation_status": "none",
}
ALL_COUNTRIES = tuple(sorted(c.alpha_2 for c in pycountry.countries))
NEAR_COUNTRIES = ("KZ", "KG", "AM", "GE", "TR", "DE", "US", "RS", "LV", "LT", "EE", "PL", "RU")


def _leaves(node: Node) -> list[Any]:
    kind, body = node
    if kind == "leaf":
        return [body]
    if kind in ("all", "any"):
        return [leaf for child in body for leaf in _leaves(child)]
    return []


def _pack_features(pack: RulePack) -> tuple[dict[str, set[int]], set[dt.date], set[str], set[str]]:
    """Day offsets from as_of per date field, absolute dates, charges and countries the rules use."""
    offsets: dict[str, set[int]] = {name: {0} for name in DATES}
    absolute: set[dt.date] = set()
    charges: set[str] = set()
    countries: set[str] = set(pack.destinations)
    for rule in pack.rules:
        for leaf in _leaves(rule.condition):
            if leaf.field == "days_in_country" and isinstance(leaf.value, int):
                offsets["entry_date"].add(-leaf.value)
            elif leaf.field == "days_until_passport_expiry" and isinstance(leaf.value, int):
                offsets["international_passport_expiry"].add(leaf.value)
            elif leaf.field in DATES and isinstance(leaf.value, int):
                absolute.add(dt.date.fromordinal(leaf.value))
            elif leaf.field in ("charges", "destination", "onward_destinations"):
                values = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
                texts = {v for v in values if isinstance(v, str)}  # not `known: true`
                (charges if leaf.field == "charges" else countries).update(texts)
        if rule.deadline is not None:
            steps = [0] + [e.days_left_at_most for e in rule.escalate]
            for step in steps:
                offsets[rule.deadline.from_].add(step - rule.deadline.add_days)
    for name in DATES:  # the day before and after every edge
        offsets[name] = {o + d for o in offsets[name] for d in (-1, 0, 1)}
    return offsets, absolute, charges, countries


OFFSETS, ABSOLUTE_DATES, RULE_CHARGES, RULE_COUNTRIES = _pack_features(PACK)
CHARGES = tuple(sorted(RULE_CHARGES | {"282.1", "207.3", "280.3", "275", "205.5", "20"}))
COUNTRIES = tuple(sorted(RULE_COUNTRIES | set(NEAR_COUNTRIES)))


# --- strategies: answers as a person would write them in a file ---------------------------

MISSING = object()  # the field is left out of the file

UNKNOWN_WORDS = ("", "unknown", "не знаю", "dont_know", "don't know", "null")


# Strategies are built once, here: building them inside every draw is slow.


def _spelled(values: list[str]) -> list[str]:
    return [*values, *(f" {v} " for v in values)]


UNKNOWN_ANSWERS = st.sampled_from([MISSING, None, *UNKNOWN_WORDS])
# One draw per answer: a flat list of every spelling, with "unknown" about a quarter of the time.
ENUM_ANSWERS = {
    name: st.sampled_from(
        (lambda vs: vs + [MISSING, None, ""] * max(1, len(vs) // 9))(
            _spelled([m.value for m in enum])
        )
    )
    for name, enum in ENUMS.items()
}
BOOL_WORDS = [
    "yes",
    "no",
    "Yes",
    "NO",
    "true",
    "false",
    "y",
    "n",
    "да",
    "нет",
    "Да",
    "НЕТ",
    "д",
    "н",
]
BOOL_ANSWER = st.sampled_from(
    [True, False, True, False, *BOOL_WORDS, MISSING, MISSING, MISSING, None, *UNKNOWN_WORDS]
)
OFFSET_CHOICES = {name: st.sampled_from(sorted(OFFSETS[name])) for name in DATES}
FIXED_DATES = st.sampled_from(sorted(ABSOLUTE_DATES | {MIN_DATE, MAX_DATE}))
SMALL_OFFSETS = st.integers(-1000, 1000)
LARGE_OFFSETS = st.integers(-80_000, 80_000)
# A third of the time a country the rules are written for, a third one near it, a third any.
COUNTRY_CODES = st.one_of(
    st.sampled_from(
        [*PACK.destinations, *(c.lower() for c in PACK.destinations)] or list(COUNTRIES)
    ),
    st.sampled_from([*COUNTRIES, *(f" {c} " for c in COUNTRIES)]),
    st.sampled_from(ALL_COUNTRIES),
)
DOCUMENTS = st.sampled_from([d.value for d in Document])
CHARGE_ANSWER = st.one_of(st.sampled_from(CHARGES), st.sampled_from([282.1, 207.3, 275, 205]))
CASE_ID = st.text(
    # what a case_id may hold: no controls, format characters or separators (issue 15)
    alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")),
    max_size=64,
)


def date_text(draw: st.DrawFn, day: dt.date) -> str:
    if draw(st.booleans()):
        return day.isoformat()
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def country_text(draw: st.DrawFn) -> str:
    return draw(COUNTRY_CODES)


def date_answer(draw: st.DrawFn, field: str, as_of: dt.date) -> Any:
    mode = draw(st.integers(0, 4))
    if mode == 0:
        return draw(UNKNOWN_ANSWERS)
    if mode == 4:
        day = draw(FIXED_DATES)
    else:
        strategy = (OFFSET_CHOICES[field], SMALL_OFFSETS, LARGE_OFFSETS)[mode - 1]
        ordinal = as_of.toordinal() + draw(strategy)
        day = dt.date.fromordinal(min(max(ordinal, MIN_DATE.toordinal()), MAX_DATE.toordinal()))
    if field in PAST_FIELDS:  # a valid entry date is on or before the assessment date
        day = min(day, as_of)
    return date_text(draw, day)


def list_answer(draw: st.DrawFn, items: list[Any]) -> Any:
    mode = draw(st.integers(0, 3))
    if mode == 0:
        return draw(st.sampled_from([MISSING, None, ""]))
    if mode == 1:  # as CSV writes it
        return ";".join(str(x) for x in items) or "unknown"
    return items


@st.composite
def answers(draw: st.DrawFn) -> dict[str, Any]:
    """A valid answers mapping (as JSON would give it) for every field of spec §1."""
    as_of = draw(st.dates(dt.date(2021, 1, 1), dt.date(2028, 12, 31)))
    out: dict[str, Any] = {"as_of": date_text(draw, as_of)}
    out["destination"] = country_text(draw)
    out["case_id"] = draw(st.one_of(st.just(MISSING), CASE_ID))
    for name in ENUMS:
        out[name] = draw(ENUM_ANSWERS[name])
    for name in BOOLS:
        out[name] = draw(BOOL_ANSWER)
    for name in DATES:
        out[name] = date_answer(draw, name, as_of)
    out["documents"] = list_answer(draw, draw(st.lists(DOCUMENTS, max_size=5)))
    out["charges"] = list_answer(draw, draw(st.lists(CHARGE_ANSWER, max_size=4)))
    countries = [country_text(draw) for _ in range(draw(st.integers(0, 3)))]
    out["onward_destinations"] = list_answer(draw, countries)
    return {key: value for key, value in out.items() if value is not MISSING}


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
)
NEAR_MISSES = st.sampled_from(
    [
        "0000-00-00",
        "2023-02-30",
        "2023-13-01",
        "31.02.2023",
        "2023-2-3",
        "1899-12-31",
        "2101-01-01",
        "32.01.2022",
        "RUS",
        "XX",
        "Russia",
        "282,1",
        "282.1.1",
        "2821",
        "maybe",
        "yes please",
        "Pending",
        "FEDERAL",
        "visa free",
        "domestic passport",
        "x" * 65,
        "line\nbreak",
        "tab\there",
        "☭",
        "\x00",
        "1e400",
    ]
)
ANY_VALUE = st.one_of(
    NEAR_MISSES,
    JSON_SCALARS,
    st.lists(st.one_of(NEAR_MISSES, JSON_SCALARS), max_size=4),
    st.dictionaries(st.text(max_size=5), JSON_SCALARS, max_size=3),
)


def highest_rank(severities: list[str]) -> int:
    """The rank of the worst severity (-1 when nothing is reported)."""
    return max((Severity(s).rank for s in severities), default=-1)


def report_highest(report: dict[str, Any]) -> int:
    return highest_rank([risk["severity"] for risk in report["risks"]])
