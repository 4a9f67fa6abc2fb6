"""The case workflow — 发现问题 → 收集问题 → 问题立案 → 问题处理 → 问题反馈 → 结案, plus 不予立案.
The one place where stages change; the steps themselves (stages, roles) are data in
``app.security.steps``.

Each step is also a FAB permission (``can_<step>`` on the case screens), granted to the roles
named there through the role table (``app.security.roles``); the check below asks FAB, so Admin and
any role synced from that table are answered alike.
"""
from __future__ import annotations

import datetime as dt

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from ..extensions import db
from ..models.choices import CASE_STAGE
from ..security.steps import REPORT, STEPS, Step  # noqa: F401  (STEPS: the workflow's, for its callers)
from ..timekeeping import local_today, utc_now
from .mapdata import grid_at
from .numbering import next_in_series


class WorkflowError(ValueError):
    """A refused step; its message says why, in the user's language."""


def _may(step: Step) -> bool:
    if not has_request_context():
        return True  # the system itself: seeds, imports, the CLI
    from ..security.access import may
    return may("case", step.name)


def _actor() -> tuple[int | None, str]:
    user = getattr(g, "user", None) if has_request_context() else None
    if user is not None and getattr(user, "is_authenticated", False):
        return user.id, user.username
    return None, "system"


def record_event(case, action: str, from_stage: str | None, note: str | None = None) -> None:
    user_id, username = _actor()
    from ..models import CaseEvent
    case.events.append(CaseEvent(at=utc_now(), user_id=user_id, username=username, action=action,
                                 from_stage=from_stage, to_stage=case.stage, note=(note or "").strip() or None))


def _deadline(days: int) -> dt.date:
    return local_today() + dt.timedelta(days=days)


def allowed_steps(case) -> list[Step]:
    """The steps this user may make on ``case`` now (the detail page's buttons)."""
    return [step for step in STEPS.values() if case.stage in step.sources and _may(step)]


def apply(case, name: str, note: str | None = None, resolution: str | None = None,
          satisfaction: int | None = None) -> None:
    """Make step ``name`` on ``case`` or raise WorkflowError; the caller commits (or rolls back)."""
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
        case.resolution, case.satisfaction = resolution.strip(), satisfaction
    before = case.stage
    case.stage = step.target
    if step.target == "registered" or name == "reopen":
        case.due_on = _deadline(case.category.days_to_close)
    if step.target == "closed":
        case.closed_at = utc_now()
    if name == "reopen":
        case.closed_at = None
    record_event(case, name, before, note)


def apply_to_all(cases, name: str, note: str | None = None) -> None:
    """One step on several cases: all of them or, if any is refused, none (its message says which)."""
    for case in cases:
        apply(case, name, note)


def next_number(year: int) -> tuple[int, str]:
    seq = next_in_series("case", year)
    return seq, f"{year}-{seq:06d}"


def open_case(case) -> None:
    """A new case: number, first stage, reporter, deadline to register, default assignee, first event."""
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
    case.reporter_id = _actor()[0]
    case.priority = case.priority or "normal"
    case.due_on = _deadline(case.category.days_to_register)
    if case.assignee_id is None and case.assignee is None:
        case.assignee_id = grid.manager_id
    record_event(case, REPORT, None)


def may_delete(case) -> bool:
    """Only a fresh report (a duplicate, a mistake) is deleted; anything further is rejected instead."""
    return case.stage == "discovered"
