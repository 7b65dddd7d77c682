"""Reading JSON and YAML safely: UTF-8 only, no duplicate keys, no YAML tags that build objects."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

from riskcli.errors import InputError

MAX_BYTES = 5 * 1024 * 1024


# libyaml's parser when PyYAML was built with it (about 10x faster: it is most of the
# start-up time of a one-shot run); the constructor stays the safe one either way.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeySafeLoader(_SafeBase):  # type: ignore[valid-type,misc]
    """SafeLoader that refuses duplicate keys (a silent overwrite could hide an answer)."""


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


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InputError(f"duplicate key {key!r}")
        out[key] = value
    return out


def read_text(path: str | Path, *, what: str = "file") -> tuple[str, str]:
    """Return (display name, text). ``-`` reads standard input."""
    name = "<stdin>" if str(path) == "-" else str(path)
    try:
        if str(path) == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            with open(path, "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{name}: no such {what}") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, not a {what}") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise InputError(f"{name}: larger than {MAX_BYTES // (1024 * 1024)} MB; not read")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    if "\x00" in text:
        raise InputError(f"{name}: contains a NUL byte; not a text file")
    if not text.strip():
        raise InputError(f"{name}: the {what} is empty")
    return name, text


def parse_data(name: str, text: str) -> Any:
    """Parse JSON (if it looks like JSON) or YAML, safely."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(text, object_pairs_hook=_no_duplicates)
        except InputError as exc:
            raise InputError(f"{name}: {exc}") from None
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{name}: line {exc.lineno}, column {exc.colno}: broken JSON: {exc.msg}"
            ) from None
        except RecursionError:
            raise InputError(f"{name}: nested too deeply") from None
    try:
        return yaml.load(text, Loader=_UniqueKeySafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = exc.problem or exc.context or "invalid"
        raise InputError(f"{name}: {where}broken YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{name}: broken YAML: {exc}") from None
    except RecursionError:
        raise InputError(f"{name}: nested too deeply") from None


def load_data(path: str | Path, *, what: str = "file") -> Any:
    name, text = read_text(path, what=what)
    return parse_data(name, text)
