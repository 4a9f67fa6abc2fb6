"""The audit log: every create, update and delete of personal data, every export and sign-in.

Rows are written in the same transaction as the change they describe (nothing audited that did
not happen, nothing happened that is not audited). Sensitive values are stored masked.
"""
from __future__ import annotations

import datetime as dt
import json

from flask import has_request_context, request
from geoalchemy2 import Geometry
from sqlalchemy import Column, inspect
from sqlalchemy.orm import Session

from ..extensions import db
from ..timekeeping import utc_now
from ..models import (AuditEntry, CardHandover, Case, CobuildingUnit, ContactHousehold, Grid, GridSupervisor, Household,
                      MeetingFollowUp, Patrol, Resident, UnitSupport, UserScope, Voucher)
from ..security import actor
from ..security.privacy import mask
from .commands import command

# Models whose every write is audited, and the name their rows carry. A grid's manager and
# supervisor, like an assignment, decide who sees whose data; a case may name a resident; a voucher
# (donation, distribution, adjustment) moves the station's goods and money. A contact household and a
# card hand-over name a household; supervisors and units keep a phone; a meeting's follow-up names who
# answers for it by when; a unit's support records money given; a patrol is where someone walked.
AUDITED = {Household: "household", Resident: "resident", UserScope: "assignment", Grid: "grid", Case: "case",
           Voucher: "aid_voucher", ContactHousehold: "contact_household", CardHandover: "card_handover",
           GridSupervisor: "grid_supervisor", CobuildingUnit: "cobuilding_unit", UnitSupport: "cobuilding_support",
           MeetingFollowUp: "meeting_follow_up", Patrol: "patrol"}


def _actor() -> dict:
    """Who acted (the system named by its purpose), and from where (a request's address)."""
    acting = actor.current()
    return {"user_id": acting.user_id, "username": acting.name,
            "client_address": request.remote_addr if has_request_context() else None}


def _plain(column: str, value):
    value = mask(column, value)  # a birth date too: beside the masked ID number it would rebuild it
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _columns(obj):
    """Stored columns of ``obj`` (not computed ones), without the primary key."""
    table = inspect(obj).mapper.local_table
    for attr in inspect(obj).mapper.column_attrs:
        column = attr.columns[0]
        if isinstance(column, Column) and column.table is table and not column.primary_key:
            yield attr.key, isinstance(column.type, Geometry)


def _snapshot(obj, new: bool) -> dict:
    changes = {}
    for key, is_geometry in _columns(obj):
        value = getattr(obj, key)
        if value is None or (new and value in ("", False)):
            continue
        shown = "(geometry)" if is_geometry else _plain(key, value)
        changes[key] = [None, shown] if new else [shown, None]
    return changes


def _diff(obj) -> dict:
    state = inspect(obj)
    changes = {}
    for key, is_geometry in _columns(obj):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        changes[key] = (["(geometry)", "(geometry)"] if is_geometry
                        else [_plain(key, old), _plain(key, new)])
    return changes


def _community_id(session: Session, obj) -> int | None:
    if getattr(obj, "community_id", None) is not None:
        return obj.community_id
    grid = session.get(Grid, obj.grid_id) if getattr(obj, "grid_id", None) is not None else None
    return grid.community_id if grid is not None else None


def _entry(session: Session, action: str, obj, changes: dict, actor: dict) -> dict:
    return {"at": utc_now(), "action": action,
            "object_type": AUDITED[type(obj)], "object_id": obj.id, "object_label": str(obj)[:200],
            "changes": json.dumps(changes, ensure_ascii=False),
            "community_id": _community_id(session, obj), **actor}


def write_audit_rows_of_flush(session: Session, _context) -> None:
    rows, actor = [], None
    for action, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            if type(obj) not in AUDITED:
                continue
            changes = _diff(obj) if action == "update" else _snapshot(obj, new=action == "create")
            if action == "update" and not changes:
                continue
            actor = actor or _actor()
            rows.append(_entry(session, action, obj, changes, actor))
    if rows:
        session.connection().execute(AuditEntry.__table__.insert(), rows)


def record(action: str, *, object_type: str | None = None, object_id: int | None = None,
           label: str | None = None, changes: dict | None = None, username: str | None = None,
           user_id: int | None = None) -> None:
    """An audit row for an event that is not a row change (sign-in, export), inside the caller's
    command or transaction."""
    actor = _actor()
    if username is not None:
        actor.update(username=username[:64], user_id=user_id)
    db.session.add(AuditEntry(
        at=utc_now(), action=action, object_type=object_type,
        object_id=object_id, object_label=label, changes=json.dumps(changes, ensure_ascii=False) if changes else None,
        **actor))


@command
def exported(object_type: str, label: str, changes: dict | None = None) -> None:
    """An export (a CSV, the monthly pack) on record; committed before the file is sent."""
    record("export", object_type=object_type, label=label, changes=changes)


@command
def signed_in(user) -> None:
    """A sign-in on record; committed."""
    record("login", username=user.username, user_id=user.id)


@command
def sign_in_refused(username: str) -> None:
    """A refused sign-in on record, with the name that was typed; committed."""
    record("login_failed", username=username)
