"""The case workflow — 发现问题 → 收集问题 → 问题立案 → 问题处理 → 问题反馈 → 结案, plus 不予立案.
The one place where stages change; the steps themselves (stages, roles) are data in
``app.security.steps``.

Each step is also a FAB permission (``can_<step>`` on the case screens), granted to the roles
named there through the role table (``app.security.roles``); the check below asks FAB, so Admin and
any role synced from that table are answered alike.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from geoalchemy2 import WKBElement
from geoalchemy2.shape import to_shape
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from ..extensions import db
from ..models.choices import CASE_FINAL_STAGES, CASE_STAGE
from ..models.rules import NOTE
from ..security import actor
from ..security.steps import REPORT, STEPS, Step  # noqa: F401  (STEPS: the workflow's, for its callers)
from ..timekeeping import local_today, utc_now
from .commands import command
from . import photos
from .mapdata import grid_at
from .numbering import next_in_series


class WorkflowError(ValueError):
    """A refused step; its message says why, in the user's language."""


def _may(step: Step) -> bool:
    return actor.may("case", step.name)


def record_event(case, action: str, from_stage: str | None, note: str | None = None) -> None:
    acting = actor.current()
    from ..models import CaseEvent
    case.events.append(CaseEvent(at=utc_now(), user_id=acting.user_id, username=acting.name, action=action,
                                 from_stage=from_stage, to_stage=case.stage, note=(note or "").strip() or None))


def _deadline(days: int) -> dt.date:
    return local_today() + dt.timedelta(days=days)


def allowed_steps(case) -> list[Step]:
    """The steps this user may make on ``case`` now (the detail page's buttons)."""
    return [step for step in STEPS.values() if case.stage in step.sources and _may(step)]


@command
def apply(case, name: str, note: str | None = None, resolution: str | None = None,
          satisfaction: int | None = None) -> None:
    """Make step ``name`` on ``case``: committed, or WorkflowError and nothing written."""
    step = STEPS.get(name)
    if step is None:
        raise WorkflowError(_l("There is no step called %(name)s.", name=name))
    if not _may(step):
        raise WorkflowError(_l("You may not make the step “%(step)s”.", step=step.label))
    if case.stage not in step.sources:
        raise WorkflowError(_l("Case %(number)s is %(stage)s: it cannot be “%(step)s”.", number=case.number,
                               stage=CASE_STAGE.label(case.stage), step=step.label))
    if step.needs_note and not (note or "").strip():
        raise WorkflowError(_l("“%(step)s” needs a note saying why.", step=step.label))
    if step.needs_feedback:
        if not (resolution or "").strip():
            raise WorkflowError(_l("Feedback needs the resolution: what was done."))
        if satisfaction not in (1, 2, 3, 4, 5):
            raise WorkflowError(_l("Feedback needs the resident's satisfaction, from 1 to 5."))
    before = case.stage
    with db.session.no_autoflush:  # the step's changes flush together: one step, not a step and an edit
        if step.needs_feedback:
            case.resolution, case.satisfaction = resolution.strip(), satisfaction
        case.stage = step.target
        if step.target == "registered" or name == "reopen":
            case.due_on = _deadline(case.category.days_to_close)
        if step.target == "closed":
            case.closed_at = utc_now()
        if name == "reopen":
            case.closed_at = None
        record_event(case, name, before, note)


@command
def apply_to_all(cases, name: str, note: str | None = None) -> None:
    """One step on several cases: all of them or, if any is refused, none (its message says which)."""
    for case in cases:
        apply(case, name, note)


def next_number(year: int) -> tuple[int, str]:
    seq = next_in_series("case", year)
    return seq, f"{year}-{seq:06d}"


def open_case(case) -> None:
    """A new case: number, first stage, reporter, deadline to register, default assignee, first event;
    saved by the caller (FAB's add, or a command such as ``intake.case_from``)."""
    from ..models import Grid

    if case.grid is None and case.grid_id is None and case.location is not None:
        case.grid = grid_at(case.location)
    if case.grid is None and case.grid_id is None:
        raise WorkflowError(_l("Choose the grid, or give a location inside one."))
    grid = case.grid or db.session.get(Grid, case.grid_id)
    reported = utc_now()
    case.year = local_today().year
    case.seq, case.number = next_number(case.year)
    case.stage, case.reported_at = "discovered", reported
    case.reporter_id = actor.current().user_id
    case.priority = case.priority or "normal"
    case.due_on = _deadline(case.category.days_to_register)
    if case.assignee_id is None and case.assignee is None:
        case.assignee_id = grid.manager_id
    record_event(case, REPORT, None)


def may_delete(case) -> bool:
    """Only a fresh report (a duplicate, a mistake) is deleted; anything further is rejected instead."""
    return case.stage == "discovered"


# -- a case's fields: read-only once closed or rejected, every change on the timeline -------------
EDITED = "edit"  # the timeline's action for a change of a case's fields
NOT_ON_TIMELINE = {"events", "photos", "household", "household_id"}  # its own rows; derived (app.models.consistency)


def may_edit(case) -> bool:
    """A closed or rejected case changes only through a step (reopen)."""
    return case.stage not in CASE_FINAL_STAGES


def refuse_edit(case) -> None:
    if not may_edit(case):
        raise WorkflowError(_l("Case %(number)s is %(stage)s: it is read-only; reopen it to change it.",
                               number=case.number, stage=CASE_STAGE.label(case.stage)))


@command
def add_photos(case, uploads) -> list:
    """Uploaded photos stored on an open case (refused before any file is written if it is closed);
    committed, or WorkflowError / PhotoError and nothing written (the files removed again)."""
    refuse_edit(case)
    return photos.store_uploads(case, uploads)


def _shown(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, WKBElement):
        point = to_shape(value)
        return f"{point.x:.6f},{point.y:.6f}" if point.geom_type == "Point" else point.geom_type
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _same(old, new) -> bool:
    if isinstance(old, WKBElement) and isinstance(new, WKBElement):
        return to_shape(old).equals_exact(to_shape(new), 1e-9)
    return old == new


def _changes(case) -> list[tuple[str, object, object]]:
    """(field, old, new) of the case's own fields changed in this flush."""
    state = inspect(case)
    relations = {rel.key: rel for rel in state.mapper.relationships if not rel.uselist}
    changed = []
    for attr in state.mapper.attrs:
        key = attr.key
        if key in NOT_ON_TIMELINE or (key not in relations and hasattr(attr, "uselist")):
            continue
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        if key.endswith("_id") and key[:-3] in relations \
                and state.attrs[key[:-3]].history.has_changes():
            continue  # shown through its relation
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if key in relations:  # the old row may be unloaded: compare the keys
            (column,) = relations[key].local_columns
            old_id = state.attrs[state.mapper.get_property_by_column(column).key].loaded_value
            if old_id == (new.id if new is not None else None):
                continue
            old = old if old is not None else old_id
        if not _same(old, new):
            changed.append((key, old, new))
    return changed


def guard_case_fields(session: Session, _context, _instances) -> None:
    """Whatever path writes a case (screen, API, code): a closed or rejected one is refused unless
    a step moves it (reopen); an open one's changed fields go on its timeline as one event."""
    from ..models import Case, CasePhoto
    from ..validation import COLUMN_LABELS

    for photo in [obj for obj in session.new if isinstance(obj, CasePhoto)]:
        if photo.case is not None:
            refuse_edit(photo.case)
    labels = COLUMN_LABELS.get("case_record", {})
    for case in [obj for obj in session.dirty if isinstance(obj, Case)]:
        stage = inspect(case).attrs["stage"].history
        if stage.has_changes():
            continue  # a step: the step's own event says so
        changes = _changes(case)
        if not changes:
            continue
        refuse_edit(case)
        note = "；".join(f"{labels.get(key, key)}：{_shown(old)} → {_shown(new)}" for key, old, new in changes)
        record_event(case, EDITED, case.stage, note[:NOTE])
