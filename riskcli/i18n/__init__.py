"""Words the tool itself says, in English and Russian. Rule texts live in the rule files."""

from __future__ import annotations

import gettext
from functools import cache

import pycountry

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "report_title": "Risk assessment",
        "as_of": "Assessment date",
        "destination": "Country",
        "case": "Case",
        "no_risks": "No rule in the pack applies to these answers.",
        "no_risks_caveat": (
            "This does not mean you are safe: the pack covers only what its sources describe."
        ),
        "not_covered": (
            "The source documents say nothing specific about {country}. "
            "No finding for this country does not mean it is safe: ask a lawyer or an "
            "organisation that helps people in your situation there."
        ),
        "covered": "Countries the sources describe: {countries}.",
        "facts_age": (
            "These facts date from {date}, {years} before the assessment date: "
            "check they still hold."
        ),
        "facts_age_recent": "These facts date from {date}: check they still hold.",
        "years": "{n} years",
        "year": "1 year",
        "severity": "Severity",
        "possible": "POSSIBLE: depends on answers you did not give",
        "unknown_fields": "Unanswered: {fields}. Find out; it changes what applies to you.",
        "deadline": "Deadline",
        "days_left": "{n} days left",
        "day_left": "1 day left",
        "today": "today",
        "passed": "passed {n} days ago",
        "passed_one": "passed 1 day ago",
        "what_to_do": "What to do",
        "sources": "Sources",
        "facts_as_of": "facts as of {date}",
        "reported_after": (
            "Reported after the assessment date: this rests on facts dated {dates}, "
            "later than {as_of}."
        ),
        "support": "Help you may be able to get",
        "summary": "Summary",
        "risks": "Risks",
        "counts": "{critical} critical, {high} high, {medium} medium, {low} low, {info} info",
        "disclaimer": (
            "riskcli is not legal advice. It reads a few dated documents; laws and practice change."
        ),
    },
    "ru": {
        "report_title": "Оценка рисков",
        "as_of": "Дата оценки",
        "destination": "Страна",
        "case": "Дело",
        "no_risks": "Ни одно правило не подходит к этим ответам.",
        "no_risks_caveat": (
            "Это не значит, что вы в безопасности: правила покрывают только то, "
            "о чём говорят их источники."
        ),
        "not_covered": (
            "В исходных документах нет ничего конкретного о стране «{country}». "
            "Отсутствие рисков здесь не значит, что там безопасно: спросите юриста или "
            "организацию, которая помогает людям в вашем положении."
        ),
        "covered": "Страны, о которых говорят источники: {countries}.",
        "facts_age": (
            "Эти сведения относятся к {date}, это {years} до даты оценки: "
            "проверьте, верны ли они сейчас."
        ),
        "facts_age_recent": "Эти сведения относятся к {date}: проверьте, верны ли они сейчас.",
        "years": "{n} г.",
        "year": "1 год",
        "severity": "Уровень",
        "possible": "ВОЗМОЖНО: зависит от вопросов без ответа",
        "unknown_fields": (
            "Нет ответа: {fields}. Выясните это: от этого зависит, что к вам относится."
        ),
        "deadline": "Срок",
        "days_left": "осталось дней: {n}",
        "day_left": "остался 1 день",
        "today": "сегодня",
        "passed": "истёк {n} дн. назад",
        "passed_one": "истёк вчера",
        "what_to_do": "Что делать",
        "sources": "Источники",
        "facts_as_of": "сведения на {date}",
        "reported_after": (
            "Сообщено уже после даты оценки: сведения относятся к {dates}, "
            "а оценка сделана на {as_of}."
        ),
        "support": "Где можно получить помощь",
        "summary": "Итог",
        "risks": "Риски",
        "counts": (
            "критических: {critical}, высоких: {high}, средних: {medium}, "
            "низких: {low}, справочных: {info}"
        ),
        "disclaimer": (
            "riskcli не заменяет юриста. Он опирается на несколько датированных "
            "документов; законы и практика меняются."
        ),
    },
}

SEVERITY_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "critical": "CRITICAL",
        "high": "HIGH",
        "medium": "MEDIUM",
        "low": "LOW",
        "info": "INFO",
    },
    "ru": {
        "critical": "КРИТИЧЕСКИЙ",
        "high": "ВЫСОКИЙ",
        "medium": "СРЕДНИЙ",
        "low": "НИЗКИЙ",
        "info": "СПРАВКА",
    },
}

FIELD_WORDS: dict[str, dict[str, str]] = {
    "ru": {
        "citizenship": "гражданство",
        "documents": "документы",
        "international_passport_expiry": "срок загранпаспорта",
        "destination": "страна",
        "entry_date": "дата въезда",
        "stay_basis": "основание пребывания",
        "criminal_case": "уголовное дело",
        "wanted": "розыск",
        "arrested_in_absentia": "заочный арест",
        "charges": "статьи обвинения",
        "protest_history": "участие в протестах",
        "draft_notice": "повестка",
        "military_liable": "военнообязанность",
        "public_statements": "публичные высказывания",
        "activism_abroad": "активизм за рубежом",
        "occupation": "занятие",
        "foreign_agent": "статус иноагента",
        "organisation_status": "статус организации",
        "foreign_funding": "иностранное финансирование",
        "relatives_in_russia": "родственники в России",
        "onward_destinations": "куда дальше",
        "needs_shelter": "нужда в жилье",
    }
}


def t(lang: str, key: str, **kwargs: object) -> str:
    table = STRINGS.get(lang, STRINGS["en"])
    return table[key].format(**kwargs)


def severity_word(lang: str, severity: str) -> str:
    return SEVERITY_WORDS.get(lang, SEVERITY_WORDS["en"])[severity]


def field_word(lang: str, field: str) -> str:
    return FIELD_WORDS.get(lang, {}).get(field, field.replace("_", " "))


@cache
def _translation(lang: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def country_name(code: str, lang: str = "en") -> str:
    """The country's name from ISO 3166-1 (pycountry), translated where a translation exists."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    name = str(getattr(country, "common_name", None) or country.name)
    if lang == "en":
        return name
    return _translation(lang).gettext(name)
