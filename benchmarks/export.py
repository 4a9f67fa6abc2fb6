"""Export throughput: rows per second, time to the first byte and to the first row, the Python
process's CPU time, and memory, for each number of residents.

    .venv/bin/python -m benchmarks.export [--residents 100000 1000000]   (DATABASE_URL for PostGIS)

Two paths over the same residents, each through the app as the secretary and as the supervisor
(whose ID numbers and phones are masked, in SQL): the ledger export (template columns;
``/import/ledger.csv``) and a list's "导出CSV" (``/residentview/export/``: the list's filters and
order, household and grid by their labels). Both are one SQLAlchemy Core query with labels,
masks, dates and neutralising done in SQL; on PostgreSQL it is sent as ``COPY … TO STDOUT``
(PostgreSQL writes the CSV), on SQLite its rows go through Python's csv writer in batches.

Columns: rows/s over the whole response; "first byte" the header's arrival, "first row" the
first chunk of rows; "cpu s" this process's CPU time (on a busy machine rows/s falls, the CPU
time much less); "peak MB" Python's own allocations at their peak (a second run under
tracemalloc, which slows Python); "rss MB" the growth of the process's peak resident memory
during the first run (Linux), which also counts the database driver's buffers.
"""
from __future__ import annotations

import argparse
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from .common import demo_app, grow_residents

PATHS = (("ledger", "/import/ledger.csv"), ("list export", "/residentview/export/"))


@dataclass
class Run:
    rows: int
    rows_per_second: float
    first_byte_ms: float
    first_row_ms: float
    cpu_seconds: float
    peak_mb: float  # Python allocations (tracemalloc), 0 when not traced
    rss_growth_mb: float  # peak resident memory above the start, -1 where unknown


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return -1


def _reset_peak_rss() -> bool:
    """Let VmHWM restart from the current resident size (Linux ≥ 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def run(client, url: str, trace: bool = False) -> Run:
    """One export through the app, read to its end as a browser would."""
    watching_rss = _reset_peak_rss()
    rss_start = _rss_kb("VmRSS") if watching_rss else -1
    if trace:
        tracemalloc.start()
    cpu = time.process_time()
    started = time.perf_counter()
    response = client.get(url, buffered=False)
    assert response.status_code == 200, (url, response.status_code)
    lines, first_byte, first_row = 0, None, None
    for chunk in response.response:
        if not chunk:
            continue
        now = time.perf_counter()
        lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
        if first_byte is None:
            first_byte = now
        if first_row is None and lines > 1:
            first_row = now
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    peak = 0
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    response.close()
    rss = (_rss_kb("VmHWM") - rss_start) / 1024 if watching_rss else -1
    first_row = first_row or time.perf_counter()
    return Run(lines - 1, lines / seconds, (first_byte - started) * 1000, (first_row - started) * 1000, cpu,
               peak / 1e6, rss)


def measure(client, url: str, trace: bool):
    """(rows, rows/s, first byte ms, peak Python MB): ``run`` for the suite's table."""
    result = run(client, url, trace)
    return result.rows, result.rows_per_second, result.first_byte_ms, result.peak_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    sizes = sorted(args.residents)
    app, _rows = demo_app(sizes[0])
    with app.app_context():
        from app.extensions import db
        backend = "PostGIS" if db.engine.dialect.name == "postgresql" else "SQLite"
    print(f"{backend}\n{'residents':>10}  {'path':<13}{'user':<11}{'rows':>10}{'rows/s':>9}{'first byte ms':>14}"
          f"{'first row ms':>13}{'cpu s':>7}{'peak MB':>8}{'rss MB':>7}")
    for size in sizes:
        rows = grow_residents(app, size)
        for username in ("secretary", "supervisor"):
            client = app.test_client()
            client.post("/login/", data={"username": username, "password": "demo123"})
            for name, url in PATHS:
                if username == "supervisor" and name == "ledger":
                    continue  # the ledger is the cadres' (import permission)
                run(client, url)  # warm: the connection pool, the statement caches
                timed = run(client, url)  # tracemalloc slows Python: timed apart
                traced = run(client, url, trace=True)
                print(f"{rows:>10,}  {name:<13}{username:<11}{timed.rows:>10,}{timed.rows_per_second:>9,.0f}"
                      f"{timed.first_byte_ms:>14.1f}{timed.first_row_ms:>13.1f}{timed.cpu_seconds:>7.2f}"
                      f"{traced.peak_mb:>8.1f}{timed.rss_growth_mb:>7.1f}", flush=True)


if __name__ == "__main__":
    main()
