"""Answers that settle others: inferred only where unanswered, conflicts reported, never chosen."""

from __future__ import annotations

from riskcli.core.implications import IMPLICATIONS, KIND, KNOWN_AS_OF, settle
from riskcli.core.profile import make_profile


def test_no_case_settles_the_arrest_in_absentia_and_the_charges() -> None:
    profile, inferred, conflicts = settle(
        make_profile({"destination": "KG", "criminal_case": "none"})
    )
    assert profile.arrested_in_absentia is False and profile.charges == []
    assert {i.field for i in inferred} == {"arrested_in_absentia", "charges"}
    assert all(i.source == {"criminal_case": "none"} for i in inferred)
    assert conflicts == []


def test_an_unknown_case_settles_nothing() -> None:
    for case in ("unknown", None):
        data = {"destination": "KG", "criminal_case": case}
        profile, inferred, conflicts = settle(make_profile(data))
        assert profile.arrested_in_absentia is None and inferred == [] and conflicts == []


def test_an_answer_given_is_never_changed_and_a_contradiction_is_a_conflict() -> None:
    data = {"destination": "KG", "criminal_case": "none", "arrested_in_absentia": "yes"}
    profile, inferred, conflicts = settle(make_profile(data), "en")
    assert profile.arrested_in_absentia is True
    assert [c.fields for c in conflicts] == [("criminal_case", "arrested_in_absentia")]
    assert "in absentia" in conflicts[0].message and "check" in conflicts[0].message
    assert [i.field for i in inferred] == ["charges"]


def test_documents_settle_citizenship() -> None:
    ru, inferred, _ = settle(
        make_profile({"destination": "KZ", "documents": ["domestic_passport"]})
    )
    assert ru.citizenship is not None and ru.citizenship.value == "RU"
    assert inferred[0].source == {"documents": ["domestic_passport"]}
    stateless, _, _ = settle(
        make_profile({"destination": "KZ", "documents": ["non_citizen_passport"]})
    )
    assert stateless.citizenship is not None and stateless.citizenship.value == "stateless"


def test_documents_that_point_two_ways_are_a_conflict_and_settle_nothing() -> None:
    both = {"destination": "KZ", "documents": ["domestic_passport", "non_citizen_passport"]}
    profile, inferred, conflicts = settle(make_profile(both), "ru")
    assert profile.citizenship is None and inferred == []
    assert conflicts and "паспорт негражданина" in conflicts[0].message


def test_every_implication_is_marked_as_reference_knowledge_with_both_languages() -> None:
    assert "not from the source documents" in KIND and KNOWN_AS_OF.year >= 2026
    for imp in IMPLICATIONS:
        assert set(imp.reason) == {"en", "ru"} and set(imp.conflict) == {"en", "ru"}
