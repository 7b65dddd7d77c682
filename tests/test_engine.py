"""The durable-rules engine against its plain-Python oracle, and the engine's guards."""

from __future__ import annotations

import datetime as dt
import random
import threading
from typing import Any

import pytest

from riskcli.core.assess import Assessor
from riskcli.core.conditions import to_fact
from riskcli.core.engine.compiled import compile_pack
from riskcli.core.engine.durable import DURABLE_AVAILABLE, DurableMatcher
from riskcli.core.profile import (
    Citizenship,
    CriminalCase,
    Document,
    Occupation,
    OrganisationStatus,
    ProtestHistory,
    StayBasis,
    Wanted,
    make_profile,
)
from riskcli.io.rulepack import load_rule_pack

needs_durable = pytest.mark.skipif(not DURABLE_AVAILABLE, reason="durable-rules not installed")

DESTINATIONS = ["KZ", "KG", "AM", "GE", "TR", "DE", "US", "LV", "LT", "EE", "BE", "PL", "RS"]
BOOLS = [True, False, None]


def _maybe(rng: random.Random, values: list[Any]) -> Any:
    return rng.choice([*values, None])


def random_profile_data(rng: random.Random) -> dict[str, Any]:
    day = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(0, 1500))

    def date_near() -> str | None:
        if rng.random() < 0.3:
            return None
        return (day + dt.timedelta(days=rng.randrange(-400, 400))).isoformat()

    def past(text: str | None) -> str | None:
        return None if text is None else min(text, day.isoformat())

    def enum(e: Any) -> Any:
        return _maybe(rng, [m.value for m in e])

    data: dict[str, Any] = {
        "as_of": day.isoformat(),
        "destination": rng.choice(DESTINATIONS),
        "citizenship": enum(Citizenship),
        "documents": _maybe(rng, [rng.sample([d.value for d in Document], rng.randrange(0, 5))]),
        "international_passport_expiry": date_near(),
        "entry_date": past(date_near()),  # an entry date is never after the assessment date
        "stay_basis": enum(StayBasis),
        "criminal_case": enum(CriminalCase),
        "wanted": enum(Wanted),
        "arrested_in_absentia": rng.choice(BOOLS),
        "charges": _maybe(
            rng, [rng.sample(["282.1", "207.3", "205", "280.3"], rng.randrange(0, 3))]
        ),
        "protest_history": enum(ProtestHistory),
        "occupation": enum(Occupation),
        "organisation_status": enum(OrganisationStatus),
        "onward_destinations": _maybe(rng, [rng.sample(DESTINATIONS, rng.randrange(0, 3))]),
    }
    for name in ("draft_notice", "military_liable", "public_statements", "activism_abroad",
                 "foreign_agent", "foreign_funding", "relatives_in_russia", "needs_shelter"):  # fmt: skip
        data[name] = rng.choice(BOOLS)
    return {k: v for k, v in data.items() if v is not None}


@needs_durable
def test_durable_and_oracle_agree_on_every_rule_test_case(
    assessor: Assessor, oracle: Assessor
) -> None:
    assert assessor.engine_name == "durable" and oracle.engine_name == "oracle"
    checked = 0
    for rule in assessor.pack.rules:
        for case in [*rule.tests.fires, *rule.tests.does_not_fire]:
            data = dict(case.profile)
            if rule.tests.as_of and "as_of" not in data:
                data["as_of"] = rule.tests.as_of
            profile = make_profile(data)
            assert assessor.assess(profile) == oracle.assess(profile), (rule.id, case.name)
            checked += 1
    assert checked >= 3 * len(assessor.pack.rules) // 2


@needs_durable
def test_durable_and_oracle_agree_on_generated_profiles(
    assessor: Assessor, oracle: Assessor
) -> None:
    rng = random.Random(20221107)
    fired = 0
    for _ in range(3000):
        profile = make_profile(random_profile_data(rng))
        fact = to_fact(profile)
        expected = oracle.matcher.match(fact)
        assert assessor.matcher.match(fact) == expected, profile
        fired += bool(expected)
    assert fired > 150  # the generator reaches the rules, so agreement means something


@needs_durable
def test_background_dispatcher_is_off(assessor: Assessor) -> None:
    """The private Host._run override must keep durable-rules from starting timer threads."""
    before = {t.name for t in threading.enumerate()}
    Assessor(load_rule_pack(assessor.pack.directory))
    assessor.findings(make_profile({"destination": "KG", "wanted": "federal"}))
    timers = [t for t in threading.enumerate() if isinstance(t, threading.Timer)]
    assert timers == []
    assert {t.name for t in threading.enumerate()} <= before | {"MainThread"}


@needs_durable
def test_sessions_are_deleted_after_each_case(assessor: Assessor) -> None:
    matcher = assessor.matcher
    assert isinstance(matcher, DurableMatcher)
    profile = make_profile({"destination": "KG", "wanted": "federal"})
    for _ in range(1500):  # more than durable-rules' 1024 live sessions per ruleset
        assert "kg-deportation-on-request" in matcher.match(to_fact(profile))


@needs_durable
def test_an_action_error_is_raised_not_swallowed(
    assessor: Assessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from riskcli.core.errors import EngineError

    matcher = assessor.matcher
    assert isinstance(matcher, DurableMatcher)

    def broken(name: str) -> None:
        raise RuntimeError(f"cannot record {name}")

    monkeypatch.setattr(matcher.recorder, "record", broken)
    fact = to_fact(make_profile({"destination": "KG", "wanted": "federal"}))
    with pytest.raises(EngineError, match="a rule action failed inside durable-rules"):
        matcher.match(fact)
    monkeypatch.undo()
    assert "kg-deportation-on-request" in matcher.match(fact)


@needs_durable
def test_ctrl_c_inside_an_action_is_not_swallowed(
    assessor: Assessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    matcher = assessor.matcher
    assert isinstance(matcher, DurableMatcher)

    def interrupted(name: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(matcher.recorder, "record", interrupted)
    with pytest.raises(KeyboardInterrupt):
        matcher.match(to_fact(make_profile({"destination": "KG", "wanted": "federal"})))


def test_compiled_rules_are_anchored_on_the_destination(assessor: Assessor) -> None:
    compiled = compile_pack(assessor.pack)
    for rule in compiled.rules:
        first = rule.condition["$and"][0]
        assert "destination" in str(first), rule.name
