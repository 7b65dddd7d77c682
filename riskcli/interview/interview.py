"""The interview: asks a person about their situation in the terminal, in English or Russian.

The only module that imports questionary. The questions themselves are data in
``riskcli.core.questions``; this module asks them in order, asks follow-ups only when
they apply, shows a review screen where any answer can be changed, and, if the
person wants it, saves the answers to a file only they can read.

No answer is ever preselected: every question about the person starts with the
cursor on "Don't know" (Enter alone takes it), and the country, which the report
cannot do without, starts on "(choose a country)", which Enter does not accept.
"← Back" (or the Left arrow; in a typed answer, Left on an empty line) goes back one
question. Ctrl-Q at any prompt clears the screen and the terminal's scrollback and
quits, saving nothing more.

Every prompt uses ``unsafe_ask()``, so Ctrl-C raises ``KeyboardInterrupt`` and
Ctrl-D raises ``EOFError``; nothing is written before the person asks for it.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pycountry
import questionary
import yaml
from prompt_toolkit import print_formatted_text
from prompt_toolkit.application import get_app
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent, merge_key_bindings
from prompt_toolkit.output import Output

from riskcli.core.errors import InputError, Interrupted
from riskcli.core.implications import Conflict, settle
from riskcli.core.profile import (
    MAX_DATE,
    MIN_DATE,
    Profile,
    date_problem,
    make_profile,
    parse_charge,
    parse_country,
    read_date,
)
from riskcli.core.questions import (
    BY_KEY,
    DONT_KNOW,
    DONT_KNOW_WORDS,
    LANGUAGE,
    NO,
    NONE_OF_THESE,
    NONE_WORDS,
    OTHER_COUNTRY,
    QUESTIONS,
    YES,
    Question,
    active,
    country_forms,
    date_words,
    prune,
    to_profile_data,
    ui,
)
from riskcli.i18n import country_name
from riskcli.interview.early import FirstQuestion, fit, said, screen_width
from riskcli.interview.early import locale_language as locale_language

DONE = "__done__"
BACK = "__back__"
CHOOSE = "__choose__"  # the country's placeholder: Enter on it is refused
KEEP = "__keep__"
# Home the cursor, clear the screen, then the scrollback (3J last: some terminals, tmux
# among them, move a cleared screen into the scrollback): the quick exit's last words.
CLEAR_SCREEN = "\033[H\033[2J\033[3J"
STAY_KEYS = ("in_country", "entry_date", "stay_basis")  # about the stay in one country
ERROR_WIDTH = 78  # a refusal is shown on one line of an 80-column screen
REVIEW_WIDTH = 72  # a review line must fit 80 columns with the pointer and margins
LABEL_WIDTH = 24


class GoBack(Exception):
    """The person asked for the previous question."""


class QuickExit(Exception):
    """Ctrl-Q: clear the screen and quit at once."""


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
    """One run of the questions for one person. ``run()`` returns the validated profile;
    ``close()``, after the report is shown, offers to save it."""

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
        keep_first: bool = True,
        resumed: bool = False,
        first_drawn: bool = False,
        first_pointed: str | None = None,
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
        self.keep_first = keep_first  # --save-case: the final prompt's first answer is "keep"
        self.store_wanted = False
        self.resumed = resumed
        self.history: list[str] = []  # the questions asked, in order, for "← Back"
        self.recalled: dict[str, Any] = {}  # answers taken back by "← Back": the cursor's start
        self.kept: set[str] = set()  # conflicts the person chose to leave as they are
        self.in_review = False
        # The language question is on the screen already (riskcli.interview.early), its
        # "why we ask" line above it: the widget takes the same place.
        self.first_drawn = first_drawn and lang is None
        self.first_pointed = first_pointed  # where keys moved its pointer meanwhile

    # --- the flow -------------------------------------------------------------------

    def run(self) -> Profile:
        """The questions and the review screen; the profile they give (nothing saved)."""
        if self.fixed_lang is None:
            while True:
                try:
                    self.ask(LANGUAGE)
                    break
                except GoBack:
                    self.say(ui(self.lang, "first_question"))
        else:
            self.answers["language"] = self.fixed_lang
        self.say(ui(self.lang, "intro"))
        if self.resumed:
            self.say_restored()
        self.fill()
        self.review()
        return self.profile()

    def close(self, profile: Profile) -> None:
        """After the report: offer to save the answers to a file, or to keep the case."""
        if self.to_store:
            self.store_wanted = self.ask_choice(*self.store_question, yes_first=self.keep_first)
        else:
            self.offer_save(profile)
        self.say("")

    def say_restored(self) -> None:
        restored = [q for q in QUESTIONS if q.key in self.answers and q.saved]
        names = [q.label.get(self.lang) for q in restored]
        shown = ", ".join(names[:4]) + (", …" if len(names) > 4 else "")
        self.say(ui(self.lang, "restored", n=len(restored), fields=shown), style="bold")

    def save_point(self) -> None:
        if self.on_answer is not None:
            self.on_answer(dict(self.answers))

    def fill(self) -> None:
        """Ask every question that applies and has no answer yet, in order."""
        while True:
            questions = active(self.answers)
            pending = [q for q in questions if q.key not in self.answers]
            if not pending:
                return
            q = pending[0]
            if not self.in_review:
                number = questions.index(q) + 1
                self.say(ui(self.lang, "progress", n=number, total=len(questions)), style="bold")
            try:
                self.ask(q)
            except GoBack:
                self.go_back()
                continue
            self.history.append(q.key)
            self.after_answer(q)

    def go_back(self) -> None:
        """Take back the answer to the question asked before; it is asked again next."""
        while self.history:
            key = self.history.pop()
            if key in self.answers:
                self.recalled[key] = self.answers.pop(key)
                prune(self.answers)
                self.save_point()
                return
        self.say(ui(self.lang, "first_question"))

    def after_answer(self, q: Question) -> None:
        prune(self.answers)
        self.save_point()
        self.resolve_conflicts(q.key)

    def review(self) -> None:
        """List all answers; the person picks one to change, or goes on to the report."""
        last = DONE
        self.in_review = True
        try:
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
                if pick in (DONE, BACK):
                    return
                self.change(BY_KEY[pick])
                last = pick
        finally:
            self.in_review = False

    def change(self, q: Question) -> None:
        """One answer changed from the review screen, and what follows from it."""
        before = self.answers.get(q.key)
        try:
            self.ask(q)
        except GoBack:
            return
        if q.key == "destination" and self.answers.get(q.key) != before:
            # The stay questions were about the old country: ask them again.
            if any(key in self.answers for key in STAY_KEYS):
                self.say(ui(self.lang, "country_changed"))
            for key in STAY_KEYS:
                self.answers.pop(key, None)
        self.after_answer(q)
        self.fill()

    def profile(self) -> Profile:
        return make_profile(to_profile_data(self.answers), source="interview", as_of=self.as_of)

    # --- answers that cannot both hold -------------------------------------------------

    def conflicts(self) -> list[Conflict]:
        """What the declared implications say cannot hold together in the answers so far."""
        data = to_profile_data(self.answers)
        data.setdefault("destination", self.destinations[0] if self.destinations else "KZ")
        try:
            profile = make_profile(data, source="interview", as_of=self.as_of)
        except InputError:
            return []
        return settle(profile, self.lang)[2]

    def resolve_conflicts(self, key: str) -> None:
        """After an answer to ``key``: where it cannot hold with another, say so and ask
        which to change (or leave both, which the report then shows)."""
        for _ in range(len(QUESTIONS)):  # each round changes an answer; never loops forever
            found = [
                c for c in self.conflicts() if key in c.fields and c.implication not in self.kept
            ]
            if not found:
                return
            conflict = found[0]
            self.say(ui(self.lang, "conflict"), style="bold")
            self.say(conflict.message)
            choices = [
                questionary.Choice(
                    ui(
                        self.lang,
                        "conflict_change",
                        label=BY_KEY[field].label.get(self.lang),
                        value=self.shown_value(BY_KEY[field], self.answers[field]),
                    ),
                    field,
                )
                for field in conflict.fields
                if field in BY_KEY and field in self.answers
            ]
            choices.append(questionary.Choice(ui(self.lang, "conflict_keep"), KEEP))
            pick = self.prompt(
                questionary.select(
                    ui(self.lang, "conflict_ask"),
                    choices=choices,
                    instruction=ui(self.lang, "arrows"),
                    **self.io,
                )
            )
            if pick in (KEEP, BACK):
                self.kept.add(conflict.implication)
                return
            try:
                self.ask(BY_KEY[pick])
            except GoBack:
                self.kept.add(conflict.implication)
                return
            prune(self.answers)
            self.save_point()
            key = pick

    # --- asking one question -----------------------------------------------------------

    def ask(self, q: Question) -> None:
        """Ask ``q`` and keep the answer; raises GoBack if the person asked for "← Back"."""
        if q is LANGUAGE and self.first_drawn:
            self.first_drawn = False  # its lines are on the screen, drawn the same way
        else:
            self.say(ui(self.lang, "why") + q.why.get(self.lang), style="italic")
        if q.term is not None:
            self.say(ui(self.lang, "term") + q.term.get(self.lang), style="italic")
        hint = {"multi": "ticks", "date": "date_hint", "charges": "text_hint"}.get(q.kind)
        hint = hint or ("text_hint" if q.kind == "countries" else "arrows")
        message = self.fit(q.text.get(self.lang).format(**self.country()), ui(self.lang, hint))
        current = self.answers.get(q.key, self.recalled.get(q.key))
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
        self.recalled.pop(q.key, None)
        if q is LANGUAGE:
            self.lang = value

    def options(self, q: Question) -> list[questionary.Choice]:
        """The choices of a select question: "Don't know" first (under the cursor at the
        start), the answers, then "← Back"."""
        lang = self.lang
        choices = []
        if q.dont_know:
            choices.append(questionary.Choice(DONT_KNOW_WORDS.get(lang), DONT_KNOW))
        if q.kind == "yes_no":
            choices += [
                questionary.Choice(YES.get(lang), True),
                questionary.Choice(NO.get(lang), False),
            ]
        else:
            choices += [questionary.Choice(o.words.get(lang), o.value) for o in q.options]
        if q is not LANGUAGE:
            choices.append(questionary.Choice(ui(lang, "back"), BACK))
        return choices

    def ask_select(self, q: Question, message: str, current: Any) -> Any:
        choices = self.options(q)
        if q is LANGUAGE and current is None:
            current = self.first_pointed or self.lang
            self.first_pointed = None
        default = next((c for c in choices if c.value == current), choices[0])
        return self.back_or(
            self.prompt(
                questionary.select(
                    message,
                    choices=choices,
                    default=default,
                    instruction=ui(self.lang, "arrows"),
                    **self.io,
                ),
                back="select" if q is not LANGUAGE else None,
            )
        )

    def ask_multi(self, q: Question, message: str, current: Any) -> Any:
        """A checklist. Untouched, it means "don't know"; "None of these" means none."""
        ticked = set(current) if isinstance(current, list) else set()
        choices = [
            questionary.Choice(o.words.get(self.lang), o.value, checked=o.value in ticked)
            for o in q.options
        ]
        choices.append(
            questionary.Choice(NONE_WORDS.get(self.lang), NONE_OF_THESE, checked=current == [])
        )

        def check(picked: list[str]) -> bool | str:
            if NONE_OF_THESE in picked and len(picked) > 1:
                return ui(self.lang, "none_and_others")
            return True

        picked = self.back_or(
            self.prompt(
                questionary.checkbox(
                    message,
                    choices=choices,
                    instruction=ui(self.lang, "ticks"),
                    validate=check,
                    erase_when_done=True,  # its own summary line is English ("done")
                    **self.io,
                ),
                back="select",
            )
        )
        result: Any = DONT_KNOW if not picked else [v for v in picked if v != NONE_OF_THESE]
        self.echo(message, self.shown_value(q, result))
        return result

    def ask_destination(self, message: str, current: Any) -> str:
        choices = [questionary.Choice(ui(self.lang, "choose_country"), CHOOSE)]
        choices += [
            questionary.Choice(f"{country_name(code, self.lang)} ({code})", code)
            for code in self.destinations
        ]
        choices.append(questionary.Choice(ui(self.lang, "other_country"), OTHER_COUNTRY))
        choices.append(questionary.Choice(ui(self.lang, "back"), BACK))
        default = next(
            (c for c in choices if c.value == current),
            choices[-2] if current else choices[0],
        )
        while True:
            pick = self.back_or(
                self.prompt(
                    questionary.select(
                        message,
                        choices=choices,
                        default=default,
                        instruction=ui(self.lang, "arrows"),
                        **self.io,
                    ),
                    back="select",
                )
            )
            if pick != CHOOSE:
                break
            self.say(ui(self.lang, "need_choice"), style="bold")
        if pick != OTHER_COUNTRY:
            return str(pick)
        typed = self.back_or(
            self.prompt(
                questionary.text(
                    ui(self.lang, "country_code"),
                    default=current if current and current not in self.destinations else "",
                    validate=self.check_country,
                    completer=CountryCompleter(self.lang),
                    complete_while_typing=True,
                    **self.io,
                ),
                back="text",
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
            default = current.strftime("%d.%m.%Y")
        elif isinstance(current, list):
            default = ", ".join(current)
        else:
            default = str(current)
        hint = "date_hint" if q.kind == "date" else "text_hint"
        completer = CountryCompleter(self.lang, many=True) if q.kind == "countries" else None
        text = self.back_or(
            self.prompt(
                questionary.text(
                    message,
                    default=default,
                    validate=lambda value: self.check_typed(q, value),
                    instruction=ui(self.lang, hint),
                    completer=completer,
                    erase_when_done=True,  # an empty answer would be left blank: say it instead
                    **self.io,
                ),
                back="text",
            )
        )
        value = self.typed_value(q, text)
        self.echo(message, self.shown_value(q, value))
        return value

    @staticmethod
    def back_or(value: Any) -> Any:
        if value == BACK:
            raise GoBack
        return value

    # --- checking typed answers (validators return True or the reason, in the person's language)

    def typed_value(self, q: Question, text: str) -> Any:
        if q.kind == "date":
            day = read_date(text)
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
                return self.refusal(key, value=item)
        return True

    def check_date(self, q: Question, text: str) -> bool | str:
        """The one date check of every path (``date_problem``), in the person's words."""
        try:
            day = read_date(text)
        except ValueError:
            return self.refusal("bad_date", value=text.strip())
        if day is None:
            return True
        problem = date_problem(q.key, day, self.as_of)
        words = {"date": date_words(day, self.lang)}
        if problem == "after_as_of":
            return self.refusal("date_future", today=date_words(self.as_of, self.lang), **words)
        if problem == "too_early":
            return self.refusal("date_early", floor=date_words(MIN_DATE, self.lang), **words)
        if problem == "too_late":
            return self.refusal("date_late", ceiling=date_words(MAX_DATE, self.lang), **words)
        return True

    def refusal(self, key: str, value: str | None = None, **words: str) -> str:
        """A refusal on one line of the screen: what was typed is cut short to fit."""
        if value is not None:
            room = max(8, ERROR_WIDTH - len(ui(self.lang, key, value="", **words)) - 2)
            words["value"] = value if len(value) <= room else value[: room - 1] + "…"
        return ui(self.lang, key, **words)

    def check_country(self, text: str) -> bool | str:
        try:
            if parse_country(self.country_code(text)) is None:
                return ui(self.lang, "need_country")
        except ValueError:
            return self.refusal("bad_country", value=text.strip())
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
            return date_words(value, lang)
        if q.kind == "multi":
            words = {o.value: o.words.get(lang) for o in q.options}
            return ", ".join(words[v] for v in value) or NONE_WORDS.get(lang)
        if isinstance(value, list):
            return ", ".join(value)
        return next((o.words.get(lang) for o in q.options if o.value == value), str(value))

    def country(self) -> dict[str, str]:
        """The destination's name in the forms the questions use."""
        code = self.answers.get("destination")
        name = country_name(code, self.lang) if isinstance(code, str) else "?"
        return country_forms(code if isinstance(code, str) else None, name, self.lang)

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

    def ask_choice(self, question: str, no: str, yes: str, *, yes_first: bool = False) -> bool:
        """A translated yes/no question; its first answer (under the cursor) is no, or,
        with ``yes_first``, yes."""
        choices = [
            questionary.Choice(ui(self.lang, no), False),
            questionary.Choice(ui(self.lang, yes), True),
        ]
        if yes_first:
            choices.reverse()
        wants = self.prompt(
            questionary.select(
                ui(self.lang, question),
                choices=choices,
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

    def prompt(self, question: questionary.Question, *, back: str | None = None) -> Any:
        """Ask; Ctrl-C (or SIGINT) raises KeyboardInterrupt, Ctrl-D EOFError, Ctrl-Q
        QuickExit, at any prompt. ``back``: the Left arrow answers BACK ("select": always;
        "text": on an empty line, where it would do nothing else)."""
        extra = KeyBindings()

        # A SIGINT while a question is open (Ctrl-C that reached the terminal before the
        # widget's raw mode turned it into a key, or `kill -INT`) comes to the widget as the
        # key <sigint>, which questionary binds to nothing: it would be lost, and the person
        # left at a question that does not stop. It stops as Ctrl-C does.
        @extra.add("<sigint>", eager=True)
        def _interrupt(event: KeyPressEvent) -> None:
            event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

        @extra.add("c-d", eager=True)
        def _stop(event: KeyPressEvent) -> None:
            event.app.exit(exception=EOFError, style="class:aborting")

        @extra.add("c-q", eager=True)
        def _hide(event: KeyPressEvent) -> None:
            event.app.exit(exception=QuickExit, style="class:aborting")

        if back is not None:
            empty = Condition(lambda: back == "select" or get_app().current_buffer.text == "")

            @extra.add("left", filter=empty, eager=True)
            def _back(event: KeyPressEvent) -> None:
                event.app.exit(result=BACK)

        app = question.application
        app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), extra])
        return question.unsafe_ask()

    def width(self) -> int:
        return screen_width(self.output.get_size().columns if self.output is not None else 80)

    def fit(self, message: str, hint: str) -> str:
        """A question wrapped at word breaks to the screen ("? " before it, the hint after
        it on its last line, or on a line of its own when that line is full)."""
        return fit(message, hint, self.width())

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
        print_formatted_text(FormattedText([(style, said(text, self.width()))]), output=self.output)


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


def clear_screen(stream: Any = None) -> None:
    """Clear the screen and the terminal's scrollback, where the interview's answers were."""
    out = sys.stderr if stream is None else stream
    out.write(CLEAR_SCREEN)
    out.flush()


def guarded(session: Interview, step: Callable[[], Any]) -> Any:
    """Run one step of the interview: Ctrl-C or Ctrl-D raise ``Interrupted`` with the
    language chosen so far; Ctrl-Q clears the screen first and says nothing more."""
    try:
        return step()
    except QuickExit:
        clear_screen()
        raise Interrupted(session.lang, hidden=True) from None
    except (KeyboardInterrupt, EOFError):
        raise Interrupted(session.lang) from None


def run_interview(
    destinations: Sequence[str], *, first: FirstQuestion | None = None, **options: Any
) -> tuple[Profile, Interview]:
    """The one way the command line starts an interview: prompts on stderr (standard
    output keeps the report). After showing the report, call :func:`close_interview`.
    ``first``: the first question, already drawn (:mod:`riskcli.interview.early`);
    ``options``: those of :class:`Interview`."""
    from prompt_toolkit.output import create_output

    drawn = first is not None and first.hand_over()
    output = create_output(stdout=sys.stderr)
    pointed = None
    if first is not None and drawn:
        pointed = first.pointed_value()
        if first.pending:
            typeahead(first.pending)
    session = Interview(
        destinations, output=output, first_drawn=drawn, first_pointed=pointed, **options
    )
    return guarded(session, session.run), session


def typeahead(data: bytes) -> None:
    """Keys read from the terminal before the widget was ready, for the widget to take first
    (prompt_toolkit's typeahead of standard input)."""
    from prompt_toolkit.input import create_input
    from prompt_toolkit.input.typeahead import store_typeahead
    from prompt_toolkit.input.vt100_parser import Vt100Parser
    from prompt_toolkit.key_binding import KeyPress

    keys: list[KeyPress] = []
    parser = Vt100Parser(keys.append)
    parser.feed(data.decode("utf-8", "surrogateescape"))
    parser.flush()
    store_typeahead(create_input(sys.stdin), keys)


def close_interview(session: Interview, profile: Profile) -> None:
    """After the report: offer to save (a file, or the case in the store)."""
    guarded(session, lambda: session.close(profile))
