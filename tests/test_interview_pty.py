"""End to end in a real pseudo-terminal: `riskcli assess` asks, in Russian, a man in
Almaty who holds only a Russian domestic passport, and reports the days left of his stay;
Enter alone through the whole interview invents no answer; Ctrl-C and Ctrl-Q write nothing."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import pexpect
import pytest

DOWN = "\x1b[B"
UP = "\x1b[A"
ENTER = "\r"
SPACE = " "
BACKSPACE = "\x7f"
CTRL_Q = "\x11"
CLEAR = "\x1b[H\x1b[2J\x1b[3J"  # home, screen, then scrollback
TIMEOUT = 30  # seconds per step: generous, a loaded machine is slow to start Python


def spawn(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> pexpect.spawn:
    environ = {
        **os.environ,
        "TERM": "xterm-256color",
        "LANG": "ru_RU.UTF-8",  # the locale suggests Russian; the person confirms it
        "LC_ALL": "",
        "NO_COLOR": "1",
        "PROMPT_TOOLKIT_NO_CPR": "1",  # no terminal emulator here to answer cursor queries
        **(env or {}),
    }
    return pexpect.spawn(
        sys.executable,
        ["-m", "riskcli", "assess", "--as-of", "2022-11-07", *args],
        env=environ,
        cwd=str(tmp_path),
        dimensions=(24, 80),
        encoding="utf-8",
        timeout=TIMEOUT,
    )


def answer(child: pexpect.spawn, question: str, keys: str) -> None:
    child.expect_exact(question)
    child.send(keys)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_almaty_man_in_russian_sees_the_days_left(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    try:
        answer(child, "Language / Язык", ENTER)  # Русский, from the locale
        answer(child, "Какое у вас гражданство?", DOWN + ENTER)  # российское
        answer(child, "Какие документы у вас есть сейчас?", SPACE + ENTER)  # внутренний
        answer(child, "В какой стране вы сейчас", DOWN * 2 + ENTER)  # Казахстан
        answer(child, "Вы уже в Казахстане?", DOWN + ENTER)  # да
        answer(child, "Когда вы въехали в Казахстан?", "31.09.2022" + ENTER)  # no such day
        child.expect_exact("Такой даты нет: «31.09.2022»")
        child.send(BACKSPACE * 10 + "28.09.2022" + ENTER)
        answer(child, "На каком основании", DOWN + ENTER)  # без визы
        answer(child, "Возбуждено ли против вас уголовное дело", ENTER)  # не знаю
        answer(child, "Арестовал ли вас российский суд заочно?", DOWN * 2 + ENTER)  # нет
        answer(child, "Объявлены ли вы в розыск в России?", ENTER)  # не знаю
        answer(child, "Участвовали ли вы в протестах", DOWN + ENTER)  # нет
        answer(child, "Подлежите ли вы призыву или мобилизации", DOWN + ENTER)  # да
        answer(child, "Вам приходила повестка из военкомата?", DOWN * 2 + ENTER)  # нет
        answer(child, "Высказывались ли вы публично", DOWN * 2 + ENTER)
        answer(child, "в политической деятельности", DOWN * 2 + ENTER)
        answer(child, "Чем вы занимаетесь?", DOWN * 7 + ENTER)  # другое
        answer(child, "«иностранным агентом»?", DOWN * 2 + ENTER)
        answer(child, "особый статус у организации", DOWN + ENTER)  # нет
        answer(child, "деньги из-за рубежа", DOWN * 2 + ENTER)
        answer(child, "Остались ли в России ваши близкие?", DOWN + ENTER)  # да
        answer(child, "перебраться потом?", ENTER)  # не знаю
        answer(child, "без жилья", DOWN * 2 + ENTER)  # нет
        # The review screen: he made a mistake in the entry date (line 6) and fixes it.
        answer(child, "Проверьте ответы.", DOWN * 6 + ENTER)
        answer(child, "Когда вы въехали в Казахстан?", BACKSPACE * 10 + "25.09.2022" + ENTER)
        answer(child, "Проверьте ответы.", UP * 6 + ENTER)  # всё верно
        # The report first, then the offer to save.
        child.expect_exact("Оценка рисков")
        child.expect_exact("осталось 46 дней")  # the nearest deadline, in the opening block
        child.expect_exact("Безвизовое пребывание в Казахстане")
        answer(child, "Сохранить ответы в файл", ENTER)  # нет
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert list(tmp_path.iterdir()) == []  # nothing saved unasked


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_enter_alone_through_the_whole_interview_invents_nothing(tmp_path: Path, lang: str) -> None:
    """Only Enter, at every question: every answer is "don't know". The country is the one
    answer the report needs; Enter alone there is refused, and it is then chosen."""
    report_file = tmp_path / "report.json"
    child = spawn(tmp_path, "--lang", lang, "--format", "json", "--output", str(report_file))
    refusal = {"en": r"Choose a country: the report", "ru": r"Выберите страну: от неё"}[lang]
    review = {"en": r"Pick one to change it", "ru": r"Чтобы изменить ответ, выберите его"}[lang]
    save = {"en": "Save these answers to a file", "ru": "Сохранить ответы в файл"}[lang]
    dont_know = {"en": "don't know", "ru": "не знаю"}[lang]
    progress = {"en": r"Question \d+ of about \d+", "ru": r"Вопрос \d+ примерно из \d+"}[lang]
    hints = {
        "en": [r"\(arrows, Enter\)", r"\(Space ticks", r"\(DD\.MM\.YYYY", r"\(empty = "],
        "ru": [r"\(стрелки и Enter\)", r"\(пробел", r"\(ДД\.ММ\.ГГГГ", r"\(пусто — "],
    }[lang]
    presses = 0
    try:
        while True:
            index = child.expect([progress, refusal, review])
            if index == 1:  # the country: Enter on "(choose a country)" is not taken
                child.expect(hints[0])
                child.send(DOWN * 2 + ENTER)  # Kazakhstan
                continue
            if index == 2:
                break
            child.expect(hints)  # the question itself is on the screen
            child.send(ENTER)
            presses += 1
            assert presses < 40, "the interview did not end"
        child.expect_exact({"en": "Needs shelter", "ru": "Нужна помощь"}[lang])  # its last line
        screen = child.before
        child.send(ENTER)  # all correct: show the report
        answer(child, save, ENTER)  # the first answer: do not save
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert presses >= 18  # every question was asked and answered with Enter alone
    assert screen.count(dont_know) >= 15  # the review screen: "don't know" everywhere
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report["coverage"]["destination"] == "KZ"
    triggers = [value for risk in report["risks"] for value in risk["triggered_by"].values()]
    assert True not in triggers and "yes" not in triggers  # no answer "yes" anywhere
    confirmed = [
        (risk["id"], risk["severity"])
        for risk in report["risks"]
        if risk["certainty"] != "possible" and risk["severity"] in ("high", "critical")
    ]
    assert confirmed == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]  # nothing else


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_ctrl_c_halfway_leaves_nothing_written(tmp_path: Path) -> None:
    data = tmp_path / "data"
    child = spawn(tmp_path, "--lang", "en", env={"XDG_DATA_HOME": str(data), "HOME": str(tmp_path)})
    try:
        answer(child, "What is your citizenship?", DOWN + ENTER)
        answer(child, "Which identity documents", SPACE + ENTER)
        answer(child, "Which country are you in", DOWN * 2 + ENTER)
        answer(child, "Are you already in Kazakhstan?", DOWN + ENTER)
        answer(child, "On what day did you enter Kazakhstan?", "25.09.2022" + ENTER)
        answer(child, "On what basis", "\x03")
        child.expect_exact("stopped; nothing was saved")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 130
    assert list(tmp_path.iterdir()) == []  # no file, no store, no folder


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_ctrl_q_clears_the_screen_and_scrollback_and_quits(tmp_path: Path, lang: str) -> None:
    child = spawn(tmp_path, "--lang", lang)
    question = {"en": "Which identity documents", "ru": "Какие документы у вас есть"}[lang]
    try:
        answer(child, "? ", DOWN + ENTER)  # citizenship
        answer(child, question, CTRL_Q)
        child.expect_exact(CLEAR)
        rest = child.read()
    finally:
        child.close()
    assert child.exitstatus == 130
    assert rest.strip() == ""  # nothing is said after the screen is cleared
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_ctrl_c_in_a_terminal(tmp_path: Path) -> None:
    child = spawn(tmp_path, "--lang", "ru")
    try:
        answer(child, "Какое у вас гражданство?", ENTER)
        answer(child, "Какие документы у вас есть сейчас?", "\x03")
        child.expect_exact("остановлено; ничего не сохранено")
        rest = child.read()
    finally:
        child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in rest
    assert "stopped" not in rest.replace("(stopped; nothing was saved)", "", 1)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_sigint_at_an_open_question_stops_as_ctrl_c_does(tmp_path: Path, lang: str) -> None:
    # A Ctrl-C that reaches the terminal just before a question's widget has taken the
    # keyboard arrives as a signal, not a key (so does `kill -INT`): the question must stop,
    # not wait on for a key that never comes.
    child = spawn(tmp_path, "--lang", lang)
    question = {"en": "What is your citizenship?", "ru": "Какое у вас гражданство?"}[lang]
    stopped = {"en": "stopped; nothing was saved", "ru": "остановлено; ничего не сохранено"}
    try:
        child.expect_exact(question)  # drawn: the widget has the terminal in raw mode
        os.kill(child.pid, signal.SIGINT)
        child.expect_exact(stopped[lang])
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 130
    assert list(tmp_path.iterdir()) == []
