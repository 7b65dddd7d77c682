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
import csv
import datetime as dt
import io
import itertools
import json
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from riskcli.core.batch import InputRow, RowResult, Triage, assess_row
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
)
MAX_LINE_BYTES = 1024 * 1024  # one intake is a few hundred bytes; a longer line is an error row
MAX_JSON_ELEMENT = MAX_LINE_BYTES
READ_CHUNK = 64 * 1024
PARALLEL_MIN_ROWS = 5000  # below this, starting worker processes costs more than it saves
CHUNKSIZE = 256  # rows sent to a worker at a time
SPREADSHEET_FORMULA = ("=", "+", "-", "@", "\t", "\r")

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
    ]


# --- reading ---------------------------------------------------------------------------


class _Source:
    """A binary file read line by line, counting the bytes read (for the progress bar)."""

    def __init__(self, path: Path):
        self.path = path
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


def _read_csv(source: _Source) -> Iterator[InputRow]:
    lines = source.lines()
    header: list[str] | None = None
    for number, raw in lines:
        if raw is None:
            raise InputError(f"{source.path}: line {number}: the header line is too long")
        text, problem = _decode(raw)
        if text is None:
            raise InputError(f"{source.path}: line {number}: the header line is {problem}")
        if not text.strip():
            continue
        try:
            header = next(csv.reader([text], strict=True))
        except csv.Error as exc:
            raise InputError(f"{source.path}: line {number}: broken CSV header: {exc}") from None
        break
    if header is None:
        raise InputError(f"{source.path}: empty: no header line with the column names")
    columns = [h.strip() for h in header]
    _check_columns(source.path, columns)
    for number, text, problem in _texts(lines):
        if text is None:
            yield InputRow(number, None, problem)
            continue
        try:
            cells = next(csv.reader([text], strict=True))
        except csv.Error as exc:
            yield InputRow(number, None, f"broken CSV: {exc} (a cell cannot hold a line break)")
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(columns):
            yield InputRow(
                number, None, f"{len(cells)} cells, but the header names {len(columns)} columns"
            )
            continue
        data: dict[str, Any] = {}
        stray = None
        for name, cell in zip(columns, cells, strict=False):
            if not name:
                if cell.strip():
                    stray = cell
                continue
            data[name] = cell
        if stray is not None:
            yield InputRow(number, None, "a cell under a column with no name is not empty")
            continue
        yield InputRow(number, data)


def _check_columns(path: Path, columns: list[str]) -> None:
    named = [c for c in columns if c]
    if len(named) == 1 and ";" in named[0] and set(named[0].split(";")) & set(FIELDS):
        raise InputError(
            f"{path}: the columns are separated by ';', not ','; save the sheet as CSV with "
            "commas between columns (';' separates the items of a list inside a cell)"
        )
    unknown = [c for c in named if c not in FIELDS]
    if unknown:
        shown = ", ".join(repr(c[:40]) for c in unknown[:5])
        raise InputError(
            f"{path}: unknown column(s) {shown}; allowed columns: {', '.join(FIELDS)} "
            "(no names: use case_id)"
        )
    dupes = sorted({c for c in named if named.count(c) > 1})
    if dupes:
        raise InputError(f"{path}: column(s) named twice: {', '.join(dupes)}")
    if "destination" not in named:
        raise InputError(f"{path}: no 'destination' column; every intake needs one")


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
        yield _json_row(number, value)


def _json_row(number: int, value: Any) -> InputRow:
    if not isinstance(value, dict):
        return InputRow(
            number, None, f"expected an object of field names to answers, got {_kind(value)}"
        )
    return InputRow(number, value)


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
            yield _json_row(index, value)
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


def read_rows(path: Path) -> tuple[_Source, Iterator[InputRow]]:
    """Open an intake file; InputError (exit 2) if it cannot be read at all."""
    suffix = path.suffix.lower()
    if suffix not in INPUT_SUFFIXES:
        raise InputError(
            f"{path}: unknown kind of file {suffix or '(no extension)'!r}; "
            "allowed: .csv, .jsonl (one JSON object per line), .json (a list of objects)"
        )
    source = _Source(path)
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


def _init_worker(rules_dir: Path | None, engine: EngineName, as_of: dt.date | None) -> None:
    """Runs once in each worker process: one Assessor, one durable-rules Host."""
    global _WORKER, _WORKER_AS_OF
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    from riskcli.core.assess import Assessor
    from riskcli.io.rulepack import load_rule_pack

    _WORKER = Assessor(load_rule_pack(rules_dir), engine=engine)
    _WORKER_AS_OF = as_of


def _work(row: InputRow) -> RowResult:
    assert _WORKER is not None
    return assess_row(_WORKER, row, _WORKER_AS_OF)


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
        for row in rows:
            yield assess_row(assessor, row, as_of)
        return
    yield from _parallel(rows, jobs, rules_dir, engine, as_of)


def _work_chunk(rows: list[InputRow]) -> list[RowResult]:
    return [_work(row) for row in rows]


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
        initargs=(rules_dir, engine, as_of),
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
    progress: Callable[[int, int], None] | None = None,
) -> Triage:
    """Read, assess and write every row; return the triage. InputError if unreadable."""
    source, rows = read_rows(input_path)
    triage = Triage()
    writer = RowWriter(out, fmt)
    try:
        for result in assess_rows(rows, rules_dir=rules_dir, engine=engine, as_of=as_of, jobs=jobs):
            writer.write(result)
            triage.add(result)
            if on_result is not None:
                on_result(result)
            if progress is not None and triage.rows % 256 == 0:
                progress(source.done, source.size)
        if progress is not None:
            progress(source.size, source.size)
    finally:
        source.close()
    return triage


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
    "case_id": "example-001",
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
