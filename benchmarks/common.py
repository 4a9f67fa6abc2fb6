"""A fresh demo database with many residents, for the benchmarks."""
from __future__ import annotations

import os
import statistics
import tempfile
import time

from sqlalchemy import func, select, text

from app.testing import signed_in  # noqa: F401  (the benchmarks' signed-in request; the tests' too)


def bench_app():
    """An app on a new database (SQLite in a temporary folder, or DATABASE_URL: an empty database),
    migrated and holding the demo."""
    folder = tempfile.mkdtemp(prefix="grid-bench-")
    os.environ.setdefault("GRID_INSTANCE_DIR", folder)
    from app import create_app
    from app.services.bootstrap import prepare_database

    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "GRID_DEMO": True, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "UPLOAD_FOLDER": folder})
    with app.app_context():
        prepare_database()
    return app


def demo_app(residents: int):
    """(app, rows): the demo with its residents copied until there are ``residents``."""
    app = bench_app()
    return app, grow_residents(app, residents)


def grow_residents(app, residents: int) -> int:
    """Copy residents (into the same households) until there are ``residents``; the count."""
    from app.database import refresh_statistics
    from app.extensions import db
    from app.models import Resident
    from app.services import freshness

    with app.app_context():
        columns = ("household_id, building_id, grid_id, name, gender, birth_date, phone, relation_to_head, "
                   "political_status, party_branch, party_joined_on, party_flow, note")
        while (count := db.session.scalar(select(func.count(Resident.id)))) < residents:
            db.session.execute(text(
                f"INSERT INTO resident ({columns}) SELECT household_id, building_id, grid_id, name, gender, "
                f"birth_date, phone, 'other', political_status, party_branch, party_joined_on, party_flow, note "
                f"FROM resident ORDER BY id LIMIT :n"), {"n": min(count, residents - count)})
            freshness.changed(db.session, "resident")  # raw SQL: say what it wrote
            db.session.commit()
        refresh_statistics(db.session)
    return count


def median_ms(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def fab_group_by() -> None:
    """FAB's GroupByChartView way (inside an app context): every resident loaded as an object,
    then grouped by grid in Python (``GroupByProcessData``)."""
    from flask_appbuilder.models.group import GroupByProcessData, aggregate_count
    from flask_appbuilder.models.sqla.interface import SQLAInterface

    from app.extensions import db
    from app.models import Resident

    _count, items = SQLAInterface(Resident, db.session).query()
    GroupByProcessData(["grid_id"], [(aggregate_count, "id")], {}).apply(items)
    db.session.expunge_all()

