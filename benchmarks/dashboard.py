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

from .common import demo_app, median_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    app, rows = demo_app(args.residents)
    with app.app_context():
        from flask_appbuilder.models.group import GroupByProcessData, aggregate_count
        from flask_appbuilder.models.sqla.interface import SQLAInterface

        from app.extensions import db
        from app.models import Resident
        from app.services import dashboard

        ours = median_ms(dashboard.residents_by_grid_and_age, args.repeat)

        def fab_group_by():
            _count, items = SQLAInterface(Resident, db.session).query()
            GroupByProcessData(["grid_id"], [(aggregate_count, "id")], {}).apply(items)
            db.session.expunge_all()

        fab = median_ms(fab_group_by, max(1, args.repeat // 2))
    print(f"{'residents':<44}{rows:>12,}")
    print(f"{'dashboard: GROUP BY in the database (ms)':<44}{ours:>12.1f}")
    print(f"{'FAB GroupByChartView way: rows in Python (ms)':<44}{fab:>12.1f}")
    print(f"{'ratio (FAB / ours)':<44}{fab / ours:>12.1f}")


if __name__ == "__main__":
    main()
