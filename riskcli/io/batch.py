"""Batch triage: many intake rows in, one result row per input row out, in order.

Rows are read, assessed and written one at a time, so memory stays flat
whatever the number of rows. A bad row (broken CSV, not UTF-8, an answer the
profile model refuses) becomes an ``error`` row naming the field and the
reason; it never stops the run or loses another row.

Large batches use several worker processes, each holding ONE ``Assessor``,
fed chunks of records through a bounded window so that the input is never
read ahead without limit, and their answers are taken in input order. For a
``.csv`` file a chunk is the file's lines as read: the workers read them into
rows, assess them and write the result rows (``assess_records``), and this
process only splits the file into lines and puts the chunks' texts and
triage counts together. One process does the same, chunk by chunk.

Inputs:

* ``.csv``: a header of spec §1 field names, then one intake per line (lists
  ``;``-separated). A cell cannot hold a line break (no field allows one), so
  every physical line is one record: a broken line cannot swallow the next.
* ``.jsonl``: one JSON object per line.
* ``.json``: one JSON list of objects, read element by element.

Blank lines (and CSV lines whose cells are all empty) are not intakes and are
skipped. ``row`` is the line number of the record in the file (for ``.json``:
the element's position in the list, from 1).
"""

from __future__ import annotations

import codecs
import collections
import contextlib
import csv
import datetime as dt
import functools
import gc
import io
import itertools
import json
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar

from riskcli.core.batch import InputRow, RowResult, Triage, assess_chunk
from riskcli.core.errors import InputError
from riskcli.core.profile import FIELDS
from riskcli.core.report import DeadlineItem

if TYPE_CHECKING:
    from riskcli.core.assess import Assessor
    from riskcli.core.engine.compiled import EngineName

INPUT_SUFFIXES = (".csv", ".jsonl", ".json")
OUTPUT_COLUMNS = (
    "row",
    "case_id",
    "status",
    "highest_severity",
    "categories",
    "nearest_deadline",
    "days_left",
    "error",
    "certainty",
    "destination_covered",
    "possible_highest_severity",
    "to_check",
)
MAX_LINE_BYTES = 1024 * 1024  # one intake is a few hundred bytes; a longer line is an error row
MAX_JSON_ELEMENT = MAX_LINE_BYTES
READ_CHUNK = 64 * 1024
PARALLEL_MIN_ROWS = 5000  # records; below this, worker processes cost more than they save
CHUNKSIZE = 256  # records (CSV lines, blank ones too; or rows) sent to a worker at a time
CHUNK_BYTES = 8 * 1024 * 1024  # and at most this much of their text: lines can be long
MATCH_CHUNK = 256  # rows the engine matches in one call (a worker's chunk: CHUNKSIZE)
PROGRESS_EVERY = 64  # rows between two updates of the progress bar
SPREADSHEET_FORMULA = ("=", "+", "-", "@", "\t", "\r")
FIELD_SET = frozenset(FIELDS)
MAX_IGNORED_NAMES = 20
# The template's example row carries this case_id; batch and cases import skip it, and say so.
EXAMPLE_CASE_ID = "example (skipped)"

OutputFormat = Literal["csv", "jsonl"]
_T = TypeVar("_T")
_R = TypeVar("_R")


def _cell(text: str) -> str:
    """Neutralise text a spreadsheet would run as a formula (=, +, -, @ at the start)."""
    return f"'{text}" if text.startswith(SPREADSHEET_FORMULA) else text


def _as_json(result: RowResult) -> dict[str, Any]:
    return {
        "row": result.row,
        "case_id": result.case_id,
        "status": result.status,
        "highest_severity": result.highest_severity,
        "categories": list(result.categories),
        "nearest_deadline": result.nearest_deadline.isoformat()
        if result.nearest_deadline
        else None,
        "days_left": result.days_left,
        "error": result.error,
        "certainty": result.certainty,
        "destination_covered": result.destination_covered,
        "possible_highest_severity": result.possible_highest_severity,
        "to_check": list(result.to_check),
    }


def _as_csv(result: RowResult) -> list[str]:
    return [
        str(result.row),
        _cell(result.case_id),
        result.status,
        result.highest_severity or "",
        ";".join(result.categories),
        result.nearest_deadline.isoformat() if result.nearest_deadline else "",
        "" if result.days_left is None else str(result.days_left),
        _cell(result.error or ""),
        result.certainty or "",
        "" if result.destination_covered is None else str(result.destination_covered).lower(),
        result.possible_highest_severity or "",
        ";".join(result.to_check),
    ]


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Intake:
    """What the reader of an intake file set aside, for the summary."""

    ignored_columns: tuple[str, ...] = ()  # names only: their cells are never read
    skipped_examples: tuple[int, ...] = ()  # rows of the template's example

    def notice(self) -> tuple[tuple[str, ...], tuple[int, ...]]:
        return self.ignored_columns, self.skipped_examples


class _Source:
    """A binary file read line by line, counting the bytes read (for the progress bar).

    What the reader set aside is noted for the summary: ``ignored``, the names of columns
    (or JSON keys) that are not profile fields, whose contents are never read; and
    ``skipped_examples``, the rows of the template's example.
    """

    def __init__(self, path: Path, keep: Iterable[str] = ()):
        self.path = path
        self.keep = frozenset(keep)
        self.ignored: list[str] = []
        self.skipped_examples: list[int] = []
        try:
            self.size = path.stat().st_size
            self.fh: IO[bytes] = open(path, "rb")  # noqa: SIM115 - closed by close()
        except FileNotFoundError:
            raise InputError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise InputError(f"{path}: is a directory, not a file of intakes") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror}") from None
        self.done = 0
        self.first = True

    def lines(self) -> Iterator[tuple[int, bytes | None]]:
        """(line number, raw line without its end); None for a line too long to read."""
        number = 0
        while True:
            raw = self.fh.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            number += 1
            self.done += len(raw)
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                while True:  # skip the rest of the overlong line
                    more = self.fh.readline(READ_CHUNK)
                    self.done += len(more)
                    if not more or more.endswith(b"\n"):
                        break
                yield number, None
                continue
            if self.first:
                self.first = False
                raw = raw.removeprefix(codecs.BOM_UTF8)
            yield number, raw.rstrip(b"\r\n")

    def close(self) -> None:
        self.fh.close()

    def intake(self) -> Intake:
        return Intake(tuple(self.ignored), tuple(self.skipped_examples))

    def wanted(self, name: str) -> bool:
        return name in FIELD_SET or name in self.keep

    def ignore(self, name: str) -> None:
        shown = _shown_name(name)
        if shown not in self.ignored and len(self.ignored) < MAX_IGNORED_NAMES:
            self.ignored.append(shown)

    def records(self) -> int | None:
        """How many records the file holds, counted ahead (for the progress bar: rows, not
        bytes); None for a ``.json`` list. The count of non-blank lines, less the header."""
        if self.path.suffix.lower() == ".json":
            return None
        count = 0
        with open(self.path, "rb") as fh:
            for line in fh:
                if line.strip():
                    count += 1
        return max(0, count - (1 if self.path.suffix.lower() == ".csv" else 0))


def _decode(raw: bytes) -> tuple[str | None, str | None]:
    """(text, None) or (None, reason)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text (byte {exc.start + 1} of the line); save the file as UTF-8"
    if "\x00" in text:
        return None, "contains a NUL byte"
    return text, None


TOO_LONG = f"line longer than {MAX_LINE_BYTES // 1024} KB; not read"


def _texts(
    lines: Iterable[tuple[int, bytes | None]],
) -> Iterator[tuple[int, str | None, str | None]]:
    """(line number, text, None) for each non-blank line, or (number, None, why not)."""
    for number, raw in lines:
        if raw is None:
            yield number, None, TOO_LONG
            continue
        text, problem = _decode(raw)
        if text is None:
            yield number, None, problem
        elif text.strip():
            yield number, text, None


DELIMITERS = ",;\t"


def _delimiter(header: str) -> str:
    """The column separator, read from the header line: ``,`` ``;`` or a tab (spreadsheets
    in Russian locales export ``;``). A header of one column has none: ``,``."""
    try:
        found = csv.Sniffer().sniff(header, delimiters=DELIMITERS).delimiter
    except csv.Error:
        found = ""
    if found in DELIMITERS and found:
        return found
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_header(
    source: _Source, lines: Iterator[tuple[int, bytes | None]]
) -> tuple[CsvRows, Iterator[tuple[int, bytes | None]]]:
    """Read the header line off ``lines``: how to read the lines after it (the columns to
    keep, the separator), and those lines. InputError if there is no usable header."""
    header: list[str] | None = None
    delimiter = ","
    for number, raw in lines:
        if raw is None:
            raise InputError(f"{source.path}: line {number}: the header line is too long")
        text, problem = _decode(raw)
        if text is None:
            raise InputError(f"{source.path}: line {number}: the header line is {problem}")
        if not text.strip():
            continue
        delimiter = _delimiter(text)
        try:
            header = next(csv.reader([text], strict=True, delimiter=delimiter))
        except csv.Error as exc:
            raise InputError(f"{source.path}: line {number}: broken CSV header: {exc}") from None
        break
    if header is None:
        raise InputError(f"{source.path}: empty: no header line with the column names")
    columns = _check_columns(source, [h.strip() for h in header])
    return CsvRows(tuple(columns), delimiter), lines


class CsvRows(NamedTuple):
    """How to read the lines of a CSV file after its header: the columns to keep (an empty
    name: a column ignored) and the separator. Plain data: sent to worker processes,
    which read their own lines."""

    columns: tuple[str, ...]
    delimiter: str

    def rows(
        self, lines: Iterable[tuple[int, bytes | None]], skipped: list[int]
    ) -> Iterator[InputRow]:
        """The row of each line that holds an intake (blank lines are none); the numbers of
        the template's example rows go to ``skipped``."""
        columns, delimiter = self.columns, self.delimiter
        reader = LineReader(delimiter)
        for number, text, problem in _texts(lines):
            if text is None:
                yield InputRow(number, None, problem)
                continue
            try:
                cells = reader.cells(text)
            except csv.Error as exc:
                yield InputRow(number, None, f"broken CSV: {exc} (a cell cannot hold a line break)")
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(columns):
                hint = ""
                if delimiter == ";" and len(cells) > len(columns):
                    hint = "; a list inside a cell must be in double quotes"
                yield InputRow(
                    number,
                    None,
                    f"{len(cells)} cells, but the header names {len(columns)} columns "
                    f"(separated by {_DELIMITER_NAMES[delimiter]}{hint})",
                )
                continue
            data: dict[str, Any] = {}
            for name, cell in zip(columns, cells, strict=True):
                if name:
                    data[name] = cell
            if _is_example(data):
                skipped.append(number)
                continue
            yield InputRow(number, data)


_DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "tabs"}


class LineReader:
    """The cells of one line at a time, as ``next(csv.reader([line], strict=True, ...))``
    gives them (or the same csv.Error), from one reader kept for the file: a reader made
    for each line costs as much again. It is given one line, and only that line: a quoted
    cell left open at its end is the same "unexpected end of data", never the next line.
    After an error the reader starts afresh on the next line (tests/test_row_paths.py)."""

    def __init__(self, delimiter: str):
        self._line: str | None = None
        self._reader = csv.reader(self, strict=True, delimiter=delimiter)

    def __iter__(self) -> LineReader:
        return self

    def __next__(self) -> str:  # what the reader reads: the one line, then nothing
        line = self._line
        if line is None:
            raise StopIteration
        self._line = None
        return line

    def cells(self, line: str) -> list[str]:
        self._line = line
        try:
            return next(self._reader)
        finally:
            self._line = None


def _is_example(data: dict[str, Any]) -> bool:
    value = data.get("case_id")
    return isinstance(value, str) and value.strip() == EXAMPLE_CASE_ID


def _shown_name(name: str) -> str:
    """A column name as a warning shows it: printable, at most 40 characters."""
    text = "".join(c if c.isprintable() else "?" for c in name)
    return text[:40] + ("…" if len(text) > 40 else "")


def _check_columns(source: _Source, columns: list[str]) -> list[str]:
    """The columns to read: profile fields (and ``source.keep``); others are ignored, their
    names noted once in ``source.ignored`` (their cells are never read nor shown)."""
    path = source.path
    named = [c for c in columns if c]
    dupes = sorted({c for c in named if named.count(c) > 1 and source.wanted(c)})
    if dupes:
        raise InputError(f"{path}: column(s) named twice: {', '.join(dupes)}")
    if "destination" not in named:
        raise InputError(
            f"{path}: no 'destination' column; every intake needs one "
            f"(columns are separated by ',', ';' or tabs; allowed: {', '.join(FIELDS)})"
        )
    kept: list[str] = []
    for c in columns:
        if source.wanted(c):
            kept.append(c)
        else:
            source.ignore(c or "(no name)")
            kept.append("")
    return kept


def _read_jsonl(source: _Source) -> Iterator[InputRow]:
    from riskcli.io.loaders import _no_duplicates

    for number, text, problem in _texts(source.lines()):
        if text is None:
            yield InputRow(number, None, problem)
            continue
        try:
            value = json.loads(text, object_pairs_hook=_no_duplicates)
        except InputError as exc:
            yield InputRow(number, None, str(exc))
            continue
        except json.JSONDecodeError as exc:
            yield InputRow(number, None, f"broken JSON at column {exc.colno}: {exc.msg}")
            continue
        except RecursionError:
            yield InputRow(number, None, "JSON nested too deeply")
            continue
        row = _json_row(source, number, value)
        if row is not None:
            yield row


def _json_row(source: _Source, number: int, value: Any) -> InputRow | None:
    """The row of one JSON object: keys that are not profile fields are ignored (and named
    in ``source.ignored``); None for the template's example."""
    if not isinstance(value, dict):
        return InputRow(
            number, None, f"expected an object of field names to answers, got {_kind(value)}"
        )
    data = {}
    for key, item in value.items():
        if source.wanted(key):
            data[key] = item
        else:
            source.ignore(key or "(no name)")
    if _is_example(data):
        source.skipped_examples.append(number)
        return None
    return InputRow(number, data)


def _kind(value: Any) -> str:
    return {list: "a list", str: "text", bool: "true/false", type(None): "null"}.get(
        type(value), "a number"
    )


def _read_json(source: _Source) -> Iterator[InputRow]:
    """Elements of a top-level JSON list, decoded one at a time (the file is never whole)."""
    from riskcli.io.loaders import _no_duplicates

    decoder = json.JSONDecoder(object_pairs_hook=_no_duplicates)
    utf8 = codecs.getincrementaldecoder("utf-8-sig")()
    buf = ""
    pos = 0
    eof = False

    def more() -> bool:
        nonlocal buf, pos, eof
        if eof:
            return False
        chunk = source.fh.read(READ_CHUNK)
        source.done += len(chunk)
        try:
            text = utf8.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise _Broken(f"not UTF-8 text ({exc.reason})") from None
        if not chunk:
            eof = True
        buf = buf[pos:] + text
        pos = 0
        return bool(chunk) or bool(text)

    def skip_space() -> bool:
        nonlocal pos
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n":
                pos += 1
            if pos < len(buf):
                return True
            if not more():
                return False

    index = 0
    try:
        if not skip_space():
            raise InputError(f"{source.path}: the file is empty")
        if buf[pos] != "[":
            raise InputError(
                f"{source.path}: expected a JSON list of intakes ([{{...}}, {{...}}]); "
                "for one object per line use a .jsonl file"
            )
        pos += 1
        if skip_space() and buf[pos] == "]":
            return
        while True:
            index += 1
            if not skip_space():
                raise _Broken("the list is not closed with ]")
            while True:
                try:
                    value, end = decoder.raw_decode(buf, pos)
                    if end == len(buf) and not eof and buf[pos] not in '[{"':
                        # a number or word cut at the chunk's end: read on
                        raise json.JSONDecodeError("cut", buf, end)
                    break
                except json.JSONDecodeError as exc:
                    if len(buf) - pos > MAX_JSON_ELEMENT or not more():
                        raise _Broken(f"broken JSON in element {index}: {exc.msg}") from None
                except InputError as exc:  # duplicate key
                    raise _Broken(f"element {index}: {exc}") from None
                except RecursionError:
                    raise _Broken(f"element {index}: JSON nested too deeply") from None
            pos = end
            row = _json_row(source, index, value)
            if row is not None:
                yield row
            if not skip_space():
                index += 1
                raise _Broken("the list is not closed with ]")
            if buf[pos] == ",":
                pos += 1
                continue
            index += 1
            if buf[pos] == "]":
                pos += 1
                if skip_space():
                    raise _Broken("text after the closing ]")
                return
            raise _Broken(f"expected , or ] after element {index - 1}")
    except _Broken as exc:
        # The rest of a broken JSON list cannot be found again: one error row says so.
        yield InputRow(index, None, f"{exc}; the rest of the file cannot be read")


class _Broken(Exception):
    pass


def read_records(
    path: Path, keep: Iterable[str] = ()
) -> tuple[_Source, Iterator[Any], CsvRows | None]:
    """Open an intake file; InputError (exit 2) if it cannot be read at all. Its records:
    for a ``.csv`` file its lines after the header as read (line number, bytes) and how to
    read them into rows (``CsvRows``), so that worker processes can; otherwise its rows
    (``InputRow``) and None.

    ``keep``: columns read besides the profile's fields (``cases import`` keeps ``notes``).
    """
    suffix = path.suffix.lower()
    if suffix not in INPUT_SUFFIXES:
        raise InputError(
            f"{path}: unknown kind of file {suffix or '(no extension)'!r}; "
            "allowed: .csv, .jsonl (one JSON object per line), .json (a list of objects)"
        )
    source = _Source(path, keep)
    try:
        if suffix == ".csv":  # the header read now: an unusable file fails before any output
            how, lines = _csv_header(source, source.lines())
            return source, lines, how
        reader = {".jsonl": _read_jsonl, ".json": _read_json}[suffix]
        rows = reader(source)
        # Read up to the first row now, so that an unusable file fails before any output.
        try:
            first = next(rows)
        except StopIteration:
            return source, iter(()), None
    except InputError:
        source.close()
        raise
    return source, itertools.chain([first], rows), None


def read_rows(path: Path, keep: Iterable[str] = ()) -> tuple[_Source, Iterator[InputRow]]:
    """Open an intake file and read its rows one at a time (``read_records``)."""
    source, records, how = read_records(path, keep)
    if how is None:
        return source, records
    return source, how.rows(records, source.skipped_examples)


_WORKER: Assessor | None = None
_WORKER_AS_OF: dt.date | None = None


PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Make this process end when ``parent`` does, even by ``kill -9`` (then nothing can
    ask it to stop): the kernel sends SIGKILL on the parent's death (Linux ``prctl``);
    elsewhere a thread watches ``getppid()``. If the parent is already gone, exit now."""
    import ctypes
    import ctypes.util

    armed = False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        armed = False
    if os.getppid() != parent:
        os._exit(1)
    if not armed:
        import threading
        import time

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1.0)
            os._exit(1)

        threading.Thread(target=watch, daemon=True, name="riskcli-parent-watch").start()


def _init_worker(
    rules_dir: Path | None, engine: EngineName, as_of: dt.date | None, parent: int
) -> None:
    """Runs once in each worker process: one Assessor (with its engine) for every chunk."""
    global _WORKER, _WORKER_AS_OF
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    from riskcli.core.assess import Assessor
    from riskcli.io.rulepack import load_rule_pack

    _WORKER = Assessor(load_rule_pack(rules_dir), engine=engine)
    _WORKER_AS_OF = as_of
    tune_collector()  # a worker only assesses rows, until it ends


# A batch row makes a few hundred short-lived objects and keeps almost none: with the
# collector's default (a pass over the young objects every 700 allocations left alive) its
# passes cost about 8 us a row of 150 (measured with gc.callbacks over 20,000 rows), and
# the full passes walked everything loaded at start-up. A larger young generation, and what
# is loaded frozen out of the passes: 0.6 us a row. Memory: a cycle waits a little longer.
GC_YOUNG_THRESHOLD = 10_000


def tune_collector() -> tuple[int, int, int]:
    """The collector tuned for a batch: GC_YOUNG_THRESHOLD, and what is alive now frozen
    out of its passes. Returns the thresholds it had."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], GC_YOUNG_THRESHOLD), *threshold[1:])
    return threshold


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """The collector tuned for a batch (``tune_collector``) while the block runs; as it
    was afterwards."""
    threshold = tune_collector()
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def assess_rows(
    rows: Iterable[InputRow],
    *,
    rules_dir: Path | None = None,
    engine: EngineName = "auto",
    as_of: dt.date | None = None,
    jobs: int | None = None,
    assessor: Assessor | None = None,
) -> Iterator[RowResult]:
    """Results in input order. ``jobs`` None: all cores once the batch is large; 1: this
    process only; N > 1: N worker processes whatever the size."""
    rows, jobs = _jobs(iter(rows), jobs)
    if jobs <= 1:
        if assessor is None:
            assessor = _assessor(rules_dir, engine)
        while chunk := _chunk(rows):
            yield from _assessed(assessor, chunk, as_of)
        return
    yield from _parallel(rows, jobs, rules_dir, engine, as_of)


def _jobs(records: Iterator[_R], jobs: int | None) -> tuple[Iterator[_R], int]:
    """The worker processes for these records (``jobs`` None: all cores once the batch is
    large, PARALLEL_MIN_ROWS records, read ahead to see), and the records still all there."""
    if jobs is not None:
        return records, jobs
    head = list(itertools.islice(records, PARALLEL_MIN_ROWS))
    cores = default_jobs() if len(head) >= PARALLEL_MIN_ROWS else 1
    return itertools.chain(head, records), cores


def _assessor(rules_dir: Path | None, engine: EngineName) -> Assessor:
    from riskcli.core.assess import Assessor
    from riskcli.io.rulepack import load_rule_pack

    return Assessor(load_rule_pack(rules_dir), engine=engine)


def _work_chunk(rows: list[InputRow]) -> list[RowResult]:
    assert _WORKER is not None
    return _assessed(_WORKER, rows, _WORKER_AS_OF)


def _assessed(assessor: Assessor, rows: list[InputRow], as_of: dt.date | None) -> list[RowResult]:
    return [
        result
        for start in range(0, len(rows), MATCH_CHUNK)
        for result in assess_chunk(assessor, rows[start : start + MATCH_CHUNK], as_of)
    ]


def _parallel(
    rows: Iterator[InputRow],
    jobs: int,
    rules_dir: Path | None,
    engine: EngineName,
    as_of: dt.date | None,
    task: Callable[[list[InputRow]], list[RowResult]] | None = None,
) -> Iterator[RowResult]:
    for results in _in_workers(rows, jobs, rules_dir, engine, as_of, task or _work_chunk):
        yield from results


def _in_workers(
    records: Iterator[Any],
    jobs: int,
    rules_dir: Path | None,
    engine: EngineName,
    as_of: dt.date | None,
    task: Callable[[list[Any]], _T],
) -> Iterator[_T]:
    """Chunks of records (each a row or a line, its number first) to worker processes, at
    most a few chunks per worker in flight (so the input is never read far ahead), what
    ``task`` makes of each chunk yielded in input order. A worker that dies (the C engine
    can crash a process) ends the run with a clear error, never a hang.
    """
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from riskcli.core.errors import EngineError
    from riskcli.io.rulepack import load_rule_pack

    load_rule_pack(rules_dir)  # a bad rule pack fails here, clearly, not in the workers
    window = jobs * 4
    pending: collections.deque[tuple[int, int, Future[_T]]] = collections.deque()
    pool = ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(rules_dir, engine, as_of, os.getpid()),
    )
    try:
        while True:
            while len(pending) < window:
                chunk = _chunk(records)
                if not chunk:
                    break
                pending.append((chunk[0][0], chunk[-1][0], pool.submit(task, chunk)))
            if not pending:
                break
            first, last, future = pending.popleft()
            try:
                done = future.result()
            except BrokenProcessPool:
                raise EngineError(
                    f"a worker process died while assessing rows {first}-{last} "
                    "(the rules engine crashed or could not start); nothing was saved. "
                    "Run again with --jobs 1 to find the row."
                ) from None
            yield done
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _chunk(records: Iterator[Any]) -> list[Any]:
    """The next records for a worker: up to CHUNKSIZE of them, and (for lines as read)
    up to about CHUNK_BYTES of text, so that the chunks in flight stay small whatever the
    lines (each can be up to MAX_LINE_BYTES)."""
    chunk: list[Any] = []
    size = 0
    for record in records:
        chunk.append(record)
        raw = record[1]
        if isinstance(raw, bytes):
            size += len(raw)
        if len(chunk) >= CHUNKSIZE or size >= CHUNK_BYTES:
            break
    return chunk


class Dated(NamedTuple):
    """A row's deadlines, for the calendar."""

    case_id: str
    deadlines: tuple[DeadlineItem, ...]


class Done(NamedTuple):
    """A chunk of records assessed, all that the writing needs of it: the result rows as
    written, the chunk's triage (every error row kept, for ``Triage.merge``), the rows'
    deadlines (when a calendar is written) and the template's example rows it skipped."""

    text: str
    triage: Triage
    dated: list[Dated]
    skipped: list[int]


def assess_records(
    assessor: Assessor,
    records: list[Any],
    how: CsvRows | None,
    as_of: dt.date | None,
    fmt: OutputFormat,
    calendar: bool,
) -> Done:
    """A chunk of records (``read_records``) read into rows, assessed and written: the
    same in this process and in a worker."""
    skipped: list[int] = []
    rows = records if how is None else list(how.rows(records, skipped))
    results = _assessed(assessor, rows, as_of)
    triage = Triage(top_errors=len(results))
    for result in results:
        triage.add(result)
    dated = [Dated(r.case_id, r.deadlines) for r in results if r.deadlines] if calendar else []
    return Done(rows_text(results, fmt), triage, dated, skipped)


def _work_records(
    how: CsvRows | None, fmt: OutputFormat, calendar: bool, records: list[Any]
) -> Done:
    assert _WORKER is not None
    return assess_records(_WORKER, records, how, _WORKER_AS_OF, fmt, calendar)


# --- writing ---------------------------------------------------------------------------


def output_format(path: Path | None, fmt: str | None) -> OutputFormat:
    if fmt is not None:
        if fmt not in ("csv", "jsonl"):
            raise InputError(f"--format {fmt!r}: allowed: csv, jsonl")
        return fmt  # type: ignore[return-value]
    if path is None:
        return "csv"
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    raise InputError(
        f"--output {path}: unknown kind of file {suffix or '(no extension)'!r}; "
        "allowed: .csv, .jsonl"
    )


def rows_text(results: Iterable[RowResult], fmt: OutputFormat) -> str:
    """Result rows as written, without the header."""
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(_as_csv(r) for r in results)
        return buf.getvalue()
    return "".join(json.dumps(_as_json(r), ensure_ascii=False) + "\n" for r in results)


class RowWriter:
    """The lines of a batch output around its rows (``rows_text``): the header (CSV), at
    once, and the closing line."""

    def __init__(self, stream: IO[str], fmt: OutputFormat):
        self.stream = stream
        self.fmt = fmt
        if fmt == "csv":
            csv.writer(stream, lineterminator="\n").writerow(OUTPUT_COLUMNS)

    def finish(self, rows: int) -> None:
        """The last line, written only when every row is: a file without it is incomplete
        (a killed run, a full disk). See ``complete_rows``."""
        if self.fmt == "csv":
            self.stream.write(f"{END_MARK} {rows} rows\n")
        else:
            self.stream.write(json.dumps({"complete": True, "rows": rows}) + "\n")


END_MARK = "# complete:"


def complete_rows(text: str) -> int | None:
    """The row count of a finished batch output (CSV or JSON Lines); None if it is not
    finished: it does not end with the line ``finish`` writes."""
    lines = text.rstrip("\n").rsplit("\n", 1)
    last = lines[-1]
    if last.startswith(END_MARK):
        number = last.removeprefix(END_MARK).strip().removesuffix(" rows")
        return int(number) if number.isdigit() else None
    if last.startswith("{"):
        try:
            value = json.loads(last)
        except json.JSONDecodeError:
            return None
        if isinstance(value, dict) and value.get("complete") is True:
            rows = value.get("rows")
            return rows if isinstance(rows, int) else None
    return None


def run_batch(
    input_path: Path,
    out: IO[str],
    fmt: OutputFormat,
    *,
    rules_dir: Path | None = None,
    engine: EngineName = "auto",
    as_of: dt.date | None = None,
    jobs: int | None = None,
    on_result: Callable[[Dated], None] | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> tuple[Triage, Intake]:
    """Read, assess and write every row, then the closing line that says the output is
    complete; return the triage and what the reader set aside. InputError if unreadable.
    ``on_result``: called with the deadlines of each row that has some, in order.
    ``progress(rows done, rows in all or None)``.

    Records go in chunks to ``assess_records``, in this process or in worker processes
    (which then read the CSV lines, assess and write the rows): this process only splits
    the file into lines and puts the chunks' texts and counts together, in order."""
    source, records, how = read_records(input_path)
    triage = Triage()
    writer = RowWriter(out, fmt)
    total = source.records() if progress is not None else None
    calendar = on_result is not None
    try:
        with fewer_collections():
            for done in _assessed_chunks(
                records, how, rules_dir, engine, as_of, jobs, fmt, calendar
            ):
                out.write(done.text)
                triage.merge(done.triage)
                source.skipped_examples.extend(done.skipped)
                if on_result is not None:
                    for item in done.dated:
                        on_result(item)
                if progress is not None:
                    progress(triage.rows, total)
            if progress is not None:
                progress(triage.rows, triage.rows)
        writer.finish(triage.rows)
    finally:
        source.close()
    return triage, source.intake()


def _assessed_chunks(
    records: Iterator[Any],
    how: CsvRows | None,
    rules_dir: Path | None,
    engine: EngineName,
    as_of: dt.date | None,
    jobs: int | None,
    fmt: OutputFormat,
    calendar: bool,
) -> Iterator[Done]:
    """``assess_records`` of each chunk of records, in order: all cores once the batch is
    large (``jobs`` None), this process only (1), or N worker processes."""
    records, jobs = _jobs(records, jobs)
    if jobs > 1:
        task = functools.partial(_work_records, how, fmt, calendar)
        yield from _in_workers(records, jobs, rules_dir, engine, as_of, task)
        return
    assessor = _assessor(rules_dir, engine)
    while chunk := _chunk(records):
        yield assess_records(assessor, chunk, how, as_of, fmt, calendar)


def results_text(results: Iterable[RowResult], fmt: OutputFormat) -> str:
    """All results as one text (for tests and small batches)."""
    buf = io.StringIO()
    RowWriter(buf, fmt)
    buf.write(rows_text(results, fmt))
    return buf.getvalue()


# --- the intake template ---------------------------------------------------------------

# One made-up example (not a real person): a volunteer overwrites it.
TEMPLATE_EXAMPLE: dict[str, str] = {
    "case_id": EXAMPLE_CASE_ID,
    "as_of": "2024-06-01",  # the example is consistent: entry before the assessment date
    "language": "ru",
    "citizenship": "RU",
    "documents": "domestic_passport;international_passport",
    "international_passport_expiry": "2027-03-01",
    "destination": "KZ",
    "entry_date": "2024-05-01",
    "stay_basis": "visa_free",
    "criminal_case": "unknown",
    "wanted": "unknown",
    "arrested_in_absentia": "no",
    "charges": "",
    "protest_history": "participated",
    "draft_notice": "no",
    "military_liable": "yes",
    "public_statements": "yes",
    "activism_abroad": "no",
    "occupation": "other",
    "foreign_agent": "no",
    "organisation_status": "none",
    "foreign_funding": "no",
    "relatives_in_russia": "yes",
    "onward_destinations": "DE;GE",
    "needs_shelter": "no",
}


def template_text(fmt: Literal["csv", "json"]) -> str:
    """An intake sheet: every column of spec §1 and one example row."""
    row = {name: TEMPLATE_EXAMPLE.get(name, "") for name in FIELDS}
    if fmt == "json":
        return json.dumps([row], ensure_ascii=False, indent=2) + "\n"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(FIELDS)
    writer.writerow([row[name] for name in FIELDS])
    return buf.getvalue()
