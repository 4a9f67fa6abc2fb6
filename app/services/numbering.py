"""Numbers people read (case 2026-000123, receipt JZ-2026-0001): sequential per series and year.

One counter row per series and year, incremented by an UPDATE … RETURNING: the row lock
(PostgreSQL) or the write lock (SQLite) makes two postings at the same moment wait for each other,
never share a number. The number is rolled back with its transaction.
"""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db


def next_in_series(series: str, year: int) -> int:
    from ..models import NumberSeries

    dialect = db.session.get_bind().dialect.name
    insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert_(NumberSeries).values(series=series, year=year, last=0).on_conflict_do_nothing())
    return db.session.execute(
        update(NumberSeries).where(NumberSeries.series == series, NumberSeries.year == year)
        .values(last=NumberSeries.last + 1).returning(NumberSeries.last)).scalar_one()
