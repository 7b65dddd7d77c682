"""The interview: asks a person about their situation in the terminal, in English or Russian.

The only module that imports questionary. The questions themselves are data in
``riskcli.core.questions``; this module asks them in order, asks follow-ups only when
they apply, shows a review screen where any answer can be changed, and, if the
person wants it, saves the answers to a file only they can read.

Every prompt uses ``unsafe_ask()``, so Ctrl-C raises ``KeyboardInterrupt`` and
Ctrl-D raises ``EOFError``; nothing is written before the person asks for it.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pycountry
import questionary
import yaml
from prompt_toolkit import print_formatted_text
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent, merge_key_bindings
from prompt_toolkit.output import Output

from riskcli.core.errors import Interrupted
from riskcli.core.profile import Profile, make_profile, parse_charge, parse_country, parse_date
from riskcli.core.questions import (
    BY_KEY,
    DONT_KNOW,
    DONT_KNOW_WORDS,
    LANGUAGE,
    NO,
    OTHER_COUNTRY,
    YES,
    Question,
    active,
    prune,
    to_profile_data,
    ui,
)
from riskcli.i18n import country_name

DONE = "__done__"
REVIEW_WIDTH = 72  # a review line must fit 80 columns with the pointer and margins
LABEL_WIDTH = 24


def locale_language(environ: Mapping[str, str] | None = None) -> str:
    """``ru`` if the locale (LC_ALL, then LC_MESSAGES, then LANG) is Russian, else ``en``."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "ru" if value.lower().startswith("ru") else "en"
    return "en"


def split_items(text: str) -> list[str]:
    """Items typed on one line, separated by commas, semicolons or spaces."""
    return [part for part in text.replace(",", " ").replace(";", " ").split() if part]


class CountryCompleter(Completer):
    """Completes ISO codes from a code or the start of a country's name (in either language).

    With ``many``, completes the last of several codes on the line.
    """

    def __init__(self, lang: str, *, many: bool = False):
        self.many = many
        self.entries: list[tuple[str, str, str]] = []
        for country in pycountry.countries:
            code = str(country.alpha_2)
            name = country_name(code, lang)
            self.entries.append((code, name, f"{name} {country_name(code, 'en')}".lower()))

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        text = document.text_before_cursor
        if self.many:
            cut = max(text.rfind(sep) for sep in (",", ";", " "))
            text = text[cut + 1 :]
        word = text.strip().lower()
        if not word:
            return
        by_code = sorted(e for e in self.entries if e[0].lower().startswith(word))
        by_name = [
            e
            for e in self.entries
            if e not in by_code and any(n.startswith(word) for n in e[2].split())
        ]
        for code, name, _ in [*by_code, *sorted(by_name, key=lambda e: e[1])]:
            yield Completion(code, start_position=-len(text), display=f"{code} {name}")


class Interview:
    """One run of the questions for one person. ``run()`` returns the validated profile."""

    def __init__(
        self,
        destinations: Sequence[str],
        *,
        as_of: dt.date | None = None,
        lang: str | None = None,
        save_as_of: bool = False,
        input: Input | None = None,
        output: Output | None = None,
        environ: Mapping[str, str] | None = None,
        prefill: Mapping[str, Any] | None = None,
        on_answer: Callable[[dict[str, Any]], None] | None = None,
        to_store: bool = False,
        store_question: tuple[str, str, str] = ("store", "store_no", "store_yes"),
    ):
        self.destinations = destinations  # may be read lazily: not before it is needed
        self.as_of = as_of or dt.date.today()
        self.fixed_lang = lang
        self.lang = lang or locale_language(environ)
        self.save_as_of = save_as_of
        self.io: dict[str, Any] = {"input": input, "output": output}
        self.output = output
        self.answers: dict[str, Any] = dict(prefill or {})
        self.saved_to: Path | None = None
        # A save point after every answer (an encrypted draft, when the person chose the store).
        self.on_answer = on_answer
        self.to_store = to_store
        self.store_question = store_question
        self.store_wanted = False

    # --- the flow -------------------------------------------------------------------

    def run(self) -> Profile:
        if self.fixed_lang is None:
            self.ask(LANGUAGE)
        else:
            self.answers["language"] = self.fixed_lang
        self.say(ui(self.lang, "intro"))
        self.fill()
        self.review()
        profile = self.profile()
        if self.to_store:
            self.store_wanted = self.ask_choice(*self.store_question)
        else:
            self.offer_save(profile)
        self.say("")
        return profile

    def save_point(self) -> None:
        if self.on_answer is not None:
            self.on_answer(dict(self.answers))

    def fill(self) -> None:
        """Ask every question that applies and has no answer yet, in order."""
        while True:
            pending = [q for q in active(self.answers) if q.key not in self.answers]
            if not pending:
                return
            self.ask(pending[0])
            prune(self.answers)
            self.save_point()

    def review(self) -> None:
        """List all answers; the person picks one to change, or goes on to the report."""
        last = DONE
        while True:
            shown = [LANGUAGE] if self.fixed_lang is None else []
            shown += [q for q in active(self.answers) if q.key in self.answers]
            choices = [questionary.Choice(ui(self.lang, "review_done"), value=DONE)]
            choices += [questionary.Choice(self.review_line(q), value=q.key) for q in shown]
            pick = self.prompt(
                questionary.select(
                    ui(self.lang, "review"),
                    choices=choices,
                    default=next((c for c in choices if c.value == last), choices[0]),
                    instruction=ui(self.lang, "arrows"),
                    erase_when_done=True,  # the list is long; it is shown again after a change
                    **self.io,
                )
            )
            if pick == DONE:
                return
            self.ask(BY_KEY[pick])
            prune(self.answers)
            self.save_point()
            self.fill()
            last = pick

    def profile(self) -> Profile:
        return make_profile(to_profile_data(self.answers), source="interview", as_of=self.as_of)

    # --- asking one question -----------------------------------------------------------

    def ask(self, q: Question) -> None:
        self.say(ui(self.lang, "why") + q.why.get(self.lang), style="italic")
        message = q.text.get(self.lang).format(country=self.country())
        current = self.answers.get(q.key)
        value: Any
        if q.kind in ("select", "yes_no"):
            value = self.ask_select(q, message, current)
        elif q.kind == "multi":
            value = self.ask_multi(q, message, current)
        elif q.kind == "destination":
            value = self.ask_destination(message, current)
        else:
            value = self.ask_typed(q, message, current)
        self.answers[q.key] = value
        if q is LANGUAGE:
            self.lang = value

    def options(self, q: Question) -> list[questionary.Choice]:
        lang = self.lang
        if q.kind == "yes_no":
            choices = [
                questionary.Choice(YES.get(lang), True),
                questionary.Choice(NO.get(lang), False),
            ]
        else:
            choices = [questionary.Choice(o.words.get(lang), o.value) for o in q.options]
        if q.dont_know:
            choices.append(questionary.Choice(DONT_KNOW_WORDS.get(lang), DONT_KNOW))
        return choices

    def ask_select(self, q: Question, message: str, current: Any) -> Any:
        choices = self.options(q)
        if q is LANGUAGE and current is None:
            current = self.lang
        default = next((c for c in choices if c.value == current), choices[0])
        return self.prompt(
            questionary.select(
                message,
                choices=choices,
                default=default,
                instruction=ui(self.lang, "arrows"),
                **self.io,
            )
        )

    def ask_multi(self, q: Question, message: str, current: Any) -> list[str]:
        ticked = set(current or ())
        choices = [
            questionary.Choice(o.words.get(self.lang), o.value, checked=o.value in ticked)
            for o in q.options
        ]
        result = list(
            self.prompt(
                questionary.checkbox(
                    message,
                    choices=choices,
                    instruction=ui(self.lang, "ticks"),
                    erase_when_done=True,  # its own summary line is English ("done")
                    **self.io,
                )
            )
        )
        self.echo(message, self.shown_value(q, result))
        return result

    def ask_destination(self, message: str, current: Any) -> str:
        choices = [
            questionary.Choice(f"{country_name(code, self.lang)} ({code})", code)
            for code in self.destinations
        ]
        choices.append(questionary.Choice(ui(self.lang, "other_country"), OTHER_COUNTRY))
        default = next(
            (c for c in choices if c.value == current),
            choices[-1] if current else choices[0],
        )
        pick = self.prompt(
            questionary.select(
                message,
                choices=choices,
                default=default,
                instruction=ui(self.lang, "arrows"),
                **self.io,
            )
        )
        if pick != OTHER_COUNTRY:
            return str(pick)
        typed = self.prompt(
            questionary.text(
                ui(self.lang, "country_code"),
                default=current if current and current not in self.destinations else "",
                validate=self.check_country,
                completer=CountryCompleter(self.lang),
                complete_while_typing=True,
                **self.io,
            )
        )
        code = parse_country(self.country_code(typed))
        assert code is not None  # the validator refused anything else
        if code not in self.destinations:
            self.say(ui(self.lang, "not_covered", country=country_name(code, self.lang)))
        return code

    def ask_typed(self, q: Question, message: str, current: Any) -> Any:
        if current is None or current == DONT_KNOW:
            default = ""
        elif isinstance(current, dt.date):
            default = current.isoformat()
        elif isinstance(current, list):
            default = ", ".join(current)
        else:
            default = str(current)
        hint = "date_hint" if q.kind == "date" else "text_hint"
        completer = CountryCompleter(self.lang, many=True) if q.kind == "countries" else None
        text = self.prompt(
            questionary.text(
                message,
                default=default,
                validate=lambda value: self.check_typed(q, value),
                instruction=ui(self.lang, hint),
                completer=completer,
                erase_when_done=True,  # an empty answer would be left blank: say it instead
                **self.io,
            )
        )
        value = self.typed_value(q, text)
        self.echo(message, self.shown_value(q, value))
        return value

    # --- checking typed answers (validators return True or the reason, in the person's language)

    def typed_value(self, q: Question, text: str) -> Any:
        if q.kind == "date":
            day = parse_date(text)
            return DONT_KNOW if day is None else day
        items = split_items(text)
        if not items:
            return DONT_KNOW
        if q.kind == "charges":
            return [parse_charge(item) for item in items]
        return [parse_country(self.country_code(item)) for item in items]

    def check_typed(self, q: Question, text: str) -> bool | str:
        if not text.strip():
            return True
        if q.kind == "date":
            return self.check_date(q, text)
        for item in split_items(text):
            try:
                if q.kind == "charges":
                    parse_charge(item)
                else:
                    parse_country(self.country_code(item))
            except ValueError:
                key = "bad_charges" if q.kind == "charges" else "bad_country"
                return ui(self.lang, key, value=item)
        return True

    def check_date(self, q: Question, text: str) -> bool | str:
        try:
            day = parse_date(text)
        except ValueError:
            return ui(self.lang, "bad_date", value=text.strip())
        if day is not None and q.key == "entry_date" and day > self.as_of:
            return ui(self.lang, "date_future", date=day.isoformat(), today=self.as_of.isoformat())
        return True

    def check_country(self, text: str) -> bool | str:
        try:
            if parse_country(self.country_code(text)) is None:
                return ui(self.lang, "need_country")
        except ValueError:
            return ui(self.lang, "bad_country", value=text.strip())
        return True

    def country_code(self, text: str) -> str:
        """A code as typed, or a country's full name (in English or the person's language)."""
        word = text.strip()
        if len(word) == 2:
            return word
        for country in pycountry.countries:
            code = str(country.alpha_2)
            names = {country_name(code, "en").lower(), country_name(code, self.lang).lower()}
            if word.lower() in names:
                return code
        return word

    # --- the review screen ---------------------------------------------------------

    def review_line(self, q: Question) -> str:
        label = q.label.get(self.lang)
        value = self.shown_value(q, self.answers.get(q.key))
        line = f"{label:<{LABEL_WIDTH}} {value}"
        return line if len(line) <= REVIEW_WIDTH else line[: REVIEW_WIDTH - 1] + "…"

    def shown_value(self, q: Question, value: Any) -> str:
        lang = self.lang
        if value == DONT_KNOW:
            return ui(lang, "dont_know")
        if q.kind == "yes_no":
            return (YES if value else NO).get(lang)
        if q.kind == "destination":
            return f"{country_name(value, lang)} ({value})"
        if isinstance(value, dt.date):
            return value.isoformat()
        if q.kind == "multi":
            words = {o.value: o.words.get(lang) for o in q.options}
            return ", ".join(words[v] for v in value) or ui(lang, "none")
        if isinstance(value, list):
            return ", ".join(value)
        return next((o.words.get(lang) for o in q.options if o.value == value), str(value))

    def country(self) -> str:
        code = self.answers.get("destination")
        return country_name(code, self.lang) if isinstance(code, str) else "?"

    # --- saving ----------------------------------------------------------------------

    def offer_save(self, profile: Profile) -> Path | None:
        """Ask whether to save; if yes, warn, ask for a file name, write it readable only
        by its owner. Never saves unasked. If writing fails, say why and ask again."""
        while True:
            wants = self.ask_save()
            if not wants:
                return None
            self.say(ui(self.lang, "save_warn"), style="bold")
            name = self.prompt(
                questionary.text(ui(self.lang, "save_path"), validate=self.check_path, **self.io)
            )
            path = Path(name.strip()).expanduser()
            text = answers_document(profile, self.lang, keep_as_of=self.save_as_of)
            try:
                write_private(path, text)
            except OSError as exc:
                self.say(ui(self.lang, "save_fail", path=path, reason=exc.strerror or exc))
                continue
            self.saved_to = path
            self.say(ui(self.lang, "saved", path=path))
            return path

    def ask_save(self) -> bool:
        return self.ask_choice("save", "save_no", "save_yes")

    def ask_choice(self, question: str, no: str, yes: str) -> bool:
        """A translated yes/no question whose first (default) answer is no."""
        wants = self.prompt(
            questionary.select(
                ui(self.lang, question),
                choices=[
                    questionary.Choice(ui(self.lang, no), False),
                    questionary.Choice(ui(self.lang, yes), True),
                ],
                instruction=ui(self.lang, "arrows"),
                **self.io,
            )
        )
        return bool(wants)

    def check_path(self, text: str) -> bool | str:
        if not text.strip():
            return ui(self.lang, "save_path_empty")
        path = Path(text.strip()).expanduser()
        if path.exists() or path.is_symlink():
            return ui(self.lang, "save_exists", path=path)
        if not path.parent.is_dir():
            return ui(self.lang, "save_dir", path=path.parent)
        return True

    # --- terminal plumbing -----------------------------------------------------------

    def prompt(self, question: questionary.Question) -> Any:
        """Ask; Ctrl-C raises KeyboardInterrupt, Ctrl-D raises EOFError, at any prompt."""
        extra = KeyBindings()

        @extra.add("c-d", eager=True)
        def _stop(event: KeyPressEvent) -> None:
            event.app.exit(exception=EOFError, style="class:aborting")

        app = question.application
        app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), extra])
        return question.unsafe_ask()

    def echo(self, message: str, answer: str) -> None:
        """The line questionary leaves after an answer, for prompts that erase themselves."""
        tokens = [
            ("class:qmark fg:#5f819d", "?"),
            ("class:question bold", f" {message} "),
            ("class:answer fg:#FF9D00 bold", answer),
        ]
        print_formatted_text(FormattedText(tokens), output=self.output)

    def say(self, text: str, style: str = "") -> None:
        """Print a line of the interview (on the prompts' output), wrapped to the terminal."""
        width = 80
        if self.output is not None:
            width = self.output.get_size().columns or 80
        lines = textwrap.wrap(text, width=max(40, min(width, 100) - 1), subsequent_indent="  ")
        print_formatted_text(FormattedText([(style, "\n".join(lines) or text)]), output=self.output)


def answers_document(profile: Profile, lang: str, *, keep_as_of: bool) -> str:
    """The answers as a YAML file that ``riskcli assess --answers`` reads back."""
    data = profile.answers()
    if not keep_as_of:
        data.pop("as_of", None)
    header = "".join(f"# {line}\n" for line in ui(lang, "file_header").splitlines())
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def write_private(path: Path, text: str) -> None:
    """Create ``path`` (it must not exist) with mode 0600 and write ``text``; on failure
    remove what was created."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)  # whatever the umask, before any byte is written
            handle.write(text)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def run_interview(destinations: Sequence[str], **options: Any) -> tuple[Profile, Interview]:
    """The one way the command line starts an interview: prompts on stderr (standard
    output keeps the report), and Ctrl-C or Ctrl-D at any prompt raises ``Interrupted``
    with the language chosen so far. ``options``: those of :class:`Interview`."""
    from prompt_toolkit.output import create_output

    session = Interview(destinations, output=create_output(stdout=sys.stderr), **options)
    try:
        return session.run(), session
    except (KeyboardInterrupt, EOFError):
        raise Interrupted(session.lang) from None
