"""The rules engines: durable-rules in one module, the plain-Python oracle in another.

:func:`make_matcher` picks one; it prints nothing: where durable-rules cannot be
imported it falls back to the oracle (``riskcli --version`` says which engine runs).
"""

from __future__ import annotations

from collections.abc import Iterable

from riskcli.core.engine.compiled import CompiledPack, EngineName, Matcher
from riskcli.core.engine.durable import DURABLE_AVAILABLE, DurableMatcher
from riskcli.core.engine.oracle import OracleMatcher


def make_matcher(compiled: CompiledPack, engine: EngineName = "auto") -> Matcher:
    """The durable-rules matcher, or the oracle where durable-rules cannot be imported."""
    if engine == "oracle":
        return OracleMatcher(compiled)
    if engine == "durable" or DURABLE_AVAILABLE:
        return DurableMatcher(compiled)
    return OracleMatcher(compiled)  # `riskcli --version` says which engine runs


def engine_names() -> Iterable[str]:
    return ("durable", "oracle") if DURABLE_AVAILABLE else ("oracle",)
