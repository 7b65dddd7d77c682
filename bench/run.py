"""Benchmark of riskcli on generated profiles; writes its figures into bench/README.md.

    make bench                    # or: .venv/bin/python bench/run.py
    python bench/run.py --quick   # smaller, for a try (does not write the README)
    python bench/run.py --soak    # the 10^6-row soak of issue 7 (a few minutes)

Measures, in one run on this machine:

(a) cold start of ``riskcli assess --answers F --format json`` against the bare
    import of its dependencies (``python -c "import typer, pydantic, durable.engine"``);
(b) batch throughput (cases per second, whole ``riskcli batch`` process, start-up
    included) at 10,000 and 100,000 rows: durable-rules on one core, the plain-Python
    oracle evaluating the same compiled rules on one core, durable-rules on all cores;
    and the engine's own cost per case (matching only) against the oracle's;
(c) peak memory (maximum resident set) of the batch at 10,000 and 100,000 rows.

Everything runs in subprocesses of the same Python as this script, so the figures
are those of the installed command.
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
    "kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "sys.stderr.buffer.write(p.stderr[-2000:])\n"
    "print(p.returncode, t, kb)\n"
)


def measured(cmd: list[str]) -> tuple[int, float, int]:
    """(exit code, wall seconds, peak RSS in KB of the largest process of the run)."""
    proc = subprocess.run(
        [sys.executable, "-c", PEAK, *cmd], capture_output=True, text=True, check=False
    )
    code, secs, kb = proc.stdout.split()
    return int(code), float(secs), int(kb)


def cold_start(answers: Path, runs: int) -> dict[str, Any]:
    assess = [*riskcli_command(), "assess", "--answers", str(answers), "--format", "json"]
    floor = [sys.executable, "-c", "import typer, pydantic, durable.engine"]
    bare = [sys.executable, "-c", "pass"]
    times: dict[str, list[float]] = {"assess": [], "floor": [], "python": []}
    for cmd in (assess, floor):  # warm the file cache once
        subprocess.run(cmd, capture_output=True, check=True)
    for _ in range(runs):
        for name, cmd in (("assess", assess), ("floor", floor), ("python", bare)):
            t = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True)
            times[name].append(time.perf_counter() - t)
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "runs": runs,
        "assess_s": med["assess"],
        "floor_s": med["floor"],
        "python_s": med["python"],
        "ratio": med["assess"] / med["floor"],
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
    out["same_findings"] = fired["durable"] == fired["oracle"]
    out["ratio"] = out["durable_us"] / out["oracle_us"]
    return out


def batch_runs(sizes: list[int], workdir: Path) -> list[dict[str, Any]]:
    jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    results = []
    for n in sizes:
        data = workdir / f"rows-{n}.csv"
        write_csv(data, n)
        row: dict[str, Any] = {"rows": n, "jobs_all": jobs}
        outputs = {}
        for label, engine, j in (
            ("durable_1", "durable", 1),
            ("oracle_1", "oracle", 1),
            ("durable_all", "durable", jobs),
        ):
            out = workdir / f"out-{n}-{label}.csv"
            cmd = [
                *riskcli_command(),
                "--engine",
                engine,
                "batch",
                str(data),
                "-o",
                str(out),
                "--jobs",
                str(j),
            ]
            code, secs, kb = measured(cmd)
            if code != 0:
                raise SystemExit(f"bench: {label} at {n} rows exited {code}")
            row[f"{label}_s"] = secs
            row[f"{label}_cps"] = n / secs
            row[f"{label}_kb"] = kb
            outputs[label] = out.read_bytes()
            out.unlink()
        row["same_output"] = len(set(outputs.values())) == 1
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
        "load": load,
    }


# --- the README ------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "meets" if ok else "**misses**"


def bench_markdown(
    m: dict[str, str], cold: dict[str, Any], eng: dict[str, Any], runs: list[dict[str, Any]]
) -> str:
    lines = [
        f"Run {m['date']} by `make bench` on: {m['cpu']}, {m['cores']} cores available, "
        f"{m['memory']} RAM; {m['os']}; Python {m['python']}, durable-rules "
        f"{m['durable-rules']}, riskcli {m['riskcli']}. Load average at the start: "
        f"{m['load']} (a shared machine: figures are noisy, about ±20%).",
        "",
        "| measure | figure | target | verdict |",
        "|---|---|---|---|",
        f"| (a) cold start, `riskcli assess --answers F --format json` (median of "
        f"{cold['runs']}) | {cold['assess_s'] * 1000:.0f} ms | | |",
        f'| (a) import floor, `python -c "import typer, pydantic, durable.engine"` '
        f"| {cold['floor_s'] * 1000:.0f} ms | | |",
        f"| (a) bare `python -c pass` | {cold['python_s'] * 1000:.0f} ms | | |",
        f"| (a) ratio cold start / import floor | {cold['ratio']:.2f}× | ≤ 1.5× "
        f"| {verdict(cold['ratio'] <= 1.5)} |",
        f"| (b) engine cost per case, matching only, durable-rules "
        f"({eng['cases']:,} cases, one core) | {eng['durable_us']:.0f} µs | | |",
        f"| (b) same, plain-Python oracle on the same compiled rules | {eng['oracle_us']:.0f} µs "
        f"| | |",
        f"| (b) ratio engine / oracle per case | {eng['ratio']:.2f}× | ≤ 4× "
        f"| {verdict(eng['ratio'] <= 4)} |",
        f"| (b) same findings from both | {'yes' if eng['same_findings'] else '**NO**'} | yes "
        f"| {verdict(bool(eng['same_findings']))} |",
    ]
    for r in runs:
        n = f"{r['rows']:,}"
        ratio1 = r["durable_1_cps"] / r["oracle_1_cps"]
        all_vs = r["durable_all_cps"] / r["oracle_1_cps"]
        lines += [
            f"| (b) batch {n} rows, durable-rules, 1 core | {r['durable_1_cps']:,.0f} cases/s "
            f"({r['durable_1_s']:.1f} s) | | |",
            f"| (b) batch {n} rows, oracle, 1 core | {r['oracle_1_cps']:,.0f} cases/s "
            f"({r['oracle_1_s']:.1f} s) | | |",
            f"| (b) batch {n} rows, durable-rules, all {r['jobs_all']} cores "
            f"| {r['durable_all_cps']:,.0f} cases/s ({r['durable_all_s']:.1f} s) | | |",
            f"| (b) batch {n}: oracle time per case / durable time per case, 1 core "
            f"| {ratio1:.2f} (durable costs {1 / ratio1:.2f}× the oracle per case) | ≤ 4× "
            f"| {verdict(1 / ratio1 <= 4)} |",
            f"| (b) batch {n}: all cores durable / one core oracle | {all_vs:.2f}× | > 1× "
            f"| {verdict(all_vs > 1)} |",
            f"| (b) batch {n}: the three outputs identical "
            f"| {'yes' if r['same_output'] else '**NO**'} | yes | {verdict(r['same_output'])} |",
            f"| (c) peak memory, batch {n} rows, 1 process | {r['durable_1_kb'] / 1024:.1f} MB "
            f"| | |",
            f"| (c) peak memory, batch {n} rows, largest of the {r['jobs_all']} workers and "
            f"parent | {r['durable_all_kb'] / 1024:.1f} MB | | |",
        ]
    if len(runs) >= 2:
        small, big = runs[0], runs[-1]
        growth = big["durable_1_kb"] / small["durable_1_kb"] - 1
        lines.append(
            f"| (c) peak memory {big['rows']:,} rows vs {small['rows']:,}, 1 process "
            f"| {growth * 100:+.1f}% | within 10% | {verdict(abs(growth) <= 0.10)} |"
        )
    return "\n".join(lines)


def soak_markdown(m: dict[str, str], s: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"Run {m['date']} on the machine described above ({m['cores']} cores, load "
            f"{m['load']} at the start).",
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
        print("engine cost ...", flush=True)
        eng = engine_cost(2000 if args.quick else 10_000)
        print(json.dumps(eng), flush=True)
        print(f"batches of {sizes} rows ...", flush=True)
        runs = batch_runs(sizes, workdir)
        print(json.dumps(runs, indent=1), flush=True)
    body = bench_markdown(m, cold, eng, runs)
    print(body)
    if write:
        README.write_text(replace_section(README.read_text(), "bench", body))
        print(f"figures written to {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
