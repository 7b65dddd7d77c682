"""The rules engine. The only module that imports durable-rules.

Each rule's condition is compiled once per process (see ``conditions``) and
registered on one ``Host`` whose background dispatcher is switched off. Each
case is asserted as one fact under its own session id, and that session is
deleted in ``finally``, so memory stays flat over any number of cases.

Limits of durable-rules 2.0.28 guarded here (measured; see the project notes):

* a ruleset of 512 rules or more hangs at registration: rules are split into
  rulesets by destination and into chunks well under that;
* too many conditions holding at once for one fact fails with error 303:
  chunks are sized by the number of OR branches that can hold at once;
* a rule whose only test is that a field is absent never returns: every
  compiled rule is anchored on the destination;
* exceptions inside actions are swallowed by the engine: the action only
  records the rule id, and any error in it is re-raised after the call;
* a condition with more than 15 ``$and``/``$or`` groups is refused at
  registration (error 113, naming no rule): each is counted when compiling;
* a 1025th live session corrupts the engine: there is only ever one;
* deleting the session of a fact that matched no rule, when no fact has yet
  matched in that ruleset, crashes the process (segfault or ``free(): invalid
  pointer``; found by the property tests): every ruleset holds a sentinel rule
  that every fact matches, so no fact goes unhandled.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from typing import Any

from riskcli.core.conditions import Json
from riskcli.core.engine.compiled import CompiledPack
from riskcli.core.errors import EngineError

# In every ruleset, matched by every fact (a name no rule id can take): see the module docstring.
SENTINEL = "riskcli:seen"
SENTINEL_RULE: Json = {"$ex": {"destination": 1}}

try:  # durable-rules builds only on Python 3.11 / 3.12
    from durable import engine as _durable

    DURABLE_AVAILABLE = True
    DURABLE_IMPORT_ERROR = ""
except ImportError as _exc:  # pragma: no cover - depends on the Python version
    _durable = None
    DURABLE_AVAILABLE = False
    DURABLE_IMPORT_ERROR = str(_exc)


_HOST: Any = None
_REGISTERED: dict[str, tuple[str, Any]] = {}  # compiled pack -> (ruleset prefix, recorder)
_counter = itertools.count(1)
_SIDS = itertools.count(1)  # unique per process: a session id is never reused while live


def _host() -> Any:
    """One Host per process, its background dispatcher off (it races synchronous calls)."""
    global _HOST
    if _HOST is None:
        assert _durable is not None

        class QuietHost(_durable.Host):  # type: ignore[misc]
            def _run(self) -> None:  # no timer threads, no background dispatch
                return None

        _HOST = QuietHost()
    return _HOST


class _Recorder:
    """Collects the rules fired by one synchronous assert; holds an action's error, if any."""

    def __init__(self) -> None:
        self.fired: list[str] = []
        self.error: BaseException | None = None

    def record(self, name: str) -> None:
        self.fired.append(name)


def _action(recorder: _Recorder, name: str) -> Callable[[Any], None]:
    def act(_closure: Any) -> None:
        try:
            recorder.record(name)
        except BaseException as exc:
            recorder.error = exc

    return act


def _ignore(_closure: Any) -> None:
    """The sentinel's action: nothing to record."""


class DurableMatcher:
    """durable-rules: one fact per case, under its own session, deleted afterwards."""

    name = "durable"

    def __init__(self, compiled: CompiledPack):
        if not DURABLE_AVAILABLE:
            raise EngineError(f"durable-rules cannot be imported here: {DURABLE_IMPORT_ERROR}")
        self.compiled = compiled
        self._host = _host()
        fingerprint = repr([(c.name, c.condition) for c in compiled.rules])
        if fingerprint not in _REGISTERED:
            prefix = f"riskcli{next(_counter)}"
            recorder = _Recorder()
            definitions = {}
            for key, chunks in compiled.buckets.items():
                for i, chunk in enumerate(chunks):
                    definitions[f"{prefix}/{key}:{i}"] = {
                        rule.name: {
                            "all": [{"m": copy.deepcopy(rule.condition)}],
                            "run": _action(recorder, rule.name),
                        }
                        for rule in chunk
                    }
                    definitions[f"{prefix}/{key}:{i}"][SENTINEL] = {
                        "all": [{"m": copy.deepcopy(SENTINEL_RULE)}],
                        "run": _ignore,
                    }
            try:
                self._host.register_rulesets(definitions)
            except Exception as exc:
                raise EngineError(f"durable-rules refused the rule pack: {exc}") from exc
            # The same rules are registered once per process and shared (no unregister exists).
            _REGISTERED[fingerprint] = (prefix, recorder)
        self._prefix, self.recorder = _REGISTERED[fingerprint]

    def match(self, fact: dict[str, Any]) -> set[str]:
        recorder = self.recorder
        recorder.fired.clear()
        recorder.error = None
        destination = str(fact["destination"])
        for key, _chunk in self.compiled.rulesets_for(destination):
            ruleset = f"{self._prefix}/{key}"
            sid = str(next(_SIDS))
            message = dict(fact, id=sid, sid=sid)
            try:
                self._host.assert_fact(ruleset, message)
            except _durable.MessageNotHandledException:
                pass
            except Exception as exc:
                raise EngineError(f"durable-rules failed on this case ({ruleset}): {exc}") from exc
            finally:
                self._host.delete_state(ruleset, sid)
            if recorder.error is not None:
                error, recorder.error = recorder.error, None
                if isinstance(error, KeyboardInterrupt):
                    raise error
                raise EngineError(f"a rule action failed inside durable-rules: {error!r}")
        result = set(recorder.fired)
        recorder.fired.clear()
        return result
