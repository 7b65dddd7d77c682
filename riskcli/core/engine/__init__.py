"""The rules engines: durable-rules in one module, the plain-Python oracle in another.

:func:`make_matcher` picks one; it prints nothing: where durable-rules cannot be
imported it falls back to the oracle, and :func:`fallback_notice` says so for the
command line to show.
"""

from __future__ import annotations

from collections.abc import Iterable

from riskcli.core.engine.compiled import CompiledPack, EngineName, Matcher
from riskcli.core.engine.durable import DURABLE_AVAILABLE, DurableMatcher
from riskcli.core.engine.oracle import OracleMatcher

ORACLE_NOTICE = (
    "riskcli: durable-rules is not available on this Python; "
    "using the plain-Python evaluator of the same rules"
)


def fallback_notice(engine: EngineName = "auto") -> str | None:
    """The line to show when ``engine`` would fall back to the oracle (None otherwise)."""
    return ORACLE_NOTICE if engine == "auto" and not DURABLE_AVAILABLE else None


def make_matcher(compiled: CompiledPack, engine: EngineName = "auto") -> Matcher:
    """The durable-rules matcher, or the oracle where durable-rules cannot be imported."""
    if engine == "oracle":
        return OracleMatcher(compiled)
    if engine == "durable" or DURABLE_AVAILABLE:
        return DurableMatcher(compiled)
    return OracleMatcher(compiled)


def engine_names() -> Iterable[str]:
    return ("durable", "oracle") if DURABLE_AVAILABLE else ("oracle",)
