"""The safe YAML loader of :mod:`riskcli.io.loaders`, apart: PyYAML is loaded only when a
file is YAML (an answers file in JSON, and the bundled pack, built, need none of it).

The safe constructor only (no tag builds an object), YAML 1.2's booleans, no duplicate
keys, nesting counted while composing, aliases counted before they are expanded, and
impossible dates or numbers refused.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from riskcli.core.errors import InputError
from riskcli.i18n import msg
from riskcli.io.loaders import MAX_ALIAS_EXPANSION, MAX_DEPTH, _check_depth, _TooDeep

__all__ = ["load", "yaml"]


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


def load(text: str) -> Any:
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
