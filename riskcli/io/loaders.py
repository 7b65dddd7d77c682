"""Reading JSON and YAML safely: UTF-8 only, no duplicate keys, no YAML tags that build objects.

Hostile files are refused quickly with one clear line: files over 5 MB, other
encodings, NUL bytes, nesting deeper than ``MAX_DEPTH``, YAML aliases that
expand to more than ``MAX_ALIAS_EXPANSION`` values ("billion laughs") or refer
to themselves, and impossible dates or numbers too long to read. The YAML loader itself
is :mod:`riskcli.io.safeyaml`, imported for YAML files only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from riskcli.core.errors import InputError
from riskcli.i18n import Message, msg
from riskcli.i18n.messages import MESSAGES

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64  # nesting of lists and mappings; an answers file needs 2, a rule file about 12
MAX_ALIAS_EXPANSION = 100_000  # values that YAML aliases may add when expanded
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


class _TooDeep(Exception):
    """Nesting beyond MAX_DEPTH (raised from inside the YAML scanner)."""


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
    from riskcli.io import safeyaml  # YAML's parser is loaded for YAML files only
    from riskcli.io.safeyaml import yaml

    try:
        return safeyaml.load(text)
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
