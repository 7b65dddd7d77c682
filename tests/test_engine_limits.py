"""The limits of durable-rules 2.0.28, pushed past (issue 7, item 4).

Each test runs the engine in a child process with a timeout, so that a crash
(durable-rules segfaults on some inputs) or a hang fails the test instead of
killing the suite. Past each limit the answer must be a clear error or the
oracle's result, never a crash, a hang or a different answer.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fuzzkit import BOOLS, ENUMS, PACK, RULES

from riskcli.core.engine.compiled import (
    MAX_BRANCHES_PER_RULESET,
    MAX_GROUPS_PER_CONDITION,
    MAX_RULES_PER_RULESET,
)
from riskcli.core.engine.durable import DURABLE_AVAILABLE
from riskcli.core.profile import Document

pytestmark = pytest.mark.skipif(not DURABLE_AVAILABLE, reason="durable-rules not installed")

DOCUMENT = next(iter(PACK.registry.documents))

# Reads a rule pack folder and JSON profiles (one a line) on stdin; assesses each with
# durable-rules and with the oracle; prints one JSON line: agreement, or the error.
CHILD = r"""
import json, resource, sys
from pathlib import Path
from riskcli.core.assess import Assessor
from riskcli.core.errors import RiskcliError
from riskcli.core.profile import make_profile
from riskcli.io.rulepack import load_rule_pack
try:
    pack = load_rule_pack(Path(sys.argv[1]))
    durable = Assessor(pack, engine="durable")
    oracle = Assessor(pack, engine="oracle")
except RiskcliError as exc:
    print(json.dumps({"error": str(exc), "exit": int(exc.exit_status)}))
    sys.exit(0)
rulesets = {k: [len(c) for c in chunks] for k, chunks in durable.compiled.buckets.items()}
rss_before = rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
cases, fired, differ = 0, {}, []
for line in sys.stdin:
    profile = make_profile(json.loads(line))
    got = durable.assess(profile).to_json_dict()
    if got != oracle.assess(profile).to_json_dict():
        differ.append(profile.answers())
    for item in got["risks"] + got["support"]:
        fired[item["id"]] = fired.get(item["id"], 0) + 1
    cases += 1
    if cases == 100:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rss_growth_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss
print(json.dumps({"cases": cases, "fired": fired, "differ": differ[:3], "rulesets": rulesets,
                  "rss_growth_kb": rss_growth_kb}))
"""


def run_child(pack: Path, profiles: list[dict[str, Any]], timeout: float = 120) -> dict[str, Any]:
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(pack)],
            input="".join(json.dumps(p) + "\n" for p in profiles),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the engine hung: no answer within {timeout} s")
    assert done.returncode == 0, f"the engine crashed (exit {done.returncode}): {done.stderr}"
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def rule(
    rule_id: str,
    when: Any,
    destinations: list[str] | None = None,
    *,
    severity: str = "medium",
    if_unknown: str = "report",
) -> dict[str, Any]:
    words = {"title": f"Synthetic rule {rule_id}", "explanation": "A rule written by a test."}
    case = {"name": "any", "profile": {"destination": (destinations or ["KG"])[0]}}
    return {
        "id": rule_id,
        "category": "deportation_on_request",
        "severity": severity,
        "destinations": destinations or ["KG"],
        "sources": [{"document": DOCUMENT, "quote": "a synthetic quote for a synthetic rule"}],
        "when": when,
        "if_unknown": if_unknown,
        "text": {"en": words, "ru": words},
        "tests": {"fires": [case], "does_not_fire": [case]},
    }


def write_pack(folder: Path, rules: list[dict[str, Any]]) -> Path:
    folder.mkdir()
    shutil.copy(RULES / "sources.yaml", folder / "sources.yaml")
    for data in rules:  # JSON is YAML too, and reads much faster
        text = json.dumps(data, ensure_ascii=False, indent=1)
        (folder / f"{data['id']}.yaml").write_text(text, encoding="utf-8")
    return folder


def random_answers(rng: random.Random, destinations: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"destination": rng.choice(destinations), "as_of": "2023-06-12"}
    for name, enum in ENUMS.items():
        if rng.random() < 0.7:
            out[name] = rng.choice([m.value for m in enum])
    for name in BOOLS:
        if rng.random() < 0.7:
            out[name] = rng.random() < 0.5
    if rng.random() < 0.7:
        out["documents"] = rng.sample([d.value for d in Document], rng.randrange(0, 4))
    if rng.random() < 0.7:
        out["entry_date"] = f"2023-{rng.randrange(1, 6):02d}-{rng.randrange(1, 29):02d}"  # < as_of
    return out


# --- sessions: 1024 live sids per ruleset, then MemoryError and a corrupt engine ----------


def test_2000_cases_in_a_row_keep_the_sessions_flat(tmp_path: Path) -> None:
    rng = random.Random(7)
    destinations = [*PACK.destinations, "AM", "DE"]
    profiles = [random_answers(rng, destinations) for _ in range(2000)]
    result = run_child(RULES, profiles)
    assert result["cases"] == 2000
    assert result["differ"] == []
    assert result["fired"], "no rule fired: the cases did not reach the rules"
    # A session left alive costs ~550 KB: 1900 of them would be over 1 GB (and the
    # 1025th would corrupt the engine).
    assert result["rss_growth_kb"] < 50_000, result["rss_growth_kb"]


# --- rules: 512 or more in one ruleset hang at registration ----------------------------------


def test_a_pack_of_600_rules_for_one_country_is_split_and_agrees_with_the_oracle(
    tmp_path: Path,
) -> None:
    rules = [
        rule(f"synthetic-{n}", {"field": "charges", "contains": str(n)}, if_unknown="skip")
        for n in range(1, 601)
    ]
    pack = write_pack(tmp_path / "pack", rules)
    rng = random.Random(11)
    profiles = [
        {"destination": "KG", "charges": [str(n) for n in rng.sample(range(1, 700), 5)]}
        for _ in range(60)
    ]
    profiles.append({"destination": "KG"})
    result = run_child(pack, profiles)
    assert result["differ"] == []
    assert result["cases"] == 61
    sizes = result["rulesets"]["KG"]
    assert sum(sizes) == 600
    assert max(sizes) <= min(MAX_RULES_PER_RULESET, MAX_BRANCHES_PER_RULESET) < 512
    assert len(result["fired"]) > 100


# --- matches: more than 64 conditions holding at once fail with error 303 ------------------


def test_170_rules_matching_one_fact_all_fire(tmp_path: Path) -> None:
    rules = [rule(f"kg-{n}", {"field": "charges", "contains": str(n)}) for n in range(1, 101)]
    rules += [
        rule(f"any-{n}", {"field": "charges", "contains": str(n)}, ["any"], severity="low")
        for n in range(201, 271)
    ]
    pack = write_pack(tmp_path / "pack", rules)
    every = [str(n) for n in [*range(1, 101), *range(201, 271)]]
    profiles = [
        {"destination": "KG", "charges": every},  # 170 rules hold, each on its own condition
        {"destination": "KG"},  # every rule possible (charges unknown), none confirmed
        {"destination": "KG", "charges": []},  # nothing
        {"destination": "AM", "charges": every},  # only the 70 for any country
    ]
    result = run_child(pack, profiles)
    assert result["differ"] == []
    assert result["fired"] == {
        **{f"kg-{n}": 2 for n in range(1, 101)},
        **{f"any-{n}": 3 for n in range(201, 271)},
    }
    assert max(result["rulesets"]["KG"]) <= MAX_BRANCHES_PER_RULESET


def test_a_rule_with_more_alternatives_than_the_engine_takes_is_refused_clearly(
    tmp_path: Path,
) -> None:
    wide = {"any": [{"field": "charges", "contains": str(n)} for n in range(1, 71)]}
    pack = write_pack(tmp_path / "pack", [rule("too-wide", wide, if_unknown="skip")])
    result = run_child(pack, [{"destination": "KG", "charges": ["1", "2", "3"]}])
    assert result == {
        "error": "rule too-wide: its certain condition has 70 alternatives that can hold at "
        f"once; the engine takes at most {MAX_BRANCHES_PER_RULESET}: split the rule or "
        "simplify its any: lists",
        "exit": 1,
    }


def test_the_cli_refuses_a_too_wide_rule_in_one_line(tmp_path: Path) -> None:
    wide = {"any": [{"field": "charges", "contains": str(n)} for n in range(1, 71)]}
    pack = write_pack(tmp_path / "pack", [rule("too-wide", wide, if_unknown="skip")])
    answers = tmp_path / "a.json"
    answers.write_text('{"destination": "KG"}')
    done = subprocess.run(
        [sys.executable, "-m", "riskcli", "--rules", str(pack), "assess", "-a", str(answers)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.startswith("riskcli: rule too-wide: its certain condition has 70 ")
    assert done.stderr.count("\n") == 1


# --- absence: a rule whose only true test is $nex never returns -----------------------------


def test_rules_that_test_only_for_absence_do_not_hang(tmp_path: Path) -> None:
    rules = [
        rule("unknown-wanted", {"field": "wanted", "known": False}),
        rule("not-known-case", {"not": {"field": "criminal_case", "known": True}}),
        rule("lacks-permit", {"field": "documents", "lacks": "residence_permit"}, ["any"]),
        rule("no-docs", {"all": [{"field": "documents", "known": False}]}, ["any"]),
    ]
    pack = write_pack(tmp_path / "pack", rules)
    profiles = [
        {"destination": "KG"},
        {"destination": "KG", "wanted": "none", "criminal_case": "pending"},
        {"destination": "AM", "documents": ["residence_permit"]},
        {"destination": "AM", "documents": []},
        {"destination": "TR"},
    ]
    result = run_child(pack, profiles, timeout=60)
    assert result["differ"] == []
    assert result["fired"] == {
        "unknown-wanted": 1,
        "not-known-case": 1,
        "lacks-permit": 4,
        "no-docs": 3,
    }


# --- first case unmatched: deleting its session crashed the process ------------------------


def test_a_first_case_that_matches_nothing_does_not_crash(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "pack", [rule("only-ru", {"field": "citizenship", "is": "RU"})])
    answers = tmp_path / "a.json"
    answers.write_text('{"destination": "KG", "citizenship": "other", "as_of": "2023-06-12"}')
    for fmt in ("json", "text"):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "riskcli",
                "--rules",
                str(pack),
                "assess",
                "-a",
                str(answers),
                "--format",
                fmt,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert (
        json.loads(
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "riskcli",
                    "--rules",
                    str(pack),
                    "assess",
                    "-a",
                    str(answers),
                    "--format",
                    "json",
                ],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            ).stdout
        )["risks"]
        == []
    )


def nested(levels: int) -> Any:
    when: Any = {"field": "citizenship", "is": "RU"}
    for level in range(levels):
        other = {"field": "draft_notice", "is": bool(level % 2)}
        when = {"all" if level % 2 else "any": [when, other]}
    return when


def test_nested_conditions_agree_with_the_oracle(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "pack", [rule("nested", nested(6))])
    rng = random.Random(3)
    profiles = [random_answers(rng, ["KG"]) for _ in range(200)]
    result = run_child(pack, profiles, timeout=60)
    assert result["differ"] == []
    assert result["fired"]


def test_a_condition_with_too_many_groups_is_refused_naming_the_rule(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "pack", [rule("nested", nested(15))])
    result = run_child(pack, [{"destination": "KG"}], timeout=60)
    assert result == {
        "error": "rule nested: its certain condition has 16 all:/any: groups once compiled "
        "(each one_of, not_one_of, lacks and unanswered test adds one); the engine takes "
        f"at most {MAX_GROUPS_PER_CONDITION}: split the rule",
        "exit": 1,
    }


# --- the raw limits themselves, so the tests above are known to go past them --------------

RAW = r"""
import json, sys
from durable import engine as d
class H(d.Host):
    def _run(self):
        return None
h = H()
rules = json.loads(sys.argv[1])
try:
    h.register_rulesets({"rs": {name: {"all": [{"m": cond}], "run": lambda c: None}
                                for name, cond in rules.items()}})
    fact = json.loads(sys.argv[2])
    h.assert_fact("rs", dict(fact, id="1", sid="1"))
    print("handled")
except Exception as exc:
    print(type(exc).__name__, exc)
"""


def run_raw(rules: dict[str, Any], fact: dict[str, Any], timeout: float) -> str:
    done = subprocess.run(
        [sys.executable, "-c", RAW, json.dumps(rules), json.dumps(fact)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return f"exit {done.returncode}: {done.stdout.strip()}"


def test_raw_durable_rules_fails_past_64_matches_in_one_ruleset() -> None:
    rules = {f"r{n}": {f"k{n}": 1} for n in range(65)}
    fact = {f"k{n}": 1 for n in range(65)}
    assert (
        run_raw(rules, fact, timeout=60) == "exit 0: error Could not assert fact, error code: 303"
    )
    del rules["r64"]
    assert run_raw(rules, fact, timeout=60) == "exit 0: handled"


def test_raw_durable_rules_refuses_16_groups_in_one_condition() -> None:
    cond: Any = {"a": 1}
    for n in range(15):
        cond = {"$and": [cond, {f"k{n}": 1}]}
    fact = {"a": 1, **{f"k{n}": 1 for n in range(16)}}
    assert run_raw({"r": cond}, fact, timeout=60) == "exit 0: handled"
    cond = {"$and": [cond, {"k15": 1}]}
    assert run_raw({"r": cond}, fact, timeout=60) == (
        "exit 0: error Could not create ruleset, error code: 113"
    )


@pytest.mark.slow
def test_raw_durable_rules_hangs_on_a_rule_of_absence_alone() -> None:
    with pytest.raises(subprocess.TimeoutExpired):
        run_raw({"r": {"$nex": {"wanted": 1}}}, {"destination": "KG"}, timeout=10)


@pytest.mark.slow
def test_raw_durable_rules_hangs_with_600_rules_in_one_ruleset() -> None:
    rules = {f"r{n}": {f"k{n}": 1} for n in range(600)}
    with pytest.raises(subprocess.TimeoutExpired):
        run_raw(rules, {"k1": 1}, timeout=15)
