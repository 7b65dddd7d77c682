"""The rules engine. The only module that imports durable-rules.

durable-rules is driven through the functions of its C module
(``durable_rules_engine``): ``create_ruleset`` once per ruleset of a compiled
pack, when a case first needs it (one assess registers its destination's and
those for any destination); then, for up to ``MAX_FACTS_PER_SESSION`` cases at
once (one case for ``match``), per ruleset: ``assert_facts`` into a new session,
``start_action_for_state`` and ``complete_and_start_action`` until no action is
left (each names a rule that fired and holds every case it fired for: its "cap"),
and ``delete_state`` in
``finally``. Its Python layer (``durable.engine``: a ``Host``, closures, JSON of
the state around every fired action, two timer threads) is not used: it cost
three quarters of the time per case and gave nothing riskcli needs. No Python
code runs inside the engine, so no exception can be swallowed there.

Limits of durable-rules 2.0.28 guarded here (measured; see the project notes):

* a ruleset of 512 rules or more hangs at registration: rules are split into
  rulesets by destination and into chunks well under that;
* too many conditions holding at once for one fact fail: error 303 (64 and
  more in a ruleset), or a crash of the process (``free(): invalid pointer``,
  seen with 65 branches of one rule's ``$or`` holding), which no retry can
  catch: chunks are sized by the number of OR branches that can hold at once
  (``compiled.simultaneous``, an upper bound checked against the engine);
* a rule whose only test is that a field is absent never returns: every
  compiled rule is anchored on the destination;
* a condition with more than 15 ``$and``/``$or`` groups is refused at
  registration (error 113, naming no rule): each is counted when compiling;
* a 1025th live session corrupts the engine: there is only ever one, deleted
  in ``finally`` whatever happened;
* a fact is identified by a 32-bit hash of its ``id`` (asserting the same one
  twice in a session is refused): the ids of one session hash apart (tested);
* deleting the session of a fact that matched no rule, when no fact has yet
  matched in that ruleset, crashes the process (segfault or ``free(): invalid
  pointer``; found by the property tests): every ruleset holds a sentinel rule
  that every fact matches, so no fact goes unhandled. Its action starts
  last (lowest priority) and ends the loop: it is neither recorded nor
  completed, so it costs no call of its own;
* only JSON-plain facts reach the engine (``to_fact`` makes them).

Many cases at once (``match_many``, for batches): each fact of a session has
its own ``id`` (its place in the session, ``"00"`` to ``"63"``). A rule's action holds
up to ``ACTION_CAP`` matches (durable-rules' ``"cap"``), so one message of a rule
lists the text of every fact it matched in the session, and the rule is given to
each case whose ``id`` a frame holds (once, though two true branches of an
``$or`` give it two frames). The rules have one pattern each, so facts of one session
never join. The sentinel's action has the lowest priority and comes after every
rule's; the loop stops there. One session and one ``assert_facts`` per ruleset
and chunk instead of per case (the session's set-up is most of an assert's
cost), and one message per rule fired instead of one per case and branch (each
message is a round trip through the engine and Python: 14.7 a case became 0.5).

The engine is given short names for the fields (``short_keys``: ``_0``, ``_1``...),
in the rules and in the facts, and facts without spaces: it copies a fact's text
into every match it reports, and the names were most of that text (5.4 KB of
messages a case became 2.4 KB). A fact's text is made of parts kept from one fact
to the next (``"_7":"KG"``): a batch repeats the same values.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import Any

from riskcli.core.conditions import Json
from riskcli.core.engine.compiled import (
    MAX_BRANCHES_PER_RULESET,
    CompiledPack,
    CompiledRule,
    condition_fields,
)
from riskcli.core.errors import EngineError, PackRefused

# In every ruleset, matched by every fact (a name no rule id can take): see the module docstring.
SENTINEL = "riskcli:seen"
SENTINEL_RULE: Json = {"$ex": {"destination": 1}}
_SENTINEL_HEAD = '{"' + SENTINEL + '":'
# Actions start in the order of priority (lower first; rules have 0): the sentinel's is last,
# and is never completed: the session is deleted with it pending (flat over 200,000 cases).
SENTINEL_PRIORITY = 1000

try:  # durable-rules builds only on Python 3.11 / 3.12
    import durable_rules_engine as _engine

    DURABLE_AVAILABLE = True
    DURABLE_IMPORT_ERROR = ""
except ImportError as _exc:  # pragma: no cover - depends on the Python version
    _engine = None
    DURABLE_AVAILABLE = False
    DURABLE_IMPORT_ERROR = str(_exc)

# The codes of assert_fact (rules.h): handled, not handled, already observed, deferred.
_OK, _NOT_HANDLED, _OBSERVED, _DEFERRED = 0, 1, 2, 3

# Facts asserted together into one session by match_many; their ids are "00" .. "63" (all
# of two digits: a frame's id is read off its first three characters, see _action_cases).
MAX_FACTS_PER_SESSION = 64
_FACT_IDS = tuple(f"{i:02d}" for i in range(MAX_FACTS_PER_SESSION))
# where a frame of an action message starts: its fact's id follows
_FRAME = '{"m":{"id":"'
# A rule's action holds up to this many of the session's matches at once (durable-rules'
# "cap"): one message per rule and session, not one per case and true $or branch
# (MAX_FACTS_PER_SESSION facts x MAX_BRANCHES_PER_RULESET branches at most).
ACTION_CAP = MAX_FACTS_PER_SESSION * MAX_BRANCHES_PER_RULESET

# made once (json.dumps makes one a call); no spaces: the text is read back in every frame
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
PARTS_KEPT = 20_000  # parts of facts' texts kept (DurableMatcher._part)

# pack fingerprint -> (name prefix, {ruleset name: handle}), filled as rulesets are needed
_REGISTERED: dict[str, tuple[str, dict[str, int]]] = {}
_counter = itertools.count(1)
_SIDS = itertools.count(1)  # unique per process: a session id is never reused while live


def _definition(chunk: list[CompiledRule], keys: dict[str, str] | None) -> str:
    rules: dict[str, Any] = {
        rule.name: {"all": [{"m": _renamed(rule.condition, keys)}], "cap": ACTION_CAP}
        for rule in chunk
    }
    rules[SENTINEL] = {"all": [{"m": _renamed(SENTINEL_RULE, keys)}], "pri": SENTINEL_PRIORITY}
    return json.dumps(rules, ensure_ascii=False)


def short_keys(conditions: Sequence[Json]) -> dict[str, str] | None:
    """A short name for every fact field the conditions test (``_0``, ``_1``, ... ``_z``,
    ``_10``...: no fact field starts with ``_``), given to the engine instead of the field's
    own name, in the rules and in the facts. The engine copies a fact's text into every
    match it reports, and reads it at each of its nodes: the names are most of that text
    (``days_from_entry_to_passport_expiry``). None (names as they are) if a condition
    compares two fields (any field may matter)."""
    tested = [condition_fields(cond) for cond in conditions]
    if any(fields is None for fields in tested):
        return None
    names = sorted(frozenset({"destination"}).union(*tested))  # type: ignore[arg-type]
    return {name: "_" + _base36(i) for i, name in enumerate(names)}


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = digits[n % 36]
    while n >= 36:
        n //= 36
        out = digits[n % 36] + out
    return out


def _renamed(cond: Json, keys: dict[str, str] | None) -> Json:
    """A compiled condition with the fact fields it names renamed (``short_keys``)."""
    if keys is None:
        return cond
    ((op, arg),) = cond.items()
    if op in ("$and", "$or"):
        return {op: [_renamed(part, keys) for part in arg]}
    if not op.startswith("$"):
        return {keys[op]: arg}
    return {op: {keys[field]: value for field, value in arg.items()}}


def _action_cases(message: str) -> tuple[str, list[int]]:
    """The rule named by an action message of ``match_many`` and the places in the session
    of the facts it holds: ``{"name":[{"m":{"id":"07",...}},{"m":{"id":"09",...}}]}`` (a
    rule's, up to ``ACTION_CAP`` frames), or ``{"name":{"m":{"id":"07",...}}}`` (the
    sentinel's, one frame). A fact held twice (two branches of an ``$or``) is listed once.
    The places are read off the text where the name is plain (every fact's text is ours,
    from ``json``: a ``{"m":{"id":"`` can stand only where a frame starts); decoded
    otherwise."""
    end = message.find('":', 2)
    name = message[2:end]
    if message.startswith('{"') and end > 2 and "\\" not in name and '"' not in name:
        pieces = message.split(_FRAME)  # the first is the name's: it holds no quote mark
        # every frame read (each one's id first), each of a fact of the call: else decoded
        # (never one left out)
        if len(pieces) > 1 and len(pieces) - 1 == message.count('{"m":', end):
            places = _PLACES
            try:
                return name, list({places[piece[:3]] for piece in pieces[1:]})
            except KeyError:  # an id that is not one of ours
                pass
    ((rule, body),) = json.loads(message).items()
    frames = body if isinstance(body, list) else [body]
    return str(rule), list(dict.fromkeys(int(frame["m"]["id"]) for frame in frames))


# a frame's first three characters after _FRAME (its id and the closing quote mark) ->
# the place in the session of its fact
_PLACES = {f'{text}"': place for place, text in enumerate(_FACT_IDS)}


class DurableMatcher:
    """durable-rules: one fact per case and ruleset, under its own session, deleted afterwards."""

    name = "durable"

    def __init__(self, compiled: CompiledPack):
        if not DURABLE_AVAILABLE:
            raise EngineError(f"durable-rules cannot be imported here: {DURABLE_IMPORT_ERROR}")
        self.compiled = compiled
        # the engine's names of the fields the rules test (short_keys; None: their own)
        self._keys = short_keys([rule.condition for rule in compiled.rules])
        fingerprint = repr(([(c.name, c.condition) for c in compiled.rules], self._keys))
        if fingerprint not in _REGISTERED:
            # The same rules are registered once per process and shared (no unregister
            # exists), each ruleset when a case first needs it: one assess registers the
            # rulesets of one destination and those for any destination, not the pack's.
            _REGISTERED[fingerprint] = (f"riskcli{next(_counter)}", {})
        self._prefix, self._handles = _REGISTERED[fingerprint]
        self._chunks = {
            f"{key}:{i}": chunk
            for key, chunks in compiled.buckets.items()
            for i, chunk in enumerate(chunks)
        }
        # ruleset -> the fields the rules of its destination (all its rulesets) test, each
        # with the engine's name for it, for match_many; None: every field, as it is
        self._fields: dict[str, dict[str, str] | None] = {}
        # destination -> handles of its rulesets, then those of the rules for any destination
        self._routes: dict[str, list[tuple[str, int]]] = {}
        # (field, value, type) -> the field's part of a fact's text: a batch repeats values
        self._parts: dict[tuple[str, Any, type], str] = {}

    def _handle(self, name: str) -> int:
        handle = self._handles.get(name)
        if handle is None:
            try:
                handle = _engine.create_ruleset(
                    f"{self._prefix}/{name}", _definition(self._chunks[name], self._keys)
                )
            except Exception as exc:
                raise PackRefused(f"durable-rules refused the rule pack ({name}): {exc}") from exc
            self._handles[name] = handle
        if name not in self._fields:
            # the same set for every ruleset of a destination: a fact's text for one of
            # them is its text for all
            bucket = name.rsplit(":", 1)[0]
            names = [n for n in self._chunks if n.rsplit(":", 1)[0] == bucket]
            tested = [condition_fields(rule.condition) for n in names for rule in self._chunks[n]]
            wanted = None
            if self._keys is not None:
                fields = {"destination"}.union(*tested)  # type: ignore[arg-type]
                wanted = {field: self._keys[field] for field in sorted(fields)}
            for n in names:
                self._fields[n] = wanted
        return handle

    def engine_fact(self, ruleset: str, fact: dict[str, Any]) -> dict[str, Any]:
        """A fact as the engine is given it for a ruleset (``_handle`` first): only the
        fields its destination's rules test, under the engine's names for them."""
        wanted = self._fields[ruleset]
        if wanted is None:
            return fact
        return {wanted[k]: v for k, v in fact.items() if k in wanted}

    def _rulesets(self, destination: str) -> list[tuple[str, int]]:
        route = self._routes.get(destination)
        if route is None:
            route = [
                (name, self._handle(name))
                for name, _chunk in self.compiled.rulesets_for(destination)
            ]
            if len(self._routes) < 1024:  # destinations are country codes: a few hundred
                self._routes[destination] = route
        return route

    def match_many(self, facts: Sequence[dict[str, Any]]) -> list[set[str]]:
        """``match`` of each fact, in order. Up to ``MAX_FACTS_PER_SESSION`` facts share one
        session of each ruleset. EngineError if any of them fails (the caller may then match
        them one by one to find it)."""
        fired: list[set[str]] = [set() for _ in facts]
        members: dict[tuple[str, int], list[int]] = {}
        routes = self._routes
        for i, fact in enumerate(facts):
            destination = fact["destination"]
            route = routes.get(destination) if type(destination) is str else None
            if route is None:
                route = self._rulesets(str(destination))
            for ruleset in route:
                cases = members.get(ruleset)
                if cases is None:
                    members[ruleset] = [i]
                else:
                    cases.append(i)
        encode = _encode
        part = self._parts.get
        made: dict[int, dict[int, str]] = {}
        for (name, handle), cases in members.items():
            # only the fields the rulesets of the destination test (present or absent), under
            # the engine's short names: the engine reads every field of a fact at each of
            # its nodes, and a field no rule names can change nothing
            wanted = self._fields[name]
            bodies = made.setdefault(id(wanted), {})  # the same dict for a destination's
            for i in cases:
                if i in bodies:
                    continue
                fact = facts[i]
                if wanted is not None:
                    try:  # encode(self.engine_fact(name, fact)), from the parts already made
                        parts = [
                            part((k, v, type(v))) or self._part(wanted[k], k, v)
                            for k, v in fact.items()
                            if k in wanted
                        ]
                        bodies[i] = "," + ",".join(parts) + "}" if parts else "}"
                        continue
                    except TypeError:  # a value that is not JSON-plain (no fact of to_fact's)
                        pass
                text = encode(self.engine_fact(name, fact))
                bodies[i] = "," + text[1:] if len(text) > 2 else "}"
            for start in range(0, len(cases), MAX_FACTS_PER_SESSION):
                self._session(
                    name, handle, cases[start : start + MAX_FACTS_PER_SESSION], bodies, fired
                )
        return fired

    def _part(self, name: str, field: str, value: Any) -> str:
        """``"name":value``, kept (bounded: cleared when full)."""
        text = _encode({name: value})[1:-1]
        if len(self._parts) >= PARTS_KEPT:
            self._parts.clear()
        self._parts[(field, value, type(value))] = text
        return text

    def _session(
        self,
        name: str,
        handle: int,
        cases: list[int],
        bodies: dict[int, str],
        fired: list[set[str]],
    ) -> None:
        engine = _engine
        sid = str(next(_SIDS))
        head = f'"sid":"{sid}"'
        text = (
            "["
            + ",".join(f'{{"id":"{_FACT_IDS[k]}",{head}{bodies[i]}' for k, i in enumerate(cases))
            + "]"
        )
        what = "this case" if len(cases) == 1 else "these cases"
        done = False
        try:
            code, state = engine.assert_facts(handle, text)
            if code == _OK:
                complete = engine.complete_and_start_action
                message = engine.start_action_for_state(handle, state)
                while message is not None:
                    if not isinstance(message, str):
                        message = message[1]
                    if message.startswith(_SENTINEL_HEAD):
                        break
                    rule, places = _action_cases(message)
                    for k in places:
                        fired[cases[k]].add(rule)
                    message = complete(handle, state)
            elif code != _NOT_HANDLED:
                raise EngineError(f"durable-rules answered {code} on {what} ({name})")
            done = True
        except EngineError:
            raise
        except Exception as exc:
            raise EngineError(f"durable-rules failed on {what} ({name}): {exc}") from exc
        finally:
            try:
                engine.delete_state(handle, sid)
            except Exception as exc:
                # After a failed assert there may be no session to delete: the first error
                # is the one to tell.
                if done:
                    raise EngineError(f"durable-rules failed on {what} ({name}): {exc}") from exc

    def match(self, fact: dict[str, Any]) -> set[str]:
        return self.match_many([fact])[0]
