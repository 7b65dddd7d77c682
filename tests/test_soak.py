"""The soak of issue 7 (item 5): 10^6 generated rows through `riskcli batch` on all cores.

Every row must come out, in order, with the broken ones (one in 1,000) as error
rows, and memory must stay flat (parent and workers: the peak after half-way
within 10% of the peak in the second quarter). Slow: `make fuzz` runs it;
`python bench/run.py --soak` runs the same and records its figures in
bench/README.md.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "run.py"


def _bench() -> object:
    spec = importlib.util.spec_from_file_location("riskcli_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["riskcli_bench"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads memory from /proc")
def test_soak_million_rows_all_accounted_for_memory_flat(tmp_path: Path) -> None:
    bench = _bench()
    figures = bench.soak(1_000_000, tmp_path)  # type: ignore[attr-defined]
    print(figures)
    assert figures["rows"] == 1_000_000
    assert figures["broken_rows"] == 1_000


def test_soak_machinery_on_a_small_batch(tmp_path: Path) -> None:
    """The same checks on 3,000 rows, so that the soak's own code is tested in `make test`."""
    bench = _bench()
    figures = bench.soak(3_000, tmp_path, broken_every=100)  # type: ignore[attr-defined]
    assert (figures["rows"], figures["broken_rows"]) == (3_000, 30)
