"""The durable-rules engine against its plain-Python oracle, and the engine's guards."""

from __future__ import annotations

import collections
import datetime as dt
import random
import threading
from typing import Any

import pytest

from riskcli.core.assess import Assessor
from riskcli.core.conditions import to_fact
from riskcli.core.engine.compiled import compile_pack
from riskcli.core.engine.durable import DURABLE_AVAILABLE, DurableMatcher
from riskcli.core.engine.oracle import interpret
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
        assert expected == interpret(oracle.compiled, fact), profile
        assert assessor.matcher.match(fact) == expected, profile
        fired += bool(expected)
    assert fired > 150  # the generator reaches the rules, so agreement means something


def test_the_generated_oracle_means_what_the_compiled_json_says(oracle: Assessor) -> None:
    """The oracle runs generated Python; the JSON interpreter is its reference (any Python)."""
    rng = random.Random(17)
    fired = 0
    for _ in range(3000):
        fact = to_fact(make_profile(random_profile_data(rng)))
        expected = interpret(oracle.compiled, fact)
        assert oracle.matcher.match(fact) == expected, fact
        fired += len(expected)
    assert fired > 1000


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


class _Failing:
    """durable-rules' C module, failing once in one of its functions."""

    def __init__(self, real: Any, where: str, error: BaseException) -> None:
        self.real, self.where, self.error = real, where, error
        self.deleted: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if name == self.where and self.error is not None:
            error, self.error = self.error, None  # type: ignore[assignment]

            def fail(*_args: Any) -> Any:
                raise error

            return fail
        if name == "delete_state":

            def delete(handle: int, sid: str) -> Any:
                self.deleted.append(sid)
                return self.real.delete_state(handle, sid)

            return delete
        return getattr(self.real, name)


@needs_durable
@pytest.mark.parametrize("where", ["assert_facts", "start_action_for_state",
                                   "complete_and_start_action"])  # fmt: skip
def test_an_engine_error_is_raised_and_the_session_still_deleted(
    assessor: Assessor, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    from riskcli.core.engine import durable
    from riskcli.core.errors import EngineError

    fake = _Failing(durable._engine, where, RuntimeError("error code: 303"))
    monkeypatch.setattr(durable, "_engine", fake)
    fact = to_fact(make_profile({"destination": "KG", "wanted": "federal"}))
    with pytest.raises(EngineError, match=r"durable-rules failed on this case .*303"):
        assessor.matcher.match(fact)
    assert len(fake.deleted) == 1
    for _ in range(1100):  # past the 1024 live sessions a session left alive would hit
        assert "kg-deportation-on-request" in assessor.matcher.match(fact)


@needs_durable
def test_ctrl_c_inside_the_engine_is_not_swallowed(
    assessor: Assessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from riskcli.core.engine import durable

    fake = _Failing(durable._engine, "complete_and_start_action", KeyboardInterrupt())
    monkeypatch.setattr(durable, "_engine", fake)
    fact = to_fact(make_profile({"destination": "KG", "wanted": "federal"}))
    with pytest.raises(KeyboardInterrupt):
        assessor.matcher.match(fact)
    assert len(fake.deleted) == 1
    assert "kg-deportation-on-request" in assessor.matcher.match(fact)


def test_compiled_rules_are_anchored_on_the_destination(assessor: Assessor) -> None:
    compiled = compile_pack(assessor.pack)
    for rule in compiled.rules:
        first = rule.condition["$and"][0]
        assert "destination" in str(first), rule.name


# --- many cases at once (batches) -----------------------------------------------------


def _generated_facts(seed: int, n: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [to_fact(make_profile(random_profile_data(rng))) for _ in range(n)]


@pytest.mark.parametrize("size", [1, 7, 64, 65, 300])
def test_match_many_gives_each_case_what_match_gives_it(
    assessor: Assessor, oracle: Assessor, size: int
) -> None:
    """Facts asserted together (up to 64 in one session of each ruleset) get exactly the
    rules each gets alone, on both engines, whatever the number of cases in the call."""
    facts = _generated_facts(size, 1200)
    expected = [oracle.matcher.match(fact) for fact in facts]
    assert sum(map(len, expected)) > 1000
    for matcher in {assessor.matcher, oracle.matcher}:
        got: list[set[str]] = []
        for start in range(0, len(facts), size):
            got += matcher.match_many(facts[start : start + size])
        assert got == expected, matcher.name


@needs_durable
def test_one_action_per_rule_and_session_holds_every_case_it_fired_for(
    assessor: Assessor, oracle: Assessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rule's action holds all of a session's matches at once (durable-rules' "cap"):
    64 cases of one destination cost one message per rule that fired, not one per case and
    true $or branch, and still give each case exactly the oracle's rules."""
    from riskcli.core.engine import durable

    facts = [
        to_fact(make_profile({"destination": "KG", "wanted": "federal", "draft_notice": d}))
        for d in ("yes", "no") * 32
    ]
    expected = [oracle.matcher.match(fact) for fact in facts]
    calls = collections.Counter[str]()
    real = durable._engine

    class Counting:
        def __getattr__(self, name: str) -> Any:
            function = getattr(real, name)

            def counted(*args: Any) -> Any:
                calls[name] += 1
                return function(*args)

            return counted

    monkeypatch.setattr(durable, "_engine", Counting())
    got = assessor.matcher.match_many(facts)
    assert got == expected
    rulesets = assessor.matcher.compiled.rulesets_for("KG")
    names = set().union(*expected)
    assert len(names) > 10
    assert calls["assert_facts"] == calls["start_action_for_state"] == len(rulesets)
    # one completion per rule that fired (the last starts the sentinel's action, which
    # ends the loop uncompleted); one message per case would be several hundred
    assert calls["complete_and_start_action"] == len(names)


@needs_durable
def test_the_ids_of_facts_asserted_together_never_collide() -> None:
    """durable-rules knows a fact by the 32-bit FNV-1a hash of its id: the ids one session
    holds must hash apart, or a case would be refused as 'already seen'."""
    from riskcli.core.engine.durable import _FACT_IDS, MAX_FACTS_PER_SESSION

    def fnv1a(text: str) -> int:
        value = 0x811C9DC5
        for byte in text.encode():
            value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
        return value

    assert len(_FACT_IDS) == MAX_FACTS_PER_SESSION
    assert len({fnv1a(i) for i in _FACT_IDS}) == len(_FACT_IDS)


@needs_durable
def test_match_many_deletes_its_sessions(assessor: Assessor) -> None:
    fact = to_fact(make_profile({"destination": "KG", "wanted": "federal"}))
    for _ in range(1100):  # more than durable-rules' 1024 live sessions per ruleset
        fired = assessor.matcher.match_many([fact, fact, fact])
        assert all("kg-deportation-on-request" in rules for rules in fired)


@needs_durable
@pytest.mark.parametrize("where", ["assert_facts", "start_action_for_state",
                                   "complete_and_start_action"])  # fmt: skip
def test_match_many_raises_engine_errors_and_still_deletes_the_session(
    assessor: Assessor, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    from riskcli.core.engine import durable
    from riskcli.core.errors import EngineError

    fake = _Failing(durable._engine, where, RuntimeError("error code: 303"))
    monkeypatch.setattr(durable, "_engine", fake)
    facts = [to_fact(make_profile({"destination": "KG", "wanted": "federal"}))] * 5
    with pytest.raises(EngineError, match=r"durable-rules failed on these cases .*303"):
        assessor.matcher.match_many(facts)
    assert len(fake.deleted) == 1
    for _ in range(1100):
        assert all("kg-deportation-on-request" in r for r in assessor.matcher.match_many(facts))


@needs_durable
def test_ctrl_c_inside_match_many_is_not_swallowed(
    assessor: Assessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from riskcli.core.engine import durable

    fake = _Failing(durable._engine, "complete_and_start_action", KeyboardInterrupt())
    monkeypatch.setattr(durable, "_engine", fake)
    facts = [to_fact(make_profile({"destination": "KG", "wanted": "federal"}))] * 3
    with pytest.raises(KeyboardInterrupt):
        assessor.matcher.match_many(facts)
    assert len(fake.deleted) == 1


@needs_durable
def test_the_cases_of_an_action_are_read_plain_or_decoded() -> None:
    from riskcli.core.engine.durable import SENTINEL, _action_cases

    many = (
        '{"kg-x?":[{"m":{"id":"12","sid":"4","a":1}},{"m":{"id":"03","sid":"4"}},'
        '{"m":{"id":"12","sid":"4","a":1}}]}'  # fact 12 twice: two branches held
    )
    rule, places = _action_cases(many)
    assert (rule, sorted(places)) == ("kg-x?", [3, 12])
    assert _action_cases('{"a\\"b":[{"m":{"id":"03","sid":"4"}}]}') == ('a"b', [3])
    assert _action_cases('{"x":[{"m":{"sid":"4","id":"05"}}]}') == ("x", [5])
    # what match_many does not write is decoded: a frame whose id is not first, one written
    # with spaces, an id not of two digits
    for other in (
        '{"x":[{"m":{"id":"01","sid":"4"}},{"m":{"sid":"4","id":"02"}}]}',
        '{"x":[{"m":{"id":"01","sid":"4"}},{"m":{"id": "02", "sid": "4"}}]}',
        '{"x":[{"m":{"id":"01","sid":"4"}},{"m":{"id":"2","sid":"4"}}]}',
        '{"x":[{"m":{"id":"01","sid":"4"}},{"m":{"id":"002","sid":"4"}}]}',
    ):
        rule, places = _action_cases(other)
        assert (rule, sorted(places)) == ("x", [1, 2])
    # the sentinel's action has one frame, not a list
    one = '{"' + SENTINEL + '":{"m":{"id":"07","sid":"4","_0":"KG"}}}'
    assert _action_cases(one) == (SENTINEL, [7])
    # a string value that looks like a frame is escaped by json: never read as one
    tricky = '{"y":[{"m":{"id":"01","sid":"4","c":"{\\"m\\":{\\"id\\":\\"09\\""}}]}'
    assert _action_cases(tricky) == ("y", [1])


# --- simpler conditions, and the branch budget ------------------------------------------


def _paths(cond: dict[str, Any], fact: dict[str, Any]) -> int:
    """How many times durable-rules goes through this condition for one fact: once per
    branch of an $or that holds, multiplied along an $and."""
    from riskcli.core.conditions import evaluate

    ((op, arg),) = cond.items()
    if op == "$and":
        total = 1
        for part in arg:
            total *= _paths(part, fact)
        return total
    if op == "$or":
        return sum(_paths(part, fact) for part in arg)
    return int(evaluate(cond, fact))


def test_simplified_conditions_mean_what_the_rules_say(assessor: Assessor) -> None:
    """The engine matches simplified conditions (repeats and impossible branches dropped);
    on every rule, they hold exactly when the compiled rule does, and the budget of
    branches that hold at once (error 303, fired actions) is never exceeded."""
    from riskcli.core.conditions import compile_condition, evaluate
    from riskcli.core.engine.compiled import _destination_anchor

    compiled = {rule.name: rule for rule in compile_pack(assessor.pack).rules}
    forms = []
    for rule in assessor.pack.rules:
        anchor = _destination_anchor(rule.destinations)
        for name, mode in ((rule.id, "certain"), (f"{rule.id}?", "possible")):
            if name in compiled:
                plain = {"$and": [anchor, compile_condition(rule.condition, mode)]}
                forms.append((plain, compiled[name]))
    assert len(forms) == len(compiled)
    rng = random.Random(303)
    held = 0
    for _ in range(1500):
        data = random_profile_data(rng)
        data = {k: v for k, v in data.items() if k == "destination" or rng.random() < 0.6}
        fact = to_fact(make_profile(data))
        for plain, rule in forms:
            holds = evaluate(plain, fact)
            assert evaluate(rule.condition, fact) == holds, rule.name
            assert _paths(rule.condition, fact) <= rule.branches, (rule.name, fact)
            held += holds
    assert held > 5000


def test_repeated_and_impossible_branches_are_dropped() -> None:
    from riskcli.core.engine.compiled import simplify, simultaneous

    absent = {"$nex": {"wanted": 1}}
    none = {"wanted": "none"}
    assert simplify({"$or": [absent, {"$or": [absent, none]}]}) == {"$or": [absent, none]}
    assert simplify({"$or": [{"$nex": {"destination": 1}}, {"destination": "KZ"}]}) == {
        "destination": "KZ"
    }
    # one field absent in one branch and present in the other: never both
    either = {"$or": [{"$nex": {"stay_basis": 1}},
                      {"$and": [{"$ex": {"stay_basis": 1}}, {"$neq": {"stay_basis": "x"}}]}]}  # fmt: skip
    assert simultaneous(either) == 1
    assert simultaneous({"$or": [absent, {"$nex": {"criminal_case": 1}}]}) == 2


def test_fields_a_ruleset_tests_are_all_it_is_sent() -> None:
    from riskcli.core.engine.compiled import condition_fields

    cond = {"$and": [{"$ex": {"destination": 1}}, {"$or": [{"$nex": {"a": 1}}, {"b": 2}]}]}
    assert condition_fields(cond) == {"destination", "a", "b"}
    assert condition_fields({"$gt": {"a": {"$m": "b"}}}) is None  # compares two fields


@needs_durable
def test_the_engine_knows_the_fields_by_short_names(
    oracle: Assessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine is given a short name for each field the rules test, in the rules and in
    the facts (whose texts are made of parts kept, a bounded number); it finds what the
    oracle finds, and so it does with the fields' own names (no short names are given
    where a condition compares two fields)."""
    from riskcli.core.engine import durable
    from riskcli.core.engine.compiled import condition_fields

    compiled = oracle.compiled
    keys = durable.short_keys([rule.condition for rule in compiled.rules])
    assert keys is not None
    tested: set[str] = set().union(*(condition_fields(r.condition) or () for r in compiled.rules))
    assert set(keys) == tested | {"destination"} and len(tested) > 30
    assert len(set(keys.values())) == len(keys)
    assert all(name.startswith("_") and len(name) <= 3 for name in keys.values())
    text = durable._definition(compiled.buckets["*"][0], keys)
    assert not any(f'"{field}"' in text for field in tested)
    assert durable.short_keys([{"$gt": {"a": {"$m": "b"}}}]) is None

    facts = _generated_facts(11, 700)
    expected = [oracle.matcher.match(fact) for fact in facts]
    assert sum(map(len, expected)) > 1000
    monkeypatch.setattr(durable, "PARTS_KEPT", 50)
    for names in (keys, None):
        monkeypatch.setattr(durable, "short_keys", lambda conditions, names=names: names)
        matcher = DurableMatcher(compiled)
        got = [
            found for s in range(0, 700, 256) for found in matcher.match_many(facts[s : s + 256])
        ]
        assert got == expected, names is None
        assert len(matcher._parts) <= (50 if names else 0)


@needs_durable
def test_the_engine_fires_a_rule_once_per_branch_that_holds(assessor: Assessor) -> None:
    """What the branch budget counts (``_paths``, at most ``CompiledRule.branches``) is what
    durable-rules does: the number of matches (frames of its action) of each rule for each
    fact."""
    import collections
    import json

    from riskcli.core.engine import durable

    matcher = assessor.matcher
    assert isinstance(matcher, DurableMatcher)
    engine = durable._engine
    rng = random.Random(64)
    fired = 0
    for _ in range(300):
        data = random_profile_data(rng)
        data = {k: v for k, v in data.items() if k == "destination" or rng.random() < 0.6}
        fact = to_fact(make_profile(data))
        for name, chunk in matcher.compiled.rulesets_for(fact["destination"]):
            handle = matcher._handle(name)
            counts: collections.Counter[str] = collections.Counter()
            sid = str(next(durable._SIDS))
            given = {**matcher.engine_fact(name, fact), "id": "0", "sid": sid}
            _code, state = engine.assert_fact(handle, json.dumps(given))
            try:
                message = engine.start_action_for_state(handle, state)
                while message is not None:
                    text = message if isinstance(message, str) else message[1]
                    ((rule, frames),) = json.loads(text).items()
                    if rule == durable.SENTINEL:
                        break
                    counts[rule] += len(frames)  # one frame per branch that holds
                    message = engine.complete_and_start_action(handle, state)
            finally:
                engine.delete_state(handle, sid)
            for rule in chunk:
                assert counts[rule.name] == _paths(rule.condition, fact) <= rule.branches
                fired += counts[rule.name]
    assert fired > 1000


# --- a batch's rows matched together: failures ----------------------------------------


class _Failing64:
    """The oracle, failing on one fact (and so on any call that holds it), or refusing the
    pack (``refuse``)."""

    name = "oracle"

    def __init__(self, real: Any, bad_destination: str, refuse: bool = False) -> None:
        self.real, self.bad, self.refuse = real, bad_destination, refuse

    def match(self, fact: dict[str, Any]) -> set[str]:
        from riskcli.core.errors import EngineError, PackRefused

        if self.refuse:
            raise PackRefused("durable-rules refused the rule pack (*:0): error 113")
        if fact["destination"] == self.bad:
            raise EngineError("durable-rules failed on this case (EE:0): error 303")
        result: set[str] = self.real.match(fact)
        return result

    def match_many(self, facts: list[dict[str, Any]]) -> list[set[str]]:
        return [self.match(fact) for fact in facts]


def test_an_engine_failure_in_a_batch_call_is_the_failing_rows_alone(
    oracle: Assessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from riskcli.core.batch import InputRow, assess_chunk

    rows = [InputRow(i, {"case_id": f"c{i}", "destination": d})
            for i, d in enumerate(["KG", "EE", "KZ", "LV"], start=2)]  # fmt: skip
    expected = assess_chunk(oracle, rows)
    monkeypatch.setattr(oracle, "matcher", _Failing64(oracle.matcher, "EE"))
    got = assess_chunk(oracle, rows)
    assert [r.status for r in got] == ["ok", "error", "ok", "ok"]
    assert (
        got[1].error == "could not be assessed: durable-rules failed on this case (EE:0): error 303"
    )
    assert [got[i] for i in (0, 2, 3)] == [expected[i] for i in (0, 2, 3)]


def test_a_pack_the_engine_refuses_stops_the_batch(
    oracle: Assessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from riskcli.core.batch import InputRow, assess_chunk
    from riskcli.core.errors import PackRefused

    monkeypatch.setattr(oracle, "matcher", _Failing64(oracle.matcher, "", refuse=True))
    with pytest.raises(PackRefused, match="refused the rule pack"):
        assess_chunk(oracle, [InputRow(2, {"case_id": "a", "destination": "KG"})])
