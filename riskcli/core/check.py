"""``riskcli rules check``: every rule valid, every test case passing, every quote in its source."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskcli.core.assess import Assessor, Finding
from riskcli.core.errors import InputError
from riskcli.core.profile import make_profile
from riskcli.core.rules import Rule, RulePack, TestCase

# Only whitespace and typographic quotes may differ between a quote and its source.
_QUOTES = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "″": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "′": "'",
    }
)
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text.translate(_QUOTES)).strip()


@dataclass(frozen=True)
class Problem:
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass
class CheckResult:
    rules: int
    tests: int
    quotes: int
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_sources(pack: RulePack, sources_dir: Path) -> tuple[int, list[Problem]]:
    problems: list[Problem] = []
    texts: dict[str, str] = {}
    for name, doc in pack.registry.documents.items():
        path = sources_dir / name
        if not path.is_file():
            problems.append(Problem("sources.yaml", f"{name}: not found in {sources_dir}"))
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != doc.sha256:
            problems.append(
                Problem(
                    "sources.yaml", f"{name}: SHA-256 is {digest}, the registry says {doc.sha256}"
                )
            )
        texts[name] = normalise(data.decode("utf-8"))
    quotes = 0
    for rule in pack.rules:
        for i, ref in enumerate(rule.sources):
            if ref.document not in texts:
                continue
            quotes += 1
            if normalise(ref.quote) not in texts[ref.document]:
                problems.append(
                    Problem(
                        rule.id,
                        f"sources[{i}]: quote not found in {ref.document}: {_excerpt(ref.quote)}",
                    )
                )
    return quotes, problems


def _excerpt(text: str, size: int = 70) -> str:
    text = normalise(text)
    return f"“{text[:size]}…”" if len(text) > size else f"“{text}”"


def _case_profile(rule: Rule, case: TestCase) -> Any:
    data = dict(case.profile)
    if "as_of" not in data and rule.tests.as_of is not None:
        data["as_of"] = rule.tests.as_of
    return make_profile(data, source=f"test {case.name!r}")


def _expectation_problems(case: TestCase, found: Finding) -> list[str]:
    wrong = []
    actual = {
        "severity": found.severity.value,
        "certainty": found.certainty,
        "days_left": found.days_left,
        "deadline": found.deadline.isoformat() if found.deadline else None,
    }
    for key, want in case.expect.items():
        if key not in actual:
            wrong.append(f"unknown expectation {key!r}; allowed: {', '.join(actual)}")
            continue
        got = actual[key]
        if str(got) != str(want):
            wrong.append(f"{key} is {got}, expected {want}")
    return wrong


def run_rule_tests(assessor: Assessor, rule: Rule) -> tuple[int, list[Problem]]:
    problems: list[Problem] = []
    count = 0
    for must_fire, cases in ((True, rule.tests.fires), (False, rule.tests.does_not_fire)):
        for case in cases:
            count += 1
            try:
                profile = _case_profile(rule, case)
            except InputError as exc:
                problems.append(Problem(rule.id, f"test {case.name!r}: bad profile: {exc}"))
                continue
            found = next((f for f in assessor.findings(profile) if f.rule.id == rule.id), None)
            if must_fire and found is None:
                problems.append(Problem(rule.id, f"test {case.name!r}: expected to fire, did not"))
            elif not must_fire and found is not None:
                problems.append(
                    Problem(rule.id, f"test {case.name!r}: fired ({found.certainty}), must not")
                )
            elif must_fire and found is not None:
                for wrong in _expectation_problems(case, found):
                    problems.append(Problem(rule.id, f"test {case.name!r}: {wrong}"))
    return count, problems


def check_pack(
    assessor: Assessor,
    sources_dir: Path | None,
    progress: Callable[[str], None] | None = None,
) -> CheckResult:
    pack = assessor.pack
    problems: list[Problem] = []
    tests = 0
    for rule in pack.rules:
        if progress:
            progress(rule.id)
        n, found = run_rule_tests(assessor, rule)
        tests += n
        problems += found
    quotes = 0
    if sources_dir is not None:
        quotes, found = check_sources(pack, sources_dir)
        problems += found
    return CheckResult(len(pack.rules), tests, quotes, problems)
