"""Data versions: one counter per table, bumped by every committed transaction that wrote it, so a
stored figure knows whether the rows it was counted from have changed since.

Writes are noticed on the session: every ORM flush (the tables of the rows flushed and of their
many-to-many links) and every INSERT/UPDATE/DELETE statement run through ``session.execute``.
A writer that goes around the session (``session.connection()``, COPY) calls ``changed``
(``tests/test_architecture.py`` finds every such write in ``app/`` and ``seeds/``).

The bump is an UPDATE of the table's row in ``data_version`` in the writing transaction itself,
issued just before COMMIT, after the last flush: it commits or rolls back with the rows, and the
row lock it takes is held only for the commit itself. Writers of one table therefore queue only
for each other's COMMIT (a WAL flush), writers of different tables not at all.

Why a reader can trust it: a reader reads the versions first, then the rows (PostgreSQL's
READ COMMITTED: later statements see later snapshots; SQLite: one snapshot). A write missing from
what it counted committed after its version read, and bumped the version in that same commit, so
the stored figure no longer matches the versions the next reader reads.
"""
from __future__ import annotations

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from ..caching import per_request
from ..models import AuditEntry, DataVersion, FigureCacheEntry
from ..models.tallies import TALLY_OF

ANYTHING = "*"  # a write that did not say which tables: every stored figure depends on it
PENDING = "grid.changed_tables"
VERSIONS = "grid.data_versions"  # the request's read of them
# Written constantly, read by no figure: a sign-in (FAB's ab_user, the audit log) must not make
# every dashboard count again. Roles and scopes are part of the figures' context, not their rows.
IGNORED = {AuditEntry.__tablename__, DataVersion.__tablename__, FigureCacheEntry.__tablename__}


# FAB's security tables are versioned only for what grants permissions (the tables security/memo.py
# keeps permissions by); users themselves change at every sign-in.
SECURITY = {"ab_permission_view_role", "ab_permission_view", "ab_permission", "ab_view_menu"}


def _counts(name: str) -> bool:
    return name not in IGNORED and (not name.startswith("ab_") or name in SECURITY)


def changed(session: Session, *tables: str) -> None:
    """Note that this transaction wrote ``tables`` (all tables when none are named)."""
    names = tables or (ANYTHING,)
    names = {*names, *(TALLY_OF[name] for name in names if name in TALLY_OF)}  # written by trigger
    session.info.setdefault(PENDING, set()).update(name for name in names if _counts(name))


def current(session: Session) -> dict[str, int]:
    """Every table's data version. In a request, read once (at its first need: the permission
    check, before any row the request reads, which is all a reader needs; see above) and kept in
    the request; outside one, now."""
    # On the session's connection (its transaction), without the ORM's per-statement work.
    return per_request(VERSIONS, lambda: dict(
        session.connection().execute(select(DataVersion.name, DataVersion.version)).all()))


def insert_for(dialect: str):
    """The dialect's INSERT, which has ON CONFLICT."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def note_tables_flushed(session: Session, _context) -> None:
    tables = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        mapper = inspect(obj).mapper
        tables.update(table.name for table in mapper.tables)
        tables.update(rel.secondary.name for rel in mapper.relationships if rel.secondary is not None)
    if tables:
        changed(session, *tables)


def note_tables_written_by_statement(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        changed(state.session, state.statement.table.name)


def _bump_tables(connection, tables) -> None:
    insert = insert_for(connection.dialect.name)
    for name in sorted(tables):  # one order for every writer: no deadlock
        statement = insert(DataVersion.__table__).values(name=name, version=1)
        connection.execute(statement.on_conflict_do_update(
            index_elements=["name"], set_={"version": DataVersion.__table__.c.version + 1}))


def bump_data_versions_before_commit(session: Session) -> None:
    for _ in range(100):  # the commit's own flush first: the bump must come after every write
        if not (session.new or session.dirty or session.deleted):
            break
        session.flush()
    if session.info.get(PENDING):
        _bump_tables(session.connection(), session.info.pop(PENDING))


def bump_data_versions_written_after_commit(session: Session) -> None:
    """Written after the bump (a listener that adds rows once the commit has begun): bumped now, on
    a connection of its own, so no figure counted before them stays."""
    if session.info.get(PENDING):
        with session.get_bind().begin() as connection:
            _bump_tables(connection, session.info.pop(PENDING))


def forget_tables_of_a_rolled_back_transaction(session: Session) -> None:
    session.info.pop(PENDING, None)
