"""The interview's first question on the screen the moment riskcli starts.

Loading prompt_toolkit, questionary, typer and pydantic takes longer than a person
should wait for the first question, which is always the same: the language. So the
command line (``riskcli.cli.root``) asks :func:`draw_first_question` to draw it at
once, exactly as questionary will draw it, and loads the rest meanwhile; the interview
then hands the same screen over to the real widget (:meth:`FirstQuestion.hand_over`),
which draws the same characters in the same place: nothing moves.

Keys pressed meanwhile are kept: the terminal stops echoing and stops waiting for a
whole line (as prompt_toolkit's own raw mode does, with the same flags). The keys that
move the pointer (arrows, j/k, Ctrl-N/Ctrl-P, as questionary's select takes them) move
it at once, read by a thread of this module; the first other key (Enter, a letter...)
and everything after it wait for the widget: what the thread read of it is handed to
prompt_toolkit as typeahead, the rest stays in the terminal's buffer (prompt_toolkit
enters its raw mode without flushing it, ``TCSANOW``). The widget starts with the
pointer where it was left. Ctrl-C still interrupts (``ISIG`` is kept until the widget
takes over), but it is not raised wherever it lands while the rest loads: Python loses a
KeyboardInterrupt raised in some places (a weakref's callback prints it and goes on; a
class's ``__set_name__`` turns it into a RuntimeError), and the person would be left at
a question that no longer stops, or shown a traceback. Nothing is asked or written yet,
so riskcli stops there and then (:meth:`FirstQuestion._on_sigint`): the question is
redrawn as questionary leaves an aborted one, the one line the command line always says
is said, and the process ends (130); a Ctrl-C in the moment before those words are loaded
does so as soon as they are. (Were they not, it would be raised when the widget is to take
over, or at once for a second Ctrl-C.)
Whatever else is written before the hand-over (a usage error, a traceback) first takes
the drawing away (:meth:`FirstQuestion.withdraw`). The terminal's own settings come back
at exit (:meth:`FirstQuestion.close`).

Only the standard library is imported here, :mod:`riskcli.core.questions` (plain data)
once the terminal is quiet, and :mod:`riskcli.i18n` once the question is drawn: not
prompt_toolkit, questionary, typer or pydantic.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import textwrap
import threading
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TextIO

STOPPED = 130  # the exit status of Ctrl-C (riskcli.core.errors.ExitStatus.INTERRUPTED)

# questionary's select, as it draws it: "?" in its qmark style, the question in bold, the
# instruction plain; the choice under the pointer in reverse video.
QMARK_RGB = (0x5F, 0x81, 0x9D)  # questionary's default qmark colour, fg:#5f819d
ABORTED_RGB = (0x88, 0x88, 0x88)  # prompt_toolkit's class:aborting, #888888
POINTER = "»"
HIDE_CURSOR = "\033[?25l"
SHOW_CURSOR = "\033[?25h"


def locale_language(environ: Mapping[str, str] | None = None) -> str:
    """``ru`` if the locale (LC_ALL, then LC_MESSAGES, then LANG) is Russian, else ``en``."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "ru" if value.lower().startswith("ru") else "en"
    return "en"


def screen_width(columns: int | None) -> int:
    """The width the interview lays its lines out in."""
    return max(40, min(columns or 80, 100))


def fit(message: str, hint: str, width: int) -> str:
    """A question wrapped at word breaks to the screen ("? " before it, the hint after
    it on its last line, or on a line of its own when that line is full)."""
    room = width - 3
    lines = textwrap.wrap(message, width=room - 2) or [message]
    text = "\n  ".join(lines)
    if len(lines[-1]) + len(hint) + 4 > room:
        text += "\n "
    return text


def said(text: str, width: int) -> str:
    """A line of the interview (``Interview.say``) wrapped to the terminal."""
    lines = textwrap.wrap(text, width=width - 1, subsequent_indent="  ")
    return "\n".join(lines) or text


def _color_depth(environ: Mapping[str, str]) -> int | None:
    """prompt_toolkit's colour depth for this terminal (bits), None where it would not draw
    in colour as this module can (no colour at all: 1)."""
    if environ.get("NO_COLOR"):
        return 1
    forced = environ.get("PROMPT_TOOLKIT_COLOR_DEPTH")
    if forced in ("DEPTH_1_BIT", "DEPTH_4_BIT", "DEPTH_8_BIT", "DEPTH_24_BIT"):
        return {"DEPTH_1_BIT": 1, "DEPTH_4_BIT": None, "DEPTH_8_BIT": 8, "DEPTH_24_BIT": 24}[forced]
    term = environ.get("TERM")
    if term in ("linux", "eterm-color"):
        return None  # 16 colours: the nearest one is prompt_toolkit's to choose
    return 8


def _256(rgb: tuple[int, int, int]) -> int:
    """The xterm 256-colour index prompt_toolkit picks for an RGB colour (its 6x6x6 cube
    and grey ramp, nearest by squared distance; the 16 system colours excluded)."""
    steps = (0x00, 0x5F, 0x87, 0xAF, 0xD7, 0xFF)
    best, index = None, 0
    for i in range(16, 256):
        if i < 232:
            n = i - 16
            cand = (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
        else:
            g = 8 + (i - 232) * 10
            cand = (g, g, g)
        d = sum((a - b) ** 2 for a, b in zip(cand, rgb, strict=True))
        if best is None or d < best:
            best, index = d, i
    return index


def _fg(rgb: tuple[int, int, int], depth: int) -> str:
    if depth == 24:
        return ";38;2;{};{};{}".format(*rgb)
    if depth == 8:
        return f";38;5;{_256(rgb)}"
    return ""


def render(
    lang: str, width: int, depth: int, pointed: int | None = None
) -> tuple[str, str, int] | None:
    """The first question as the interview draws it: (the "why we ask" line(s), the prompt,
    how many lines the prompt takes below its first), or None where this module cannot
    draw it exactly (a question or a line too long for the screen)."""
    from riskcli.core.questions import LANGUAGE, ui

    hint = ui(lang, "arrows")
    message = fit(LANGUAGE.text.get(lang), hint, width)
    if "\n" in message:
        return None
    why = said(ui(lang, "why") + LANGUAGE.why.get(lang), width)
    choices = [o.words.get(lang) for o in LANGUAGE.options]
    selected = next(i for i, o in enumerate(LANGUAGE.options) if o.value == lang)
    if pointed is not None:
        selected = pointed % len(choices)
    if len(f"? {message} {hint}") >= width or any(len(c) + 3 >= width for c in choices):
        return None
    why_text = "\033[0m\033[0;3m" + why.replace("\n", "\033[0m\r\n\033[0;3m") + "\033[0m\r\n"
    qmark = f"\033[0{_fg(QMARK_RGB, depth)}m?"
    lines = [f"{qmark}\033[0;1m {message} \033[0m{hint}\033[0m"]
    for i, choice in enumerate(choices):
        if i == selected:
            lines.append(f"\033[0m {POINTER} \033[0;7m{choice}\033[0m")
        else:
            lines.append(f"\033[0m   {choice}\033[0m")
    return why_text, "\r\n".join(lines), len(lines) - 1


def aborted_line(lang: str, width: int, depth: int) -> str:
    """The question as questionary leaves it when Ctrl-C stops it (no choices, greyed)."""
    from riskcli.core.questions import LANGUAGE, ui

    hint = ui(lang, "arrows")
    message = fit(LANGUAGE.text.get(lang), hint, width)
    grey = _fg(ABORTED_RGB, depth)
    return f"\033[0{grey}m?\033[0{grey};1m {message} \033[0{grey}m{hint}\033[0m\r\n"


class _Guard:
    """sys.stdout or sys.stderr while the question is drawn and not handed over: the first
    thing anything else writes takes the drawing away first."""

    def __init__(self, stream: TextIO, owner: FirstQuestion):
        self._stream = stream
        self._owner = owner

    def write(self, text: str) -> int:
        if text:  # an empty write (a probe of the stream) draws nothing
            self._owner.withdraw()
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class FirstQuestion:
    """The first question, drawn; ``lang``: the language the interview starts in."""

    def __init__(self, lang: str, width: int, depth: int, fd_in: int, fd_out: int):
        self.lang = lang
        self.width = width
        self.depth = depth
        self.fd_in = fd_in
        self.fd_out = fd_out
        self.state = "new"  # then "drawn"; then "handed" (the widget has it) or "gone"
        self.why_lines = 0
        self.attrs_before: list[Any] | None = None
        self._streams: tuple[TextIO, TextIO] | None = None
        self.pointed: int | None = None  # where the pointer was moved to (None: not moved)
        self.pending = b""  # read from the terminal, not taken here: the widget's
        self.below = 0
        self._cursor_hidden = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sigint: Any = None  # the SIGINT handler before, while Ctrl-C is kept
        self.interrupt_pending = False
        self.stopped_line: str | None = None  # what the command line says on Ctrl-C

    def _write(self, text: str) -> None:
        data = text.encode("utf-8")
        while data:
            data = data[os.write(self.fd_out, data) :]

    def quiet_terminal(self) -> None:
        """Keys wait in the terminal's buffer, unseen, for the widget (prompt_toolkit's raw
        mode but for ISIG: Ctrl-C still interrupts)."""
        import termios

        try:
            self.attrs_before = termios.tcgetattr(self.fd_in)
            attrs = termios.tcgetattr(self.fd_in)
        except termios.error:
            return
        attrs[3] &= ~(termios.ECHO | termios.ICANON | termios.IEXTEN)
        attrs[0] &= ~(termios.IXON | termios.IXOFF | termios.ICRNL | termios.INLCR | termios.IGNCR)
        attrs[6][termios.VMIN] = 1
        termios.tcsetattr(self.fd_in, termios.TCSANOW, attrs)

    def _defer_interrupts(self) -> None:
        """From now until the widget has the question, a Ctrl-C is kept, not raised where
        it lands (module docstring); a second one is raised at once."""
        if threading.current_thread() is not threading.main_thread():
            return
        self._sigint = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, self._on_sigint)

    def _on_sigint(self, signum: int, frame: Any) -> None:
        """Ctrl-C while the rest loads: stop now, as the command line stops on Ctrl-C
        (nothing is asked or written yet, so nothing is owed a clean shutdown); kept for
        the hand-over while the words to say it are not loaded yet."""
        if self.stopped_line is not None and self.state == "drawn":
            self._stop_now()
        if self.interrupt_pending:  # pressed again: whatever is still loading, stop now
            self._undefer()
            raise KeyboardInterrupt
        self.interrupt_pending = True

    def _stop_now(self) -> None:
        assert self.stopped_line is not None
        line = self.stopped_line
        self.interrupted()
        self._write(f"\n{line}\n")
        self.close()
        os._exit(STOPPED)

    def _undefer(self) -> bool:
        """Ctrl-C raised where it lands again; whether one was kept meanwhile."""
        if self._sigint is None:
            return False
        signal.signal(signal.SIGINT, self._sigint)
        self._sigint = None
        pending, self.interrupt_pending = self.interrupt_pending, False
        return pending

    def draw(self) -> bool:
        self._defer_interrupts()
        self.quiet_terminal()  # first: from now on no key is echoed or lost
        drawn = render(self.lang, self.width, self.depth)
        if drawn is None:
            self.close()
            return False
        why, prompt, below = drawn
        self.below = below
        self.why_lines = why.count("\r\n")
        sys.stderr.flush()
        # The prompt's first line is where the widget will start drawing: the cursor is left
        # there, hidden (as questionary's select hides it).
        self._cursor_hidden = True
        self._write(f"{why}{HIDE_CURSOR}{prompt}\r" + (f"\033[{below}A" if below else ""))
        self.state = "drawn"
        self._streams = (sys.stdout, sys.stderr)
        sys.stdout = _Guard(sys.stdout, self)
        sys.stderr = _Guard(sys.stderr, self)
        self._thread = threading.Thread(target=self._listen, name="riskcli-first-keys", daemon=True)
        self._thread.start()
        from riskcli.i18n import t  # loaded by the command line anyway, now on the screen

        self.stopped_line = t(self.lang, "cli.stopped")
        if self.interrupt_pending:  # Ctrl-C while they loaded
            self._stop_now()
        return True

    # --- keys that move the pointer, until the widget is ready ---------------------------

    MOVES: ClassVar[dict[bytes, int]] = {b"\x1b[A": -1, b"\x1bOA": -1, b"k": -1, b"\x10": -1}
    MOVES |= {b"\x1b[B": 1, b"\x1bOB": 1, b"j": 1, b"\x0e": 1}

    def _byte(self, timeout: float | None) -> bytes:
        """One byte from the terminal: the first of a key ('' once the widget takes over),
        or (``timeout``) the next of a key begun, never left half read ('' if none came)."""
        while timeout is not None or not self._stop.is_set():
            ready, _, _ = select.select([self.fd_in], [], [], 0.02)
            if ready:
                return os.read(self.fd_in, 1)
            if timeout is not None:
                timeout -= 0.02
                if timeout <= 0:
                    return b""
        return b""

    def _key(self) -> bytes:
        """One key: a byte, an escape sequence, or a whole UTF-8 character."""
        first = self._byte(None)
        if first == b"\x1b":
            second = self._byte(0.05)
            if second not in (b"[", b"O"):
                return first + second
            key = first + second
            while len(key) < 16:
                more = self._byte(0.05)
                key += more
                if not more or 0x40 <= more[0] <= 0x7E:
                    break
            return key
        if first and first[0] >= 0xC0:  # the rest of a UTF-8 character, never half of it
            size = 2 if first[0] < 0xE0 else 3 if first[0] < 0xF0 else 4
            for _ in range(size - 1):
                first += self._byte(0.05)
        return first

    def _listen(self) -> None:
        try:
            while not self._stop.is_set():
                key = self._key()
                with self._lock:
                    if not key or self.state != "drawn" or self._stop.is_set():
                        self.pending += key
                        return
                    step = self.MOVES.get(key)
                    if step is None:
                        self.pending += key  # the widget's, with all that follows
                        return
                    self._move(step)
        except OSError:
            return

    def _move(self, step: int) -> None:
        from riskcli.core.questions import LANGUAGE

        values = [o.value for o in LANGUAGE.options]
        start = values.index(self.lang)
        self.pointed = ((start if self.pointed is None else self.pointed) + step) % len(values)
        drawn = render(self.lang, self.width, self.depth, self.pointed)
        assert drawn is not None
        choices = drawn[1].split("\r\n")[1:]
        redraw = "".join(f"\033[B\r{line}" for line in choices)
        self._write(f"{redraw}\r\033[{len(choices)}A")

    def _quiet_listener(self) -> None:
        """No more keys read here (the widget's from now on, or nobody's)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread() and thread.ident:
            thread.join(timeout=1)  # (ident: started)

    def _unguard(self) -> None:
        if self._streams is not None:
            sys.stdout, sys.stderr = self._streams
            self._streams = None

    def hand_over(self) -> bool:
        """The interview takes the screen as it is: True if the question is drawn there
        (then :attr:`pointed` and :attr:`pending` are the widget's to take).
        KeyboardInterrupt if Ctrl-C was pressed while the rest loaded."""
        if self._undefer():
            raise KeyboardInterrupt
        self._quiet_listener()
        self._unguard()
        with self._lock:
            if self.state != "drawn":
                return False
            self.state = "handed"
            return True

    def pointed_value(self) -> str | None:
        """The language under the pointer, if a key moved it."""
        from riskcli.core.questions import LANGUAGE

        if self.pointed is None:
            return None
        return str(LANGUAGE.options[self.pointed].value)

    def withdraw(self) -> None:
        """Take the drawing away (something else is to be said), the cursor shown again.
        A Ctrl-C kept meanwhile is raised again, as if pressed now."""
        if self._undefer():
            signal.raise_signal(signal.SIGINT)
        up = f"\033[{self.why_lines}A" if self.why_lines else ""
        self._take_away(lambda: f"\r{up}\033[J{SHOW_CURSOR}")

    def interrupted(self) -> None:
        """Ctrl-C before the widget had the question: leave it as questionary leaves it."""
        self._undefer()
        self._take_away(
            lambda: f"\r\033[J{aborted_line(self.lang, self.width, self.depth)}{SHOW_CURSOR}"
        )

    def _take_away(self, text: Callable[[], str]) -> None:
        """Stop listening and guarding; if still drawn, write ``text()`` over the drawing."""
        self._quiet_listener()
        self._unguard()
        with self._lock:
            if self.state != "drawn":
                return
            self.state = "gone"
            self._write(text())
            self._cursor_hidden = False

    def close(self) -> None:
        """The terminal's settings as they were before riskcli started (and the cursor
        shown, if the drawing hid it: an exit before the widget drew would leave it hidden)."""
        self._undefer()
        self._quiet_listener()
        self._unguard()
        if self._cursor_hidden:
            self._cursor_hidden = False
            with contextlib.suppress(OSError, ValueError):
                self._write(SHOW_CURSOR)
        if self.attrs_before is not None:
            import termios

            with contextlib.suppress(termios.error):
                termios.tcsetattr(self.fd_in, termios.TCSANOW, self.attrs_before)
            self.attrs_before = None


def draw_first_question(
    environ: Mapping[str, str] | None = None, fd_in: int = 0, fd_out: int = 2
) -> FirstQuestion | None:
    """Draw the language question on the terminal now, if both ends are one; else None."""
    env = os.environ if environ is None else environ
    if not (os.isatty(fd_in) and os.isatty(fd_out)):
        return None
    if env.get("TERM") in ("dumb", "unknown"):
        return None
    depth = _color_depth(env)
    if depth is None:
        return None
    try:
        columns = os.get_terminal_size(fd_out).columns
    except OSError:
        return None
    if 0 < columns < 40:  # narrower than the interview lays out (0: unknown, taken as 80)
        return None
    first = FirstQuestion(locale_language(env), screen_width(columns), depth, fd_in, fd_out)
    try:
        drawn = first.draw()
    except BaseException:  # Ctrl-C or an error while drawing: the terminal as it was
        first.close()
        raise
    return first if drawn else None
