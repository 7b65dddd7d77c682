"""Regression: a case that no rule matches used to crash durable-rules (found by issue 5).

durable-rules 2.0.28 frees a session twice in ``delete_state`` after an assert
that no rule handled: the process died with a segfault or "double free" on the
first intake no rule applied to (e.g. a non-Russian citizen in Kyrgyzstan with
no case). Run in a subprocess, so that a crash fails this test instead of
killing the test run.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from riskcli.core.engine.durable import DURABLE_AVAILABLE

SCRIPT = """
from riskcli.core.assess import Assessor
from riskcli.io.rulepack import load_rule_pack
from riskcli.core.profile import make_profile
durable = Assessor(load_rule_pack(), engine="durable")
oracle = Assessor(load_rule_pack(), engine="oracle")
cases = [
    {"destination": "KG", "citizenship": "other", "criminal_case": "none", "wanted": "none",
     "arrested_in_absentia": False},
    {"destination": "KZ", "citizenship": "other"},
    {"destination": "KZ", "citizenship": "RU", "stay_basis": "visa"},
    {"destination": "AM"},
    {"destination": "KG", "citizenship": "RU", "wanted": "federal"},
]
for i in range(1500):  # past the 1024 live sessions a leak would hit
    profile = make_profile(dict(cases[i % len(cases)], as_of="2023-06-12"))
    got = {f.rule.id for f in durable.findings(profile)}
    want = {f.rule.id for f in oracle.findings(profile)}
    assert got == want, (i, got, want)
print("ok")
"""


@pytest.mark.skipif(not DURABLE_AVAILABLE, reason="durable-rules not installed")
def test_cases_no_rule_matches_do_not_crash_the_engine() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout == "ok\n"
