"""Figures kept in the database between requests, shared by every app process.

An entry is one part of the dashboard for one context: everything that changes the figures
without changing the rows — the user's scope (its communities and grids), the period when the part
depends on it, whether the user sees sensitive data (care links), the locale (labels) and the
local date (age bands, "overdue"). Which kinds the user may list decides which parts are shown at
all; a part's own figures do not depend on it. Users with the same context share entries.

An entry is used while it is younger than ``GRID_DASHBOARD_CACHE_SECONDS`` (0: never kept) and
the tables it was counted from are at the versions it was counted at (``freshness``). The tables
are those of the statements the part ran, recorded as it runs: no list to keep in step.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from contextlib import contextmanager

from flask import current_app
from flask_babel import get_locale
from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import visitors
from sqlalchemy.sql.expression import TableClause

from ..extensions import db
from ..models import FigureCacheEntry
from ..security import privacy, scope
from ..timekeeping import local_today
from . import freshness

FORMAT = 1  # change when a part's figures change shape: old entries are then never read
READING = "grid.figure_tables"
ENTRIES = FigureCacheEntry.__table__
log = logging.getLogger(__name__)


def seconds() -> int:
    return int(current_app.config.get("GRID_DASHBOARD_CACHE_SECONDS", 300))


def context(period: str) -> dict:
    """What, besides the rows, the figures depend on."""
    mine = scope.current()
    return {"format": FORMAT, "period": period, "today": local_today().isoformat(), "locale": str(get_locale()),
            "sensitive": privacy.may_see_sensitive(),
            "scope": "everything" if mine.everything else
            [sorted(mine.community_ids), sorted(mine.grid_ids), sorted(mine.area_grid_ids),
             sorted(mine.whole_community_ids)]}


def _key(context_: dict, name: str, periodic: bool) -> str:
    data = {**context_, "part": name, "period": context_["period"] if periodic else None}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def record_tables_read_for_figures(state) -> None:
    tables = state.session.info.get(READING)
    if tables is not None:
        # Every table anywhere in the statement: joins, subqueries, column properties.
        tables.update(item.name for item in visitors.iterate(state.statement) if isinstance(item, TableClause))


@contextmanager
def _recording(session: Session):
    session.info[READING] = tables = set()
    try:
        yield tables
    finally:
        session.info.pop(READING, None)


def parts(wanted: dict[str, tuple[Callable[[], dict], bool]], period: str) -> dict[str, dict]:
    """{name: figures} for ``wanted`` ({name: (count it, whether the period changes it)}): the
    stored figures that are still current, the others counted now (and stored)."""
    keep = seconds()
    if keep <= 0:
        return {name: build() for name, (build, _periodic) in wanted.items()}
    session = db.session
    versions = freshness.current(session)  # before any row is read: see ``freshness``
    context_ = context(period)
    keys = {name: _key(context_, name, periodic) for name, (_build, periodic) in wanted.items()}
    now = time.time()
    stored = {key: (at, json.loads(stamp), payload) for key, at, stamp, payload in session.execute(
        select(ENTRIES.c.key, ENTRIES.c.stored_at, ENTRIES.c.versions, ENTRIES.c.payload)
        .where(ENTRIES.c.key.in_(sorted(keys.values()))))}
    found, counted = {}, []
    for name, (build, _periodic) in wanted.items():
        at, stamp, payload = stored.get(keys[name], (0, None, None))
        if now - at < keep and all(versions.get(table, 0) == version for table, version in stamp.items()):
            found[name] = json.loads(payload)
            continue
        with _recording(session) as tables:
            found[name] = build()
        stamp = {table: versions.get(table, 0) for table in tables | {freshness.ANYTHING}}
        counted.append({"key": keys[name], "stored_at": now, "versions": json.dumps(stamp, sort_keys=True),
                        "payload": json.dumps(found[name], ensure_ascii=False)})
    if counted:
        _store(counted, now - keep)
    return found


def _upsert():
    insert = freshness.insert_for(db.engine.dialect.name)(ENTRIES)
    return insert.on_conflict_do_update(index_elements=["key"], set_={
        column: insert.excluded[column] for column in ("stored_at", "versions", "payload")})


def _store(entries: list[dict], expired_before: float) -> None:
    """Store on a connection of its own (the request's transaction stays a reader), keys in one
    order (two processes storing the same keys queue instead of deadlocking), then drop expired
    entries that nobody else is writing (SKIP LOCKED). A failure costs only the next request a count."""
    try:
        with db.engine.begin() as connection:
            connection.execute(_upsert(), sorted(entries, key=lambda entry: entry["key"]))
        with db.engine.begin() as connection:
            expired = select(ENTRIES.c.key).where(ENTRIES.c.stored_at < expired_before).with_for_update(
                skip_locked=True)
            connection.execute(delete(ENTRIES).where(ENTRIES.c.key.in_(expired.scalar_subquery())))
    except DBAPIError:
        log.warning("could not store the dashboard's figures", exc_info=True)


def forget() -> None:
    """Drop every stored figure (benchmarks: the first view after a change)."""
    with db.engine.begin() as connection:
        connection.execute(delete(ENTRIES))
