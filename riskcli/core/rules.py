"""The rule pack: one YAML file per rule in ``rules/``, plus ``rules/sources.yaml``.

A rule file holds, together, what a reader needs to trust it: the quote it
rests on, the condition, the severity, the words a person reads (English and
Russian) and its own test cases. Files are validated with pydantic
(``extra="forbid"``); a bad file fails with its name and the field at fault.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from riskcli.core.conditions import ConditionError, Node, fields_of, parse_condition
from riskcli.core.errors import RulePackError
from riskcli.core.profile import parse_country

if TYPE_CHECKING:
    from riskcli.core.engine.compiled import CompiledPack

RULE_ID = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class Severity(StrEnum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"

    @property
    def rank(self) -> int:
        """Higher is worse."""
        return SEVERITY_ORDER.index(self)


SEVERITY_ORDER = [Severity.info, Severity.low, Severity.medium, Severity.high, Severity.critical]


class Category(StrEnum):
    deportation_on_request = "deportation_on_request"
    wanted_exchange = "wanted_exchange"
    unknown_case = "unknown_case"
    no_refugee_mechanism = "no_refugee_mechanism"
    refugee_claim_limits = "refugee_claim_limits"
    expulsion_without_court = "expulsion_without_court"
    pressure_on_activism = "pressure_on_activism"
    expiring_stay = "expiring_stay"
    no_travel_document = "no_travel_document"
    asylum_access = "asylum_access"
    refuge_refused = "refuge_refused"
    disclosure = "disclosure"
    relatives_at_risk = "relatives_at_risk"
    draft = "draft"
    foreign_agent = "foreign_agent"
    extremism = "extremism"
    detention_conditions = "detention_conditions"
    statelessness = "statelessness"
    livelihood = "livelihood"


class Strict(BaseModel):
    # defer_build: a model's validator is built the first time it validates, not at import.
    # The bundled pack is loaded already validated (riskcli.io.rulepack), so a run that uses
    # only it never builds them.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Text(Strict):
    title: Annotated[str, Field(min_length=3)]
    # The title once the rule's deadline has passed (days_left < 0); needs a deadline.
    title_passed: Annotated[str, Field(min_length=3)] | None = None
    explanation: Annotated[str, Field(min_length=10)]
    advice: list[Annotated[str, Field(min_length=3)]] = []
    unknown_note: str | None = None  # said when the risk rests on unanswered questions


class Texts(Strict):
    en: Text
    ru: Text


class Localized(Strict):
    en: str
    ru: str


class SourceRef(Strict):
    document: str
    quote: Annotated[str, Field(min_length=10)]
    facts_as_of: dt.date | None = None  # defaults to the document's date in sources.yaml


class Deadline(Strict):
    from_: Annotated[Literal["entry_date", "international_passport_expiry"], Field(alias="from")]
    add_days: int = 0
    label: Localized


class Escalation(Strict):
    """Raise the severity once the deadline is this close (days_left <= days_left_at_most)."""

    days_left_at_most: int
    severity: Severity


class TestCase(Strict):
    name: str
    profile: dict[str, Any]
    expect: dict[str, Any] = {}  # severity, certainty, days_left, deadline


class Tests(Strict):
    as_of: dt.date | None = None
    fires: Annotated[list[TestCase], Field(min_length=1)]
    does_not_fire: Annotated[list[TestCase], Field(min_length=1)]


class Rule(Strict):
    id: Annotated[str, Field(pattern=RULE_ID)]
    kind: Literal["risk", "support"] = "risk"
    category: Category
    severity: Severity = Severity.info
    destinations: Annotated[list[str], Field(min_length=1)]
    when: Any = None
    if_unknown: Literal["report", "skip"] = "report"
    deadline: Deadline | None = None
    escalate: list[Escalation] = []
    text: Texts
    sources: Annotated[list[SourceRef], Field(min_length=1)]
    tests: Tests

    @field_validator("destinations")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        if value == ["any"]:
            return value
        out = []
        for code in value:
            try:
                parsed = parse_country(code)
            except ValueError as exc:
                raise ValueError(f"{exc} (or the single word 'any')") from None
            if parsed is None:
                raise ValueError("empty country code")
            out.append(parsed)
        return out

    @field_validator("when")
    @classmethod
    def _condition(cls, value: Any) -> Any:
        try:
            parse_condition(value)
        except ConditionError as exc:
            raise ValueError(str(exc)) from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        if self.escalate and self.deadline is None:
            raise ValueError("escalate needs a deadline")
        if self.deadline is None and (self.text.en.title_passed or self.text.ru.title_passed):
            raise ValueError("text.*.title_passed needs a deadline")
        return self

    @cached_property
    def condition(self) -> Node:
        return parse_condition(self.when)

    @cached_property
    def fields(self) -> set[str]:
        return fields_of(self.condition)

    @property
    def any_destination(self) -> bool:
        return self.destinations == ["any"]


class SourceDocument(Strict):
    title: str
    publisher: str
    published: str
    facts_as_of: dt.date
    facts_as_of_note: str | None = None
    language: Literal["en", "ru"]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    url: str | None = None


class ReferenceData(Strict):
    what: str
    provider: str
    as_of: str


class SourceRegistry(Strict):
    documents: dict[str, SourceDocument]
    reference_data: dict[str, ReferenceData] = {}


class RulePack:
    """All rules, the source registry, and the pack's version (a hash of its files)."""

    def __init__(self, directory: Path, rules: list[Rule], registry: SourceRegistry, version: str):
        self.directory = directory
        self.rules = rules
        self.by_id = {rule.id: rule for rule in rules}
        self.registry = registry
        self.version = version
        # the pack compiled for the engine, once (riskcli.core.engine.compiled.compile_pack;
        # the bundled pack comes with it, compiled when riskcli was built)
        self.compiled: CompiledPack | None = None

    def covers(self, destination: str) -> bool:
        """Whether any rule is written for this country specifically."""
        return any(destination in rule.destinations for rule in self.rules)

    @property
    def destinations(self) -> list[str]:
        return sorted({d for rule in self.rules for d in rule.destinations if d != "any"})

    @property
    def destinations_by_coverage(self) -> list[str]:
        """Covered countries, those the sources say most about first (for choosing from)."""
        counts: dict[str, int] = {}
        for rule in self.rules:
            for code in rule.destinations:
                if code != "any":
                    counts[code] = counts.get(code, 0) + 1
        return sorted(counts, key=lambda code: (-counts[code], code))

    def facts_as_of(self, ref: SourceRef) -> dt.date:
        if ref.facts_as_of is not None:
            return ref.facts_as_of
        return self.registry.documents[ref.document].facts_as_of


def _field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        parts.append(f"{_field_path(err['loc']) or '(top)'}: {msg}")
    return "; ".join(parts)


def rule_from_data(data: Any, file_name: str) -> Rule:
    """A rule file's parsed content, validated; the message names the file and the field."""
    if not isinstance(data, dict):
        raise RulePackError(f"{file_name}: expected a mapping at the top")
    try:
        rule = Rule.model_validate(data)
    except ValidationError as exc:
        raise RulePackError(f"{file_name}: {_describe(exc)}") from None
    if Path(file_name).stem != rule.id:
        raise RulePackError(f"{file_name}: id {rule.id!r} does not match the file name")
    return rule


def registry_from_data(data: Any) -> SourceRegistry:
    """``sources.yaml``'s parsed content, validated."""
    try:
        return SourceRegistry.model_validate(data)
    except ValidationError as exc:
        raise RulePackError(f"sources.yaml: {_describe(exc)}") from None


def build_pack(
    directory: Path, rules: list[Rule], registry: SourceRegistry, version: str
) -> RulePack:
    """The pack, once every rule's sources are known to the registry."""
    if not rules:
        raise RulePackError(f"{directory}: no rule files")
    for rule in rules:
        for i, ref in enumerate(rule.sources):
            if ref.document not in registry.documents:
                raise RulePackError(
                    f"{rule.id}.yaml: sources[{i}].document: {ref.document!r} is not in "
                    f"sources.yaml; known: {', '.join(registry.documents)}"
                )
    return RulePack(directory, rules, registry, version)
