"""The profile: one flat record of a person's situation (spec §1).

Every field but ``destination`` is optional, and a missing answer means
"unknown", never "no". Values are checked here, once, so that only plain,
validated data reaches the rules engine.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, Literal, get_args, get_origin

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from riskcli.core.errors import BadValue, InputError
from riskcli.i18n import Message, msg
from riskcli.i18n.messages import MESSAGES


class Language(StrEnum):
    en = "en"
    ru = "ru"


class Citizenship(StrEnum):
    RU = "RU"
    stateless = "stateless"
    other = "other"


class Document(StrEnum):
    domestic_passport = "domestic_passport"
    international_passport = "international_passport"
    non_citizen_passport = "non_citizen_passport"
    residence_permit = "residence_permit"


class StayBasis(StrEnum):
    visa_free = "visa_free"
    visa = "visa"
    residence_permit = "residence_permit"
    refugee_claim_pending = "refugee_claim_pending"
    refugee_status = "refugee_status"
    unknown = "unknown"


class CriminalCase(StrEnum):
    none = "none"
    pending = "pending"
    convicted = "convicted"
    unknown = "unknown"


class Wanted(StrEnum):
    none = "none"
    federal = "federal"
    interstate = "interstate"
    international = "international"
    unknown = "unknown"


class ProtestHistory(StrEnum):
    none = "none"
    participated = "participated"
    organised = "organised"
    detained = "detained"


class Occupation(StrEnum):
    journalist = "journalist"
    activist = "activist"
    ngo_worker = "ngo_worker"
    researcher = "researcher"
    politician = "politician"
    artist = "artist"
    other = "other"


class OrganisationStatus(StrEnum):
    none = "none"
    foreign_agent = "foreign_agent"
    undesirable = "undesirable"
    extremist = "extremist"


# --- value parsers -----------------------------------------------------------

TRUE_WORDS = frozenset({"true", "yes", "y", "да", "д"})
FALSE_WORDS = frozenset({"false", "no", "n", "нет", "н"})
UNKNOWN_WORDS = frozenset({"", "unknown", "не знаю", "dont_know", "don't know", "null"})
BOOL_ALLOWED = msg("allowed.bool")
DATE_ALLOWED = msg("allowed.date")
COUNTRY_ALLOWED = msg("allowed.country")
CHARGE_ALLOWED = msg("allowed.charge")
CHARGE_RE = re.compile(r"\d{1,3}(\.\d{1,2})?")
ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
DOTTED_DATE_RE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}")
# The one range of plausible dates, for every path (interview, --answers, batch): no date
# about a person who left the Russian Federation can be before the Federation's first year
# (the USSR ended on 26 December 1991; its passports, the CIS and its visa-free regimes came
# after), and none is taken beyond 2100 (a passport's expiry is the latest date asked).
MIN_DATE = dt.date(1992, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
# Dates that tell what has already happened: none can be after the assessment date.
PAST_FIELDS = ("entry_date",)
DateProblem = Literal["too_early", "too_late", "after_as_of"]


def date_problem(field: str, day: dt.date, as_of: dt.date | None = None) -> DateProblem | None:
    """Why a date cannot be right for this field, or None: the one check of every path.

    The interview words the problem in the person's language; the profile in English.
    """
    if day < MIN_DATE:
        return "too_early"
    if day > MAX_DATE:
        return "too_late"
    if as_of is not None and field in PAST_FIELDS and day > as_of:
        return "after_as_of"
    return None


def date_message(field: str, day: dt.date, as_of: dt.date | None = None) -> Message | None:
    """The words for :func:`date_problem` (None: the date is plausible)."""
    problem = date_problem(field, day, as_of)
    if problem == "after_as_of":
        return msg("error.date_after_as_of", value=day.isoformat(), as_of=as_of)
    if problem is not None:
        return msg("error.date_range", value=day.isoformat(), low=MIN_DATE, high=MAX_DATE)
    return None


def _shown(value: Any, limit: int = 60) -> str:
    """A value as quoted in an error message: its repr, cut short (a pasted file stays one line)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _unknown(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in UNKNOWN_WORDS)


def parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    if isinstance(value, str):
        word = value.strip().lower()
        if word in UNKNOWN_WORDS:
            return None
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise BadValue(msg("error.not_bool", value=_shown(value), allowed=BOOL_ALLOWED))


def read_date(value: Any) -> dt.date | None:
    """A date as written (ISO or DD.MM.YYYY), or None for "unknown"; no range check."""
    if _unknown(value):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            if ISO_DATE_RE.fullmatch(text):
                day = dt.date.fromisoformat(text)
            elif DOTTED_DATE_RE.fullmatch(text):
                d, m, y = (int(p) for p in text.split("."))
                day = dt.date(y, m, d)
            else:
                raise ValueError
        except ValueError:
            raise BadValue(
                msg("error.not_real_date", value=_shown(value), allowed=DATE_ALLOWED)
            ) from None
    else:
        raise BadValue(msg("error.not_date", value=_shown(value), allowed=DATE_ALLOWED))
    return day


def parse_date(value: Any) -> dt.date | None:
    """A date as written, or None for "unknown"; refuses implausible dates (MIN_DATE..MAX_DATE)."""
    day = read_date(value)
    if day is not None:
        message = date_message("", day)
        if message is not None:
            raise BadValue(message)
    return day


def parse_country(value: Any) -> str | None:
    if _unknown(value):
        return None
    if not isinstance(value, str):
        raise BadValue(msg("error.not_country", value=_shown(value), allowed=COUNTRY_ALLOWED))
    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise BadValue(msg("error.not_country", value=_shown(value), allowed=COUNTRY_ALLOWED))
    return code


def split_list(value: Any) -> Any:
    """Lists may come as real lists or, from CSV and forms, as ``a;b;c``."""
    if value is None:
        return None
    if isinstance(value, str):
        if _unknown(value):
            return None
        return [part.strip() for part in value.split(";") if part.strip()]
    return value


def _list_of(parse: Any) -> Any:
    def parse_list(value: Any) -> list[Any] | None:
        items = split_list(value)
        if items is None:
            return None
        if not isinstance(items, list):
            raise BadValue(msg("error.not_list", value=_shown(value)))
        out: list[Any] = []
        for item in items:
            parsed = parse(item)
            if parsed is not None and parsed not in out:
                out.append(parsed)
        return out

    return parse_list


def parse_charge(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not CHARGE_RE.fullmatch(value.strip()):
        raise BadValue(msg("error.not_charge", value=_shown(value), allowed=CHARGE_ALLOWED))
    return value.strip()


def _enum_or_unknown(enum: type[StrEnum]) -> Any:
    values = frozenset(e.value for e in enum.__members__.values())

    def parse(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            text = value.strip()
            if text == "":
                return None
            if text in values:
                return text
        allowed = ", ".join(e.value for e in enum)
        raise BadValue(msg("error.not_allowed", value=_shown(value), allowed=allowed))

    return parse


def _enum_list(enum: type[StrEnum]) -> Any:
    return _list_of(_enum_or_unknown(enum))


TEXT_ANSWERS_KEPT = 4096  # per parser: a batch repeats the same few words and dates


def by_text(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``parse``, each text's result kept (a batch reads "yes", "RU" or a date thousands of
    times). For parsers of one value that return an immutable one (not lists): a text
    ``parse`` refuses raises every time, and is never kept (``lru_cache`` keeps no
    exception). ``__wrapped__`` is ``parse``."""
    kept = functools.lru_cache(maxsize=TEXT_ANSWERS_KEPT)(parse)

    @functools.wraps(parse)
    def parse_text(value: Any) -> Any:
        return kept(value) if type(value) is str else parse(value)

    return parse_text


Bool = Annotated[bool | None, BeforeValidator(by_text(parse_bool))]
Date = Annotated[dt.date | None, BeforeValidator(by_text(parse_date))]
Country = Annotated[str, BeforeValidator(by_text(parse_country))]


def _enum_field(enum: type[StrEnum]) -> BeforeValidator:
    return BeforeValidator(by_text(_enum_or_unknown(enum)))


LanguageField = Annotated[Language | None, _enum_field(Language)]
CitizenshipField = Annotated[Citizenship | None, _enum_field(Citizenship)]
StayBasisField = Annotated[StayBasis | None, _enum_field(StayBasis)]
CriminalCaseField = Annotated[CriminalCase | None, _enum_field(CriminalCase)]
WantedField = Annotated[Wanted | None, _enum_field(Wanted)]
ProtestField = Annotated[ProtestHistory | None, _enum_field(ProtestHistory)]
OccupationField = Annotated[Occupation | None, _enum_field(Occupation)]
OrgStatusField = Annotated[OrganisationStatus | None, _enum_field(OrganisationStatus)]


# Unicode categories a terminal acts on or cannot show: controls (ESC, BEL, CR...), format
# characters (bidi overrides, zero-width), surrogates, line and paragraph separators.
UNSHOWABLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _printable_id(value: str | None) -> str | None:
    """A case_id is shown on terminals: printable characters only (no control or escape
    codes, no bidi overrides), on one line."""
    # isprintable() is false for every character of those categories (and for a few more):
    # only then is each character looked at
    if (
        value is not None
        and not value.isprintable()
        and any(unicodedata.category(c) in UNSHOWABLE for c in value)
    ):
        raise ValueError(
            "holds characters that cannot be shown (control or escape codes, or line "
            "breaks); allowed: printable characters only"
        )
    return value


class Profile(BaseModel):
    """A person's situation. Field names are fixed by spec §1."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)

    case_id: Annotated[str | None, Field(max_length=64), AfterValidator(_printable_id)] = None
    as_of: Annotated[dt.date, BeforeValidator(by_text(parse_date))] = Field(
        default_factory=dt.date.today
    )
    language: LanguageField = None
    citizenship: CitizenshipField = None
    documents: Annotated[list[Document] | None, BeforeValidator(_enum_list(Document))] = None
    international_passport_expiry: Date = None
    destination: Country
    entry_date: Date = None
    stay_basis: StayBasisField = None
    criminal_case: CriminalCaseField = None
    wanted: WantedField = None
    arrested_in_absentia: Bool = None
    charges: Annotated[list[str] | None, BeforeValidator(_list_of(parse_charge))] = None
    protest_history: ProtestField = None
    draft_notice: Bool = None
    military_liable: Bool = None
    public_statements: Bool = None
    activism_abroad: Bool = None
    occupation: OccupationField = None
    foreign_agent: Bool = None
    organisation_status: OrgStatusField = None
    foreign_funding: Bool = None
    relatives_in_russia: Bool = None
    onward_destinations: Annotated[list[str] | None, BeforeValidator(_list_of(parse_country))] = (
        None
    )
    needs_shelter: Bool = None

    @field_validator(*PAST_FIELDS)
    @classmethod
    def _not_after_as_of(cls, day: dt.date | None, info: ValidationInfo) -> dt.date | None:
        as_of = info.data.get("as_of")
        if day is not None and isinstance(as_of, dt.date):
            message = date_message(info.field_name or "", day, as_of)
            if message is not None:
                raise BadValue(message)
        return day

    def answers(self) -> dict[str, Any]:
        """The answers given, as plain JSON values (unknown answers left out)."""
        return self.model_dump(mode="json", exclude_none=True)


FIELDS: tuple[str, ...] = tuple(Profile.model_fields)
# The fields that hold a date, read from the model (as_of among them).
DATE_FIELDS: tuple[str, ...] = tuple(
    name
    for name, info in Profile.model_fields.items()
    if info.annotation in (dt.date, dt.date | None)
)


FieldKind = Literal["text", "enum", "list", "date", "country", "bool"]


def field_enum(field: str) -> type[StrEnum] | None:
    """The enum a field's answers come from (a list's items too), read from the model."""
    annotation = Profile.model_fields[field].annotation
    for arg in (annotation, *get_args(annotation)):
        for inner in (arg, *get_args(arg)):
            if isinstance(inner, type) and issubclass(inner, StrEnum):
                return inner
    return None


_FIELD_ENUMS: dict[str, type[StrEnum] | None] = {name: field_enum(name) for name in FIELDS}
# per field with an enum, its members by value (a look-up, not a call of the enum)
_MEMBERS: dict[str, dict[str, StrEnum]] = {
    name: {member.value: member for member in enum}
    for name, enum in _FIELD_ENUMS.items()
    if enum is not None
}


def typed_value(field: str, value: Any) -> Any:
    """A valid answer (plain, as in a fact or a table) as a validated profile holds it:
    an enum member, or a list of them; other values as they are."""
    enum = _FIELD_ENUMS[field]
    if enum is None:
        return value
    members = _MEMBERS[field]
    if isinstance(value, list):
        return [_member(enum, members, v) for v in value]
    return _member(enum, members, value)


def _member(enum: type[StrEnum], members: dict[str, StrEnum], value: Any) -> StrEnum:
    found = members.get(value) if type(value) is str else None
    return found if found is not None else enum(value)  # enum(): a member, or its error


def field_kind(field: str) -> FieldKind:
    """What kind of answer a field holds, read from the model's type and validators."""
    info = Profile.model_fields[field]
    args = {info.annotation, *get_args(info.annotation)}
    if args & {dt.date}:
        return "date"
    if bool in args:
        return "bool"
    if any(get_origin(a) is list for a in args):
        return "list"
    if field_enum(field) is not None:
        return "enum"
    validators = {getattr(m, "func", None) for m in info.metadata}
    parsers = {getattr(v, "__wrapped__", v) for v in validators}  # by_text's
    return "country" if parse_country in parsers else "text"


def allowed_values(field: str) -> Message:
    """What a field accepts, in words, for error messages and help."""
    enum = field_enum(field)
    if enum is not None:
        values = ", ".join(e.value for e in enum)
        return msg(
            "allowed.some_of" if field_kind(field) == "list" else "allowed.one_of", values=values
        )
    if field in DATE_FIELDS:
        return DATE_ALLOWED
    if field in {"destination", "onward_destinations"}:
        return COUNTRY_ALLOWED
    if field == "charges":
        return CHARGE_ALLOWED
    if field == "case_id":
        return msg("allowed.case_id")
    return BOOL_ALLOWED


def _pydantic_words(err: Any, text: str) -> Message | str:
    """pydantic's own words for a text field's checks, as messages of the catalog."""
    key = f"error.{err['type']}"
    if key in MESSAGES:
        return msg(key, **(err.get("ctx") or {}))
    return text


def describe_errors(exc: ValidationError) -> tuple[Message, ...]:
    """Every field at fault and what it allows (one line once joined with "; ")."""
    parts: list[Message] = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        field = loc[0] if loc else "?"
        if err["type"] == "extra_forbidden":
            parts.append(msg("error.unknown_field", field=_shown(field), allowed=", ".join(FIELDS)))
        elif err["type"] == "missing":
            parts.append(msg("error.required", field=repr(field), allowed=allowed_values(field)))
        else:
            cause = (err.get("ctx") or {}).get("error")
            # Our validators' words are a Message, shown in either language; pydantic's own
            # (a too long case_id) are English.
            text = str(err.get("msg", "invalid")).removeprefix("Value error, ")
            error = cause.message if isinstance(cause, BadValue) else _pydantic_words(err, text)
            if "allowed" in text:
                parts.append(msg("error.field", field=repr(field), error=error))
            else:
                allowed = allowed_values(field)
                parts.append(
                    msg("error.field_allowed", field=repr(field), error=error, allowed=allowed)
                )
    return tuple(parts)


def make_profile(data: Any, *, source: str = "answers", as_of: dt.date | None = None) -> Profile:
    """Validate a mapping of answers into a Profile, or raise InputError naming the field."""
    if not isinstance(data, dict):
        raise InputError(msg("error.not_mapping", source=source, kind=type(data).__name__))
    for key in data:
        if not isinstance(key, str):
            raise InputError(msg("error.key_not_text", source=source, key=_shown(key)))
    values = dict(data)
    if as_of is not None:
        values["as_of"] = as_of
    try:
        return Profile.model_validate(values)
    except ValidationError as exc:
        language = data.get("language")
        hint = language.strip() if isinstance(language, str) else None
        raise InputError(
            msg("error.at", where=source, error=describe_errors(exc)),
            lang=hint if hint in {e.value for e in Language} else None,
        ) from exc
