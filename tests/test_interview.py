"""The interview, driven key by key through prompt_toolkit pipe input.

Keys go in before the interview starts and the pipe is then closed, so a test
that runs out of keys ends with EOFError instead of hanging.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from riskcli.cli import common as cli_common
from riskcli.cli import root as cli
from riskcli.core.profile import FIELDS, make_profile
from riskcli.core.questions import (
    BY_KEY,
    DONT_KNOW,
    LANGUAGE,
    OTHER_COUNTRY,
    QUESTIONS,
    to_profile_data,
)
from riskcli.interview import interview as interview_module
from riskcli.interview.interview import (
    BACK,
    CHOOSE,
    CountryCompleter,
    Interview,
    answers_document,
    locale_language,
    write_private,
)
from riskcli.io.loaders import load_data

AS_OF = dt.date(2022, 11, 7)
DOWN = "\x1b[B"
UP = "\x1b[A"
ENTER = "\r"
SPACE = " "
BACKSPACE = "\x7f"
CTRL_C = "\x03"
CTRL_D = "\x04"
DESTINATIONS = ("KG", "KZ")  # as in the rule pack: sorted codes, then "another country"


@pytest.fixture(autouse=True, scope="module")
def _default_key_bindings_built_once() -> Iterator[None]:
    """Speed only: prompt_toolkit rebuilds its (stateless) default key bindings for every
    Application, three per questionary select; on a busy 2-core box that is most of the
    time of these tests. Build them once for this module."""
    from prompt_toolkit.application import application
    from prompt_toolkit.key_binding.defaults import load_key_bindings

    shared = load_key_bindings()
    patch = pytest.MonkeyPatch()
    patch.setattr(application, "load_key_bindings", lambda: shared)
    yield
    patch.undo()


def pick(n: int) -> str:
    """Move down n choices and press Enter."""
    return DOWN * n + ENTER


def typed(text: str) -> str:
    return text + ENTER


def sel(key: str, value: Any) -> str:
    """The keys that choose ``value`` at the question ``key`` (from the top of its list)."""
    if key == "destination":
        values: list[Any] = [CHOOSE, *DESTINATIONS, OTHER_COUNTRY, BACK]
    else:
        iv = Interview(DESTINATIONS, output=DummyOutput(), environ={})
        values = [c.value for c in iv.options(BY_KEY[key])]
    return pick(values.index(value))


# Answers after the stay questions, for a person who says "no" or "none" to everything.
REST_NONE = [
    sel("criminal_case", "none"),
    sel("arrested_in_absentia", False),
    sel("wanted", "none"),
    sel("protest_history", "none"),
    sel("military_liable", False),  # not liable: no question about a call-up notice
    sel("public_statements", False),
    sel("activism_abroad", False),
    sel("occupation", "other"),
    sel("foreign_agent", False),
    sel("organisation_status", "none"),
    sel("foreign_funding", False),
    sel("relatives_in_russia", True),
    ENTER,  # moving on to: don't know
    sel("needs_shelter", False),
]
# The same answers, given in advance: a test about one branch answers only that branch
# through the keys and lets these stand (the interview asks only what has no answer).
REST_NONE_ANSWERS: dict[str, Any] = {
    "criminal_case": "none",
    "arrested_in_absentia": False,
    "wanted": "none",
    "protest_history": "none",
    "military_liable": False,
    "public_statements": False,
    "activism_abroad": False,
    "occupation": "other",
    "foreign_agent": False,
    "organisation_status": "none",
    "foreign_funding": False,
    "relatives_in_russia": True,
    "onward_destinations": DONT_KNOW,
    "needs_shelter": False,
}
WITHOUT_CASE = {
    k: v for k, v in REST_NONE_ANSWERS.items() if k not in ("criminal_case", "arrested_in_absentia")
}
LATER = {k: REST_NONE_ANSWERS[k] for k in list(REST_NONE_ANSWERS)[5:]}  # from public_statements
DONE = pick(0)  # review screen: all correct
NO_SAVE = pick(0)

START = [
    pick(0),  # language: English (the locale is not Russian)
    sel("citizenship", "RU"),
    SPACE + ENTER,  # documents: domestic passport only
    sel("destination", "KZ"),
    sel("in_country", True),
    typed("25.09.2022"),  # entry date
    sel("stay_basis", "visa_free"),
]
ALMATY = [*START, *REST_NONE]
ALMATY_PROFILE = {
    "as_of": "2022-11-07",
    "language": "en",
    "citizenship": "RU",
    "documents": ["domestic_passport"],
    "destination": "KZ",
    "entry_date": "2022-09-25",
    "stay_basis": "visa_free",
    "criminal_case": "none",
    "arrested_in_absentia": False,
    "wanted": "none",
    "protest_history": "none",
    "military_liable": False,
    "public_statements": False,
    "activism_abroad": False,
    "occupation": "other",
    "foreign_agent": False,
    "organisation_status": "none",
    "foreign_funding": False,
    "relatives_in_russia": True,
    "needs_shelter": False,
}


def make(prefill: dict[str, Any] | None = None, **kwargs: Any) -> Interview:
    kwargs.setdefault("environ", {})
    kwargs.setdefault("as_of", AS_OF)
    iv = Interview(DESTINATIONS, output=DummyOutput(), **kwargs)
    iv.answers.update(prefill or {})
    return iv


def drive(interview: Interview, keys: list[str]) -> Any:
    """Run the interview with these keys, then its closing offer to save (as the command
    line does once the report is shown); returns the profile's answers."""
    with create_pipe_input() as pipe:
        pipe.send_text("".join(keys))
        pipe.close()
        with create_app_session(input=pipe, output=DummyOutput()):
            profile = interview.run()
            interview.close(profile)
            return profile.answers()


def interview(
    keys: list[str], prefill: dict[str, Any] | None = REST_NONE_ANSWERS, **kwargs: Any
) -> dict[str, Any]:
    """Run with these keys; by default the questions after the stay are answered already."""
    result: dict[str, Any] = drive(make(prefill, **kwargs), keys)
    return result


# --- the question flow ----------------------------------------------------------------


def test_a_man_in_almaty_with_a_domestic_passport() -> None:
    answers = interview([*ALMATY, DONE, NO_SAVE], prefill=None)  # every question asked
    assert answers == ALMATY_PROFILE


def test_dates_typed_as_iso_are_accepted_too() -> None:
    keys = [*START]
    keys[5] = typed("2022-09-25")
    assert interview([*keys, DONE, NO_SAVE])["entry_date"] == "2022-09-25"


def test_russian_locale_preselects_russian() -> None:
    keys = [*START, DONE, NO_SAVE]
    answers = interview(keys, environ={"LANG": "ru_RU.UTF-8"})
    assert answers["language"] == "ru"


def test_lang_option_skips_the_language_question() -> None:
    answers = interview([*START[1:], DONE, NO_SAVE], lang="ru")
    assert answers == {**ALMATY_PROFILE, "language": "ru"}


def test_language_can_be_switched_at_the_first_question() -> None:
    answers = interview([pick(1), *START[1:], DONE, NO_SAVE])
    assert answers["language"] == "ru"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "ru_RU.UTF-8"}, "ru"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "ru_RU.UTF-8"}, "ru"),
        ({"LANG": "ru_RU.UTF-8", "LC_MESSAGES": "C"}, "en"),
    ],
)
def test_locale_language(environ: dict[str, str], expected: str) -> None:
    assert locale_language(environ) == expected


def test_not_yet_there_is_not_asked_entry_date_or_stay_basis() -> None:
    keys = [*START[:4], sel("in_country", False), DONE, NO_SAVE]
    answers = interview(keys)
    assert answers["destination"] == "KZ"
    assert "entry_date" not in answers
    assert "stay_basis" not in answers
    assert answers["needs_shelter"] is False  # all later questions were asked in order


def test_dont_know_reaches_the_profile_as_unknown() -> None:
    keys = [
        *START[:5],
        ENTER,  # entry date: don't know
        ENTER,  # stay basis: don't know (under the cursor at the start)
        ENTER,  # criminal case: don't know
        ENTER,  # arrested in absentia: don't know
        ENTER,  # wanted: don't know
        sel("protest_history", "none"),
        ENTER,  # liable to call-up: don't know
        ENTER,  # call-up notice: don't know (asked: liability unknown)
        DONE,
        NO_SAVE,
    ]
    answers = interview(keys, prefill=LATER)
    assert answers["criminal_case"] == "unknown"
    assert answers["wanted"] == "unknown"
    assert answers["stay_basis"] == "unknown"
    for field in ("entry_date", "military_liable", "draft_notice", "arrested_in_absentia"):
        assert field not in answers, field
    assert "charges" not in answers  # no case known: not asked


def test_typing_dont_know_at_a_date_is_dont_know() -> None:
    keys = [*START]
    keys[5] = typed("не знаю")
    assert "entry_date" not in interview([*keys, DONE, NO_SAVE])


def test_an_open_case_asks_for_articles_and_arrest() -> None:
    keys = [
        *START,
        sel("criminal_case", "pending"),
        typed("207.3, 280.3;275"),  # articles
        sel("arrested_in_absentia", True),
        DONE,
        NO_SAVE,
    ]
    answers = interview(keys, prefill=WITHOUT_CASE)
    assert answers["criminal_case"] == "pending"
    assert answers["charges"] == ["207.3", "280.3", "275"]
    assert answers["arrested_in_absentia"] is True


def test_bad_articles_are_refused_and_the_prompt_stays_open() -> None:
    keys = [*START, sel("criminal_case", "convicted"), "article 5" + ENTER, BACKSPACE * 9]
    keys += [typed("207.3"), ENTER, DONE, NO_SAVE]  # arrested in absentia: Enter, don't know
    answers = interview(keys, prefill=WITHOUT_CASE)
    assert answers["criminal_case"] == "convicted"
    assert answers["charges"] == ["207.3"]
    assert "arrested_in_absentia" not in answers  # "don't know"


def test_a_nonsense_date_is_refused_and_the_prompt_stays_open() -> None:
    keys = [*START]
    keys[5] = "31.02.2022" + ENTER + BACKSPACE * 10 + typed("28.09.2022")
    assert interview([*keys, DONE, NO_SAVE])["entry_date"] == "2022-09-28"


@pytest.mark.parametrize(
    ("lang", "text", "reason"),
    [
        ("en", "31.02.2022", "'31.02.2022' is not a date; type DD.MM.YYYY, e.g. 28.09.2022"),
        ("en", "yesterday", "'yesterday' is not a date; type DD.MM.YYYY, e.g. 28.09.2022"),
        (
            "ru",
            "2022-13-01",
            "Такой даты нет: «2022-13-01». Введите ДД.ММ.ГГГГ, например 28.09.2022",
        ),
        ("en", "01.12.2022", "2022-12-01 is after the assessment date (2022-11-07)"),
        ("ru", "2022-12-01", "Дата 1 декабря 2022 г. позже даты оценки (7 ноября 2022 г.)"),
        ("en", "01.01.1900", "1900-01-01 is too early: dates from 1992-01-01 on are taken"),
        (
            "ru",
            "1900-01-01",
            "Слишком ранняя дата (1 января 1900 г.): можно не раньше 1 января 1992 г.",
        ),
    ],
)
def test_date_refusals_give_the_reason(lang: str, text: str, reason: str) -> None:
    iv = make(None, lang=lang)
    result = iv.check_date(BY_KEY["entry_date"], text)
    assert result == reason
    assert len(reason) <= 78  # one line of the screen, with the toolbar's margin


def test_a_passport_expiry_in_the_past_is_accepted() -> None:
    iv = make(None, lang="en")
    assert iv.check_date(BY_KEY["international_passport_expiry"], "01.01.2020") is True


def test_an_international_passport_asks_when_it_expires() -> None:
    keys = [pick(0), sel("citizenship", "RU"), DOWN + SPACE + ENTER, typed("2027-03-01")]
    keys += [sel("destination", "KZ"), sel("in_country", False)]
    answers = interview([*keys, DONE, NO_SAVE])
    assert answers["documents"] == ["international_passport"]
    assert answers["international_passport_expiry"] == "2027-03-01"


def test_stateless_people_are_not_asked_about_call_up() -> None:
    keys = [pick(0), sel("citizenship", "stateless"), DOWN * 2 + SPACE + ENTER]
    keys += [sel("destination", "KG"), sel("in_country", False), sel("criminal_case", "none")]
    keys += [sel("arrested_in_absentia", False), sel("wanted", "none")]
    keys += [sel("protest_history", "none"), DONE, NO_SAVE]
    answers = interview(keys, prefill=LATER)
    assert answers["citizenship"] == "stateless"
    assert answers["documents"] == ["non_citizen_passport"]
    assert "military_liable" not in answers
    assert "draft_notice" not in answers


def test_another_country_takes_any_iso_code_and_refuses_others() -> None:
    keys = [*START[:3], sel("destination", OTHER_COUNTRY), typed("XX"), BACKSPACE * 2]
    keys += [typed("fr"), sel("in_country", False), DONE, NO_SAVE]
    answers = interview(keys)
    assert answers["destination"] == "FR"


def test_another_country_by_its_name() -> None:
    keys = [*START[:3], sel("destination", OTHER_COUNTRY), typed("Georgia")]
    keys += [sel("in_country", False)]
    assert interview([*keys, DONE, NO_SAVE])["destination"] == "GE"


def test_another_country_says_the_pack_has_nothing_on_it() -> None:
    said: list[str] = []
    iv = make(REST_NONE_ANSWERS)
    iv.say = lambda text, style="": said.append(text)  # type: ignore[method-assign]
    keys = [*START[:3], sel("destination", OTHER_COUNTRY), typed("TR"), sel("in_country", False)]
    drive(iv, [*keys, DONE, NO_SAVE])
    assert (
        "Türkiye: the rule pack has nothing specific on it, so the report can only give "
        "general findings." in said
    )


def test_country_completion_by_code_and_by_name_in_both_languages() -> None:
    def complete(lang: str, text: str, many: bool = False) -> list[str]:
        completer = CountryCompleter(lang, many=many)
        found = completer.get_completions(Document(text), CompleteEvent())
        return [c.text for c in found]

    assert "FR" in complete("en", "Fra")
    assert "FR" in complete("en", "fr")
    assert "KZ" in complete("ru", "Казах")
    assert "KZ" in complete("ru", "Kazak")
    assert complete("en", "DE, Fra", many=True) == ["FR"]
    assert complete("en", "f")[:7] == ["FI", "FJ", "FK", "FM", "FO", "FR", "BF"]  # codes first
    assert complete("en", "") == []


def test_onward_countries_are_codes() -> None:
    prefill = {k: v for k, v in REST_NONE_ANSWERS.items() if k != "onward_destinations"}
    keys = [*START, typed("de, fr"), DONE, NO_SAVE]
    assert interview(keys, prefill=prefill)["onward_destinations"] == ["DE", "FR"]


# --- the review screen ------------------------------------------------------------------

# Review lines: 0 all correct, 1 language, 2 citizenship, 3 documents, 4 country,
# 5 already there, 6 entry date, 7 stay basis, 8 criminal case, ...


def test_review_change_removes_follow_ups_that_no_longer_apply() -> None:
    keys = [*START, pick(5), pick(1), UP * 5 + ENTER, NO_SAVE]  # already there: Yes -> No
    answers = interview(keys)
    assert "entry_date" not in answers
    assert "stay_basis" not in answers
    assert answers["needs_shelter"] is False


def test_review_change_asks_new_follow_ups_and_comes_back() -> None:
    keys = [
        *START,
        pick(8),  # review: criminal case
        pick(1),  # now: open (the cursor starts on the answer given, "No")
        typed("280.3"),  # articles, asked because of the change
        UP * 8 + ENTER,  # back on the review screen, on the changed line: up to "all correct"
        NO_SAVE,
    ]
    answers = interview(keys)
    assert answers["criminal_case"] == "pending"
    assert answers["charges"] == ["280.3"]


def test_review_change_of_a_date() -> None:
    keys = [*START, pick(6), BACKSPACE * 10 + typed("01.10.2022"), UP * 6 + ENTER, NO_SAVE]
    assert interview(keys)["entry_date"] == "2022-10-01"


def test_review_change_of_the_country_asks_about_the_stay_again() -> None:
    keys = [*START, pick(4), DOWN + ENTER, typed("DE")]  # review: country; another: DE
    keys += [sel("in_country", True), typed("01.10.2022"), sel("stay_basis", "visa")]
    keys += [UP * 4 + ENTER, NO_SAVE]
    answers = interview(keys)
    assert answers["destination"] == "DE"
    assert answers["entry_date"] == "2022-10-01"  # the entry into Germany, not Kazakhstan
    assert answers["stay_basis"] == "visa"


def test_review_lists_every_answer_that_applies() -> None:
    iv = make(REST_NONE_ANSWERS)
    drive(iv, [*START, DONE, NO_SAVE])
    lines = [iv.review_line(q) for q in QUESTIONS if q.key in iv.answers]
    assert lines[:7] == [
        "Citizenship              Russia",
        "Documents                Russian domestic passport",
        "Country                  Kazakhstan (KZ)",
        "Already there            Yes",
        "Entry date               2022-09-25",
        "Stay basis               Visa-free",
        "Criminal case            No",
    ]
    assert all(len(line) <= 72 for line in lines)  # fits 80 columns with the pointer


def test_review_lines_in_russian_show_dont_know() -> None:
    iv = make(WITHOUT_CASE, lang="ru")
    keys = [*START[1:], ENTER, ENTER, DONE, NO_SAVE]  # case, arrest: don't know
    drive(iv, keys)
    assert iv.review_line(BY_KEY["criminal_case"]) == "Уголовное дело           не знаю"
    assert iv.review_line(BY_KEY["arrested_in_absentia"]) == "Заочный арест            не знаю"
    assert iv.review_line(BY_KEY["in_country"]) == "Уже там                  Да"


# --- stopping ---------------------------------------------------------------------------


@pytest.mark.parametrize("at", [0, 2, 5])
def test_ctrl_c_at_any_question_stops(at: int) -> None:
    with pytest.raises(KeyboardInterrupt):
        interview([*START[:at], CTRL_C, *START[at:], DONE, NO_SAVE])


def test_ctrl_c_on_the_review_screen_stops() -> None:
    with pytest.raises(KeyboardInterrupt):
        interview([*START, DOWN, CTRL_C])


@pytest.mark.parametrize("at", [1, 3])
def test_ctrl_d_at_any_question_stops(at: int) -> None:
    with pytest.raises(EOFError):
        interview([*START[:at], CTRL_D, *START[at:], DONE, NO_SAVE])


def test_ctrl_d_in_a_half_typed_date_stops() -> None:
    keys = [*START]
    keys[5] = "25.09" + CTRL_D
    with pytest.raises(EOFError):
        interview(keys)


# --- saving -----------------------------------------------------------------------------


def test_saving_writes_a_private_file_that_loads_back(tmp_path: Path) -> None:
    target = tmp_path / "answers.yaml"
    iv = make(REST_NONE_ANSWERS, save_as_of=True)
    answers = drive(iv, [*START, DONE, pick(1), typed(str(target))])
    assert iv.saved_to == target
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# riskcli answers. SENSITIVE")
    loaded = make_profile(load_data(str(target), what="answers file"), source=str(target))
    assert loaded.answers() == answers


def test_saving_leaves_out_the_day_unless_it_was_given(tmp_path: Path) -> None:
    target = tmp_path / "answers.yaml"
    drive(make(REST_NONE_ANSWERS), [*START, DONE, pick(1), typed(str(target))])
    assert "as_of" not in load_data(str(target), what="answers file")


def test_an_existing_file_is_refused_and_another_name_taken(tmp_path: Path) -> None:
    taken = tmp_path / "taken.yaml"
    taken.write_text("keep me", encoding="utf-8")
    target = tmp_path / "new.yaml"
    keys = [*START, DONE, pick(1), typed(str(taken)), BACKSPACE * len(str(taken))]
    drive(make(REST_NONE_ANSWERS), [*keys, typed(str(target))])
    assert taken.read_text(encoding="utf-8") == "keep me"
    assert target.exists()


def test_a_failed_write_is_said_and_saving_offered_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: Path, text: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(interview_module, "write_private", refuse)
    said: list[str] = []
    iv = make(REST_NONE_ANSWERS)
    iv.say = lambda text, style="": said.append(text)  # type: ignore[method-assign]
    target = tmp_path / "a.yaml"
    drive(iv, [*START, DONE, pick(1), typed(str(target)), NO_SAVE])
    assert f"cannot write {target}: Permission denied" in said
    assert iv.saved_to is None
    assert not target.exists()


def test_save_path_refusals(tmp_path: Path) -> None:
    iv = make(None, lang="en")
    (tmp_path / "x").write_text("", encoding="utf-8")
    assert (
        iv.check_path(str(tmp_path / "x"))
        == f"{tmp_path / 'x'} already exists: choose another name"
    )
    assert iv.check_path(str(tmp_path / "no" / "x")) == f"no such folder: {tmp_path / 'no'}"
    assert iv.check_path("  ") == "type a file name, e.g. answers.yaml"
    assert iv.check_path(str(tmp_path / "y")) is True


def test_ctrl_c_at_the_file_name_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        drive(make(REST_NONE_ANSWERS), [*START, DONE, pick(1), str(tmp_path / "a.yaml") + CTRL_C])
    assert list(tmp_path.iterdir()) == []


def test_write_private_is_0600_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        write_private(tmp_path / "a", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):
        write_private(tmp_path / "a", "y")
    assert (tmp_path / "a").read_text() == "x"


def test_answers_document_in_russian_warns_in_russian() -> None:
    profile = make_profile({"destination": "KZ", "charges": ["207.3"]}, as_of=AS_OF)
    text = answers_document(profile, "ru", keep_as_of=False)
    assert text.splitlines()[0].startswith("# Ответы riskcli. ЧУВСТВИТЕЛЬНЫЕ ДАННЫЕ")
    assert "'207.3'" in text  # stays text, not a number


# --- the questions as data ---------------------------------------------------------------


def test_every_question_is_tied_to_a_profile_field_and_speaks_both_languages() -> None:
    for q in (LANGUAGE, *QUESTIONS):
        assert q.key in FIELDS or not q.saved, q.key
        for words in (q.text, q.why, q.label):
            assert words.en.strip() and words.ru.strip(), q.key
            assert words.en != words.ru or q is LANGUAGE, q.key
        for option in q.options:
            assert option.words.en.strip() and option.words.ru.strip(), q.key
            make_profile(
                {"destination": "KZ", q.key: [option.value] if q.kind == "multi" else option.value}
            )


def test_dont_know_is_offered_where_a_person_may_not_know() -> None:
    for key in (
        "criminal_case",
        "wanted",
        "draft_notice",
        "military_liable",
        "entry_date",
        "international_passport_expiry",
        "arrested_in_absentia",
        "charges",
    ):
        assert BY_KEY[key].dont_know, key


def test_to_profile_data_drops_helpers_and_unknowns() -> None:
    answers = {
        "language": "ru",
        "destination": "KZ",
        "in_country": False,
        "entry_date": dt.date(2022, 1, 1),  # no longer applies
        "criminal_case": DONT_KNOW,
        "draft_notice": DONT_KNOW,
    }
    assert to_profile_data(answers) == {
        "language": "ru",
        "destination": "KZ",
        "criminal_case": "unknown",
    }


# --- the command line -------------------------------------------------------------------


@pytest.fixture
def keys_in() -> Iterator[Any]:
    """Pipe input for `riskcli assess` run in-process, as if on a terminal."""
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        yield pipe


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_no_terminal_and_no_answers_points_to_answers(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["assess"], capsys)
    assert code == 2
    assert out == ""
    assert err == (
        "riskcli: no answers given: pass --answers FILE (JSON or YAML), "
        "or - to read standard input\n"
    )


def test_interview_report_matches_the_saved_answers(
    keys_in: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(cli_common, "can_interview", lambda: True)
    target = tmp_path / "me.yaml"
    keys_in.send_text("".join([*ALMATY, DONE, pick(1), typed(str(target))]))
    keys_in.close()
    args = ["assess", "--as-of", "2022-11-07", "--format", "json"]
    code, out, err = run_cli(args, capsys)
    assert code == 0, err
    report = json.loads(out)  # stdout holds the report alone
    assert [r["days_left"] for r in report["risks"] if r["id"] == "kz-visa-free-90-days"] == [46]
    assert "Saved to" in err  # the interview talked on stderr
    code, again, err = run_cli(["assess", "--answers", str(target), "--format", "json"], capsys)
    assert code == 0, err
    assert json.loads(again) == report


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("en", "stopped; nothing was saved"),
        ("ru", "остановлено; ничего не сохранено (stopped; nothing was saved)"),
    ],
)
def test_ctrl_c_in_the_cli_is_one_line_and_130(
    lang: str,
    line: str,
    keys_in: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cli_common, "can_interview", lambda: True)
    keys_in.send_text("".join([*ALMATY[1:4], CTRL_C]))
    keys_in.close()
    code, out, err = run_cli(["assess", "--lang", lang], capsys)
    assert code == 130
    assert out == ""
    assert err.endswith(f"\n{line}\n")
    assert err.count("nothing was saved") == 1
    assert "Traceback" not in err


def test_ctrl_d_in_the_cli_is_130_too(
    keys_in: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cli_common, "can_interview", lambda: True)
    keys_in.send_text(CTRL_D)
    keys_in.close()
    code, out, err = run_cli(["assess"], capsys)
    assert (code, out) == (130, "")
    assert err.endswith("\nstopped; nothing was saved\n")
    assert "Aborted" not in err


# --- nothing preselected, back, conflicts (issue 14) -----------------------------------


def test_enter_alone_is_dont_know_at_every_question_but_the_country() -> None:
    """Enter alone: "don't know" everywhere; at the country it is refused, then KZ chosen."""
    iv = make(None, lang="en")
    keys = [ENTER, ENTER, ENTER, pick(2), *[ENTER] * 16, DONE, NO_SAVE]
    answers = drive(iv, keys)
    assert answers == {"as_of": "2022-11-07", "language": "en", "destination": "KZ"} | {
        "criminal_case": "unknown",
        "wanted": "unknown",
    }
    assert True not in answers.values()
    assert "documents" not in answers  # an untouched checklist is "don't know", not "none"


def test_none_of_these_documents_is_none() -> None:
    keys = [pick(0), sel("citizenship", "RU"), DOWN * 4 + SPACE + ENTER, *START[3:]]
    assert interview([*keys, DONE, NO_SAVE])["documents"] == []


def test_back_one_question_and_change_the_answer() -> None:
    keys = [
        *START[:3],  # language, citizenship, documents
        "\x1b[D",  # at the country: the Left arrow goes back to the documents
        DOWN + SPACE + ENTER,  # documents: now the international passport too
        typed("01.03.2027"),  # which asks when it expires
        *START[3:],
        DONE,
        NO_SAVE,
    ]
    answers = interview(keys)
    assert answers["documents"] == ["domestic_passport", "international_passport"]
    assert answers["international_passport_expiry"] == "2027-03-01"


def test_the_back_choice_goes_back_too() -> None:
    keys = [*START[:5], typed("25.09.2022"), sel("stay_basis", BACK)]
    keys += [BACKSPACE * 10 + typed("26.09.2022"), sel("stay_basis", "visa_free"), DONE, NO_SAVE]
    assert interview(keys)["entry_date"] == "2022-09-26"


def test_no_call_up_notice_question_for_someone_not_liable() -> None:
    asked: list[str] = []
    iv = make(LATER)
    real_ask = iv.ask
    iv.ask = lambda q: (asked.append(q.key), real_ask(q))[1]  # type: ignore[method-assign]
    keys = [*START, sel("criminal_case", "none"), sel("arrested_in_absentia", False)]
    keys += [sel("wanted", "none"), sel("protest_history", "none")]
    keys += [sel("military_liable", False), DONE, NO_SAVE]
    drive(iv, keys)
    assert "military_liable" in asked and "draft_notice" not in asked


def test_an_arrest_in_absentia_without_a_case_asks_which_is_right() -> None:
    said: list[str] = []
    iv = make(WITHOUT_CASE)
    iv.say = lambda text, style="": said.append(text)  # type: ignore[method-assign]
    keys = [*START, sel("criminal_case", "none"), sel("arrested_in_absentia", True)]
    # Which to change? The case (first line): it is open, after all; then the articles.
    keys += [pick(0), DOWN + ENTER, ENTER, DONE, NO_SAVE]
    answers = drive(iv, keys)
    assert any("An arrest in absentia happens only within a criminal case" in s for s in said)
    assert answers["criminal_case"] == "pending"
    assert answers["arrested_in_absentia"] is True


@pytest.mark.parametrize(
    ("code", "lang", "text"),
    [
        ("KZ", "ru", "Вы уже в Казахстане?"),
        ("KG", "ru", "Вы уже в Киргизии?"),
        ("FR", "ru", "Вы уже во Франции?"),
        ("KZ", "en", "Are you already in Kazakhstan?"),
    ],
)
def test_countries_take_their_case_in_russian(code: str, lang: str, text: str) -> None:
    iv = make({"destination": code}, lang=lang)
    assert BY_KEY["in_country"].text.get(lang).format(**iv.country()) == text


def test_russian_review_shows_dates_in_words() -> None:
    iv = make(REST_NONE_ANSWERS, lang="ru")
    drive(iv, [*START[1:], DONE, NO_SAVE])
    assert iv.review_line(BY_KEY["entry_date"]) == "Дата въезда              25 сентября 2022 г."


def test_every_refusal_fits_one_line_of_80_columns() -> None:
    for lang in ("en", "ru"):
        iv = make(None, lang=lang)
        long = "x" * 200
        for q in QUESTIONS:
            if q.kind in ("date", "charges", "countries"):
                for text in (long, "01.01.1900", "01.01.2200", "01.12.2022", "31.02.2022"):
                    result = iv.check_typed(q, text)
                    assert result is True or len(str(result)) <= 78, (lang, q.key, result)
        assert len(str(iv.check_country(long))) <= 78


def test_answers_files_and_batch_refuse_an_entry_after_the_assessment_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"destination": "KZ", "entry_date": "2027-06-01"}', encoding="utf-8")
    code, out, err = run_cli(["assess", "--answers", str(path), "--as-of", "2026-12-01"], capsys)
    assert (code, out) == (2, "")
    assert "field 'entry_date': 2027-06-01 is after the assessment date 2026-12-01" in err
    path.write_text('{"destination": "KZ", "entry_date": "1900-01-01"}', encoding="utf-8")
    code, out, err = run_cli(["assess", "--answers", str(path)], capsys)
    assert (
        code == 2
        and "field 'entry_date': 1900-01-01 is out of range (1992-01-01 to 2100-12-31)" in err
    )
