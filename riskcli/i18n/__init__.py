"""Words the tool itself says, in English and Russian: one gettext catalog.

The English msgids are in :mod:`riskcli.i18n.messages` (each under a key, its msgctxt);
the translations in ``locale/<lang>/LC_MESSAGES/riskcli.po``, compiled to the ``.mo``
beside it, read here with the standard library's :mod:`gettext`. Plurals follow each
language's own rules (``ngettext``: 1 день, 2 дня, 5 дней). Rule texts live in the rule
files, country names come from pycountry's ISO 3166 catalog.

- :func:`t` is a message by key, with its ``{placeholders}`` filled (a plural message
  counts ``n``);
- :func:`days_phrase` is the one phrase for days to a deadline;
- :class:`Message` is a message not yet put into words (an error raised in the core,
  shown in the user's language by the command line).
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from riskcli.i18n.messages import MESSAGES

DOMAIN = "riskcli"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "ru")
DEFAULT_LANG = "en"

# Keys of the report's words before the catalog (render/report.py still asks for them).
_ALIASES: dict[str, tuple[str, int | None]] = {
    "days_left": ("days.left", None),
    "day_left": ("days.left", 1),
    "today": ("days.today", None),
    "passed": ("days.ago", None),
    "passed_one": ("days.yesterday", None),
    "year": ("years", 1),
}


@cache
def translation(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of LANG (English: the msgids themselves)."""
    if lang == DEFAULT_LANG:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def t(lang: str, key: str, /, **kwargs: Any) -> str:
    """The message KEY in LANG, placeholders filled from KWARGS (``n`` counts a plural)."""
    key, count = _ALIASES.get(key, (key, None))
    if count is not None:
        kwargs.setdefault("n", count)
    text = MESSAGES[key]
    tr = translation(lang)
    if isinstance(text, tuple):
        n = kwargs.get("n")
        if not isinstance(n, int):
            raise TypeError(f"message {key!r} has plural forms: give it n=<int>")
        words = tr.npgettext(key, text[0], text[1], n)
    else:
        words = tr.pgettext(key, text)
    return words.format(**kwargs) if kwargs else words


def days_phrase(lang: str, days: int) -> str:
    """Days to a deadline, the same words everywhere: reports, compare, triage, calendar.

    «остался 1 день», «осталось 2 дня», «сегодня», «истёк вчера», «истёк 3 дня назад».
    """
    if days > 0:
        return t(lang, "days.left", n=days)
    if days == 0:
        return t(lang, "days.today")
    if days == -1:
        return t(lang, "days.yesterday")
    return t(lang, "days.ago", n=-days)


def severity_word(lang: str, severity: str) -> str:
    return t(lang, f"severity.{severity}")


def field_word(lang: str, name: str) -> str:
    """A profile field in words ("entry date", «дата въезда»)."""
    key = f"field.{name}"
    return t(lang, key) if key in MESSAGES else name.replace("_", " ")


class Words(Mapping[str, str]):
    """The messages under PREFIX in one language, as a read-only mapping (for a renderer
    that looks its words up by short name: ``words["head"].format(...)``)."""

    def __init__(self, prefix: str, lang: str):
        self.prefix = prefix
        self.lang = lang

    def __getitem__(self, name: str) -> str:
        key = f"{self.prefix}.{name}"
        if key not in MESSAGES or isinstance(MESSAGES[key], tuple):
            raise KeyError(name)
        return t(self.lang, key)

    def __iter__(self) -> Iterator[str]:
        start = f"{self.prefix}."
        return (k.removeprefix(start) for k in MESSAGES if k.startswith(start))

    def __len__(self) -> int:
        return sum(1 for _ in self)


class WordTable(Mapping[str, Words]):
    """``{lang: Words}`` for every language: the shape of the word tables it replaces."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __getitem__(self, lang: str) -> Words:
        if lang not in LANGUAGES:
            raise KeyError(lang)
        return Words(self.prefix, lang)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)


# --- messages not yet put into words ----------------------------------------------------


@dataclass(frozen=True)
class Message:
    """A message by key, with its parameters: rendered in whichever language is wanted.

    A parameter may itself be a Message (rendered in the same language), or a tuple of
    Messages and texts (rendered and joined with "; ").
    """

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.key not in MESSAGES:
            raise KeyError(f"no message {self.key!r} in the catalog")

    def render(self, lang: str = DEFAULT_LANG) -> str:
        return t(lang, self.key, **{k: _rendered(v, lang) for k, v in self.params.items()})

    def __str__(self) -> str:
        return self.render(DEFAULT_LANG)


def msg(key: str, /, **params: Any) -> Message:
    return Message(key, params)


def _rendered(value: Any, lang: str) -> Any:
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, tuple):
        return "; ".join(str(_rendered(v, lang)) for v in value)
    return value


def render(text: str | Message, lang: str = DEFAULT_LANG) -> str:
    return text.render(lang) if isinstance(text, Message) else text


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The user's language by default: RISKCLI_LANG, then the locale (LC_ALL, LC_MESSAGES,
    LANG: ``ru_RU.UTF-8`` is Russian); English otherwise."""
    env = os.environ if environ is None else environ
    chosen = env.get("RISKCLI_LANG", "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            code = value.split(".")[0].split("_")[0].lower()
            return code if code in LANGUAGES else DEFAULT_LANG
    return DEFAULT_LANG


# --- country names ------------------------------------------------------------------------


@cache
def _country_translation(lang: str) -> gettext.NullTranslations:
    import pycountry

    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def country_name(code: str, lang: str = "en") -> str:
    """The country's name from ISO 3166-1 (pycountry), translated where a translation exists."""
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    name = str(getattr(country, "common_name", None) or country.name)
    if lang == "en":
        return name
    return _country_translation(lang).gettext(name)
