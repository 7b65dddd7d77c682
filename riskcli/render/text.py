"""Plain text for an 80-column terminal: wrapped at spaces (never inside a word), and row
numbers as ranges ("4–9, 12")."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

WIDTH = 80


def wrap(text: str, width: int = WIDTH, indent: str = "", subsequent: str | None = None) -> str:
    """``text`` in lines of at most ``width`` columns, broken at spaces only; a single word
    longer than a line (a URL, a rule id) is kept whole on its own line."""
    lines = textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n".join(lines) if lines else indent.rstrip()


def ranges(numbers: Iterable[int]) -> str:
    """Sorted numbers as runs: 4, 5, 6, 7, 8, 9, 12 -> "4–9, 12" (an en dash)."""
    runs: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def ranges_within(numbers: Iterable[int], width: int) -> tuple[str, int]:
    """As many leading runs of ``ranges`` as fit in ``width`` characters; (text, how many
    of the numbers it names)."""
    ordered = sorted(set(numbers))
    text = ""
    named = 0
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1] == ordered[end] + 1:
            end += 1
        a, b = ordered[start], ordered[end]
        part = str(a) if a == b else f"{a}–{b}"
        candidate = f"{text}, {part}" if text else part
        if len(candidate) > width:
            break
        text = candidate
        named += end - start + 1
        start = end + 1
    return text, named


def wrap_items(head: str, items: list[str], width: int = WIDTH, indent: str = "  ") -> str:
    """``head`` then the items, comma-separated, a line broken only between items (an item
    longer than a line is wrapped at its spaces)."""
    lines = [head.rstrip()]
    for i, item in enumerate(items):
        piece = item + ("," if i < len(items) - 1 else "")
        if len(lines[-1]) + 1 + len(piece) <= width:
            lines[-1] += " " + piece
        elif len(indent) + len(piece) <= width:
            lines.append(indent + piece)
        else:
            lines += wrap(piece, width, indent).split("\n")
    return "\n".join(lines)
