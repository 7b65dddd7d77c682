"""Reading JSON and YAML safely: UTF-8 only, no duplicate keys, no YAML tags that build objects.

Hostile files are refused quickly with one clear line: files over 5 MB, other
encodings, NUL bytes, nesting deeper than ``MAX_DEPTH``, YAML aliases that
expand to more than ``MAX_ALIAS_EXPANSION`` values ("billion laughs") or refer
to themselves, and impossible dates or numbers too long to read.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from riskcli.core.errors import InputError
from riskcli.i18n import Message, msg
from riskcli.i18n.messages import MESSAGES

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64  # nesting of lists and mappings; an answers file needs 2, a rule file about 12
MAX_ALIAS_EXPANSION = 100_000  # values that YAML aliases may add when expanded
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


class _TooDeep(Exception):
    """Nesting beyond MAX_DEPTH (raised from inside the YAML scanner)."""


class _Resolver(yaml.resolver.Resolver):
    """YAML 1.2's booleans (true/false in any case) instead of YAML 1.1's: a bare ``NO``
    (Norway), ``ON``, ``Y``, ``N``, ``yes`` or ``off`` stays a string. Where a field is a
    boolean, the profile reads yes/no/да/нет itself; everywhere else they keep their meaning."""


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


# libyaml's parser where PyYAML was built with it (much faster), the pure-Python one otherwise;
# both with the safe constructor only: no tag can build a Python object.
# libyaml's own composer recurses in C and crashes the process (stack overflow) on deep nesting
# (100000 '['): its events are composed into nodes here by PyYAML's Python composer instead,
# which counts the depth.
_CParser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None)  # needs libyaml
if _CParser is not None:

    class _SafeBase(
        yaml.composer.Composer,
        _CParser,  # type: ignore[misc]
        yaml.constructor.SafeConstructor,
        _Resolver,
    ):
        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            _Resolver.__init__(self)

else:  # pragma: no cover - PyYAML built without libyaml

    class _SafeBase(yaml.SafeLoader, _Resolver):  # type: ignore[no-redef]
        pass


def _one_line(text: str) -> str:
    """A message of ours is one line, whatever a library put in it."""
    return " ".join(str(text).split())


def _too_deep_text(text: str) -> bool:
    """Our own measure of nesting, for when a parser stops before our composer sees the depth:
    open flow brackets, or block indentation levels, beyond MAX_DEPTH. It only decides which
    message a file that failed to parse gets; it never decides whether a file is read."""
    depth = 0
    quote = ""
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif ch in "]}":
            depth -= 1
    indents: list[int] = []
    for line in text.splitlines():
        body = line.lstrip(" ")
        if not body or body.startswith("#"):
            continue
        indent = len(line) - len(body)
        while indents and indents[-1] >= indent:
            indents.pop()
        indents.append(indent)
        if len(indents) > MAX_DEPTH:
            return True
    return False


class _UniqueKeySafeLoader(_SafeBase):
    """Safe loader that refuses duplicate keys (a silent overwrite could hide an answer),
    nesting deeper than MAX_DEPTH (the pure-Python scanner slows down quadratically with
    depth; these two hooks exist only there), and dates or numbers that cannot exist."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self._depth >= MAX_DEPTH:
            raise _TooDeep
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        if self.flow_level >= MAX_DEPTH:
            raise _TooDeep
        super().fetch_flow_collection_start(TokenClass)

    def add_indent(self, column: int) -> bool:
        if len(self.indents) >= MAX_DEPTH:
            raise _TooDeep
        return bool(super().add_indent(column))

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a real date", node.start_mark
            ) from None

    def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            raise yaml.constructor.ConstructorError(
                None, None, "a number too long to read", node.start_mark
            ) from None


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            duplicate = key in seen
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, f"unusable key {key!r}", key_node.start_mark
            ) from None
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeySafeLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)
_UniqueKeySafeLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _UniqueKeySafeLoader.construct_yaml_timestamp
)
_UniqueKeySafeLoader.add_constructor(
    "tag:yaml.org,2002:int", _UniqueKeySafeLoader.construct_yaml_int
)


def _expanded_size(node: yaml.Node, sizes: dict[int, int], open_: set[int]) -> int:
    """How many values a node stands for once every alias in it is expanded."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_:
        raise InputError(msg("error.yaml_alias_loop", line=node.start_mark.line + 1))
    open_.add(key)
    total = 1
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            total += _expanded_size(child, sizes, open_)
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            total += _expanded_size(key_node, sizes, open_)
            total += _expanded_size(value_node, sizes, open_)
    open_.discard(key)
    sizes[key] = total
    return total


def _load_yaml(text: str) -> Any:
    loader = _UniqueKeySafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        sizes: dict[int, int] = {}
        expanded = _expanded_size(node, sizes, set())
        if expanded - len(sizes) > MAX_ALIAS_EXPANSION:
            raise InputError(msg("error.yaml_aliases", count=expanded, limit=MAX_ALIAS_EXPANSION))
        data = loader.construct_document(node)
        _check_depth(data)
        return data
    finally:
        loader.dispose()


def _check_depth(data: Any) -> None:
    """Refuse lists and mappings nested deeper than MAX_DEPTH (iteratively: no recursion)."""
    stack: list[tuple[list[Any] | dict[Any, Any], int]] = []
    deepest: dict[int, int] = {}  # a value shared by YAML aliases is walked again only if deeper
    if isinstance(data, list | dict):
        stack.append((data, 1))
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _TooDeep
        if deepest.get(id(value), 0) >= depth:
            continue
        deepest[id(value)] = depth
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, list | dict))


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InputError(msg("error.duplicate_key", key=repr(key)))
        out[key] = value
    return out


def what_word(what: str) -> Message | str:
    """What kind of file it is, in words of the catalog ("answers file", «файл ответов»)."""
    key = "what." + what.replace(" ", "_")
    return msg(key) if key in MESSAGES else what


def read_text(path: str | Path, *, what: str = "file") -> tuple[str, str]:
    """Return (display name, text). ``-`` reads standard input."""
    name = "<stdin>" if str(path) == "-" else str(path)
    noun = what_word(what)
    try:
        if str(path) == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            with open(path, "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError(msg("error.no_such_file", name=name, what=noun)) from None
    except IsADirectoryError:
        raise InputError(msg("error.is_directory", name=name, what=noun)) from None
    except OSError as exc:
        raise InputError(msg("error.cannot_read", name=name, reason=exc.strerror)) from None
    if len(data) > MAX_BYTES:
        raise InputError(msg("error.too_large", name=name, mb=MAX_BYTES // (1024 * 1024)))
    if data.startswith(_UTF16_32_BOMS):
        raise InputError(msg("error.utf16", name=name))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(msg("error.not_utf8", name=name, byte=exc.start)) from None
    if "\x00" in text:
        raise InputError(msg("error.nul_byte", name=name))
    if not text.strip():
        raise InputError(msg("error.empty_file", name=name, what=noun))
    return name, text


def parse_data(name: str, text: str) -> Any:
    """Parse JSON (if it looks like JSON) or YAML, safely."""
    too_deep = msg("error.too_deep", name=name, depth=MAX_DEPTH)
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(text, object_pairs_hook=_no_duplicates)
            _check_depth(data)
            return data
        except InputError as exc:
            raise InputError(exc.at(name)) from None
        except json.JSONDecodeError as exc:
            if _too_deep_text(text):
                raise InputError(too_deep) from None
            raise InputError(
                msg(
                    "error.broken_json",
                    name=name,
                    line=exc.lineno,
                    column=exc.colno,
                    problem=exc.msg,
                )
            ) from None
        except (RecursionError, _TooDeep):
            raise InputError(too_deep) from None
        except ValueError:  # an integer of more than 4300 digits
            raise InputError(msg("error.long_number", name=name)) from None
    try:
        return _load_yaml(text)
    except InputError as exc:
        raise InputError(exc.at(name)) from None
    except (RecursionError, _TooDeep):
        raise InputError(too_deep) from None
    except yaml.YAMLError as exc:
        # libyaml (about 1,000 levels) or PyYAML may stop on deep nesting before our composer
        # counts it, each in its own words: the message is ours whichever layer noticed.
        if _too_deep_text(text):
            raise InputError(too_deep) from None
        if isinstance(exc, yaml.MarkedYAMLError):
            mark = exc.problem_mark or exc.context_mark
            problem = _one_line(exc.problem or exc.context or "invalid")
            if mark:
                line, column = mark.line + 1, mark.column + 1
                error = msg(
                    "error.broken_yaml_at", name=name, line=line, column=column, problem=problem
                )
                raise InputError(error) from None
            raise InputError(msg("error.broken_yaml", name=name, problem=problem)) from None
        raise InputError(msg("error.broken_yaml", name=name, problem=_one_line(str(exc)))) from None


def load_data(path: str | Path, *, what: str = "file") -> Any:
    name, text = read_text(path, what=what)
    return parse_data(name, text)
