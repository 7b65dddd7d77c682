"""Batch triage: many intake rows in, one result row per input row out, in order.

Rows are read, assessed and written one at a time, so memory stays flat
whatever the number of rows. A bad row (broken CSV, not UTF-8, an answer the
profile model refuses) becomes an ``error`` row naming the field and the
reason; it never stops the run or loses another row.

Large batches use several worker processes, each holding ONE ``Assessor``
(and so one durable-rules Host), fed through a bounded window so that the
input is never read ahead without limit; ``imap`` keeps the output order.

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
from typing import IO, TYPE_CHECKING, Any, Literal

from riskcli.core.batch import InputRow, RowResult, Triage, assess_chunk
from riskcli.core.errors import InputError
from riskcli.core.profile import FIELDS

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
PARALLEL_MIN_ROWS = 5000  # below this, starting worker processes costs more than it saves
CHUNKSIZE = 256  # rows sent to a worker at a time
MATCH_CHUNK = 64  # rows the engine matches in one call (one session per ruleset)
PROGRESS_EVERY = 64  # rows between two updates of the progress bar
SPREADSHEET_FORMULA = ("=", "+", "-", "@", "\t", "\r")
FIELD_SET = frozenset(FIELDS)
MAX_IGNORED_NAMES = 20
# The template's example row carries this case_id; batch and cases import skip it, and say so.
EXAMPLE_CASE_ID = "example (skipped)"

OutputFormat = Literal["csv", "jsonl"]


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


def _read_csv(source: _Source) -> Iterator[InputRow]:
    lines = source.lines()
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
    columns = [h.strip() for h in header]
    columns = _check_columns(source, columns)
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
            source.skipped_examples.append(number)
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


def read_rows(path: Path, keep: Iterable[str] = ()) -> tuple[_Source, Iterator[InputRow]]:
    """Open an intake file; InputError (exit 2) if it cannot be read at all.

    ``keep``: columns read besides the profile's fields (``cases import`` keeps ``notes``).
    """
    suffix = path.suffix.lower()
    if suffix not in INPUT_SUFFIXES:
        raise InputError(
            f"{path}: unknown kind of file {suffix or '(no extension)'!r}; "
            "allowed: .csv, .jsonl (one JSON object per line), .json (a list of objects)"
        )
    source = _Source(path, keep)
    reader = {".csv": _read_csv, ".jsonl": _read_jsonl, ".json": _read_json}[suffix]
    rows = reader(source)
    # Read up to the first row now, so that an unusable file fails before any output.
    try:
        first = next(rows)
    except StopIteration:
        return source, iter(())
    except InputError:
        source.close()
        raise
    return source, itertools.chain([first], rows)


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
    """Runs once in each worker process: one Assessor, one durable-rules Host."""
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
    rows = iter(rows)
    if jobs is None:
        cores = default_jobs()
        head = list(itertools.islice(rows, PARALLEL_MIN_ROWS))
        rows = itertools.chain(head, rows)
        jobs = cores if len(head) >= PARALLEL_MIN_ROWS else 1
    if jobs <= 1:
        if assessor is None:
            from riskcli.core.assess import Assessor
            from riskcli.io.rulepack import load_rule_pack

            assessor = Assessor(load_rule_pack(rules_dir), engine=engine)
        while chunk := list(itertools.islice(rows, MATCH_CHUNK)):
            yield from assess_chunk(assessor, chunk, as_of)
        return
    yield from _parallel(rows, jobs, rules_dir, engine, as_of)


def _work_chunk(rows: list[InputRow]) -> list[RowResult]:
    assert _WORKER is not None
    return [
        result
        for start in range(0, len(rows), MATCH_CHUNK)
        for result in assess_chunk(_WORKER, rows[start : start + MATCH_CHUNK], _WORKER_AS_OF)
    ]


def _parallel(
    rows: Iterator[InputRow],
    jobs: int,
    rules_dir: Path | None,
    engine: EngineName,
    as_of: dt.date | None,
    task: Callable[[list[InputRow]], list[RowResult]] | None = None,
) -> Iterator[RowResult]:
    """Chunks of rows to worker processes, at most a few chunks per worker in flight (so
    the input is never read far ahead), results yielded in input order. A worker that
    dies (the C engine can crash a process) ends the run with a clear error, never a hang.
    """
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from riskcli.core.errors import EngineError
    from riskcli.io.rulepack import load_rule_pack

    load_rule_pack(rules_dir)  # a bad rule pack fails here, clearly, not in the workers
    window = jobs * 4
    pending: collections.deque[tuple[int, int, Future[list[RowResult]]]] = collections.deque()
    pool = ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(rules_dir, engine, as_of, os.getpid()),
    )
    try:
        while True:
            while len(pending) < window:
                chunk = list(itertools.islice(rows, CHUNKSIZE))
                if not chunk:
                    break
                pending.append(
                    (chunk[0].row, chunk[-1].row, pool.submit(task or _work_chunk, chunk))
                )
            if not pending:
                break
            first, last, future = pending.popleft()
            try:
                results = future.result()
            except BrokenProcessPool:
                raise EngineError(
                    f"a worker process died while assessing rows {first}-{last} "
                    "(the rules engine crashed or could not start); nothing was saved. "
                    "Run again with --jobs 1 to find the row."
                ) from None
            yield from results
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


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


class RowWriter:
    def __init__(self, stream: IO[str], fmt: OutputFormat):
        self.stream = stream
        self.fmt = fmt
        self.csv = csv.writer(stream, lineterminator="\n") if fmt == "csv" else None
        if self.csv is not None:
            self.csv.writerow(OUTPUT_COLUMNS)

    def write(self, result: RowResult) -> None:
        if self.csv is not None:
            self.csv.writerow(_as_csv(result))
        else:
            self.stream.write(json.dumps(_as_json(result), ensure_ascii=False) + "\n")

    def finish(self, rows: int) -> None:
        """The last line, written only when every row is: a file without it is incomplete
        (a killed run, a full disk). See ``complete_rows``."""
        if self.csv is not None:
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
    on_result: Callable[[RowResult], None] | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> tuple[Triage, Intake]:
    """Read, assess and write every row, then the closing line that says the output is
    complete; return the triage and what the reader set aside. InputError if unreadable.
    ``progress(rows done, rows in all or None)``."""
    source, rows = read_rows(input_path)
    triage = Triage()
    writer = RowWriter(out, fmt)
    total = source.records() if progress is not None else None
    try:
        with fewer_collections():
            results = assess_rows(rows, rules_dir=rules_dir, engine=engine, as_of=as_of, jobs=jobs)
            for result in results:
                writer.write(result)
                triage.add(result)
                if on_result is not None:
                    on_result(result)
                if progress is not None and triage.rows % PROGRESS_EVERY == 0:
                    progress(triage.rows, total)
        if progress is not None:
            progress(triage.rows, triage.rows)
        writer.finish(triage.rows)
    finally:
        source.close()
    return triage, source.intake()


def results_text(results: Iterable[RowResult], fmt: OutputFormat) -> str:
    """All results as one text (for tests and small batches)."""
    buf = io.StringIO()
    writer = RowWriter(buf, fmt)
    for r in results:
        writer.write(r)
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
