"""Ending a user's sessions everywhere.

Each user has a session epoch (``SessionEpoch``, in the database so that every process and host
agrees). A session cookie is stamped with the epoch at sign-in, an API token (access or refresh)
carries it as a claim; a request whose stamp is not the user's epoch now is not signed in.
Moving the epoch on ends every session and token of the user at once:
- signing out (``GridAuthDBView.logout``);
- a new password, deactivation, a role or group taken away, a role or group deleted, a role taken
  from a group: noticed on every flush of FAB's user, role and group rows, whichever screen, API
  or command wrote them.

The check costs no query: the epoch is read with the user, in the query that loads them on
every request anyway (``GridSecurityManager.load_user``).
"""
from __future__ import annotations

from flask_appbuilder.security.sqla.models import (Group, Role, User, assoc_group_role, assoc_user_group,
                                                   assoc_user_role)
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import SessionEpoch
from ..services import audit
from ..services.commands import command
from ..services.freshness import insert_for

SESSION_KEY = "_grid_epoch"  # in the signed session cookie
SIGNED_IN_KEY = "_grid_signed_in_at"  # when, in seconds since 1970 (the field app's working day)
CLAIM = "epoch"  # in the JWT


def epoch_of(session: Session, user_id: int) -> int:
    return session.scalar(select(SessionEpoch.epoch).where(SessionEpoch.user_id == user_id)) or 0


def end_sessions(connection, user_ids) -> None:
    """Move the epoch of ``user_ids`` on, in the caller's transaction. On the connection, not the
    ORM: no data version changes (no figure is counted from sessions)."""
    insert = insert_for(connection.dialect.name)
    for user_id in sorted(set(user_ids)):  # one order for every writer: no deadlock
        statement = insert(SessionEpoch.__table__).values(user_id=user_id, epoch=1)
        connection.execute(statement.on_conflict_do_update(
            index_elements=["user_id"], set_={"epoch": SessionEpoch.__table__.c.epoch + 1}))


@command
def sign_out(user_id: int) -> None:
    """The signed-in user signs out: on record, and every session of theirs ended (on every
    device); committed."""
    audit.record("logout")
    end_sessions(db.session.connection(), [user_id])


def _changed(state, name: str) -> bool:
    history = state.attrs[name].history
    return history.has_changes() and list(history.added) != list(history.deleted)


def _removed(state, name: str) -> list:
    return list(state.attrs[name].history.deleted)


def _users_losing_access(session: Session) -> set[int]:
    """Users whose password, activity or roles (their own, or through a group) this flush changes
    so that a session of theirs may no longer be what it was."""
    users, groups, roles = set(), set(), set()
    for obj in session.dirty:
        state = inspect(obj)
        if isinstance(obj, User):
            if _changed(state, "password") or (_changed(state, "active") and not obj.active) \
                    or _removed(state, "roles") or _removed(state, "groups"):
                users.add(obj.id)
        elif isinstance(obj, Role):
            users.update(user.id for user in _removed(state, "user"))
        elif isinstance(obj, Group):
            users.update(user.id for user in _removed(state, "users"))
            if _removed(state, "roles"):
                groups.add(obj.id)
    roles.update(obj.id for obj in session.deleted if isinstance(obj, Role))
    groups.update(obj.id for obj in session.deleted if isinstance(obj, Group))
    connection = session.connection() if roles or groups else None
    if roles:
        users.update(connection.scalars(select(assoc_user_role.c.user_id).where(assoc_user_role.c.role_id.in_(roles))))
        groups.update(connection.scalars(select(assoc_group_role.c.group_id)
                                         .where(assoc_group_role.c.role_id.in_(roles))))
    if groups:
        users.update(connection.scalars(select(assoc_user_group.c.user_id)
                                        .where(assoc_user_group.c.group_id.in_(groups))))
    users.discard(None)
    return users


def end_sessions_of_users_losing_access(session: Session, _context, _instances) -> None:
    users = _users_losing_access(session)
    if users:
        end_sessions(session.connection(), users)


def older_than(cookie, seconds: float) -> bool:
    """Whether the session in ``cookie`` (Flask's session) was signed in more than ``seconds`` ago;
    a session from before the stamp existed counts as old."""
    import time

    signed_in = cookie.get(SIGNED_IN_KEY)
    return not isinstance(signed_in, (int, float)) or time.time() - signed_in > seconds
