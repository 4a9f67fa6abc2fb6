"""Searchable, paged lookups of related rows for pickers (never a dropdown of a whole table).

Each kind names its model, the columns its text search looks at, and the parent kinds it can be
narrowed by (a building picker narrowed by the grid chosen in the same form).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import exists, or_, select

from ..extensions import db
from ..models import Building, Community, Grid, Household, Resident

PAGE = 20


@dataclass(frozen=True)
class Lookup:
    model: type
    search: tuple
    order: tuple
    parents: dict = field(default_factory=dict)


def _household_search(term):
    return or_(
        Household.room.like(f"{term}%"),
        exists().where(Resident.household_id == Household.id, Resident.relation_to_head == "head",
                       Resident.name.like(f"{term}%")),
    )


LOOKUPS = {
    "community": Lookup(Community, (Community.name,), (Community.name,)),
    "grid": Lookup(Grid, (Grid.code, Grid.name), (Grid.code,), {"community": Grid.community_id}),
    "building": Lookup(Building, (Building.number, Building.compound), (Building.number,),
                       {"grid": Building.grid_id}),
    "household": Lookup(Household, (_household_search,), (Household.unit, Household.room),
                        {"building": Household.building_id, "grid": Household.grid_id}),
    "resident": Lookup(Resident, (Resident.name,), (Resident.name, Resident.id),
                       {"household": Resident.household_id, "building": Resident.building_id,
                        "grid": Resident.grid_id}),
    "user": Lookup(User, (User.username, User.first_name, User.last_name), (User.username,)),
}


def _base(kind: str):
    spec = LOOKUPS[kind]
    return spec, select(spec.model)


def search(kind: str, term: str = "", parents: dict | None = None, page: int = 1):
    """(rows, more): one page of ``kind`` matching ``term`` under the given parent ids."""
    spec, query = _base(kind)
    for parent_kind, parent_id in (parents or {}).items():
        if parent_kind in spec.parents and parent_id:
            query = query.where(spec.parents[parent_kind] == int(parent_id))
    term = (term or "").strip()
    if term:
        query = query.where(or_(*[
            column(term) if callable(column) and not hasattr(column, "like")
            else column.like(f"{term}%") for column in spec.search
        ]))
    page = max(page, 1)
    rows = db.session.scalars(query.order_by(*spec.order).offset((page - 1) * PAGE).limit(PAGE + 1)).all()
    return rows[:PAGE], len(rows) > PAGE


def fetch(kind: str, pk):
    """The row of ``kind`` with id ``pk``, or None (also for a malformed id)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    spec, query = _base(kind)
    return db.session.scalars(query.where(spec.model.id == pk)).first()
