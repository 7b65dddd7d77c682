"""The shipped rule pack: every rule's own tests pass on both engines, every quote is in its
source, and the people the source documents describe get the findings the documents support."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from riskcli.core.assess import Assessor
from riskcli.core.check import check_pack, normalise
from riskcli.core.engine.durable import DURABLE_AVAILABLE
from riskcli.core.profile import make_profile
from riskcli.core.report import Report
from riskcli.core.rules import Category, Severity
from riskcli.io.rulepack import default_rules_dir, default_sources_dir, load_rule_pack

RULES_DIR = default_rules_dir()
SOURCES_DIR = default_sources_dir()
# The documents whose rules this map (rules/README.md) accounts for.
MAPPED_DOCUMENTS = {
    "000_9da604c6b3847acf.txt",
    "001_97a99247c5863a3b.txt",
    "002_1a8f6e2ad53f3019.txt",
    "003_a6ffd922c2656101.txt",
    "004_132e29f44ec3d76a.txt",
}
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


@pytest.fixture(scope="module")
def durable() -> Assessor:
    """durable-rules where it runs (3.11, 3.12); on 3.13 the oracle, which runs there instead."""
    engine = "durable" if DURABLE_AVAILABLE else "oracle"
    return Assessor(load_rule_pack(RULES_DIR), engine=engine)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def oracle() -> Assessor:
    return Assessor(load_rule_pack(RULES_DIR), engine="oracle")


def assess(assessor: Assessor, lang: str = "en", **answers: Any) -> Report:
    answers.setdefault("as_of", "2022-11-07")
    return assessor.assess(make_profile(answers), lang)


def risks(report: Report) -> dict[str, tuple[str, str]]:
    return {r.id: (r.severity, r.certainty) for r in report.risks}


def support(report: Report) -> dict[str, str]:
    return {s.id: s.certainty for s in report.support}


@pytest.mark.skipif(SOURCES_DIR is None, reason="source documents not present")
def test_rules_check_passes_on_durable_rules(durable: Assessor) -> None:
    result = check_pack(durable, SOURCES_DIR)
    assert [str(p) for p in result.problems] == []
    assert result.quotes == sum(len(rule.sources) for rule in durable.pack.rules)


@pytest.mark.skipif(not DURABLE_AVAILABLE, reason="durable-rules does not run on this Python")
def test_oracle_agrees_with_durable_on_every_test_case(durable: Assessor, oracle: Assessor) -> None:
    for rule in durable.pack.rules:
        for case in rule.tests.fires + rule.tests.does_not_fire:
            data = {"as_of": rule.tests.as_of, **case.profile}
            profile = make_profile(data)
            got = {(f.rule.id, f.certainty, f.severity) for f in durable.findings(profile)}
            want = {(f.rule.id, f.certainty, f.severity) for f in oracle.findings(profile)}
            assert got == want, f"{rule.id}: {case.name}"


def test_every_rule_has_both_languages_and_cites_a_known_document() -> None:
    pack = load_rule_pack(RULES_DIR)
    for rule in pack.rules:
        for text in (rule.text.en, rule.text.ru):
            assert text.advice, f"{rule.id}: no advice"
        assert not CYRILLIC.search(rule.text.en.title + rule.text.en.explanation), rule.id
        assert CYRILLIC.search(rule.text.ru.title), rule.id
        assert CYRILLIC.search(rule.text.ru.explanation), rule.id
        assert all(CYRILLIC.search(a) for a in rule.text.ru.advice), rule.id
        if rule.kind == "support":
            assert rule.severity is Severity.info, f"{rule.id}: support items are info"


def test_the_map_names_every_rule_of_its_documents() -> None:
    pack = load_rule_pack(RULES_DIR)
    readme = (RULES_DIR / "README.md").read_text(encoding="utf-8")
    for rule in pack.rules:
        if {ref.document for ref in rule.sources} & MAPPED_DOCUMENTS:
            assert f"`{rule.id}`" in readme, f"{rule.id} is missing from rules/README.md"


def test_categories_from_these_documents() -> None:
    pack = load_rule_pack(RULES_DIR)
    produced = {rule.category for rule in pack.rules if rule.kind == "risk"}
    expected = {
        Category.expiring_stay,
        Category.no_travel_document,
        Category.asylum_access,
        Category.refuge_refused,
        Category.disclosure,
        Category.relatives_at_risk,
        Category.draft,
        Category.detention_conditions,
        Category.statelessness,
        Category.livelihood,
    }
    assert expected <= produced


# --- the people the documents describe ------------------------------------------


def test_man_in_almaty_with_only_a_domestic_passport(durable: Assessor) -> None:
    # 001: fled the draft, domestic passport only, 47 days of his 90 left, hoping for the US.
    report = assess(
        durable,
        destination="KZ",
        citizenship="RU",
        documents=["domestic_passport"],
        stay_basis="visa_free",
        entry_date="2022-09-25",
        military_liable=True,
        relatives_in_russia=True,
        onward_destinations=["US"],
        needs_shelter=True,
    )
    found = risks(report)
    assert found["no-international-passport"] == ("high", "confirmed")
    assert found["kz-visa-free-90-days"] == ("medium", "confirmed")
    assert found["us-asylum-only-on-us-soil"] == ("medium", "confirmed")
    assert found["kz-embassies-turn-people-away"] == ("medium", "confirmed")
    assert found["us-consulate-forms-relatives"] == ("medium", "confirmed")
    assert found["kz-jobless-homeless-rent"] == ("medium", "confirmed")
    assert found["relative-stopped-at-border"] == ("low", "confirmed")
    assert found["draft-call-up-on-return"] == ("medium", "confirmed")
    assert "baltic-refuge-refused-onward" not in found  # he does not hope to go there
    assert support(report) == {
        "anti-war-committee-shelters": "confirmed",
        "germany-accepts-draft-evaders": "confirmed",
        "eu-permits-for-exiled-activists": "possible",
    }
    visa = next(r for r in report.risks if r.id == "kz-visa-free-90-days")
    # Day of entry is day 1: the 90th and last day is 23 December, 46 days on.
    assert (visa.deadline, visa.days_left) == (dt.date(2022, 12, 23), 46)
    assert visa.deadline_label == "last day you may stay"
    assert "we count the day you entered as day 1" in visa.explanation
    assert report.coverage.destination_covered


ANSWERS_ALMATY: dict[str, Any] = {
    "destination": "KZ",
    "citizenship": "RU",
    "documents": ["domestic_passport"],
    "stay_basis": "visa_free",
    "entry_date": "2022-09-25",
}


def test_same_man_sixty_days_later_is_past_his_deadline(durable: Assessor) -> None:
    report = assess(durable, **{**ANSWERS_ALMATY, "as_of": "2023-01-06"})
    visa = next(r for r in report.risks if r.id == "kz-visa-free-90-days")
    assert (visa.severity, visa.days_left) == ("critical", -14)
    assert visa.title == "Your 90 visa-free days in Kazakhstan are over"
    assert report.risks[0].id == "kz-visa-free-90-days"  # the worst comes first
    ru = assess(durable, "ru", **{**ANSWERS_ALMATY, "as_of": "2023-01-06"})
    visa_ru = next(r for r in ru.risks if r.id == "kz-visa-free-90-days")
    assert "через 90 дней" not in visa_ru.title
    assert visa_ru.title == "Ваши 90 дней безвизового пребывания в Казахстане истекли"
    assert visa_ru.deadline_label == "последний день, когда можно оставаться"


def test_stateless_holder_of_a_non_citizen_passport(durable: Assessor) -> None:
    report = assess(
        durable,
        destination="KZ",
        citizenship="stateless",
        documents=["non_citizen_passport"],
    )
    found = risks(report)
    assert found["non-citizen-passport"] == ("low", "confirmed")
    # Rules for Russian citizens do not claim to apply to a stateless person.
    for rule_id in ("kz-visa-free-90-days", "no-international-passport", "protest-arrest-call-up"):
        assert rule_id not in found
    statelessness = next(r for r in report.risks if r.id == "non-citizen-passport")
    assert "does not say" in statelessness.explanation
    assert statelessness.sources[0].facts_as_of == dt.date(2022, 1, 13)


def test_activist_served_a_call_up_after_arrest_at_a_protest(durable: Assessor) -> None:
    report = assess(
        durable,
        destination="KZ",
        citizenship="RU",
        protest_history="detained",
        draft_notice=True,
        relatives_in_russia=True,
        occupation="activist",
    )
    found = risks(report)
    assert found["protest-arrest-call-up"] == ("high", "confirmed")
    assert found["ru-protesters-arrested-tortured"] == ("high", "confirmed")
    assert found["relatives-at-risk-if-you-speak-out"] == ("medium", "confirmed")
    assert found["relative-stopped-at-border"] == ("low", "confirmed")
    assert support(report)["eu-permits-for-exiled-activists"] == "confirmed"
    assert support(report)["germany-accepts-draft-evaders"] == "confirmed"


def test_draft_evader_in_latvia_and_one_hoping_to_go_there(durable: Assessor) -> None:
    here = risks(
        assess(
            durable,
            destination="LV",
            citizenship="RU",
            military_liable=True,
            stay_basis="visa",
            documents=["international_passport"],
        )
    )
    assert here["baltic-refuge-refused-here"] == ("high", "confirmed")
    assert "baltic-refuge-refused-onward" not in here
    onward = risks(
        assess(
            durable,
            destination="KZ",
            citizenship="RU",
            military_liable=True,
            onward_destinations=["EE", "BE"],
        )
    )
    assert onward["baltic-refuge-refused-onward"] == ("medium", "confirmed")
    assert onward["belgium-hardly-issues-visas"] == ("medium", "confirmed")
    assert "baltic-refuge-refused-here" not in onward


def test_support_named_countries_are_not_marked_covered(durable: Assessor) -> None:
    # A shelter programme in Turkey is not a description of the risks there.
    report = assess(durable, destination="TR", citizenship="RU", needs_shelter=True)
    assert support(report)["anti-war-committee-shelters"] == "confirmed"
    assert not report.coverage.destination_covered


def test_russian_report_keeps_quotes_in_the_document_language(durable: Assessor) -> None:
    report = assess(durable, "ru", destination="KZ", citizenship="stateless")
    finding = next(r for r in report.risks if r.id == "non-citizen-passport")
    assert finding.title == "Паспорт негражданина не делает вас гражданином России"
    assert finding.sources[0].quote.startswith("Russia had granted its first ever")


@pytest.mark.skipif(SOURCES_DIR is None, reason="source documents not present")
def test_a_changed_quote_is_caught(tmp_path: Path) -> None:
    # The check must be able to fail: copy the pack, alter one word of one quote.
    for path in RULES_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    target = tmp_path / "no-international-passport.yaml"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("international passport.", "foreign passport."), "utf-8")
    result = check_pack(Assessor(load_rule_pack(tmp_path), engine="oracle"), SOURCES_DIR)
    assert [p.rule for p in result.problems] == ["no-international-passport"]
    assert "quote not found" in result.problems[0].message
    assert normalise("a  “b”\n c") == 'a "b" c'


def test_the_category_table_lists_every_category_and_rule() -> None:
    pack = load_rule_pack(RULES_DIR)
    readme = (RULES_DIR / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Category → rules → documents", 1)[1].split("\n## ", 1)[0]
    for category in Category:
        row = next(
            line for line in table.splitlines() if line.startswith(f"| `{category.value}` |")
        )
        for rule in pack.rules:
            if rule.category is category:
                assert f"`{rule.id}`" in row, (category.value, rule.id)


# --- issue 13: the second pass over the pack ---------------------------------------


@pytest.mark.parametrize("engine", ["durable", "oracle"])
def test_almaty_man_on_an_international_passport_at_day_99(
    durable: Assessor, oracle: Assessor, engine: str
) -> None:
    # The 90 days belong to a Russian citizen who entered visa-free, whatever passport he
    # entered on: at day 99 he is 9 days past his last day (2022-10-29), and he is told so.
    report = assess(
        {"durable": durable, "oracle": oracle}[engine],
        destination="KZ",
        citizenship="RU",
        documents=["international_passport"],
        stay_basis="visa_free",
        entry_date="2022-08-01",
    )
    visa = next(r for r in report.risks if r.id == "kz-visa-free-90-days")
    assert (visa.severity, visa.certainty) == ("critical", "confirmed")
    assert (visa.deadline, visa.days_left) == (dt.date(2022, 10, 29), -9)
    assert "In November 2022" in visa.explanation  # dated, not today's law
    # Same answers with a domestic passport listed as well: the same day, not another.
    both = assess(durable, **{**ANSWERS_ALMATY, "entry_date": "2022-08-01"})
    again = next(r for r in both.risks if r.id == "kz-visa-free-90-days")
    assert (again.deadline, again.days_left) == (visa.deadline, visa.days_left)


def test_unknown_basis_of_stay_is_a_possible_deadline_not_silence(durable: Assessor) -> None:
    answers = {**ANSWERS_ALMATY, "documents": ["international_passport"]}
    del answers["stay_basis"]
    visa = next(r for r in assess(durable, **answers).risks if r.id == "kz-visa-free-90-days")
    assert (visa.certainty, visa.unknown_fields) == ("possible", ["stay_basis"])
    assert visa.days_left == 46


@pytest.mark.parametrize(
    ("expiry", "want"),
    [
        ("2022-10-01", ("high", "confirmed", -37, "Your international passport has expired")),
        ("2022-12-01", ("high", "confirmed", 24, "Your international passport runs out before")),
        ("2022-12-23", ("high", "confirmed", 46, "Your international passport runs out before")),
        ("2022-12-24", None),  # valid through his last day
    ],
)
def test_an_expired_or_expiring_passport_is_no_travel_document(
    durable: Assessor, expiry: str, want: tuple[str, str, int, str] | None
) -> None:
    report = assess(
        durable,
        **{**ANSWERS_ALMATY, "documents": ["domestic_passport", "international_passport"]},
        international_passport_expiry=expiry,
    )
    found = next((r for r in report.risks if r.id == "international-passport-expired"), None)
    assert "no-international-passport" not in risks(report)
    if want is None:
        assert found is None
        return
    assert found is not None
    assert (found.severity, found.certainty, found.days_left) == want[:3]
    assert found.title.startswith(want[3])
    assert found.deadline == dt.date.fromisoformat(expiry)  # its own date
    assert found.category == "no_travel_document"


def test_expired_passport_anywhere_but_not_a_valid_one_outside_a_known_stay(
    durable: Assessor,
) -> None:
    base = {"citizenship": "RU", "documents": ["international_passport"], "stay_basis": "visa"}
    expired = risks(
        assess(durable, destination="TR", international_passport_expiry="2022-06-30", **base)
    )
    assert expired["international-passport-expired"] == ("high", "confirmed")
    valid = risks(
        assess(durable, destination="TR", international_passport_expiry="2022-12-01", **base)
    )
    assert "international-passport-expired" not in valid


def test_draft_for_a_man_liable_to_call_up_who_did_not_protest(durable: Assessor) -> None:
    found = risks(assess(durable, destination="KZ", citizenship="RU", military_liable=True))
    assert found["draft-call-up-on-return"] == ("medium", "confirmed")
    assert found["protest-arrest-call-up"] == ("high", "possible")  # protests not stated
    no_protest = risks(
        assess(
            durable,
            destination="GE",
            citizenship="RU",
            military_liable=True,
            protest_history="none",
        )
    )
    assert no_protest["draft-call-up-on-return"] == ("medium", "confirmed")
    assert "protest-arrest-call-up" not in no_protest
    # A protester gets the protest rule (high), not both.
    protester = risks(
        assess(
            durable,
            destination="KZ",
            citizenship="RU",
            military_liable=True,
            protest_history="participated",
        )
    )
    assert protester["protest-arrest-call-up"] == ("high", "confirmed")
    assert "draft-call-up-on-return" not in protester


def test_protest_call_up_is_told_as_one_mans_case(durable: Assessor) -> None:
    report = assess(
        durable, destination="KZ", citizenship="RU", protest_history="detained", draft_notice=True
    )
    call_up = next(r for r in report.risks if r.id == "protest-arrest-call-up")
    assert call_up.title == "A man arrested at a protest in Moscow was served a call-up notice"
    assert "as punishment" not in call_up.title


def test_resident_of_kazakhstan_who_does_not_know_about_a_case(durable: Assessor) -> None:
    # 003's "did not even suspect that they had criminal cases" concerns anyone whose case is
    # unknown; outside Kyrgyzstan it is medium and needs a factor the sources tie to the state.
    answers = {
        "destination": "KZ",
        "citizenship": "RU",
        "criminal_case": "unknown",
        "wanted": "unknown",
    }
    protested = risks(
        assess(durable, **answers, protest_history="participated", as_of="2023-06-12")
    )
    assert protested["unknown-case"] == ("medium", "confirmed")
    spoke = risks(assess(durable, **answers, public_statements=True, as_of="2023-06-12"))
    assert spoke["unknown-case"] == ("medium", "confirmed")
    unasked = risks(assess(durable, **answers, as_of="2023-06-12"))
    assert unasked["unknown-case"] == ("medium", "possible")
    quiet = risks(
        assess(
            durable,
            **answers,
            protest_history="none",
            public_statements=False,
            organisation_status="none",
            foreign_agent=False,
            as_of="2023-06-12",
        )
    )
    assert "unknown-case" not in quiet
    for status in ("foreign_agent", "undesirable", "extremist"):
        found = risks(assess(durable, **answers, organisation_status=status, as_of="2023-06-12"))
        assert found["unknown-case"] == ("medium", "confirmed"), status
    agent = risks(assess(durable, **answers, foreign_agent=True, as_of="2023-06-12"))
    assert agent["unknown-case"] == ("medium", "confirmed")


def test_baltic_refuge_refused_is_not_told_to_residence_permit_holders(durable: Assessor) -> None:
    for answers in (
        {
            "stay_basis": "residence_permit",
            "documents": ["international_passport", "residence_permit"],
        },
        {"stay_basis": "refugee_status", "documents": ["international_passport"]},
    ):
        found = risks(
            assess(durable, destination="LV", citizenship="RU", military_liable=True, **answers)
        )
        assert "baltic-refuge-refused-here" not in found, answers
    unknown = risks(assess(durable, destination="EE", citizenship="RU", military_liable=True))
    assert unknown["baltic-refuge-refused-here"] == ("high", "possible")


def test_torture_of_protesters_is_not_told_for_public_statements_alone(durable: Assessor) -> None:
    found = risks(
        assess(
            durable,
            destination="AM",
            citizenship="RU",
            protest_history="none",
            public_statements=True,
        )
    )
    assert "ru-protesters-arrested-tortured" not in found
    protester = risks(
        assess(durable, destination="AM", citizenship="RU", protest_history="organised")
    )
    assert protester["ru-protesters-arrested-tortured"] == ("high", "confirmed")


def test_no_russian_text_calls_the_2022_call_up_prizyv() -> None:
    # «мобилизация» for the 2022 call-up, throughout; «призыв» is the regular conscription.
    pack = load_rule_pack(RULES_DIR)
    for rule in pack.rules:
        ru = rule.text.ru
        words = [ru.title, ru.title_passed or "", ru.explanation, *ru.advice, ru.unknown_note or ""]
        if rule.deadline:
            words.append(rule.deadline.label.ru)
        text = " ".join(words)
        assert not re.search(r"призыв|призов", text, re.IGNORECASE), rule.id
        for calque in ("не ждите, чтобы узнать", "Держите план", "риски складываются"):
            assert calque not in text, (rule.id, calque)
