"""The benchmark suite (issue 12): a district of N communities, each page and export timed through
the app, next to FAB's stock way where there is one; prints a table and writes it to
``docs/benchmarks.md``. Not part of the test run.

    .venv/bin/python -m benchmarks.suite --communities 10 [--repeat 20]
    DATABASE_URL=postgresql://…/empty_db .venv/bin/python -m benchmarks.suite --communities 100

Times are server-side (the request through Flask's test client, no network), p50 and p95 over
the repeats, as the district's secretary (every community in scope).
"""
from __future__ import annotations

import argparse
import html
import os
import re
import platform
import statistics
import time
from pathlib import Path

from .common import bench_app, fab_group_by, signed_in
from .export import measure

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def district_app(communities: int):
    """(app, database label, what seeding did): the demo and ``communities`` scale communities, and a ``district``
    account (Branch Secretary role) given every community."""
    app = bench_app()
    with app.app_context():
        from sqlalchemy import select

        from app.database import refresh_statistics
        from app.extensions import db
        from app.models import Community, UserScope
        from app.security.role_names import SECRETARY
        from seeds.scale import seed_scale

        from app.security import actor

        started = time.perf_counter()
        with actor.system("benchmark district"):
            report = seed_scale(communities, accounts=True, progress=lambda _n: print(".", end="", flush=True))
        seeded = (f"seeded {report.communities} communities, {report.rows:,} rows in "
                  f"{time.perf_counter() - started:.0f} s ({report.rows_per_second:,.0f} rows/s)"
                  if report.communities else "the district was already seeded")
        print("\n" + seeded)
        sm = app.appbuilder.sm
        if sm.find_user(username="district") is None:
            user = sm.add_user("district", "街道", "工作人员", "district@bench.invalid", sm.find_role(SECRETARY),
                               password="demo123")
            with actor.system("benchmark district"):
                for community_id in db.session.scalars(select(Community.id)):
                    db.session.add(UserScope(user_id=user.id, community_id=community_id))
                db.session.commit()
        refresh_statistics(db.session)
        backend = "PostGIS" if db.engine.dialect.name == "postgresql" else "SQLite"
    return app, backend, seeded


def timed(run, repeat: int) -> tuple[float, float]:
    """p50 and p95 in ms; a ``run`` that returns its own time (a request after some preparation)
    counts that instead."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        own = run()
        times.append(own if isinstance(own, float) else (time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def get(client, url):
    def run():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        response.close()
    return run


def dashboard_after(app, client, change):
    """The dashboard's first view after ``change`` ("*": anything, every part counted again;
    "case_record": a case written, only the parts that read cases), timed without the change."""
    def run():
        with app.app_context():
            from app.extensions import db
            from app.services import freshness

            freshness.changed(db.session, change)
            db.session.commit()
        started = time.perf_counter()
        get(client, "/dashboard/")()
        return (time.perf_counter() - started) * 1000
    return run


def fab_list(app, grid_id=None, page=None):
    """FAB's stock list query on the same data and scope: COUNT over a subquery of the filtered
    rows, then the page by OFFSET (what ModelView.list runs, without rendering)."""
    from flask_appbuilder.models.sqla.filters import FilterRelationOneToManyEqual
    from flask_appbuilder.models.sqla.interface import SQLAInterface

    from app.extensions import db
    from app.models import Resident
    from app.security.scope import ScopeFilter

    def run():
        with signed_in(app, "district"):
            datamodel = SQLAInterface(Resident, db.session)
            filters = datamodel.get_filters(["grid"])
            filters.add_filter("id", ScopeFilter, "grid")
            if grid_id is not None:
                filters.add_filter("grid", FilterRelationOneToManyEqual, grid_id)
            datamodel.query(filters, "id", "asc", page=page, page_size=25)
    return run


def next_link(client, url: str) -> str:
    """The "next page" link of the page at ``url``, as a user would click it."""
    body = client.get(url).get_data(as_text=True)
    return html.unescape(re.search(r'<li><a href="([^"]+)">&gt;</a></li>', body).group(1))


def fab_way(app):
    def run():
        with app.app_context():
            fab_group_by()
    return run


def ours_group_by(app):
    def run():
        with app.app_context():
            from app.services import dashboard
            dashboard.residents_by_grid_and_age()
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communities", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    app, backend, seeded = district_app(args.communities)
    with app.app_context():
        from sqlalchemy import func, select

        from app.extensions import db
        from app.models import Facility, Grid, Resident

        residents = db.session.scalar(select(func.count(Resident.id)))
        grid_id = db.session.scalar(select(func.max(Grid.id)))
        west, south, east, north = db.session.execute(select(
            func.min(func.ST_X(Facility.location)), func.min(func.ST_Y(Facility.location)),
            func.max(func.ST_X(Facility.location)), func.max(func.ST_Y(Facility.location)))).one()
    client = app.test_client()
    client.post("/login/", data={"username": "district", "password": "demo123"})
    one_community = app.test_client()  # a community's secretary: the map of one community
    one_community.post("/login/", data={"username": "c001-secretary", "password": "demo123"})
    deep = residents // 25 // 2  # a page in the middle of the district's residents
    deep_link = next_link(client, f"/residentview/list/?page_ResidentView={deep - 1}")
    rows = [
        ("resident list, page 1, one grid", get(client, f"/residentview/list/?_flt_0_grid={grid_id}"),
         ("FAB's list query alone (count + page, no page rendered)", fab_list(app, grid_id))),
        (f"resident list, page {deep + 1:,} by its link", get(client, deep_link),
         ("FAB's list query alone (count + OFFSET, no page rendered)", fab_list(app, page=deep))),
        (f"resident list, page {deep + 1:,} typed (no link: OFFSET)",
         get(client, f"/residentview/list/?page_ResidentView={deep}"), None),
        ("case list, overdue", get(client, "/caseview/list/?_flt_0_sla=overdue"), None),
        ("dashboard (whole page), its figures kept", get(client, "/dashboard/"), None),
        ("dashboard, first view after any write (every part counted)", dashboard_after(app, client, "*"), None),
        ("dashboard, first view after a new case", dashboard_after(app, client, "case_record"), None),
        ("chart: residents by grid and age", ours_group_by(app), ("FAB GroupByChartView way", fab_way(app))),
        ("map: one community's buildings", get(one_community, "/map/layer/buildings"), None),
        ("map: septic tanks in a quarter of the district",
         get(client, f"/map/layer/facility-septic_tank?bbox={west},{south},{(west + east) / 2},{(south + north) / 2}"),
         None),
    ]
    table = [f"## {backend}, {args.communities} communities ({residents:,} residents)", "",
             f"{platform.node()} · {os.cpu_count()} CPUs · Python {platform.python_version()} · "
             f"{time.strftime('%Y-%m-%d')} · {seeded}", "",
             "| measure | p50 ms | p95 ms | stock FAB | p50 ms | ratio |", "|---|---:|---:|---|---:|---:|"]
    for name, run, stock in rows:
        run()  # warm
        p50, p95 = timed(run, args.repeat)
        if stock:
            stock_name, stock_run = stock
            stock_p50, _ = timed(stock_run, max(1, args.repeat // 10))
            table.append(f"| {name} | {p50:.1f} | {p95:.1f} | {stock_name} | {stock_p50:.1f} | "
                         f"{stock_p50 / p50:.{0 if stock_p50 / p50 >= 10 else 1}f}× |")
        else:
            table.append(f"| {name} | {p50:.1f} | {p95:.1f} | | | |")
        print(table[-1], flush=True)
    count, rate, first_byte, _ = measure(client, "/residentview/export/", trace=False)
    *_rest, peak = measure(client, "/residentview/export/", trace=True)
    table.append(f"| CSV export of {count:,} residents | {rate:,.0f} rows/s | first byte {first_byte:.0f} ms | "
                 f"peak Python memory | {peak:.1f} MB | |")
    login = timed(lambda: app.test_client().post("/login/", data={"username": "district", "password": "demo123"}),
                  max(3, args.repeat // 4))
    table.append(f"| sign-in | {login[0]:.1f} | {login[1]:.1f} | | | |")
    print("\n".join(table[-2:]))
    if not args.no_write:
        _write(backend, args.communities, table)


def _write(backend: str, communities: int, table: list[str]) -> None:
    """Replace this backend and size's section of docs/benchmarks.md (or add it)."""
    DOCS.parent.mkdir(exist_ok=True)
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n\n"
    heading = f"## {backend}, {communities} communities"
    sections = text.split("\n## ")
    kept = [sections[0].rstrip("\n")] + ["## " + s.rstrip("\n") for s in sections[1:]
                                         if not ("## " + s).startswith(heading)]
    DOCS.write_text("\n\n".join(kept + ["\n".join(table)]) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
