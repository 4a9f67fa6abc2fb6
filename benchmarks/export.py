"""Export throughput: rows per second and time to the first byte (one run), peak Python memory
(a second run under tracemalloc, which would slow the first), for each number of residents.

    .venv/bin/python -m benchmarks.export [--residents 100000 1000000]   (DATABASE_URL for PostGIS)

Two paths over the same residents, each through the app as the secretary and as the supervisor
(whose ID numbers and phones are masked): the ledger export (template columns;
``/import/ledger.csv``) and a list's "导出CSV" (``/residentview/export/``: the list's filters and
order, household and grid by their labels). Both are one SQLAlchemy Core query streamed in
batches, with labels, dates and neutralising done in SQL.
"""
from __future__ import annotations

import argparse
import time
import tracemalloc

from .common import demo_app, grow_residents

PATHS = (("ledger", "/import/ledger.csv"), ("list export", "/residentview/export/"))


def measure(client, url: str, trace: bool):
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    response = client.get(url, buffered=False)
    chunks = iter(response.response)
    first = next(chunks)
    first_byte = (time.perf_counter() - started) * 1000
    lines = first.count(b"\n") if isinstance(first, bytes) else first.count("\n")
    for chunk in chunks:
        lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
    seconds = time.perf_counter() - started
    peak = 0
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    response.close()
    return lines - 1, lines / seconds, first_byte, peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    sizes = sorted(args.residents)
    app, _rows = demo_app(sizes[0])
    print(f"{'residents':>10}  {'path':<14}{'user':<12}{'rows':>11}{'rows/s':>10}{'first byte ms':>15}{'peak MB':>9}")
    for size in sizes:
        rows = grow_residents(app, size)
        for username in ("secretary", "supervisor"):
            client = app.test_client()
            client.post("/login/", data={"username": username, "password": "demo123"})
            for name, url in PATHS:
                if username == "supervisor" and name == "ledger":
                    continue  # the ledger is the cadres' (import permission)
                count, rate, first_byte, _ = measure(client, url, trace=False)  # tracemalloc slows Python
                *_rest, peak = measure(client, url, trace=True)
                print(f"{rows:>10,}  {name:<14}{username:<12}{count:>11,}{rate:>10,.0f}{first_byte:>15.1f}{peak:>9.1f}",
                      flush=True)


if __name__ == "__main__":
    main()
