"""End to end in a real pseudo-terminal: `riskcli assess` asks, in Russian, a man in
Almaty who holds only a Russian domestic passport, and reports the days left of his stay."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

DOWN = "\x1b[B"
UP = "\x1b[A"
ENTER = "\r"
SPACE = " "
BACKSPACE = "\x7f"
TIMEOUT = 30  # seconds per step: generous, a loaded machine is slow to start Python


def spawn(tmp_path: Path, *args: str) -> pexpect.spawn:
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "LANG": "ru_RU.UTF-8",  # the locale suggests Russian; the person confirms it
        "LC_ALL": "",
        "NO_COLOR": "1",
        "PROMPT_TOOLKIT_NO_CPR": "1",  # no terminal emulator here to answer cursor queries
    }
    return pexpect.spawn(
        sys.executable,
        ["-m", "riskcli", "assess", "--as-of", "2022-11-07", *args],
        env=env,
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
        answer(child, "Какое у вас гражданство?", ENTER)  # Россия
        answer(child, "Какие документы у вас есть сейчас?", SPACE + ENTER)  # внутренний
        answer(child, "В какой стране вы сейчас", DOWN + ENTER)  # Казахстан
        answer(child, "Вы уже находитесь в стране «Казахстан»?", ENTER)  # Да
        answer(child, "Какого числа вы въехали", "31.09.2022" + ENTER)  # no such day
        child.expect_exact("«31.09.2022» — не дата")
        child.send(BACKSPACE * 10 + "28.09.2022" + ENTER)
        answer(child, "На каком основании", ENTER)  # без визы
        answer(child, "Есть ли против вас уголовное дело", DOWN * 3 + ENTER)  # не знаю
        answer(child, "Арестовал ли вас российский суд заочно?", DOWN + ENTER)  # нет
        answer(child, "Объявила ли вас Россия в розыск?", DOWN * 4 + ENTER)  # не знаю
        answer(child, "Участвовали ли вы в протестах", ENTER)  # нет
        answer(child, "Вы военнообязанный", ENTER)  # да
        answer(child, "Получали ли вы повестку?", DOWN + ENTER)  # нет
        answer(child, "Высказывались ли вы публично", DOWN + ENTER)
        answer(child, "в политической активности", DOWN + ENTER)
        answer(child, "Чем вы занимаетесь?", DOWN * 6 + ENTER)  # другое
        answer(child, "«иностранным агентом»?", DOWN + ENTER)
        answer(child, "Признана ли в России организация", ENTER)  # нет
        answer(child, "иностранное финансирование", DOWN + ENTER)
        answer(child, "Живут ли в России ваши близкие?", ENTER)  # да
        answer(child, "В какие страны вы хотели бы уехать", ENTER)  # не знаю
        answer(child, "без жилья или дохода", DOWN + ENTER)  # нет
        # The review screen: he made a mistake in the entry date (line 6) and fixes it.
        answer(child, "Ваши ответы.", DOWN * 6 + ENTER)
        answer(child, "Какого числа вы въехали", BACKSPACE * 10 + "25.09.2022" + ENTER)
        answer(child, "Ваши ответы.", UP * 6 + ENTER)  # всё верно
        answer(child, "Сохранить ответы в файл", ENTER)  # нет
        child.expect_exact("Оценка рисков")
        child.expect_exact("Безвизовое пребывание в Казахстане")
        child.expect_exact("осталось 46 дней")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert list(tmp_path.iterdir()) == []  # nothing saved unasked


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
