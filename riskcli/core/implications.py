"""Answers that settle others: a small declared table of implications between profile fields.

These are **general reference knowledge**, not facts from the source documents: each says
so, carries the date it was written down (``KNOWN_AS_OF``), and is shown to the person when
it is used ("taken from your answer: no criminal case"). An implication only fills in a
field the person did not answer. Where the person did answer it, and the answer cannot hold
together with the premise, the pair is a *conflict*: reported, never silently resolved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, NamedTuple

from riskcli.core.profile import Profile, typed_value

KNOWN_AS_OF = dt.date(2026, 12, 1)
KIND = "general reference knowledge (not from the source documents)"


class Implication(NamedTuple):
    """If ``field`` is (or, for a list, contains) ``value``, then ``then_field`` is ``then``."""

    id: str
    field: str
    op: Literal["is", "contains"]
    value: str
    then_field: str
    then: Any
    reason: dict[str, str]  # why, per language
    conflict: dict[str, str]  # what to say when the person answered otherwise, per language
    said: dict[str, str]  # the premise as the person's answer ("no criminal case")
    so: dict[str, str]  # what is taken from it ("not arrested in absentia")


IMPLICATIONS: tuple[Implication, ...] = (
    Implication(
        id="no-case-no-arrest-in-absentia",
        field="criminal_case",
        op="is",
        value="none",
        then_field="arrested_in_absentia",
        then=False,
        said={"en": "no criminal case", "ru": "уголовного дела нет"},
        so={"en": "not arrested in absentia", "ru": "заочного ареста нет"},
        reason={
            "en": "an arrest in absentia is a measure taken within a criminal case",
            "ru": "арест заочно — мера в рамках уголовного дела",
        },
        conflict={
            "en": "You said you have no criminal case, and that a court arrested you in "
            "absentia. An arrest in absentia happens only within a criminal case: check "
            "which answer is right.",
            "ru": "Вы ответили, что уголовного дела нет, и что суд арестовал вас заочно. "
            "Заочный арест бывает только в рамках уголовного дела: проверьте, какой ответ "
            "верный.",
        },
    ),
    Implication(
        id="no-case-no-charges",
        field="criminal_case",
        op="is",
        value="none",
        then_field="charges",
        then=[],
        said={"en": "no criminal case", "ru": "уголовного дела нет"},
        so={"en": "no charges", "ru": "обвинения нет"},
        reason={
            "en": "charges are brought within a criminal case",
            "ru": "обвинение предъявляют в рамках уголовного дела",
        },
        conflict={
            "en": "You said you have no criminal case, and listed articles you are charged "
            "under. Charges are brought only within a criminal case: check which answer is "
            "right.",
            "ru": "Вы ответили, что уголовного дела нет, но указали статьи обвинения. "
            "Обвинение предъявляют только в рамках уголовного дела: проверьте, какой ответ "
            "верный.",
        },
    ),
    Implication(
        id="domestic-passport-citizen",
        field="documents",
        op="contains",
        value="domestic_passport",
        then_field="citizenship",
        then="RU",
        said={"en": "a Russian domestic passport", "ru": "внутренний паспорт России"},
        so={"en": "a Russian citizen", "ru": "гражданство России"},
        reason={
            "en": "a Russian domestic passport is issued to Russian citizens",
            "ru": "внутренний паспорт России выдают гражданам России",
        },
        conflict={
            "en": "You said you hold a Russian domestic passport, and that you are not a "
            "Russian citizen. That passport is issued to Russian citizens: check which "
            "answer is right.",
            "ru": "Вы ответили, что у вас есть внутренний российский паспорт, и что вы не "
            "гражданин России. Такой паспорт выдают гражданам России: проверьте, какой ответ "
            "верный.",
        },
    ),
    Implication(
        id="non-citizen-passport-stateless",
        field="documents",
        op="contains",
        value="non_citizen_passport",
        then_field="citizenship",
        then="stateless",
        said={"en": "a non-citizen passport", "ru": "паспорт негражданина"},
        so={"en": "no citizenship (stateless)", "ru": "гражданства нет"},
        reason={
            "en": "a non-citizen passport is issued to people without citizenship",
            "ru": "паспорт негражданина выдают людям без гражданства",
        },
        conflict={
            "en": "You said you hold a non-citizen passport, and that you have a citizenship. "
            "That passport is issued to people without citizenship: check which answer is "
            "right.",
            "ru": "Вы ответили, что у вас есть паспорт негражданина, и что у вас есть "
            "гражданство. Такой паспорт выдают людям без гражданства: проверьте, какой ответ "
            "верный.",
        },
    ),
)

BY_ID: dict[str, Implication] = {imp.id: imp for imp in IMPLICATIONS}

# Two answers that each imply a different value of one field (so far only citizenship, from
# documents that are issued to citizens and to non-citizens).
_CLASH = {
    "en": "You said you hold both a Russian domestic passport and a non-citizen passport. "
    "One is issued to Russian citizens, the other to people without citizenship: check "
    "which documents you hold now.",
    "ru": "Вы ответили, что у вас есть и внутренний российский паспорт, и паспорт "
    "негражданина. Первый выдают гражданам России, второй — людям без гражданства: "
    "проверьте, какие документы у вас сейчас.",
}


class Inferred(NamedTuple):
    field: str
    value: Any
    source: dict[str, Any]  # the answer it came from
    reason: str
    implication: str


class Conflict(NamedTuple):
    fields: tuple[str, ...]
    message: str
    implication: str


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return getattr(value, "value", value)


def _unknown(value: Any) -> bool:
    return value is None or _plain(value) == "unknown"


def _holds(imp: Implication, profile: Profile) -> bool:
    value = getattr(profile, imp.field)
    if value is None:
        return False
    if imp.op == "contains":  # a list: of enum members, equal to their values
        return imp.value in value
    return bool(_plain(value) == imp.value) and imp.value != "unknown"


def settle(profile: Profile, lang: str = "en") -> tuple[Profile, list[Inferred], list[Conflict]]:
    """Fill in what the answers imply; report answers that cannot both hold.

    Returns the completed profile, what was inferred (with the answer it came from and why),
    and the conflicts. A field the person answered is never changed. Two implications that
    would fill one field with different values are a conflict, and neither is applied.
    """
    language = "ru" if lang == "ru" else "en"
    proposals: dict[str, list[Implication]] = {}
    conflicts: list[Conflict] = []
    for imp in IMPLICATIONS:
        if not _holds(imp, profile):
            continue
        current = getattr(profile, imp.then_field)
        if _unknown(current):
            proposals.setdefault(imp.then_field, []).append(imp)
        elif _plain(current) != imp.then:
            conflicts.append(Conflict((imp.field, imp.then_field), imp.conflict[language], imp.id))
    updates: dict[str, Any] = {}
    inferred: list[Inferred] = []
    for field, imps in proposals.items():
        values = {repr(imp.then) for imp in imps}
        if len(values) > 1:
            fields = tuple(dict.fromkeys([*(imp.field for imp in imps), field]))
            conflicts.append(Conflict(fields, _CLASH[language], imps[0].id))
            continue
        imp = imps[0]
        updates[field] = imp.then
        source = {imp.field: _plain(getattr(profile, imp.field))}
        if imp.op == "contains":
            source = {imp.field: [imp.value]}
        inferred.append(Inferred(field, imp.then, source, imp.reason[language], imp.id))
    if updates:
        # the implied answers are valid answers of their fields: put in as the model holds them
        profile = profile.model_copy(
            update={field: typed_value(field, value) for field, value in updates.items()}
        )
    return profile, inferred, conflicts
