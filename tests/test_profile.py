from __future__ import annotations

import datetime as dt

import pytest

from riskcli.core.conditions import to_fact
from riskcli.core.errors import InputError
from riskcli.core.profile import FIELDS, Profile, make_profile

SPEC_FIELDS = [
    "case_id", "as_of", "language", "citizenship", "documents",
    "international_passport_expiry", "destination", "entry_date", "stay_basis",
    "criminal_case", "wanted", "arrested_in_absentia", "charges", "protest_history",
    "draft_notice", "military_liable", "public_statements", "activism_abroad", "occupation",
    "foreign_agent", "organisation_status", "foreign_funding", "relatives_in_russia",
    "onward_destinations", "needs_shelter",
]  # fmt: skip


def test_fields_are_exactly_those_of_the_spec() -> None:
    assert list(FIELDS) == SPEC_FIELDS


@pytest.mark.parametrize(
    ("word", "expected"),
    [("true", True), ("yes", True), ("да", True), ("Да", True), ("false", False),
     ("no", False), ("нет", False), (True, True), ("", None), ("unknown", None)],
)  # fmt: skip
def test_booleans_accept_english_and_russian_words(word: object, expected: bool | None) -> None:
    profile = make_profile({"destination": "KZ", "draft_notice": word})
    assert profile.draft_notice is expected


def test_a_missing_answer_is_unknown_not_no() -> None:
    profile = make_profile({"destination": "KG"})
    assert profile.criminal_case is None
    assert profile.arrested_in_absentia is None
    fact = to_fact(profile)
    assert "criminal_case" not in fact and "arrested_in_absentia" not in fact
    assert "documents__known" not in fact


def test_unknown_enum_answer_is_left_out_of_the_fact_like_a_missing_one() -> None:
    fact = to_fact(make_profile({"destination": "KG", "criminal_case": "unknown"}))
    assert "criminal_case" not in fact


def test_lists_accept_semicolon_separated_text_and_dates_both_forms() -> None:
    profile = make_profile(
        {
            "destination": "kz",
            "documents": "domestic_passport; residence_permit",
            "entry_date": "28.09.2022",
            "charges": "282.1;207.3",
        }
    )
    assert profile.destination == "KZ"
    assert [d.value for d in profile.documents or []] == ["domestic_passport", "residence_permit"]
    assert profile.entry_date == dt.date(2022, 9, 28)
    assert profile.charges == ["282.1", "207.3"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"destination": "XX"}, "field 'destination': 'XX' is not a country code"),
        ({"destination": "KZ", "wanted": "maybe"}, "field 'wanted': 'maybe' is not allowed; "
         "allowed: none, federal, interstate, international, unknown"),
        ({"destination": "KZ", "entry_date": "2022-02-30"}, "field 'entry_date': '2022-02-30' "
         "is not a real date"),
        ({"destination": "KZ", "colour": "red"}, "unknown field 'colour'; allowed fields: case_id"),
        ({}, "field 'destination' is required"),
        ({"destination": "KZ", "draft_notice": "perhaps"}, "field 'draft_notice': 'perhaps' is "
         "not a yes/no answer; allowed: true/false, yes/no, да/нет"),
        ({"destination": "KZ", "documents": ["passport"]}, "field 'documents': 'passport' is "
         "not allowed; allowed: domestic_passport"),
        ({"destination": "KZ", "charges": ["article 5"]}, "field 'charges': 'article 5' is not "
         "an article number"),
    ],
)  # fmt: skip
def test_bad_values_name_the_field_and_what_is_allowed(
    data: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError) as err:
        make_profile(data, source="case.json")
    assert str(err.value).startswith("case.json: ")
    assert message in str(err.value)


def test_profile_is_frozen() -> None:
    profile = Profile(destination="KZ")
    with pytest.raises(ValueError):
        profile.destination = "KG"  # type: ignore[misc]


def test_field_kinds_and_values_are_read_from_the_model() -> None:
    from riskcli.core.conditions import FIELD_SPECS
    from riskcli.core.profile import DATE_FIELDS, Wanted, field_kind

    assert DATE_FIELDS == ("as_of", "international_passport_expiry", "entry_date")
    assert field_kind("destination") == "country"
    assert field_kind("case_id") == "text"
    assert field_kind("documents") == "list"
    assert field_kind("needs_shelter") == "bool"
    assert FIELD_SPECS["wanted"].values == tuple(w.value for w in Wanted if w.value != "unknown")
    assert [n for n in FIELD_SPECS if not FIELD_SPECS[n].derived_from] == [
        n for n in FIELDS if n != "as_of"
    ]
