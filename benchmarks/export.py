"""Export throughput: rows per second and time to the first byte (one run), peak Python memory
(a second run under tracemalloc, which would slow the first).

    .venv/bin/python -m benchmarks.export [--residents 100000]

Two paths over the same residents: the ledger export (template columns, SQLAlchemy Core streamed,
neutralised cells; ``/import/ledger.csv``) and a list's "导出CSV" (FAB's list query page by page,
the user's labels and masks; ``/residentview/export/``), each through the app as the secretary.
"""
from __future__ import annotations

import argparse
import time
import tracemalloc

from .common import demo_app


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
    parser.add_argument("--residents", type=int, default=100_000)
    args = parser.parse_args()
    app, rows = demo_app(args.residents)
    client = app.test_client()
    client.post("/login/", data={"username": "secretary", "password": "demo123"})
    print(f"{'residents':<34}{rows:>12,}")
    print(f"{'path':<34}{'rows':>10}{'rows/s':>12}{'first byte ms':>15}{'peak MB':>10}")
    for name, url in (("ledger (Core, streamed)", "/import/ledger.csv"),
                      ("list export (FAB query, pages)", "/residentview/export/")):
        count, rate, first_byte, _ = measure(client, url, trace=False)  # tracemalloc slows Python down
        *_rest, peak = measure(client, url, trace=True)
        print(f"{name:<34}{count:>10,}{rate:>12,.0f}{first_byte:>15.1f}{peak:>10.1f}")


if __name__ == "__main__":
    main()
