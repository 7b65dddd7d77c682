"""The quick paths of one batch row held to the plain definitions they stand in for.

A row is assessed through shortcuts (issue 17): the compiled conditions as Python functions,
the facts of trial answers built from the profile's values, implied answers put in without a
second validation, and a batch row's figures without the words of a report. Each must give
what the plain definition gives, on the real pack, over generated answers.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

import pytest
from fuzzkit import ANY_VALUE, BUDGETS, PACK, answers, assessor_for, budget
from hypothesis import given
from hypothesis import strategies as st

from riskcli.core.assess import Assessor
from riskcli.core.batch import InputRow, assess_row, row_answers
from riskcli.core.conditions import (
    ENUM_UNKNOWN,
    FIELD_SPECS,
    evaluate,
    item_key,
    known_key,
    to_fact,
)
from riskcli.core.engine.compiled import possible_name
from riskcli.core.errors import BadValue, InputError
from riskcli.core.implications import settle
from riskcli.core.profile import (
    FIELDS,
    OrganisationStatus,
    Profile,
    ProtestHistory,
    field_kind,
    make_profile,
    typed_value,
)
from riskcli.core.report import Certainty
from riskcli.core.summary import (
    Finding,
    Hypotheses,
    Trials,
    candidates,
    finding_order,
    profile_fields,
    settling,
)
from riskcli.io.batch import LineReader


def plain_fact(profile: Profile) -> dict[str, Any]:
    """The fact of a profile as ``to_fact`` defined it before issue 17 (from its dump)."""
    fact: dict[str, Any] = {}
    data = profile.model_dump(mode="python")
    for name, spec in FIELD_SPECS.items():
        if spec.derived_from or name == "case_id":
            continue
        value = data.get(name)
        if value is None:
            continue
        if spec.kind == "list":
            fact[known_key(name)] = 1
            for item in value:
                fact[item_key(name, str(item))] = 1
        elif spec.kind == "bool":
            fact[name] = 1 if value else 0
        elif spec.kind == "date":
            fact[name] = value.toordinal()
        else:
            text = str(value.value if hasattr(value, "value") else value)
            if text != ENUM_UNKNOWN:
                fact[name] = text
    protest, org = profile.protest_history, profile.organisation_status
    exposure = [
        None if protest is None else protest is not ProtestHistory.none,
        profile.public_statements,
        None if org is None else org is not OrganisationStatus.none,
        profile.foreign_agent,
    ]
    if any(answer is True for answer in exposure):
        fact["political_exposure"] = 1
    elif all(answer is not None for answer in exposure):
        fact["political_exposure"] = 0
    as_of: dt.date = profile.as_of
    if profile.entry_date is not None:
        fact["days_in_country"] = (as_of - profile.entry_date).days
    if profile.international_passport_expiry is not None:
        fact["days_until_passport_expiry"] = (profile.international_passport_expiry - as_of).days
        if profile.entry_date is not None:
            fact["days_from_entry_to_passport_expiry"] = (
                profile.international_passport_expiry - profile.entry_date
            ).days
    return fact


def profile_of(raw: dict[str, Any]) -> Profile | None:
    try:
        return make_profile(row_answers(InputRow(1, raw)))
    except InputError:
        return None


def trial_answers(profile: Profile) -> list[tuple[str, Any]]:
    """Every answer to an unanswered question that a rule's to_check would try."""
    out = []
    for rule in PACK.rules:
        for field in sorted(profile_fields(rule.fields)):
            if getattr(profile, field) is None:
                out += [(field, value) for value in candidates(field, rule, profile.as_of)]
    return out


@pytest.mark.parametrize("budget_name", BUDGETS)
def test_facts_and_trial_facts_are_those_of_the_plain_definition(budget_name: str) -> None:
    @budget(budget_name, 150)
    @given(raw=answers())
    def check(raw: dict[str, Any]) -> None:
        profile = profile_of(raw)
        if profile is None:
            return
        assert to_fact(profile) == plain_fact(profile)
        trials = Trials(profile)
        for field, value in trial_answers(profile):
            # as the trial was made before: the profile copied with that answer put in
            with_answer = profile.model_copy(update={field: typed_value(field, value)})
            assert trials.fact(field, value) == plain_fact(with_answer), (field, value)

    check()


@pytest.mark.parametrize("budget_name", BUDGETS)
def test_the_compiled_conditions_mean_what_evaluate_interprets(budget_name: str) -> None:
    conditions = assessor_for("oracle").hypotheses.conditions
    predicates = assessor_for("oracle").hypotheses.predicates

    @budget(budget_name, 150)
    @given(raw=answers())
    def check(raw: dict[str, Any]) -> None:
        profile = profile_of(raw)
        if profile is None:
            return
        trials = Trials(profile)
        facts = [to_fact(profile)] + [trials.fact(f, v) for f, v in trial_answers(profile)]
        for rid, pair in conditions.items():
            for cond, predicate in zip(pair, predicates[rid], strict=True):
                for fact in facts:
                    assert predicate(fact) is evaluate(cond, fact), (rid, fact)

    check()


def test_a_compiled_condition_keeps_the_types_and_missing_keys_of_evaluate() -> None:
    from riskcli.core.conditions import compile_predicate

    conds: list[dict[str, Any]] = [
        {"wanted": "federal"},
        {"draft_notice": 1},
        {"$neq": {"wanted": "none"}},
        {"$lt": {"days_in_country": 90}},
        {"$gte": {"days_in_country": 90}},
        {"$ex": {"charges__known": 1}},
        {"$nex": {"charges__known": 1}},
        {"$and": [{"$ex": {"wanted": 1}}, {"$or": [{"wanted": "federal"}, {"draft_notice": 1}]}]},
        {"$and": []},
        {"$or": []},
    ]
    facts: list[dict[str, Any]] = [
        {},
        {"wanted": "federal", "draft_notice": 1, "days_in_country": 89},
        {"wanted": "none", "draft_notice": True, "days_in_country": 90},
        {"draft_notice": 0, "charges__known": 1, "days_in_country": -3},
    ]
    for cond in conds:
        predicate = compile_predicate(cond)
        for fact in facts:
            assert predicate(fact) is evaluate(cond, fact), (cond, fact)


@pytest.mark.parametrize("budget_name", BUDGETS)
def test_implied_answers_are_put_in_as_validation_would(budget_name: str) -> None:
    @budget(budget_name, 200)
    @given(raw=answers())
    def check(raw: dict[str, Any]) -> None:
        profile = profile_of(raw)
        if profile is None:
            return
        settled, inferred, _ = settle(profile)
        data = profile.model_dump(mode="python") | {i.field: i.value for i in inferred}
        validated = Profile.model_validate(data)
        assert settled == validated
        assert repr(settled) == repr(validated)  # enum members, not their values

    check()


@pytest.mark.parametrize("engine", ["oracle", "auto"])
@pytest.mark.parametrize("budget_name", BUDGETS)
def test_a_batch_row_shows_the_summary_of_its_report(budget_name: str, engine: Any) -> None:
    assessor = assessor_for(engine)

    @budget(budget_name, 150)
    @given(raw=answers())
    def check(raw: dict[str, Any]) -> None:
        row = assess_row(assessor, InputRow(1, raw))
        profile = profile_of(raw)
        if profile is None:
            assert row.status == "error"
            return
        assessment = assessor.evaluate(profile)
        summary = assessor.summary(assessment)
        assert row.status == "ok"
        assert row.highest_severity == (summary.highest_severity or None)
        assert row.possible_highest_severity == (summary.possible_highest_severity or None)
        assert row.nearest_deadline == summary.nearest_deadline
        assert row.days_left == summary.days_left
        assert row.possible_deadline == summary.possible_nearest_deadline
        assert row.possible_days_left == summary.possible_days_left
        assert row.to_check == tuple(item.field for item in summary.to_check)
        assert row.destination_covered is PACK.covers(profile.destination)
        dated = sorted(
            (f for f in assessment.findings if f.deadline is not None),
            key=lambda f: (0 if f.confirmed else 1, -f.severity.rank, f.days_left, f.rule.id),
        )
        assert [(d.rule_id, d.day, d.kind, d.certainty) for d in row.deadlines] == [
            (f.rule.id, f.deadline, f.deadline_kind, f.certainty) for f in dated
        ]
        risks = assessor.report(assessment).risks  # confirmed first, most severe first
        assert row.categories == tuple(dict.fromkeys(r.category.value for r in risks))
        expected = None
        if summary.highest_severity:
            expected = "confirmed"
        elif summary.possible_highest_severity:
            expected = "possible"
        assert row.certainty == expected

    check()


def plain_findings(assessor: Assessor, profile: Profile) -> list[Finding]:
    """The findings of a profile from their definition, rule by rule (no tables made per
    pack, no finding shared between profiles): a rule the engine matched in its certain form
    is confirmed unless it rests on unanswered questions; one matched only in its possible
    form is possible; its unknown fields, deadline and escalated severity from the rule."""
    prepared = assessor.prepare(profile)
    fired = assessor.matcher.match(prepared.fact)
    settled = prepared.settled
    trials = Trials(settled, prepared.fact)
    out = []
    for rule in assessor.pack.rules:
        open_fields: tuple[str, ...] = ()
        if rule.id in fired:
            open_fields = assessor.hypotheses.rests_on_unanswered(rule, trials)
            certainty = Certainty.possible if open_fields else Certainty.confirmed
        elif possible_name(rule.id) in fired:
            certainty = Certainty.possible
        else:
            continue
        unknown: set[str] = set()
        if open_fields:
            unknown = set(open_fields)
        elif certainty is Certainty.possible:
            for name in profile_fields(rule.fields):
                value = getattr(settled, name)
                if value is None or getattr(value, "value", value) == "unknown":
                    unknown.add(name)
        severity, deadline, days_left = rule.severity, None, None
        if rule.deadline is not None:
            base = getattr(settled, rule.deadline.from_)
            if base is None:
                unknown.add(rule.deadline.from_)
            else:
                deadline = base + dt.timedelta(days=rule.deadline.add_days)
                days_left = (deadline - settled.as_of).days
                for step in rule.escalate:
                    if days_left <= step.days_left_at_most and step.severity.rank > severity.rank:
                        severity = step.severity
        ordered = tuple(f for f in FIELD_SPECS if f in unknown)
        out.append(Finding(rule, certainty, severity, ordered, deadline, days_left))
    return sorted(out, key=finding_order)


@pytest.mark.parametrize("engine", ["oracle", "auto"])
@pytest.mark.parametrize("budget_name", BUDGETS)
def test_the_findings_are_those_of_their_definition(budget_name: str, engine: Any) -> None:
    assessor = assessor_for(engine)

    @budget(budget_name, 200)
    @given(raw=answers())
    def check(raw: dict[str, Any]) -> None:
        profile = profile_of(raw)
        if profile is None:
            return
        assert assessor.findings(profile) == plain_findings(assessor, profile)

    check()


@pytest.mark.parametrize("budget_name", BUDGETS)
def test_the_questions_that_settle_a_finding_are_those_settles_names(budget_name: str) -> None:
    assessor = assessor_for("oracle")

    @budget(budget_name, 150)
    @given(raw=answers())
    def check(raw: dict[str, Any]) -> None:
        profile = profile_of(raw)
        if profile is None:
            return
        assessment = assessor.evaluate(profile)
        plain = Hypotheses(assessor.pack.rules, assessor.conditions)  # its own memo
        for finding in assessment.findings:
            if finding.confirmed:
                continue
            expected = tuple(
                field
                for field in finding.unknown_fields
                if plain.settles(finding, field, assessment.trials)
            )
            for _ in range(2):  # worked out, then from the memo
                got = assessor.hypotheses.settling_fields(finding, assessment.trials)
                assert got == expected, finding.rule.id
        # settling from its definition: the risks each question settles in finding_order,
        # the most serious of them, most at stake first
        settled: dict[str, list[Finding]] = {}
        for finding in assessment.findings:
            if not finding.confirmed and finding.rule.kind == "risk":
                for field in finding.unknown_fields:
                    if plain.settles(finding, field, assessment.trials):
                        settled.setdefault(field, []).append(finding)
        items = [
            (
                field,
                sorted(by, key=finding_order),
                max((f.severity for f in by), key=lambda s: s.rank),
            )
            for field, by in settled.items()
        ]
        items.sort(key=lambda i: (-i[2].rank, -len(i[1]), list(FIELD_SPECS).index(i[0])))
        shuffled = list(reversed(assessment.findings))  # settling does not need them in order
        for findings in (assessment.findings, shuffled):
            assert settling(assessor.hypotheses, findings, assessment.trials) == items

    check()


def _validators() -> dict[str, Any]:
    """Each field's parser as the profile model runs it (through by_text or not)."""
    out = {}
    for name, info in Profile.model_fields.items():
        funcs = [getattr(m, "func", None) for m in info.metadata]
        found = [f for f in funcs if f is not None and hasattr(f, "__wrapped__")]
        if found:
            out[name] = found[0]
    return out


def _outcome(parse: Any, value: Any) -> Any:
    try:
        return ("value", parse(value), type(parse(value)))
    except BadValue as exc:
        return ("refused", str(exc.message))


def test_every_scalar_field_parses_its_texts_through_by_text() -> None:
    kept = _validators()
    for name in FIELDS:
        if field_kind(name) in ("enum", "bool", "date", "country"):
            assert name in kept, name


@pytest.mark.parametrize("budget_name", BUDGETS)
def test_an_answer_kept_by_its_text_is_what_its_parser_gives(budget_name: str) -> None:
    kept = _validators()

    @budget(budget_name, 200)
    @given(raw=answers(), other=ANY_VALUE)
    def check(raw: dict[str, Any], other: Any) -> None:
        for name, parse in kept.items():
            for value in (raw.get(name), other, f" {other} "):
                expected = _outcome(parse.__wrapped__, value)
                assert _outcome(parse, value) == expected, (name, value)  # worked out
                assert _outcome(parse, value) == expected, (name, value)  # kept

    check()


CSV_PIECES = st.sampled_from([",", ";", "\t", '"', '""', "a", "b", " ", "\r", "\\", "=1"])


@pytest.mark.parametrize("budget_name", BUDGETS)
def test_one_csv_reader_for_a_file_reads_each_line_as_a_reader_of_that_line(
    budget_name: str,
) -> None:
    def plain(line: str, delimiter: str) -> Any:
        try:
            return next(csv.reader([line], strict=True, delimiter=delimiter))
        except csv.Error as exc:
            return ("csv.Error", str(exc))

    def kept(reader: LineReader, line: str) -> Any:
        try:
            return reader.cells(line)
        except csv.Error as exc:
            return ("csv.Error", str(exc))

    @budget(budget_name, 300)
    @given(
        delimiter=st.sampled_from([",", ";", "\t"]),
        lines=st.lists(st.lists(CSV_PIECES, max_size=10).map("".join), max_size=12),
    )
    def check(delimiter: str, lines: list[str]) -> None:
        reader = LineReader(delimiter)  # one for all the lines, broken ones among them
        for line in lines:
            assert kept(reader, line) == plain(line, delimiter), line

    check()


def test_a_batch_tunes_the_collector_while_it_runs_and_gives_it_back(tmp_path: Any) -> None:
    import gc
    import io

    from riskcli.io import batch as io_batch

    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    seen: list[tuple[int, int, int]] = []
    path = tmp_path / "rows.csv"
    path.write_text("case_id,destination\na,KG\nb,KZ\n", encoding="utf-8")
    out = io.StringIO()
    io_batch.run_batch(
        path, out, "csv", jobs=1, progress=lambda *_: seen.append(gc.get_threshold())
    )
    assert seen and all(t[0] == max(before[0], io_batch.GC_YOUNG_THRESHOLD) for t in seen)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen
    assert out.getvalue().endswith("# complete: 2 rows\n")
