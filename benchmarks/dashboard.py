"""The dashboard: each part counted, the whole page first viewed and kept, and the residents' chart
against FAB's GroupByChartView.

    .venv/bin/python -m benchmarks.dashboard [--residents 300000] [--repeat 5]
    DATABASE_URL=postgresql://…/copy_of_a_district .venv/bin/python -m benchmarks.dashboard --district

Without ``--district``: a fresh database (SQLite by default; DATABASE_URL=postgresql://… for
PostGIS) with the demo, its residents multiplied to the given number, as the demo's secretary.
With it: the database at DATABASE_URL as it is (e.g. a copy of one seeded by ``benchmarks.suite``
with 100 communities), as its ``district`` account. Prints medians, in ms:
- each part of the page counted (one kind of data: its cards and charts), as the user;
- the whole page through the app: first view (every part counted, as after the cache is emptied),
  after a case is written (the case part counted, the rest kept), and with every part kept;
- the residents' chart as the user, against FAB's GroupByChartView way over the same rows: every
  resident loaded as an ORM object, grouped in Python (``SQLAInterface.query`` +
  ``GroupByProcessData``, what its chart view runs), by grid only; and the ratio.
"""
from __future__ import annotations

import argparse
from functools import partial
import time

from .common import bench_app, demo_app, fab_group_by, median_ms, signed_in


def as_user(app, username: str, run) -> float:
    """ms of ``run()`` in a request signed in as ``username`` (its scope and permissions)."""
    from app.security import scope

    with signed_in(app, username, "/dashboard/"):
        scope.current()  # once per request, as the page asks it: not part of any one count
        started = time.perf_counter()
        run()
        return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=300_000)
    parser.add_argument("--district", action="store_true", help="DATABASE_URL as it is, as user `district`")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    if args.district:
        app, username = bench_app(), "district"
    else:
        (app, _rows), username = demo_app(args.residents), "secretary"
    with app.app_context():
        from sqlalchemy import func, select

        from app.extensions import db
        from app.models import Resident
        from app.services import dashboard, figure_cache, freshness

        rows = db.session.scalar(select(func.count(Resident.id)))
        parts = {}
        for kind, (build, _periodic) in dashboard.PARTS.items():
            parts[kind] = sorted(as_user(app, username, partial(build, None))
                                 for _ in range(args.repeat))[args.repeat // 2]
        ours = sorted(as_user(app, username, dashboard.residents_by_grid_and_age)
                      for _ in range(args.repeat))[args.repeat // 2]

        fab = median_ms(fab_group_by, max(1, args.repeat // 2))

    client = app.test_client()
    client.post("/login/", data={"username": username, "password": "demo123"})

    def view():
        response = client.get("/dashboard/")
        assert response.status_code == 200, response.status_code

    def emptied():
        with app.app_context():
            figure_cache.forget()

    def case_written():
        with app.app_context():
            freshness.changed(db.session, "case_record")  # as a new case's commit does
            db.session.commit()

    def after(prepare):
        times = []
        for _ in range(args.repeat):
            prepare()
            started = time.perf_counter()
            view()
            times.append((time.perf_counter() - started) * 1000)
        return sorted(times)[args.repeat // 2]

    first = after(emptied)
    after_case = after(case_written)
    view()
    kept = median_ms(view, args.repeat * 4)

    print(f"{'residents':<52}{rows:>12,}")
    for kind, ms in parts.items():
        print(f"{'part counted: ' + kind + ' (ms)':<52}{ms:>12.1f}")
    print(f"{'sum of the parts (ms)':<52}{sum(parts.values()):>12.1f}")
    print(f"{'page, first view: every part counted (ms)':<52}{first:>12.1f}")
    print(f"{'page, after a case is written (ms)':<52}{after_case:>12.1f}")
    print(f"{'page, every part kept (ms)':<52}{kept:>12.1f}")
    print(f"{'chart of residents by grid and age, its query (ms)':<52}{ours:>12.1f}")
    print(f"{'FAB GroupByChartView way: rows in Python (ms)':<52}{fab:>12.1f}")
    print(f"{'ratio (FAB / ours)':<52}{fab / ours:>12.1f}")


if __name__ == "__main__":
    main()
