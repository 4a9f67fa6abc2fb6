"""The dashboard's aggregation against FAB's GroupByChartView, on a large generated dataset.

    .venv/bin/python -m benchmarks.dashboard [--residents 300000] [--repeat 5]

Builds a fresh database (SQLite by default; DATABASE_URL=postgresql://… for PostGIS) with the demo,
multiplies its residents to the given number, then times, over the same rows:
- ours: residents by grid and age band, one GROUP BY in the database (``services.dashboard``);
- FAB's GroupByChartView way: every resident loaded as an ORM object, grouped in Python
  (``SQLAInterface.query`` + ``GroupByProcessData``, what its chart view runs), by grid only.
Prints the median of each and the ratio.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from sqlalchemy import func, select, text


def _multiply_residents(db, target: int) -> int:
    from app.models import Resident

    columns = ("household_id, building_id, grid_id, name, gender, birth_date, phone, relation_to_head, "
               "political_status, party_branch, party_joined_on, party_flow, note")
    while (count := db.session.scalar(select(func.count(Resident.id)))) < target:
        db.session.execute(text(
            f"INSERT INTO resident ({columns}) SELECT household_id, building_id, grid_id, name, gender, birth_date, "
            f"phone, 'other', political_status, party_branch, party_joined_on, party_flow, note FROM resident "
            f"ORDER BY id LIMIT :n"), {"n": min(count, target - count)})
        db.session.commit()
    return count


def _median_ms(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="grid-bench-")
    os.environ.setdefault("GRID_INSTANCE_DIR", folder)
    from app import create_app
    from app.extensions import db

    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "GRID_DEMO": True, "SECRET_KEY": "bench"})
    with app.app_context():
        from flask_appbuilder.models.group import GroupByProcessData, aggregate_count
        from flask_appbuilder.models.sqla.interface import SQLAInterface

        from app.models import Resident
        from app.services import dashboard
        from app.services.bootstrap import prepare_database

        prepare_database()
        rows = _multiply_residents(db, args.residents)
        ours = _median_ms(dashboard.residents_by_grid_and_age, args.repeat)

        def fab_group_by():
            _count, items = SQLAInterface(Resident, db.session).query()
            GroupByProcessData(["grid_id"], [(aggregate_count, "id")], {}).apply(items)
            db.session.expunge_all()

        fab = _median_ms(fab_group_by, max(1, args.repeat // 2))
    print(f"{'residents':<44}{rows:>12,}")
    print(f"{'dashboard: GROUP BY in the database (ms)':<44}{ours:>12.1f}")
    print(f"{'FAB GroupByChartView way: rows in Python (ms)':<44}{fab:>12.1f}")
    print(f"{'ratio (FAB / ours)':<44}{fab / ours:>12.1f}")


if __name__ == "__main__":
    main()
