"""The plain-Python evaluator of the compiled rules: the test oracle, and the engine
where durable-rules cannot be installed (Python 3.13+)."""

from __future__ import annotations

from typing import Any

from riskcli.core.conditions import evaluate
from riskcli.core.engine.compiled import CompiledPack


class OracleMatcher:
    """Plain-Python evaluation of the same compiled conditions: the test oracle."""

    name = "oracle"

    def __init__(self, compiled: CompiledPack):
        self.compiled = compiled

    def match(self, fact: dict[str, Any]) -> set[str]:
        destination = str(fact["destination"])
        return {
            rule.name
            for _, chunk in self.compiled.rulesets_for(destination)
            for rule in chunk
            if evaluate(rule.condition, fact)
        }
