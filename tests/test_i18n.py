"""The one catalog of words (issue 11): every message in both languages, real Russian
plurals, one phrase for days to a deadline everywhere, and errors in the user's language."""

from __future__ import annotations

import datetime as dt
import gettext
import json
import string
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from icalendar import Calendar

from riskcli.core.profile import FIELDS
from riskcli.core.rules import Severity
from riskcli.i18n import (
    LOCALE_DIR,
    days_phrase,
    field_word,
    language_from_environment,
    msg,
    severity_word,
    t,
)
from riskcli.i18n.messages import MESSAGES
from tests.conftest import Run
from tests.test_cases_cli import KZ_47

PO = LOCALE_DIR / "ru" / "LC_MESSAGES" / "riskcli.po"
MO = PO.with_suffix(".mo")
KZ = KZ_47  # 90 visa-free days from 2022-09-25: the stay ends on 2022-12-24


def catalog() -> Catalog:
    with PO.open("rb") as fh:
        return read_po(fh, locale="ru", domain="riskcli")


def entries() -> dict[str, Message]:
    return {str(m.context): m for m in catalog() if m.id}


def fields(text: str) -> set[str]:
    return {f"{name}!{conv}" for _, name, _, conv in string.Formatter().parse(text) if name}


# --- every message in both languages --------------------------------------------------


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_its_russian(key: str) -> None:
    entry = entries().get(key)
    assert entry is not None, f"{key}: not in {PO.name}: run `make catalog` and translate it"
    english = MESSAGES[key]
    assert entry.id == english, f"{key}: the .po has another English text: run `make catalog`"
    assert not entry.fuzzy, f"{key}: fuzzy (the English changed): check the Russian"
    if isinstance(english, tuple):
        assert isinstance(entry.string, tuple)
        assert len(entry.string) == catalog().num_plurals == 3, key
        wanted = fields(english[0]) | fields(english[1])
        for form in entry.string:
            assert form.strip(), f"{key}: a plural form is empty"
            assert fields(form) == wanted, f"{key}: {form!r} has other placeholders"
    else:
        assert isinstance(entry.string, str) and entry.string.strip(), f"{key}: no Russian"
        assert fields(entry.string) == fields(english), f"{key}: other placeholders"


def test_no_message_is_left_over_in_the_po() -> None:
    assert sorted(set(entries()) - set(MESSAGES)) == []


def test_the_mo_is_in_step_with_the_po() -> None:
    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for key, entry in entries().items():
        if isinstance(entry.id, tuple):
            assert isinstance(entry.string, tuple)
            for n, form in ((1, 0), (3, 1), (5, 2), (21, 0), (12, 2)):
                got = compiled.npgettext(key, entry.id[0], entry.id[1], n)
                assert got == entry.string[form], f"{key}: the .mo is stale: run `make catalog`"
        else:
            assert compiled.pgettext(key, entry.id) == entry.string, (
                f"{key}: the .mo is stale: run `make catalog`"
            )


def test_every_field_and_severity_has_words_in_both_languages() -> None:
    for name in FIELDS:
        assert f"field.{name}" in MESSAGES, name
    assert field_word("ru", "entry_date") == "дата въезда"
    assert field_word("en", "entry_date") == "entry date"
    assert [severity_word("ru", s.value) for s in Severity] == [
        "КРИТИЧЕСКИЙ",
        "ВЫСОКИЙ",
        "СРЕДНИЙ",
        "НИЗКИЙ",
        "СПРАВОЧНЫЙ",
    ]


# --- plurals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "ru", "en"),
    [
        (1, "остался 1 день", "1 day left"),
        (2, "осталось 2 дня", "2 days left"),
        (5, "осталось 5 дней", "5 days left"),
        (11, "осталось 11 дней", "11 days left"),
        (21, "остался 21 день", "21 days left"),
        (24, "осталось 24 дня", "24 days left"),
        (47, "осталось 47 дней", "47 days left"),
        (0, "сегодня", "today"),
        (-1, "истёк вчера", "passed 1 day ago"),
        (-3, "истёк 3 дня назад", "passed 3 days ago"),
        (-5, "истёк 5 дней назад", "passed 5 days ago"),
        (-21, "истёк 21 день назад", "passed 21 days ago"),
    ],
)
def test_days_to_a_deadline(days: int, ru: str, en: str) -> None:
    assert days_phrase("ru", days) == ru
    assert days_phrase("en", days) == en


def test_years_and_the_calendar_reminders_count_in_russian() -> None:
    assert [t("ru", "years", n=n) for n in (1, 3, 5)] == ["1 год", "3 года", "5 лет"]
    assert t("ru", "ics.alarm_nocase", n=3, kind="срок") == "Через 3 дня: срок"
    assert t("ru", "ics.alarm_nocase", n=14, kind="срок") == "Через 14 дней: срок"
    assert t("en", "ics.alarm_nocase", n=14, kind="x") == "In 14 days: x"


def test_a_plural_message_needs_its_count() -> None:
    with pytest.raises(TypeError):
        t("ru", "days.left")


# --- one phrase everywhere -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "en", "ru"),
    [
        (1, "1 day left", "остался 1 день"),
        (-3, "passed 3 days ago", "истёк 3 дня назад"),
    ],
)
def test_reports_compare_and_triage_give_days_left_in_the_same_words(
    run: Run, tmp_path: Path, days: int, en: str, ru: str
) -> None:
    answers = tmp_path / "kz.json"
    answers.write_text(json.dumps(KZ), encoding="utf-8")
    # The day the stay ends, as the rule pack counts it; assessed DAYS before it.
    code, out, err = run("assess", "-a", str(answers), "--as-of", "2022-11-07", "-f", "json")
    assert code == 0, err
    end = min(r["deadline"] for r in json.loads(out)["risks"] if r.get("deadline"))
    as_of = (dt.date.fromisoformat(end) - dt.timedelta(days=days)).isoformat()
    intake = tmp_path / "intake.jsonl"
    intake.write_text(json.dumps(KZ) + "\n", encoding="utf-8")
    for lang, words in (("en", en), ("ru", ru)):
        common = ("--as-of", as_of, "--lang", lang)
        code, report, err = run("assess", "-a", str(answers), *common)
        assert code == 0, err
        code, compared, err = run("compare", "-a", str(answers), "-d", "KZ", *common)
        assert code == 0, err
        code, _, triage = run("batch", str(intake), "-o", str(tmp_path / "out.csv"), *common)
        assert code == 0, triage
        for where, text in (("report", report), ("compare", compared), ("triage", triage)):
            assert words in text, f"{where} ({lang}): {text}"
        assert "1 days" not in report + compared + triage
        assert "дн." not in report + compared + triage


def test_the_calendar_counts_its_reminders_in_russian(run: Run, tmp_path: Path) -> None:
    answers = tmp_path / "kz.json"
    answers.write_text(json.dumps(KZ), encoding="utf-8")
    ics = tmp_path / "kz.ics"
    code, _, err = run(
        "assess", "-a", str(answers), "--as-of", "2022-11-07", "--lang", "ru", "--ics", str(ics)
    )
    assert code == 0, err
    calendar = Calendar.from_ical(ics.read_bytes())
    alarms = sorted(str(a["description"]) for a in calendar.walk("VALARM"))
    assert alarms == [
        "Через 14 дней: конец срока пребывания, дело vol-17",
        "Через 3 дня: конец срока пребывания, дело vol-17",
    ]


# --- errors in the user's language ------------------------------------------------------------


def bad_answers(tmp_path: Path, **extra: Any) -> Path:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**KZ, "entry_date": "2022-13-01", **extra}), encoding="utf-8")
    return path


ENGLISH = (
    "field 'entry_date': '2022-13-01' is not a real date; "
    "allowed: a date as YYYY-MM-DD or DD.MM.YYYY"
)
RUSSIAN = (
    "поле 'entry_date': '2022-13-01' — такой даты нет; допустимо: дата в виде ГГГГ-ММ-ДД "
    "или ДД.ММ.ГГГГ"
)


def test_a_bad_field_is_told_in_english_by_default(run: Run, tmp_path: Path) -> None:
    path = bad_answers(tmp_path)
    code, out, err = run("assess", "-a", str(path))
    assert (code, out, err) == (2, "", f"riskcli: {path}: {ENGLISH}\n")


@pytest.mark.parametrize(
    "how",
    ["--lang", "RISKCLI_LANG", "LANG", "profile"],
)
def test_a_bad_field_is_told_in_russian_when_russian_is_the_users_language(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    path = bad_answers(tmp_path, **({"language": "ru"} if how == "profile" else {}))
    args = ["assess", "-a", str(path)]
    if how == "--lang":
        args += ["--lang", "ru"]
    elif how == "RISKCLI_LANG":
        monkeypatch.setenv("RISKCLI_LANG", "ru")
    elif how == "LANG":
        monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    code, out, err = run(*args)
    assert (code, out, err) == (2, "", f"riskcli: {path}: {RUSSIAN}\n")


def test_the_commands_own_lang_comes_before_the_environment(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RISKCLI_LANG", "ru")
    path = bad_answers(tmp_path, language="ru")
    code, _, err = run("assess", "-a", str(path), "--lang", "en")
    assert (code, err) == (2, f"riskcli: {path}: {ENGLISH}\n")


@pytest.mark.parametrize(
    ("args", "russian"),
    [
        (["assess", "-a", "{missing}"], "{missing}: файл ответов не найден"),
        (["compare", "-a", "{tmp}"], "{tmp}: это папка, а не файл ответов"),
        (["assess", "-a", "{empty}"], "{empty}: файл ответов пуст"),
        (
            ["assess", "-a", "{answers}", "--as-of", "2022-02-30"],
            "--as-of: '2022-02-30' — такой даты нет; допустимо: дата в виде ГГГГ-ММ-ДД "
            "или ДД.ММ.ГГГГ",
        ),
        (
            ["assess", "-a", "{unknown}"],
            "{unknown}: неизвестное поле 'colour'; допустимые поля: " + ", ".join(FIELDS),
        ),
        (
            ["assess", "-a", "{answers}", "-o", "{tmp}/no/such/dir/r.txt"],
            "--output {tmp}/no/such/dir/r.txt: не удаётся записать: No such file or directory",
        ),
    ],
)
def test_file_and_option_errors_in_russian(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], russian: str
) -> None:
    places = {
        "missing": tmp_path / "missing.yaml",
        "tmp": tmp_path,
        "empty": tmp_path / "empty.yaml",
        "answers": tmp_path / "kz.json",
        "unknown": tmp_path / "unknown.json",
    }
    places["empty"].write_text("\n", encoding="utf-8")
    places["answers"].write_text(json.dumps(KZ), encoding="utf-8")
    places["unknown"].write_text(json.dumps({**KZ, "colour": "red"}), encoding="utf-8")
    filled = [a.format(**places) for a in args]
    monkeypatch.setenv("RISKCLI_LANG", "ru")
    code, out, err = run(*filled)
    assert (code, out) == (2, "")
    assert err == f"riskcli: {russian.format(**places)}\n"


def test_an_error_keeps_its_english_words_and_can_be_shown_in_russian() -> None:
    from riskcli.core.errors import InputError

    error = InputError(msg("error.no_such_file", name="a.yaml", what=msg("what.answers_file")))
    assert str(error) == "a.yaml: no such answers file"
    assert error.render("ru") == "a.yaml: файл ответов не найден"
    assert InputError("plain words").render("ru") == "plain words"


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({}, "en"),
        ({"LANG": "ru_RU.UTF-8"}, "ru"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LC_ALL": "ru_RU.UTF-8", "LANG": "en_GB.UTF-8"}, "ru"),
        ({"LC_ALL": "C", "LANG": "ru_RU.UTF-8"}, "en"),
        ({"RISKCLI_LANG": "ru", "LANG": "en_US.UTF-8"}, "ru"),
        ({"RISKCLI_LANG": "xx", "LANG": "ru_RU"}, "ru"),
    ],
)
def test_the_default_language_from_the_environment(environ: dict[str, str], lang: str) -> None:
    assert language_from_environment(environ) == lang


def test_after_the_answers_are_read_errors_are_in_their_language(run: Run, tmp_path: Path) -> None:
    answers = tmp_path / "kz.json"
    answers.write_text(json.dumps({**KZ, "language": "ru"}), encoding="utf-8")
    target = tmp_path / "no" / "report.txt"
    code, out, err = run("assess", "-a", str(answers), "-o", str(target))
    assert (code, out) == (2, "")
    assert err == f"riskcli: --output {target}: не удаётся записать: No such file or directory\n"


def test_the_cases_commands_count_cases_in_russian() -> None:
    assert t("ru", "cases.damaged", keys="k1", n=1).startswith("дело k1 не читается")
    assert t("ru", "cases.damaged", keys="k1, k2", n=2).startswith("дела k1, k2 не читаются")
    assert "с 1 делом будет" in t("ru", "cases.wipe_prompt", path="p", n=1)
    assert "с 5 делами будет" in t("ru", "cases.wipe_prompt", path="p", n=5)
    assert t("en", "cases.wipe_prompt", path="p", n=1) == (
        "This deletes the case store p with 1 case(s) for good. Type WIPE to go on"
    )


def test_a_too_long_case_id_is_told_in_russian(run: Run, tmp_path: Path) -> None:
    answers = tmp_path / "kz.json"
    answers.write_text(json.dumps({**KZ, "case_id": "x" * 65}), encoding="utf-8")
    code, _, err = run("assess", "-a", str(answers), "--lang", "ru")
    assert code == 2
    assert err == (
        f"riskcli: {answers}: поле 'case_id': должно быть не длиннее 64 знаков; допустимо: "
        "произвольный текст до 64 знаков в одну строку, без имён\n"
    )


def test_lang_after_a_bad_option_still_chooses_the_language(run: Run, tmp_path: Path) -> None:
    answers = tmp_path / "kz.json"
    answers.write_text(json.dumps(KZ), encoding="utf-8")
    code, _, err = run("assess", "-a", str(answers), "--as-of", "2022-02-30", "--lang", "ru")
    assert code == 2
    assert err.startswith("riskcli: --as-of: '2022-02-30' — такой даты нет;"), err
