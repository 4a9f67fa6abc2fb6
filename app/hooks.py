"""Every SQLAlchemy hook of the app, installed by ``install_hooks`` (called by ``create_app``) in the
order written here. Importing a module registers nothing.

Within one event SQLAlchemy runs listeners in the order they were installed, and the order
matters: a flush first derives the registry's columns (a household's grid is its building's), then
checks the rows against the rules and the user's grid scope, then indexes words; after the flush
the data versions note the tables before the audit log writes its own rows (which no figure reads).
"""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from . import database
from .extensions import db
from .models import consistency
from .security import scope, sessions
from .services import audit, figure_cache, freshness, photos, words, workflow

# (event, listener) on every session, in the order they run.
SESSION_HOOKS = (
    # before_flush: derive, then check what was derived, then index.
    ("before_flush", consistency.derive_registry_columns),  # household/resident grid from the building
    ("before_flush", consistency.derive_linked_columns),  # rows that take their grid/community from a parent
    ("before_flush", consistency.check_registry_fields),  # ID numbers, phones, colours normalised or refused
    ("before_flush", consistency.check_column_rules),  # lengths, dates of the past, declared on columns
    ("before_flush", consistency.check_places),  # geometry near the community's grids
    ("before_flush", workflow.guard_case_fields),  # closed cases read-only; field changes on the timeline
    ("before_flush", scope.refuse_writes_outside_scope),  # needs the derived grids above
    ("before_flush", words.index_words),  # a diary entry's words for whole-word search
    ("before_flush", sessions.end_sessions_of_users_losing_access),  # password, deactivation, role removed
    # after_flush: which tables this transaction wrote, then the audit rows of the flush.
    ("after_flush", freshness.note_tables_flushed),
    ("after_flush", audit.write_audit_rows_of_flush),
    # statements run through the session: the tables they write, and those a dashboard part reads.
    ("do_orm_execute", freshness.note_tables_written_by_statement),
    ("do_orm_execute", figure_cache.record_tables_read_for_figures),
    # commit and rollback: bump the data versions with the rows; case photos' files follow the rows.
    ("before_commit", freshness.bump_data_versions_before_commit),
    ("after_commit", freshness.bump_data_versions_written_after_commit),
    ("after_commit", photos.keep_files_of_a_committed_transaction),
    ("after_rollback", freshness.forget_tables_of_a_rolled_back_transaction),
    ("after_rollback", photos.remove_files_of_a_rolled_back_transaction),
)


def install_hooks(app) -> None:
    """The session hooks (once per process: they are on the Session class, shared by every app),
    and SpatiaLite loaded on each new connection of this app's engine."""
    for name, listener in SESSION_HOOKS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
    with app.app_context():
        database.install_listeners(db.engine, app.config["SPATIALITE_LIBRARY_PATH"])
