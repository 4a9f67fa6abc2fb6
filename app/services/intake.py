"""Turning what was written down (a diary entry, feedback from the residents' group) into a case:
once, pre-filled, linked both ways."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Case, CaseCategory, Grid
from ..models.rules import max_length
from . import workflow
from .commands import command


def _category(community_id: int) -> CaseCategory:
    query = select(CaseCategory).where(CaseCategory.community_id == community_id, CaseCategory.active.is_(True))
    found = db.session.scalars(query.where(CaseCategory.name == "其他")).first()
    found = found or db.session.scalars(query.order_by(CaseCategory.id)).first()
    if found is None:
        raise workflow.WorkflowError(_l("This community has no case categories yet."))
    return found


@command
def case_from(record, source: str) -> tuple[Case, bool]:
    """(the record's case, whether it was created now); committed, or WorkflowError and nothing written."""
    if record.case_id is not None:
        return db.session.get(Case, record.case_id), False
    if record.grid_id is None:
        raise workflow.WorkflowError(_l("Give it a grid first: a case belongs to a grid."))
    grid = db.session.get(Grid, record.grid_id)
    text = record.content.strip()
    # the case opens with the record's beginning; the whole stays on the record, linked both ways
    description = text[:max_length(Case.__table__.c.description)]
    case = Case(title=text[:40], description=description, source=source, grid_id=grid.id,
                category=_category(grid.community_id), priority="normal")
    residents = getattr(record, "residents", None)
    if residents:
        case.resident = residents[0]
    workflow.open_case(case)
    db.session.add(case)
    db.session.flush()
    record.case_id = case.id
    return case, True
