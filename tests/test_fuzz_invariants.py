"""Invariants every rule pack must keep (issue 7, item 2), as property tests.

They are written over whatever is in ``rules/``, so a rule added later is held
to them too. A failure here is a finding about the rules (or the engine), not
a reason to weaken the property.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from fuzzkit import (
    BUDGETS,
    CLEAN,
    ENUMS,
    RULES,
    answers,
    assessor_for,
    budget,
    report_highest,
)
from hypothesis import given
from hypothesis import strategies as st

from riskcli.core.assess import Assessor, risk_sort_key
from riskcli.core.errors import InputError
from riskcli.core.profile import Profile, make_profile
from riskcli.core.report import Risk
from riskcli.io.rulepack import load_rule_pack


# The pack under test (fuzzkit.RULES), in place of conftest's fixtures of the same names.
@pytest.fixture(scope="session", name="assessor")
def _assessor() -> Assessor:
    return assessor_for("auto")


@pytest.fixture(scope="session", name="oracle")
def _oracle() -> Assessor:
    return assessor_for("oracle")


# What "adding" a criminal case, a wanted status or a call-up means: from no answer,
# the clean answer or "unknown", to each answer that says it is there.
ADDED = {
    "criminal_case": ("pending", "convicted"),
    "wanted": ("federal", "interstate", "international"),
    "draft_notice": (True,),
}
BEFORE_ADDING = {
    "criminal_case": (None, "none", "unknown"),
    "wanted": (None, "none", "unknown"),
    "draft_notice": (None, False),
}


def profile_or_none(raw: dict[str, Any]) -> Profile | None:
    try:
        return make_profile(raw)
    except InputError:
        return None


def with_answer(raw: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    """The answers with one field set (None: left out, which means unknown)."""
    out = {k: v for k, v in raw.items() if k != field}
    if value is not None:
        out[field] = value
    return out


def worst(assessor: Assessor, profile: Profile) -> tuple[int, list[str]]:
    report = assessor.assess(profile).to_json_dict()
    risks = [f"{r['id']}={r['severity']}/{r['certainty']}" for r in report["risks"]]
    return report_highest(report), risks


@pytest.mark.parametrize("budget_name", BUDGETS)
def test_not_knowing_is_never_reported_as_safer_than_the_clean_answer(
    budget_name: str, assessor: Assessor
) -> None:
    @budget(budget_name, 250)
    @given(raw=answers(), field=st.sampled_from(sorted(CLEAN)))
    def check(raw: dict[str, Any], field: str) -> None:
        clean = make_profile(with_answer(raw, field, CLEAN[field]))
        clean_rank, clean_risks = worst(assessor, clean)
        for unknown in (None, "unknown"):
            profile = profile_or_none(with_answer(raw, field, unknown))
            if profile is None:  # "unknown" is not an answer this field takes
                continue
            rank, risks = worst(assessor, profile)
            assert rank >= clean_rank, (
                f"{field}={unknown!r} reports {risks}, but {field}={CLEAN[field]!r} "
                f"reports {clean_risks}, for {profile.answers()}"
            )

    check()


@pytest.mark.parametrize("budget_name", BUDGETS)
def test_adding_a_case_a_wanted_status_or_a_call_up_never_lowers_the_highest_severity(
    budget_name: str, assessor: Assessor
) -> None:
    @budget(budget_name, 300)
    @given(raw=answers(), field=st.sampled_from(sorted(ADDED)), data=st.data())
    def check(raw: dict[str, Any], field: str, data: st.DataObject) -> None:
        before_value = data.draw(st.sampled_from(BEFORE_ADDING[field]), label="before")
        after_value = data.draw(st.sampled_from(ADDED[field]), label="after")
        before = make_profile(with_answer(raw, field, before_value))
        after = make_profile(with_answer(raw, field, after_value))
        before_rank, before_risks = worst(assessor, before)
        after_rank, after_risks = worst(assessor, after)
        assert after_rank >= before_rank, (
            f"{field} {before_value!r} -> {after_value!r} lowers the highest severity: "
            f"{before_risks} -> {after_risks}, for {after.answers()}"
        )

    check()


@pytest.mark.parametrize("budget_name", BUDGETS)
def test_days_left_is_the_deadline_minus_the_assessment_date_in_every_finding(
    budget_name: str, assessor: Assessor
) -> None:
    @budget(budget_name, 300)
    @given(raw=answers())
    def check(raw: dict[str, Any]) -> None:
        profile = make_profile(raw)
        for found in assessor.findings(profile):
            assert (found.deadline is None) == (found.days_left is None), found.rule.id
            if found.deadline is not None:
                assert found.days_left == (found.deadline - profile.as_of).days, found.rule.id
        report = assessor.assess(profile).to_json_dict()
        as_of = dt.date.fromisoformat(report["as_of"])
        assert as_of == profile.as_of
        for risk in report["risks"]:
            assert ("deadline" in risk) == ("days_left" in risk), risk["id"]
            if "deadline" in risk:
                deadline = dt.date.fromisoformat(risk["deadline"])
                assert risk["days_left"] == (deadline - as_of).days, risk["id"]

    check()


@pytest.mark.parametrize("budget_name", BUDGETS)
def test_every_finding_names_at_least_one_source(budget_name: str, assessor: Assessor) -> None:
    documents = assessor.pack.registry.documents

    @budget(budget_name, 300)
    @given(raw=answers(), lang=st.sampled_from(["en", "ru"]))
    def check(raw: dict[str, Any], lang: str) -> None:
        report = assessor.assess(make_profile(raw), lang).to_json_dict()
        for item in report["risks"] + report["support"]:
            assert item["sources"], f"{item['id']} cites no source"
            for source in item["sources"]:
                assert source["document"] in documents, (item["id"], source["document"])
                assert source["quote"].strip(), item["id"]
                dt.date.fromisoformat(source["facts_as_of"])

    check()


@pytest.mark.parametrize("budget_name", BUDGETS)
def test_the_same_profile_always_gives_the_same_report(
    budget_name: str, assessor: Assessor, oracle: Assessor
) -> None:
    # The pack loaded again (its rulesets shared), with the same engine.
    fresh = Assessor(load_rule_pack(RULES), engine=assessor.matcher.name)  # type: ignore[arg-type]

    @budget(budget_name, 200)
    @given(raw=answers(), other=answers(), lang=st.sampled_from([None, "en", "ru"]))
    def check(raw: dict[str, Any], other: dict[str, Any], lang: str | None) -> None:
        profile = make_profile(raw)
        first = json.dumps(assessor.assess(profile, lang).to_json_dict(), ensure_ascii=False)
        assessor.assess(make_profile(other), lang)  # another case in between leaves no trace
        for again in (assessor, assessor, fresh, oracle):
            text = json.dumps(again.assess(profile, lang).to_json_dict(), ensure_ascii=False)
            assert text == first
        # ... and the order is the one spec §3 fixes: by severity, then by days left.
        risks = [Risk.model_validate(r) for r in json.loads(first)["risks"]]
        assert risks == sorted(risks, key=risk_sort_key)

    check()


@pytest.mark.parametrize("budget_name", BUDGETS)
def test_the_answer_unknown_finds_what_no_answer_finds_and_is_never_less_certain(
    budget_name: str, assessor: Assessor
) -> None:
    """The same risks, at the same severity and days; "don't know" is an answer, so a risk
    that rests on not knowing (``known: false``) may be confirmed by it where an unanswered
    question leaves it possible, never the other way round (issue 12)."""
    takes_unknown = sorted(name for name, enum in ENUMS.items() if "unknown" in enum.__members__)
    assert takes_unknown

    @budget(budget_name, 200)
    @given(raw=answers(), field=st.sampled_from(takes_unknown))
    def check(raw: dict[str, Any], field: str) -> None:
        said = make_profile(with_answer(raw, field, "unknown"))
        left_out = make_profile(with_answer(raw, field, None))
        found = {f.rule.id: f for f in assessor.findings(said)}
        unanswered = {f.rule.id: f for f in assessor.findings(left_out)}
        assert found.keys() == unanswered.keys()
        for rule_id, f in found.items():
            other = unanswered[rule_id]
            assert (f.severity, f.days_left) == (other.severity, other.days_left)
            if other.certainty == "confirmed":
                assert f.certainty == "confirmed", rule_id

    check()
