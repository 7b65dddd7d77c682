"""The one summary of an assessment: what is known, what could apply, what to ask next.

Every view of a case reads it: the report (spec §3.1), a batch row and the batch triage,
``cases list``, ``cases deadlines``, ``cases reassess``, ``compare`` and the calendar.

* The headline (``highest_severity``, ``counts``) counts **confirmed** risks only; possible
  ones are counted beside it (``possible_highest_severity``, ``possible_counts``), so one
  unanswered question never makes a person HIGH.
* ``nearest_deadline`` and ``days_left`` are those of a confirmed risk.
* ``to_check`` is computed from the compiled conditions, never written per rule: each
  unanswered field of a possible risk is tried with the values it may take; if one of them
  makes the risk certain, or makes it impossible, answering that question settles the risk.
* Ranking: most urgent first by confirmed severity, then days left, then possible severity
  (:func:`urgency_key`); safest first for ``compare`` (:func:`safety_key`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from riskcli.core.conditions import (
    FIELD_SPECS,
    Json,
    Leaf,
    Node,
    Predicate,
    compile_predicate,
    fact_with,
    to_fact,
)
from riskcli.core.implications import BY_ID, KIND, KNOWN_AS_OF, Conflict, Inferred
from riskcli.core.profile import Profile, typed_value
from riskcli.core.questions import BY_KEY
from riskcli.core.report import (
    Certainty,
    ConflictNote,
    InferredAnswer,
    Report,
    Summary,
    ToCheck,
    no_counts,
)
from riskcli.core.rules import SEVERITY_ORDER, Rule, Severity
from riskcli.i18n import country_name, field_word

if TYPE_CHECKING:
    from riskcli.core.engine.compiled import CompiledPack

NO_DAYS = 10**9
Conditions = dict[str, tuple[Json, Json]]  # "no deadline": after every real one


_RANK: dict[str | None, int] = {None: -1, **{s: i for i, s in enumerate(SEVERITY_ORDER)}}


def severity_rank(severity: Severity | str | None) -> int:
    """Higher is worse; -1 for none."""
    rank = _RANK.get(severity)
    if rank is None:  # not a severity: Severity() says so
        return SEVERITY_ORDER.index(Severity(str(severity)))
    return rank


# --- what a finding needs to be summarised -----------------------------------------------


class Finding(NamedTuple):
    """A rule that applies to a profile, before it is put into words."""

    rule: Rule
    certainty: Certainty
    severity: Severity
    unknown_fields: tuple[str, ...]
    deadline: dt.date | None
    days_left: int | None

    @property
    def confirmed(self) -> bool:
        return self.certainty is Certainty.confirmed

    @property
    def deadline_kind(self) -> str | None:
        if self.deadline is None or self.rule.deadline is None:
            return None
        return self.rule.deadline.from_


def finding_order(f: Finding) -> tuple[int, int, int, str]:
    """Confirmed first, then by severity, then by days left (spec §3.1)."""
    days = f.days_left if f.days_left is not None else NO_DAYS
    return (0 if f.confirmed else 1, -severity_rank(f.severity), days, f.rule.id)


# --- to_check: which unanswered question settles which possible risk -------------------


def leaves(node: Node) -> Iterable[Leaf]:
    kind, body = node
    if kind == "leaf":
        yield body
    elif kind in ("all", "any"):
        for child in body:
            yield from leaves(child)


def candidates(field: str, rule: Rule, as_of: dt.date) -> list[Any]:
    """Values to try for an unanswered profile field: every allowed one, or for dates and
    countries the values either side of each threshold the rule tests."""
    spec = FIELD_SPECS[field]
    if spec.kind == "enum":
        return list(spec.values)
    if spec.kind == "bool":
        return [True, False]
    if spec.kind == "list":
        return [[], *([v] for v in spec.values)] if spec.values else [[], ["other"]]
    tests = [leaf for leaf in leaves(rule.condition) if leaf.field == field]
    if spec.kind == "country":
        out: list[Any] = ["ZZ"]  # a country no rule names
        for leaf in tests:
            values = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
            out += [v for v in values if isinstance(v, str)]
        return out
    if spec.kind == "date":
        days: set[int] = {as_of.toordinal()}
        for leaf in tests:
            if isinstance(leaf.value, int) and not isinstance(leaf.value, bool):
                days |= {leaf.value - 1, leaf.value, leaf.value + 1}
        for feature, fspec in FIELD_SPECS.items():
            if field not in fspec.derived_from:
                continue
            for leaf in leaves(rule.condition):
                if leaf.field != feature or not isinstance(leaf.value, int):
                    continue
                for n in (leaf.value - 1, leaf.value, leaf.value + 1):
                    # days_in_country counts back from as_of; the others count forward
                    sign = -1 if feature == "days_in_country" else 1
                    days.add(as_of.toordinal() + sign * n)
        return [dt.date.fromordinal(d) for d in sorted(days) if d > 0]
    return []


class Trials:
    """The engine's fact of a profile as if one more question (or a few) had been answered.

    Built as :func:`to_fact` builds a fact (from the profile's own fact, ``fact_with``), so
    every derived feature follows the trial answer; the facts of single answers are kept,
    since several rules try the same ones."""

    def __init__(self, profile: Profile, fact: dict[str, Any] | None = None):
        self.profile = profile
        self._fact = fact  # to_fact(profile), if the caller has it
        self._cache: dict[tuple[str, str], dict[str, Any]] = {}

    def fact(self, field: str, value: Any) -> dict[str, Any]:
        key = (field, repr(value))
        if key not in self._cache:
            self._cache[key] = self.joint({field: value})
        return self._cache[key]

    def joint(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """The fact of the profile with these answers put in (as ``model_copy`` would)."""
        values = dict(self.profile.__dict__)
        for field, value in answers.items():
            values[field] = typed_value(field, value)
        if self._fact is None:
            self._fact = to_fact(self.profile)
        return fact_with(self._fact, values, answers)


def profile_fields(names: Iterable[str]) -> set[str]:
    """The profile fields behind condition names (a derived feature's sources)."""
    out: set[str] = set()
    for name in names:
        spec = FIELD_SPECS[name]
        out.update(spec.derived_from or (name,))
    return out


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


class Memo:
    """Results of trying answers, kept by what they depend on: the rule, the question, and
    the answers to the fields the rule reads (with the assessment date). In a batch, many
    intakes share those, so each trial is worked out once. Bounded: cleared when full (at
    20,000 results a worker's memory stays flat over 10^6 rows; 100,000 let it grow by an
    eighth over the run, for no measurable speed)."""

    LIMIT = 20_000

    def __init__(self, rules: Iterable[Rule]):
        self._fields = {
            rule.id: tuple(sorted(profile_fields(rule.fields) | {"destination"})) for rule in rules
        }
        self._store: dict[tuple[Any, ...], Any] = {}
        # per rule: its fields' values read at once; whether one of them is a list
        self._read = {rid: operator.itemgetter(*fields) for rid, fields in self._fields.items()}
        self._lists = {
            rid: any(FIELD_SPECS[f].kind == "list" for f in fields)
            for rid, fields in self._fields.items()
        }

    def key(self, rule: Rule, profile: Profile, *extra: Any) -> tuple[Any, ...]:
        values = self._read[rule.id](profile.__dict__)
        if len(self._fields[rule.id]) == 1:
            values = (values,)
        if self._lists[rule.id]:
            values = tuple(_hashable(v) for v in values)
        return (rule.id, profile.as_of, values, *extra)

    def get(self, key: tuple[Any, ...]) -> Any:
        return self._store.get(key, _MISSING)

    def put(self, key: tuple[Any, ...], value: Any) -> Any:
        if len(self._store) >= self.LIMIT:
            self._store.clear()
        self._store[key] = value
        return value


_MISSING = object()


class _Predicates(dict[str, tuple[Predicate, Predicate]]):
    """rule id -> its (certain, possible) conditions as Python functions, made on first use."""

    def __init__(self, conditions: Conditions):
        super().__init__()
        self.conditions = conditions

    def __missing__(self, rid: str) -> tuple[Predicate, Predicate]:
        certain, possible = self.conditions[rid]
        test = compile_predicate(certain)
        pair = (test, test if possible is certain else compile_predicate(possible))
        self[rid] = pair
        return pair


class Hypotheses:
    """What answering more questions would do: the compiled conditions tried with answers
    not given yet (memoised, see :class:`Memo`)."""

    def __init__(self, rules: Sequence[Rule], conditions: Conditions):
        self.conditions = conditions
        self.memo = Memo(rules)
        # the same conditions as Python functions (conditions.compile_predicate), each
        # compiled when first tried: one assess tries a few rules, not the pack
        self.predicates = _Predicates(conditions)
        self._candidates: dict[tuple[str, str, dt.date], list[Any]] = {}
        # per rule, the profile fields its condition tests with known: (true or false)
        self.known_tests: dict[str, tuple[str, ...]] = {}
        for rule in rules:
            tested = {leaf.field for leaf in leaves(rule.condition) if leaf.op == "known"}
            self.known_tests[rule.id] = tuple(sorted(profile_fields(tested)))

    def candidates(self, field: str, rule: Rule, as_of: dt.date) -> list[Any]:
        """:func:`candidates`, worked out once per rule, field and assessment date."""
        key = (rule.id, field, as_of)
        found = self._candidates.get(key)
        if found is None:
            if len(self._candidates) >= Memo.LIMIT:
                self._candidates.clear()
            found = self._candidates[key] = candidates(field, rule, as_of)
        return found

    def rests_on_unanswered(
        self, rule: Rule, trials: Trials, fixed: tuple[tuple[str, Any], ...] = ()
    ) -> tuple[str, ...]:
        """The questions never answered that a true condition rests on (``fixed``: answers
        being tried, taken as given).

        "Don't know" is an answer, and a rule may hold because of it (``known: false``). A
        question never answered is not that answer. If no real answer to the unanswered
        questions the rule tests that way keeps its condition true, it holds only because
        they were left open: the finding is possible, and answering them settles it. (If
        some answer keeps it true, it stands: other answers could only move the person to
        another finding.)"""
        tested = self.known_tests.get(rule.id)
        if not tested:
            return ()
        values = trials.profile.__dict__  # the profile's fields (getattr without the lookup)
        if fixed:
            given = dict(fixed)
            open_fields = [f for f in tested if f not in given and values[f] is None]
        else:
            given = {}
            open_fields = [f for f in tested if values[f] is None]
        if not open_fields:
            return ()
        key = self.memo.key(rule, trials.profile, "rests", repr(fixed))
        known = self.memo.get(key)
        if isinstance(known, tuple):
            return known
        certain, _ = self.predicates[rule.id]
        as_of = trials.profile.as_of
        choices = [self.candidates(f, rule, as_of) for f in open_fields]
        for combo in itertools.product(*choices):
            if certain(trials.joint({**given, **dict(zip(open_fields, combo, strict=True))})):
                return tuple(self.memo.put(key, ()))
        return tuple(self.memo.put(key, tuple(open_fields)))

    def settles(self, finding: Finding, field: str, trials: Trials) -> bool:
        """Whether some answer to ``field`` would confirm the possible finding (for good, not
        resting on other unanswered questions) or rule it out."""
        key = self.memo.key(finding.rule, trials.profile, "settles", field)
        known = self.memo.get(key)
        if known is not _MISSING:
            return bool(known)
        return bool(self.memo.put(key, self._settles(finding, field, trials)))

    def settling_fields(self, finding: Finding, trials: Trials) -> tuple[str, ...]:
        """The unknown fields of a possible finding whose answer would settle it (each as
        :meth:`settles` says), in the finding's order; one memo entry for all of them."""
        key = self.memo.key(finding.rule, trials.profile, "settling", finding.unknown_fields)
        known = self.memo.get(key)
        if known is not _MISSING:
            return tuple(known)
        fields = tuple(
            field
            for field in finding.unknown_fields
            if field in FIELD_SPECS and self._settles(finding, field, trials)
        )
        return tuple(self.memo.put(key, fields))

    def _settles(self, finding: Finding, field: str, trials: Trials) -> bool:
        rule = finding.rule
        certain, possible = self.predicates[rule.id]
        for value in self.candidates(field, rule, trials.profile.as_of):
            trial = trials.fact(field, value)
            if not possible(trial):
                return True
            if certain(trial) and not self.rests_on_unanswered(rule, trials, ((field, value),)):
                return True
        return False


def question_words(field: str, lang: str, destination: str) -> str:
    """The interview's question for a field, with the destination's name filled in."""
    question = BY_KEY.get(field)
    if question is None:
        return field_word(lang, field)
    return question.text.get(lang).replace("{country}", country_name(destination, lang))


FIELD_POSITION = {name: i for i, name in enumerate(FIELD_SPECS)}  # the order of spec §1


def settling(
    hypotheses: Hypotheses, findings: Sequence[Finding], trials: Trials
) -> list[tuple[str, list[Finding], Severity]]:
    """What :func:`to_check` lists, before its words: each unanswered question that would
    settle possible risks, the risks it settles (in :func:`finding_order`) and the most
    serious of them; most at stake first. A batch row needs no more than this."""
    settled: dict[str, list[Finding]] = {}
    for found in findings:
        if found.certainty is Certainty.confirmed or found.rule.kind != "risk":
            continue
        for field in hypotheses.settling_fields(found, trials):
            settled.setdefault(field, []).append(found)
    items = []
    for field, settled_by in settled.items():
        if len(settled_by) == 1:  # most often: nothing to sort, the one is the most serious
            items.append((field, settled_by, settled_by[0].severity))
            continue
        top = max((f.severity for f in settled_by), key=severity_rank)
        items.append((field, sorted(settled_by, key=finding_order), top))
    if len(items) > 1:
        items.sort(key=lambda i: (-_RANK[i[2]], -len(i[1]), FIELD_POSITION[i[0]]))
    return items


def to_check(
    hypotheses: Hypotheses,
    findings: Sequence[Finding],
    trials: Trials,
    *,
    lang: str,
) -> list[ToCheck]:
    """The unanswered questions that would settle possible risks, most at stake first."""
    destination = trials.profile.destination
    return [
        ToCheck(
            field=field,
            question=question_words(field, lang, destination),
            settles=[f.rule.id for f in settled_by],
            highest_severity=top,
        )
        for field, settled_by, top in settling(hypotheses, findings, trials)
    ]


# --- the summary -------------------------------------------------------------------------


def inferred_answers(inferred: Sequence[Inferred], lang: str) -> list[InferredAnswer]:
    language = "ru" if lang == "ru" else "en"
    out = []
    for item in inferred:
        imp = BY_ID.get(item.implication)
        out.append(
            InferredAnswer(
                field=item.field,
                value=item.value,
                from_=item.source,
                reason=imp.reason[language] if imp else item.reason,
                kind=KIND,
                known_as_of=KNOWN_AS_OF,
                implication=item.implication,
            )
        )
    return out


def conflict_notes(conflicts: Sequence[Conflict]) -> list[ConflictNote]:
    return [
        ConflictNote(fields=list(c.fields), message=c.message, implication=c.implication)
        for c in conflicts
    ]


def summarize(
    findings: Sequence[Finding],
    *,
    checks: Sequence[ToCheck] = (),
    inferred: Sequence[InferredAnswer] = (),
    conflicts: Sequence[ConflictNote] = (),
) -> Summary:
    """The summary of a list of findings (risks only; help is not a risk)."""
    top = headline(findings)
    return Summary(
        highest_severity=top.highest_severity,
        counts=top.counts,
        possible_highest_severity=top.possible_highest_severity,
        possible_counts=top.possible_counts,
        nearest_deadline=top.nearest_deadline,
        days_left=top.days_left,
        possible_nearest_deadline=top.possible_nearest_deadline,
        possible_days_left=top.possible_days_left,
        to_check=list(checks),
        inferred=list(inferred),
        conflicts=list(conflicts),
    )


@dataclass(frozen=True, slots=True)
class Headline:
    """The figures of a :class:`Summary` that come from the findings alone (a batch row's)."""

    highest_severity: Severity | None
    counts: dict[str, int]
    possible_highest_severity: Severity | None
    possible_counts: dict[str, int]
    nearest_deadline: dt.date | None
    days_left: int | None
    possible_nearest_deadline: dt.date | None
    possible_days_left: int | None


def headline(findings: Sequence[Finding]) -> Headline:
    """The headline of a list of findings (risks only; help is not a risk): see
    :func:`summarize`."""
    counts, possible = no_counts(), no_counts()
    # per certainty: the most severe, and the finding of the nearest deadline (by days
    # left, then rule id: the first of the least, as min() would choose)
    top: Severity | None = None
    top_maybe: Severity | None = None
    sure: tuple[int, str, Finding] | None = None
    maybe: tuple[int, str, Finding] | None = None
    for f in findings:
        if f.rule.kind != "risk":
            continue
        severity = f.severity
        rank = _RANK[severity]
        if f.certainty is Certainty.confirmed:
            counts[severity] += 1  # a StrEnum: the key stays its value
            if top is None or rank > _RANK[top]:
                top = severity
            if f.days_left is not None and (sure is None or (f.days_left, f.rule.id) < sure[:2]):
                sure = (f.days_left, f.rule.id, f)
        else:
            possible[severity] += 1
            if top_maybe is None or rank > _RANK[top_maybe]:
                top_maybe = severity
            if f.days_left is not None and (maybe is None or (f.days_left, f.rule.id) < maybe[:2]):
                maybe = (f.days_left, f.rule.id, f)
    return Headline(
        top,
        counts,
        top_maybe,
        possible,
        sure[2].deadline if sure else None,
        sure[0] if sure else None,
        maybe[2].deadline if maybe else None,
        maybe[0] if maybe else None,
    )


# --- ranking -------------------------------------------------------------------------------


def urgency_key(summary: Summary) -> tuple[int, int, int]:
    """Larger is more urgent: confirmed severity, then fewer days left, then possible severity."""
    days = summary.days_left if summary.days_left is not None else NO_DAYS
    return (
        severity_rank(summary.highest_severity),
        -days,
        severity_rank(summary.possible_highest_severity),
    )


def safety_key(summary: Summary) -> tuple[Any, ...]:
    """Smaller is safer (``compare``): confirmed risks from the top, then possible ones, then
    the nearest confirmed deadline (later is safer)."""
    confirmed = tuple(summary.counts.get(s.value, 0) for s in reversed(SEVERITY_ORDER))
    possible = tuple(summary.possible_counts.get(s.value, 0) for s in reversed(SEVERITY_ORDER))
    days = summary.days_left if summary.days_left is not None else NO_DAYS
    return (
        severity_rank(summary.highest_severity),
        confirmed,
        severity_rank(summary.possible_highest_severity),
        possible,
        -days,
    )


# --- reassess: what changed since the saved assessment ---------------------------------


@dataclass(frozen=True)
class Change:
    kind: str  # new_risk gone_risk severity_up severity_down certainty deadline_moved
    # deadline_passed
    risk: str
    title: str
    severity: str
    before: str | None = None
    after: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "risk": self.risk, "severity": self.severity}
        if self.before is not None or self.after is not None:
            out["before"] = self.before
            out["after"] = self.after
        out["title"] = self.title
        return out


CHANGE_ORDER = (
    "deadline_passed",
    "new_risk",
    "severity_up",
    "certainty",
    "deadline_moved",
    "severity_down",
    "gone_risk",
)


def diff_reports(old: Mapping[str, Any] | None, new: Report) -> list[Change]:
    """How a case's risks changed from the saved assessment (its JSON) to a new one."""
    before = {r["id"]: r for r in (old or {}).get("risks", [])}
    after = {r.id: r for r in new.risks}
    out: list[Change] = []
    for rid, risk in after.items():
        if rid not in before:
            out.append(Change("new_risk", rid, risk.title, risk.severity.value))
    for rid, was in before.items():
        if rid not in after:
            out.append(Change("gone_risk", rid, str(was["title"]), str(was["severity"])))
    for rid, risk in after.items():
        was = before.get(rid)
        if was is None:
            continue
        sev = risk.severity.value
        old_sev = str(was["severity"])
        if severity_rank(sev) != severity_rank(old_sev):
            kind = "severity_up" if severity_rank(sev) > severity_rank(old_sev) else "severity_down"
            out.append(Change(kind, rid, risk.title, sev, old_sev, sev))
        old_certainty = was.get("certainty")
        if isinstance(old_certainty, str) and old_certainty != risk.certainty.value:
            out.append(
                Change("certainty", rid, risk.title, sev, old_certainty, risk.certainty.value)
            )
        old_deadline = was.get("deadline")
        new_deadline = risk.deadline.isoformat() if risk.deadline else None
        if old_deadline != new_deadline:
            out.append(Change("deadline_moved", rid, risk.title, sev, old_deadline, new_deadline))
        old_days = was.get("days_left")
        was_passed = isinstance(old_days, int) and old_days < 0
        if risk.days_left is not None and risk.days_left < 0 and not was_passed:
            out.append(Change("deadline_passed", rid, risk.title, sev, None, new_deadline))
    out.sort(key=lambda c: (CHANGE_ORDER.index(c.kind), -severity_rank(c.severity), c.risk))
    return out


def compiled_conditions(compiled: CompiledPack) -> Conditions:
    """rule id -> (certain, possible) compiled conditions; possible is certain where the
    rule has no separate possible form (nothing unanswered can change it)."""
    certain = {r.rule_id: r.condition for r in compiled.rules if r.mode == "certain"}
    possible = {r.rule_id: r.condition for r in compiled.rules if r.mode == "possible"}
    return {rid: (cond, possible.get(rid, cond)) for rid, cond in certain.items()}
