"""The note under a possible finding: it names only what really is unknown.

A rule's ``unknown_note`` is written for the case where all of its questions are open ("You
do not know whether you have a criminal case or are wanted"). When some of them were
answered, that text would contradict the person. So the rule's note is used only when every
question it speaks of is still open, and at least one of them is; otherwise a note is made
from the open questions themselves, and it says which were answered "don't know" and which
were not answered at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from riskcli.core.questions import BY_KEY
from riskcli.i18n import field_word

# What a rule's note says when it speaks of a field (lower-case regular expressions).
MENTIONS: dict[str, dict[str, str]] = {
    "en": {
        "criminal_case": r"criminal case|\bcase\b",
        "wanted": r"\bwanted\b",
        "arrested_in_absentia": r"absentia",
        "charges": r"\bcharge|\barticle",
        "protest_history": r"protest",
        "military_liable": r"call-up|\bdraft\b|liable",
        "draft_notice": r"notice",
        "citizenship": r"citizenship|citizen\b",
        "documents": r"documents|passport",
        "international_passport_expiry": r"passport expir|expiry",
        "stay_basis": r"basis",
        "entry_date": r"\bentry\b|\bentered\b",
        "occupation": r"occupation|your work|what your work",
        "public_statements": r"spoken out|speak out",
        "activism_abroad": r"political activity|politically active",
        "foreign_agent": r"foreign agent",
        "organisation_status": r"organisation",
        "foreign_funding": r"funding",
        "relatives_in_russia": r"relatives",
        "onward_destinations": r"go next|move on",
        "needs_shelter": r"housing|income",
    },
    "ru": {
        "criminal_case": r"уголовн|\bдел[оау]?\b|\bделе\b",
        "wanted": r"розыск",
        "arrested_in_absentia": r"заочн",
        "charges": r"обвинени|стать",
        "protest_history": r"протест",
        "military_liable": r"призыв|мобилизац",
        "draft_notice": r"повестк",
        "citizenship": r"гражданств",
        "documents": r"документ|паспорт",
        "international_passport_expiry": r"срок.{0,20}паспорт",
        "stay_basis": r"основани",
        "entry_date": r"въезд",
        "occupation": r"род занятий|чем вы занимаетесь",
        "public_statements": r"высказыва|выступаете",
        "activism_abroad": r"политическ",
        "foreign_agent": r"иноагент|иностранн\w* агент",
        "organisation_status": r"организаци",
        "foreign_funding": r"финансировани",
        "relatives_in_russia": r"родн|родствен|близк",
        "onward_destinations": r"дальше",
        "needs_shelter": r"жиль|доход",
    },
}

WORDS = {
    "en": {
        "dont_know": "You answered “don't know” to: {fields}.",
        "unanswered": "You did not answer: {fields}.",
        "tail": "Depending on the answer, this may apply to you.",
    },
    "ru": {
        "dont_know": "Вы ответили «не знаю» на вопросы: {fields}.",
        "unanswered": "Вы не ответили на вопросы: {fields}.",
        "tail": "В зависимости от ответа это может вас касаться.",
    },
}


def mentioned(text: str, lang: str) -> set[str]:
    """The fields a note speaks of."""
    table = MENTIONS.get(lang, MENTIONS["en"])
    low = text.lower()
    return {field for field, pattern in table.items() if re.search(pattern, low)}


def fits(note: str, unknown: Sequence[str], lang: str) -> bool:
    """A rule's note fits if it speaks of open questions only, and of at least one."""
    said = mentioned(note, lang)
    return bool(said) and said <= set(unknown)


def field_label(field: str, lang: str) -> str:
    """A field's short name, as on the interview's review screen, in running text."""
    question = BY_KEY.get(field)
    if question is None:
        return field_word(lang, field)
    label = question.label.get(lang)
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def generated_note(dont_know: Sequence[str], unanswered: Sequence[str], lang: str) -> str:
    """A note made from the open questions themselves."""
    w = WORDS.get(lang, WORDS["en"])
    parts = []
    if dont_know:
        parts.append(
            w["dont_know"].format(fields=", ".join(field_label(f, lang) for f in dont_know))
        )
    if unanswered:
        parts.append(
            w["unanswered"].format(fields=", ".join(field_label(f, lang) for f in unanswered))
        )
    parts.append(w["tail"])
    return " ".join(parts)


def note_for(
    rule_note: str | None, dont_know: Sequence[str], unanswered: Sequence[str], lang: str
) -> tuple[str, bool]:
    """The note to show, and whether it is the rule's own (True) or generated (False)."""
    unknown = [*dont_know, *unanswered]
    if rule_note and fits(rule_note, unknown, lang):
        return rule_note, True
    return generated_note(dont_know, unanswered, lang), False
