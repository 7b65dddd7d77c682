"""Benchmark of riskcli on generated profiles; writes its figures into bench/README.md.

    make bench                    # or: .venv/bin/python bench/run.py
    python bench/run.py --quick   # smaller, for a try (does not write the README)
    python bench/run.py --soak    # the 10^6-row soak of issue 7 (a few minutes)

Measures, in one run on this machine, as ratios of figures taken in that run (issue 17):

(a) cold start of ``riskcli assess --answers F --format json`` against the bare import
    of its libraries (``python -c "import typer.main, pydantic.main, yaml, pycountry,
    durable.engine"``); and the interview's first question (time until it is on a
    pseudo-terminal) against that whole assess;
(b) batch cost per row (whole ``riskcli batch`` process, start-up included) at 10,000
    and 100,000 rows: durable-rules on one core, the plain-Python oracle on one core,
    durable-rules on all cores, against a minimal Python pipeline over the same file
    (CSV -> fact -> the same rules as Python predicates -> CSV, ``FLOOR`` below); and the
    engine's own cost per case (matching only) against the oracle's;
(c) peak memory (maximum resident set) of the batch at 10,000 and 100,000 rows.

Every figure names the rule pack it ran on (``riskcli --version``) and the machine's load
average, sampled around each batch. Everything runs in subprocesses of the same Python as
this script, so the figures are those of the installed command.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
AS_OF = "2023-06-12"
DESTINATIONS = ["KZ", "KG", "AM", "GE", "TR", "RS", "DE"]

# --- generated profiles ----------------------------------------------------------------


def _maybe(rng: random.Random, values: list[str], unknown: float = 0.2) -> str:
    return "" if rng.random() < unknown else rng.choice(values)


def generate_rows(n: int, seed: int = 5, broken_every: int = 0) -> Iterator[dict[str, str]]:
    """n intake rows (CSV cells) drawn over every field; some unanswered. With
    broken_every, every that-many-th row has an answer the model refuses."""
    rng = random.Random(seed)
    start = dt.date(2022, 9, 1)
    for i in range(n):
        entry = start + dt.timedelta(days=rng.randrange(0, 280))  # before AS_OF: valid
        expiry = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(0, 2000))
        docs = [
            d
            for d in ("domestic_passport", "international_passport", "residence_permit")
            if rng.random() < 0.5
        ]
        row = {
            "case_id": f"case-{i + 1}",
            "as_of": AS_OF,
            "citizenship": _maybe(rng, ["RU", "RU", "RU", "stateless", "other"]),
            "documents": ";".join(docs),
            "international_passport_expiry": expiry.isoformat() if rng.random() < 0.6 else "",
            "destination": rng.choice(DESTINATIONS),
            "entry_date": entry.isoformat() if rng.random() < 0.8 else "",
            "stay_basis": _maybe(
                rng, ["visa_free", "visa", "residence_permit", "refugee_claim_pending"]
            ),
            "criminal_case": _maybe(rng, ["none", "none", "pending", "convicted", "unknown"]),
            "wanted": _maybe(rng, ["none", "none", "federal", "international", "unknown"]),
            "arrested_in_absentia": _maybe(rng, ["no", "no", "yes"]),
            "protest_history": _maybe(rng, ["none", "participated", "organised", "detained"]),
            "draft_notice": _maybe(rng, ["no", "yes"]),
            "military_liable": _maybe(rng, ["no", "yes"]),
            "public_statements": _maybe(rng, ["no", "yes"]),
            "occupation": _maybe(rng, ["journalist", "activist", "researcher", "other"]),
            "relatives_in_russia": _maybe(rng, ["no", "yes"]),
            "needs_shelter": _maybe(rng, ["no", "yes"], unknown=0.5),
        }
        if broken_every and (i + 1) % broken_every == 0:
            row["wanted"] = "maybe"
        yield row


def write_csv(path: Path, n: int, broken_every: int = 0) -> None:
    rows = generate_rows(n, broken_every=broken_every)
    first = next(rows)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(first), lineterminator="\n")
        writer.writeheader()
        writer.writerow(first)
        for row in rows:
            writer.writerow(row)


# --- measuring -------------------------------------------------------------------------


def riskcli_command() -> list[str]:
    script = Path(sys.executable).parent / "riskcli"
    return [str(script)] if script.exists() else [sys.executable, "-m", "riskcli"]


PEAK = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "t = time.perf_counter() - t\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "sys.stderr.buffer.write(p.stderr[-2000:])\n"
    "print(p.returncode, t, u.ru_maxrss, u.ru_utime + u.ru_stime)\n"
)


def measured(cmd: list[str]) -> tuple[int, float, int]:
    """(exit code, wall seconds, peak RSS in KB of the largest process of the run)."""
    code, secs, kb, _cpu = measured_cpu(cmd)
    return code, secs, kb


def measured_cpu(cmd: list[str]) -> tuple[int, float, int, float]:
    """(exit code, wall seconds, peak RSS in KB, CPU seconds of every process of the run)."""
    proc = subprocess.run(
        [sys.executable, "-c", PEAK, *cmd], capture_output=True, text=True, check=False
    )
    code, secs, kb, cpu = proc.stdout.split()
    return int(code), float(secs), int(kb), float(cpu)


FLOOR_IMPORTS = "import typer.main, pydantic.main, yaml, pycountry, durable.engine"
FIRST_QUESTION = "Language / Язык"
SECOND_QUESTION = "What is your citizenship?"  # after Enter on the first (English)
POINTER_ON_RUSSIAN = r"\u00bb (\x1b\[[0-9;]*m)*Русский"  # the pointer, after one Down


def first_question(answers: Path, runs: int) -> dict[str, Any]:
    """Seconds until the interview's first question is on a pseudo-terminal, against a
    whole ``assess --answers F`` in the same rounds (medians). Also: Enter pressed as soon
    as the first question shows, seconds until the second question is on the screen (the
    first question drawn is not yet the first answer taken)."""
    import pexpect

    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "LANG": "en_US.UTF-8",
        "LC_ALL": "",
        "NO_COLOR": "1",
        "PROMPT_TOOLKIT_NO_CPR": "1",
    }
    command = riskcli_command()
    assess = [*command, "assess", "--answers", str(answers), "--format", "json"]
    import resource

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def interview() -> Any:
        return pexpect.spawn(
            command[0],
            [*command[1:], "assess", "--as-of", AS_OF],
            env=env,
            dimensions=(24, 80),
            encoding="utf-8",
            timeout=120,
        )

    def stop(child: Any) -> None:
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
        child.close()

    asked: list[float] = []
    answered: list[float] = []
    moved: list[float] = []
    whole: list[float] = []
    asked_cpu: list[float] = []
    whole_cpu: list[float] = []
    for _ in range(runs):
        cpu = children_cpu()
        t = time.perf_counter()
        child = interview()
        child.expect_exact(FIRST_QUESTION)
        asked.append(time.perf_counter() - t)
        stop(child)
        asked_cpu.append(children_cpu() - cpu)  # up to the question, and the exit on Ctrl-C
        t = time.perf_counter()
        child = interview()
        child.expect_exact(FIRST_QUESTION)
        child.send("\r")
        child.expect_exact(SECOND_QUESTION)
        answered.append(time.perf_counter() - t)
        stop(child)
        t = time.perf_counter()
        child = interview()
        child.expect_exact(FIRST_QUESTION)
        child.send("\x1b[B")  # Down: the pointer moves to the second language
        child.expect(POINTER_ON_RUSSIAN)
        moved.append(time.perf_counter() - t)
        stop(child)
        cpu = children_cpu()
        t = time.perf_counter()
        subprocess.run(assess, capture_output=True, check=True)
        whole.append(time.perf_counter() - t)
        whole_cpu.append(children_cpu() - cpu)
    med_q, med_a = statistics.median(asked), statistics.median(whole)
    cpu_q, cpu_a = statistics.median(asked_cpu), statistics.median(whole_cpu)
    return {
        "runs": runs,
        "question_s": med_q,
        "answered_s": statistics.median(answered),
        "moved_s": statistics.median(moved),
        "assess_s": med_a,
        "ratio": med_q / med_a,
        "question_cpu": cpu_q,
        "assess_cpu": cpu_a,
        "ratio_cpu": cpu_q / cpu_a,
    }


def cold_start(answers: Path, runs: int) -> dict[str, Any]:
    assess = [*riskcli_command(), "assess", "--answers", str(answers), "--format", "json"]
    floor = [sys.executable, "-c", FLOOR_IMPORTS]
    bare = [sys.executable, "-c", "pass"]
    times: dict[str, list[float]] = {}
    for cmd in (assess, floor):  # warm the file cache once
        subprocess.run(cmd, capture_output=True, check=True)
    for _ in range(runs):
        for name, cmd in (("assess", assess), ("floor", floor), ("python", bare)):
            code, secs, _kb, cpu = measured_cpu(cmd)
            if code != 0:
                raise SystemExit(f"bench: {name} exited {code}")
            times.setdefault(name, []).append(secs)
            times.setdefault(f"{name}_cpu", []).append(cpu)
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "runs": runs,
        "assess_s": med["assess"],
        "floor_s": med["floor"],
        "python_s": med["python"],
        "ratio": med["assess"] / med["floor"],
        "assess_cpu": med["assess_cpu"],
        "floor_cpu": med["floor_cpu"],
        "ratio_cpu": med["assess_cpu"] / med["floor_cpu"],
    }


def engine_cost(n: int) -> dict[str, Any]:
    """Matching only, in this process: durable-rules against the oracle, same compiled rules."""
    from riskcli.core.assess import Assessor
    from riskcli.core.conditions import to_fact
    from riskcli.core.profile import make_profile
    from riskcli.io.rulepack import load_rule_pack

    facts = []
    for row in generate_rows(n, seed=11):
        data = {k: v for k, v in row.items() if v}
        facts.append(to_fact(make_profile(data)))
    out: dict[str, Any] = {"cases": n}
    fired: dict[str, list[set[str]]] = {}
    for engine in ("durable", "oracle"):
        matcher = Assessor(load_rule_pack(), engine=engine).matcher  # type: ignore[arg-type]
        for fact in facts[:200]:  # warm up
            matcher.match(fact)
        t = time.perf_counter()
        fired[engine] = [matcher.match(fact) for fact in facts]
        out[f"{engine}_us"] = (time.perf_counter() - t) / n * 1e6
        if engine == "durable":  # as batches match: 256 cases a call
            t = time.perf_counter()
            many = []
            for start in range(0, n, 256):
                many += matcher.match_many(facts[start : start + 256])
            out["durable_many_us"] = (time.perf_counter() - t) / n * 1e6
            fired["durable_many"] = many
    out["same_findings"] = fired["durable"] == fired["oracle"] == fired["durable_many"]
    out["ratio"] = out["durable_us"] / out["oracle_us"]
    return out


# The minimal Python pipeline a batch row needs: read the CSV, make the fact (cells to
# JSON scalars, lists to keys, dates to day numbers), the same compiled rules as generated
# Python predicates, one CSV line out. No validation, no report: the floor, not a program.
FLOOR = r"""
import csv, datetime as dt, sys
from riskcli.core.engine.compiled import compile_pack
from riskcli.core.engine.oracle import OracleMatcher
from riskcli.io.rulepack import load_rule_pack

match = OracleMatcher(compile_pack(load_rule_pack())).match
LISTS = {"documents", "charges", "onward_destinations"}
DATES = {"international_passport_expiry", "entry_date"}
BOOLS = {"arrested_in_absentia", "draft_notice", "military_liable", "public_statements",
         "relatives_in_russia", "needs_shelter"}
with open(sys.argv[1], newline="", encoding="utf-8") as src, open(
        sys.argv[2], "w", newline="", encoding="utf-8") as dst:
    out = csv.writer(dst)
    for row in csv.DictReader(src):
        as_of = dt.date.fromisoformat(row.get("as_of") or "2023-06-12")
        fact = {}
        for key, cell in row.items():
            if not cell or key in ("case_id", "as_of"):
                continue
            if key in LISTS:
                fact[key + "__known"] = 1
                for item in cell.split(";"):
                    fact[key + "__" + item] = 1
            elif key in DATES:
                day = dt.date.fromisoformat(cell)
                fact[key] = day.toordinal()
                if key == "entry_date":
                    fact["days_in_country"] = (as_of - day).days
                else:
                    fact["days_until_passport_expiry"] = (day - as_of).days
            elif key in BOOLS:
                fact[key] = 1 if cell == "yes" else 0
            else:
                fact[key] = cell
        out.writerow([row["case_id"], ";".join(sorted(match(fact)))])
"""


def load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def _commands(data: Path, out: Path, jobs: int) -> dict[str, list[str]]:
    def batch(engine: str, j: int) -> list[str]:
        return [*riskcli_command(), "--engine", engine, "batch", str(data), "-o", str(out),
                "--jobs", str(j)]  # fmt: skip

    return {
        "floor": [sys.executable, "-c", FLOOR, str(data), str(out)],
        "durable_1": batch("durable", 1),
        "oracle_1": batch("oracle", 1),
        "durable_all": batch("durable", jobs),
    }


ROUNDS = 3  # runs of each batch command on each size; the figures are their medians


def batch_runs(sizes: list[int], workdir: Path) -> list[dict[str, Any]]:
    """Each command on each size, ROUNDS times, interleaved (medians); per-row figures have
    the command's start-up (the median of three runs on a file of one row) taken off."""
    jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    jobs = jobs or 1
    one = workdir / "rows-1.csv"
    write_csv(one, 1)
    startup: dict[str, float] = {}
    for label, cmd in _commands(one, workdir / "out-1.csv", jobs).items():
        times, cpus = [], []
        for _ in range(3):
            code, secs, _kb, cpu = measured_cpu(cmd)
            if code != 0:
                raise SystemExit(f"bench: {label} on one row exited {code}")
            times.append(secs)
            cpus.append(cpu)
        startup[label] = statistics.median(times)
        startup[f"{label}_cpu"] = statistics.median(cpus)
    results = []
    labels = ("floor", "durable_1", "oracle_1", "durable_all")
    for n in sizes:
        data = workdir / f"rows-{n}.csv"
        write_csv(data, n)
        row: dict[str, Any] = {"rows": n, "jobs_all": jobs, "startup": startup, "rounds": ROUNDS}
        outputs = {}
        taken: dict[str, list[tuple[float, float, int]]] = {label: [] for label in labels}
        loads: dict[str, list[float]] = {label: [] for label in labels}
        for round_ in range(ROUNDS):
            # each round in another order: a slow spell of the machine falls on all of them
            for label in labels[round_ % len(labels) :] + labels[: round_ % len(labels)]:
                out = workdir / f"out-{n}-{label}.csv"
                loads[label].append(load())
                code, secs, kb, cpu = measured_cpu(_commands(data, out, jobs)[label])
                if code != 0:
                    raise SystemExit(f"bench: {label} at {n} rows exited {code}")
                loads[label].append(load())
                taken[label].append((secs, cpu, kb))
                if label != "floor":
                    outputs.setdefault(label, set()).add(out.read_bytes())
                out.unlink()
        for label in labels:
            secs = statistics.median(t[0] for t in taken[label])
            cpu = statistics.median(t[1] for t in taken[label])
            row[f"{label}_cpu"] = cpu
            row[f"{label}_row_cpu_us"] = max(cpu - startup[f"{label}_cpu"], 0.0) / n * 1e6
            row[f"{label}_load"] = (loads[label][0], loads[label][-1])
            row[f"{label}_s"] = secs
            row[f"{label}_row_us"] = max(secs - startup[label], 0.0) / n * 1e6
            row[f"{label}_kb"] = max(t[2] for t in taken[label])
        row["same_output"] = len(set().union(*outputs.values())) == 1
        data.unlink()
        results.append(row)
    return results


# --- the soak (issue 7 item 5) ---------------------------------------------------------


def _tree_rss_kb(pid: int) -> dict[int, int]:
    """RSS (KB) of a process and its children, from /proc (Linux)."""
    out: dict[int, int] = {}
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    out[p] = int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                kids = (task / "children").read_text().split()
                todo.extend(int(k) for k in kids)
        except (OSError, ValueError):
            continue
    return out


def soak(rows: int, workdir: Path, broken_every: int = 1000) -> dict[str, Any]:
    """A batch of `rows` generated rows on all cores; every row must be accounted for and
    memory stay flat. Returns the figures; raises AssertionError on a failure."""
    data = workdir / "soak.csv"
    out = workdir / "soak-out.csv"
    t = time.perf_counter()
    write_csv(data, rows, broken_every=broken_every)
    gen_s = time.perf_counter() - t
    cmd = [*riskcli_command(), "batch", str(data), "-o", str(out)]
    err = workdir / "soak-stderr.txt"
    t = time.perf_counter()
    samples: list[tuple[float, int, int]] = []  # (seconds, parent KB, largest worker KB)
    with (
        err.open("wb") as err_fh,
        subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err_fh) as proc,
    ):
        while proc.poll() is None:
            tree = _tree_rss_kb(proc.pid)
            parent = tree.pop(proc.pid, 0)
            samples.append((time.perf_counter() - t, parent, max(tree.values(), default=0)))
            time.sleep(0.5)
    secs = time.perf_counter() - t
    stderr = err.read_text(encoding="utf-8", errors="replace")
    broken = rows // broken_every if broken_every else 0
    assert proc.returncode == (1 if broken else 0), stderr[-2000:]
    # every row accounted for, in order
    count = errors = 0
    with out.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        for expected, cells in enumerate(reader, start=2):
            if cells and cells[0].startswith("# complete:"):  # the closing line: finished
                assert cells[0] == f"# complete: {rows} rows", cells
                continue
            assert int(cells[0]) == expected, (expected, cells[:3])
            assert cells[1] == f"case-{expected - 1}"
            assert cells[2] in ("ok", "error")
            errors += cells[2] == "error"
            count += 1
    assert count == rows, (count, rows)
    assert errors == broken, (errors, broken)
    assert stderr.startswith(f"{rows} rows: {rows - broken} assessed, {broken} with errors")
    # memory flat: the peak after the first quarter is within 10% (+4 MB) of the peak
    # in the second quarter, for the parent and for the workers
    # (checked only on a run long enough to sample: 20 samples or more)
    q = len(samples) // 4
    early, late = samples[q : 2 * q], samples[2 * q :]
    flat = {}
    for i, who in ((1, "parent"), (2, "worker")):
        e = max(s[i] for s in early) if early else 0
        lt = max(s[i] for s in late) if late else 0
        flat[who] = (e, lt)
        if len(samples) >= 20:
            assert lt <= e * 1.10 + 4096, (who, e, lt)
    data.unlink()
    out.unlink()
    return {
        "rows": rows,
        "broken_rows": broken,
        "generate_s": gen_s,
        "batch_s": secs,
        "cps": rows / secs,
        "parent_kb_q2": flat["parent"][0],
        "parent_kb_late": flat["parent"][1],
        "worker_kb_q2": flat["worker"][0],
        "worker_kb_late": flat["worker"][1],
        "samples": len(samples),
    }


# --- the machine -----------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    from importlib.metadata import version

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "os": platform.platform(),
        "cpu": cpu,
        "cores": str(cores),
        "memory": mem,
        "python": platform.python_version(),
        "durable-rules": version("durable-rules"),
        "riskcli": version("riskcli"),
        "pack": pack_version(),
        "load": load,
    }


def pack_version() -> str:
    """The rule pack's version as ``riskcli --version`` prints it."""
    done = subprocess.run(
        [*riskcli_command(), "--version"], capture_output=True, text=True, check=True
    )
    for line in done.stdout.splitlines():
        if line.startswith("rule pack: "):
            return line.removeprefix("rule pack: ").split(" ", 1)[0]
    return "?"


# --- the README ------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "meets" if ok else "**misses**"


def _load(pair: tuple[float, float]) -> str:
    return f"{pair[0]:.1f}→{pair[1]:.1f}"


def bench_markdown(
    m: dict[str, str],
    cold: dict[str, Any],
    first: dict[str, Any],
    eng: dict[str, Any],
    runs: list[dict[str, Any]],
) -> str:
    lines = [
        f"Run {m['date']} by `make bench` on rule pack **{m['pack']}** (`riskcli --version`): "
        f"{m['cpu']}, {m['cores']} cores available, {m['memory']} RAM; {m['os']}; Python "
        f"{m['python']}, durable-rules {m['durable-rules']}, riskcli {m['riskcli']}. Load "
        f"average at the start: {m['load']}; each batch gives its own (1-minute load before→"
        "after). Each batch figure is the median of "
        f"{runs[0]['rounds'] if runs else ROUNDS} runs, the commands taking turns. "
        "The machine is shared with other people's work: figures are noisy. "
        "Commands run with Python's bytecode cache on (in a temporary folder), as an "
        "installed riskcli has it.",
        "",
        "| measure | figure | goal | verdict |",
        "|---|---|---|---|",
        f"| (a) cold start, `riskcli assess --answers F --format json` (median of "
        f"{cold['runs']}) | {cold['assess_s'] * 1000:.0f} ms | | |",
        f'| (a) bare import of its libraries, `python -c "{FLOOR_IMPORTS}"` '
        f"| {cold['floor_s'] * 1000:.0f} ms | | |",
        f"| (a) bare `python -c pass` | {cold['python_s'] * 1000:.0f} ms | | |",
        f"| (a) **cold start / bare import**, wall time | {cold['ratio']:.2f}× | ≤ 1.3× "
        f"| {verdict(cold['ratio'] <= 1.3)} |",
        f"| (a) **cold start / bare import**, CPU time ({cold['assess_cpu'] * 1000:.0f} ms / "
        f"{cold['floor_cpu'] * 1000:.0f} ms) | {cold['ratio_cpu']:.2f}× | ≤ 1.3× "
        f"| {verdict(cold['ratio_cpu'] <= 1.3)} |",
        f"| (a) interview: its first question on a terminal (median of {first['runs']}) "
        f"| {first['question_s'] * 1000:.0f} ms | | |",
        f"| (a) interview: Down pressed as soon as the first question shows, until the "
        f"pointer has moved (from the start) | {first['moved_s'] * 1000:.0f} ms | | |",
        f"| (a) interview: Enter on the first question as soon as it shows, until the "
        f"second is on the screen (from the start) | {first['answered_s'] * 1000:.0f} ms | | |",
        f"| (a) a whole assess in the same rounds | {first['assess_s'] * 1000:.0f} ms | | |",
        f"| (a) **first question / whole assess**, wall time | {first['ratio']:.2f}× | ≤ 0.6× "
        f"| {verdict(first['ratio'] <= 0.6)} |",
        f"| (a) **first question / whole assess**, CPU time ({first['question_cpu'] * 1000:.0f} "
        f"ms, to the question and out on Ctrl-C / {first['assess_cpu'] * 1000:.0f} ms) "
        f"| {first['ratio_cpu']:.2f}× | ≤ 0.6× | {verdict(first['ratio_cpu'] <= 0.6)} |",
        f"| (b) engine cost per case, matching only, durable-rules "
        f"({eng['cases']:,} cases, one core) | {eng['durable_us']:.0f} µs | | |",
        f"| (b) same, durable-rules given 256 cases a call (`match_many`, as batches do) "
        f"| {eng['durable_many_us']:.0f} µs | | |",
        f"| (b) same, the plain-Python oracle (generated from the same compiled rules) "
        f"| {eng['oracle_us']:.0f} µs | | |",
        f"| (b) same findings from all three | {'yes' if eng['same_findings'] else '**NO**'} "
        "| yes "
        f"| {verdict(bool(eng['same_findings']))} |",
    ]
    for r in runs:
        n = f"{r['rows']:,}"
        per = {k: r[f"{k}_row_us"] for k in ("floor", "durable_1", "oracle_1")}
        cpu = {k: r[f"{k}_row_cpu_us"] for k in ("floor", "durable_1", "oracle_1")}
        ratio = per["durable_1"] / per["floor"]
        ratio_cpu = cpu["durable_1"] / cpu["floor"]
        speedup = r["durable_1_s"] / r["durable_all_s"]
        st = r["startup"]
        lines += [
            f"| (b) {n} rows: minimal Python pipeline, per row, wall / CPU, start-up "
            f"({st['floor']:.2f} s / {st['floor_cpu']:.2f} s) off (load "
            f"{_load(r['floor_load'])}) | {per['floor']:.1f} µs / {cpu['floor']:.1f} µs | | |",
            f"| (b) {n} rows: `riskcli batch`, durable-rules, 1 core, per row, wall / CPU, "
            f"start-up ({st['durable_1']:.2f} s / {st['durable_1_cpu']:.2f} s) off (load "
            f"{_load(r['durable_1_load'])}) | {per['durable_1']:.1f} µs / "
            f"{cpu['durable_1']:.1f} µs | | |",
            f"| (b) {n} rows: the same with the oracle, per row, wall / CPU (load "
            f"{_load(r['oracle_1_load'])}) | {per['oracle_1']:.1f} µs / {cpu['oracle_1']:.1f} µs "
            "| | |",
            f"| (b) {n} rows: **durable-rules, 1 core / minimal pipeline**, per row, wall time "
            f"| {ratio:.1f}× | ≤ 5× | {verdict(ratio <= 5)} |",
            f"| (b) {n} rows: **durable-rules, 1 core / minimal pipeline**, per row, CPU time "
            f"| {ratio_cpu:.1f}× | ≤ 5× | {verdict(ratio_cpu <= 5)} |",
            f"| (b) {n} rows: output of durable-rules (1 core, all cores) byte for byte the "
            f"oracle's | {'yes' if r['same_output'] else '**NO**'} | yes "
            f"| {verdict(r['same_output'])} |",
            f"| (b) {n} rows: durable-rules, 1 core, whole run, wall (CPU) "
            f"| {r['durable_1_s']:.1f} s ({r['durable_1_cpu']:.1f} s CPU) | | |",
            f"| (b) {n} rows: durable-rules on all {r['jobs_all']} cores, whole run, wall (CPU of "
            f"parent and workers; load {_load(r['durable_all_load'])}) "
            f"| {r['durable_all_s']:.1f} s ({r['durable_all_cpu']:.1f} s CPU) | | |",
            f"| (b) {n} rows: **all cores / one core** (speed-up, whole runs) | {speedup:.2f}× "
            f"| ≥ 1.6× on 100,000 rows, cores free "
            f"| {verdict(speedup >= 1.6) if r['rows'] >= 100_000 else ''} |",
            f"| (c) {n} rows: peak memory, 1 process | {r['durable_1_kb'] / 1024:.1f} MB | | |",
            f"| (c) {n} rows: peak memory, largest of the {r['jobs_all']} workers and parent "
            f"| {r['durable_all_kb'] / 1024:.1f} MB | | |",
        ]
    if len(runs) >= 2:
        small, big = runs[0], runs[-1]
        growth = big["durable_1_kb"] / small["durable_1_kb"] - 1
        lines.append(
            f"| (c) **peak memory {big['rows']:,} rows vs {small['rows']:,}**, 1 process "
            f"| {growth * 100:+.1f}% | within 10% | {verdict(abs(growth) <= 0.10)} |"
        )
    return "\n".join(lines)


def soak_markdown(m: dict[str, str], s: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"Run {m['date']} on rule pack **{m['pack']}**, on the machine described above "
            f"({m['cores']} cores, load {m['load']} at the start).",
            "",
            "| measure | figure |",
            "|---|---|",
            f"| rows (of which broken, one in 1,000) | {s['rows']:,} ({s['broken_rows']:,}) |",
            "| every row in the output, in order, errors where expected | yes |",
            f"| wall time of `riskcli batch` (all cores) | {s['batch_s']:.0f} s "
            f"({s['cps']:,.0f} cases/s) |",
            f"| parent RSS: peak in the 2nd quarter / peak after half-way "
            f"| {s['parent_kb_q2'] / 1024:.1f} MB / {s['parent_kb_late'] / 1024:.1f} MB |",
            f"| largest worker RSS: peak in the 2nd quarter / peak after half-way "
            f"| {s['worker_kb_q2'] / 1024:.1f} MB / {s['worker_kb_late'] / 1024:.1f} MB |",
            f"| RSS samples (every 0.5 s) | {s['samples']} |",
        ]
    )


def replace_section(text: str, name: str, body: str) -> str:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start not in text or end not in text:
        return text.rstrip("\n") + f"\n\n{start}\n{body}\n{end}\n"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes; README untouched")
    parser.add_argument("--soak", action="store_true", help="run the 10^6-row soak only")
    parser.add_argument("--soak-rows", type=int, default=1_000_000)
    parser.add_argument("--no-write", action="store_true", help="print, do not write README")
    args = parser.parse_args()
    m = machine()
    write = not (args.quick or args.no_write)
    with tempfile.TemporaryDirectory(prefix="riskcli-bench-") as tmp:
        workdir = Path(tmp)
        # Every command measured runs with Python's bytecode cache (in this temporary
        # folder, warmed by the first runs), as an installed riskcli and its libraries have
        # it; this machine sets PYTHONDONTWRITEBYTECODE, which would recompile riskcli from
        # its source on every start and not the libraries of the floor.
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
        if args.soak:
            figures = soak(args.soak_rows, workdir)
            print(json.dumps(figures, indent=2))
            body = soak_markdown(m, figures)
            print(body)
            if write and args.soak_rows == 1_000_000:
                README.write_text(replace_section(README.read_text(), "soak", body))
            return 0
        answers = workdir / "answers.json"
        answers.write_text(
            json.dumps(
                {"case_id": "bench", "destination": "KG", "citizenship": "RU", "wanted": "federal"}
            )
        )
        sizes = [1000, 5000] if args.quick else [10_000, 100_000]
        print("cold start ...", flush=True)
        cold = cold_start(answers, 5 if args.quick else 15)
        print(json.dumps(cold), flush=True)
        print("first question ...", flush=True)
        first = first_question(answers, 5 if args.quick else 11)
        print(json.dumps(first), flush=True)
        print("engine cost ...", flush=True)
        eng = engine_cost(2000 if args.quick else 10_000)
        print(json.dumps(eng), flush=True)
        print(f"batches of {sizes} rows ...", flush=True)
        runs = batch_runs(sizes, workdir)
        print(json.dumps(runs, indent=1), flush=True)
    body = bench_markdown(m, cold, first, eng, runs)
    print(body)
    if write:
        README.write_text(replace_section(README.read_text(), "bench", body))
        print(f"figures written to {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
