"""Searchable, paged lookups of related rows for pickers (never a dropdown of a whole table).

Each kind names its model, the columns its text search looks at, the parent kinds it can be
narrowed by (a building picker narrowed by the grid chosen in the same form), and the data kind of
the role table whose "list" permission it needs. Every lookup is inside the user's grid scope.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import and_, exists, or_, select

from ..extensions import db
from ..models import (Activity, AidItem, Building, Campaign, CaseCategory, CobuildingUnit, Community, ContactHousehold,
                      Donor, Grid, GridSupervisor, Household, Meeting, Resident, SupervisionDay, Team, UserScope,
                      Volunteer)
from ..security.role_names import MANAGER, SECRETARY, SUPERVISOR
from ..security import scope
from ..validation import MAX_ID

PAGE = 20
CASE_STAFF = (MANAGER, SECRETARY)  # who can be a case's assignee
MEETING_STAFF = (MANAGER, SECRETARY, SUPERVISOR)  # who attends a grid service meeting


@dataclass(frozen=True)
class Lookup:
    model: type
    matches: Callable  # search term -> WHERE clause
    order: tuple
    data_kind: str
    parents: dict = field(default_factory=dict)  # parent kind -> column (equality) or id -> clause
    level: str = "grid"
    offered: Callable | None = None  # a further condition for searching (not for fetching a chosen row)


def starts_with(column, term):
    """``column`` starts with ``term``; the user's % and _ are literal, not wildcards."""
    literal = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"{literal}%", escape="\\")


def _prefix(*columns):
    return lambda term: or_(*[starts_with(column, term) for column in columns])


def _household_matches(term):
    """A room number, or the name of the head of household."""
    return or_(
        starts_with(Household.room, term),
        exists().where(Resident.household_id == Household.id, Resident.relation_to_head == "head",
                       starts_with(Resident.name, term)),
    )


def _grid_of_household(household_id):
    return GridSupervisor.grid_id == select(Household.grid_id).where(Household.id == household_id).scalar_subquery()


def _category_of_grid(grid_id):
    return CaseCategory.community_id == select(Grid.community_id).where(Grid.id == grid_id).scalar_subquery()


def _staff_of_grid(grid_id):
    """Grid managers and secretaries who were given this grid or its community, or manage it."""
    community = select(Grid.community_id).where(Grid.id == grid_id).scalar_subquery()
    given = exists().where(UserScope.user_id == User.id,
                           or_(UserScope.grid_id == grid_id, UserScope.community_id == community))
    manages = exists().where(Grid.id == grid_id, Grid.manager_id == User.id)
    return and_(or_(given, manages), User.roles.any(Role.name.in_(CASE_STAFF)))


LOOKUPS = {
    "community": Lookup(Community, _prefix(Community.name), (Community.name,), "community"),
    "grid": Lookup(Grid, _prefix(Grid.code, Grid.name), (Grid.code,), "grid", {"community": Grid.community_id}),
    "building": Lookup(Building, _prefix(Building.number, Building.compound), (Building.number,), "building",
                       {"grid": Building.grid_id}),
    "household": Lookup(Household, _household_matches, (Household.unit, Household.room), "household",
                        {"building": Household.building_id, "grid": Household.grid_id}),
    "resident": Lookup(Resident, _prefix(Resident.name), (Resident.name, Resident.id), "resident",
                       {"household": Resident.household_id, "building": Resident.building_id,
                        "grid": Resident.grid_id}),
    "user": Lookup(User, _prefix(User.username, User.first_name, User.last_name), (User.username,),
                   "assignment"),
    "assignee": Lookup(User, _prefix(User.username, User.first_name, User.last_name), (User.username,),
                       "case", {"grid": _staff_of_grid}, offered=lambda: User.roles.any(Role.name.in_(CASE_STAFF))),
    "aid_item": Lookup(AidItem, _prefix(AidItem.name), (AidItem.name,), "aid_item", level="community",
                       offered=lambda: AidItem.active.is_(True)),
    "campaign": Lookup(Campaign, _prefix(Campaign.name), (Campaign.starts_on.desc(),), "campaign", level="community"),
    "donor": Lookup(Donor, _prefix(Donor.name), (Donor.name,), "donor", level="community"),
    "team": Lookup(Team, _prefix(Team.name), (Team.name,), "team", level="community"),
    "volunteer": Lookup(Volunteer, _prefix(Volunteer.name), (Volunteer.name,), "volunteer", level="community"),
    "activity": Lookup(Activity, _prefix(Activity.title), (Activity.held_on.desc(),), "activity", level="community"),
    "staff": Lookup(User, _prefix(User.username, User.first_name, User.last_name), (User.username,), "meeting",
                    offered=lambda: User.roles.any(Role.name.in_(MEETING_STAFF))),
    "meeting": Lookup(Meeting, _prefix(Meeting.title), (Meeting.held_on.desc(),), "meeting",
                      {"grid": Meeting.grid_id}),
    "grid_supervisor": Lookup(GridSupervisor, _prefix(GridSupervisor.name), (GridSupervisor.name,), "grid_supervisor",
                              {"grid": GridSupervisor.grid_id, "household": _grid_of_household},
                              offered=lambda: GridSupervisor.active.is_(True)),
    # Households kept as contact points (a chosen one is checked again by the form).
    "contact_household": Lookup(Household, _household_matches, (Household.unit, Household.room), "contact_household",
                                {"grid": Household.grid_id},
                                offered=lambda: exists().where(ContactHousehold.household_id == Household.id)),
    "supervision_day": Lookup(SupervisionDay, _prefix(SupervisionDay.topic), (SupervisionDay.held_on.desc(),),
                              "supervision_day", level="community"),
    "cobuilding_unit": Lookup(CobuildingUnit, _prefix(CobuildingUnit.name), (CobuildingUnit.name,), "cobuilding_unit",
                              level="community", offered=lambda: CobuildingUnit.active.is_(True)),
    "case_category": Lookup(CaseCategory, _prefix(CaseCategory.name), (CaseCategory.id,), "case_category",
                            {"grid": _category_of_grid}, level="community",
                            offered=lambda: CaseCategory.active.is_(True)),
}


def _base(kind: str):
    spec = LOOKUPS[kind]
    return spec, scope.restrict(select(spec.model), spec.model, spec.level)


def search(kind: str, term: str = "", parents: dict | None = None, page: int = 1):
    """(rows, more): one page of ``kind`` matching ``term`` under the given parent ids."""
    spec, query = _base(kind)
    if spec.offered is not None:
        query = query.where(spec.offered())
    for parent_kind, parent_id in (parents or {}).items():
        if parent_kind in spec.parents and parent_id:
            try:
                parent_id = int(parent_id)
            except ValueError:
                return [], False
            link = spec.parents[parent_kind]
            query = query.where(link(parent_id) if callable(link) else link == parent_id)
    term = (term or "").strip()
    if term:
        query = query.where(spec.matches(term))
    page = max(page, 1)
    rows = db.session.scalars(query.order_by(*spec.order).offset((page - 1) * PAGE).limit(PAGE + 1)).all()
    return rows[:PAGE], len(rows) > PAGE


def fetch(kind: str, pk):
    """The row of ``kind`` with id ``pk``, or None (also for a malformed id)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 1 <= pk <= MAX_ID:  # no row has it (and the database could not compare it)
        return None
    spec, query = _base(kind)
    return db.session.scalars(query.where(spec.model.id == pk)).first()


def offers(kind: str, pk: int, parents: dict) -> bool:
    """Whether the picker of ``kind``, narrowed by ``parents``, would offer the row ``pk``."""
    spec, query = _base(kind)
    query = query.where(spec.model.id == pk)
    if spec.offered is not None:
        query = query.where(spec.offered())
    for parent_kind, parent_id in parents.items():
        link = spec.parents[parent_kind]
        query = query.where(link(parent_id) if callable(link) else link == parent_id)
    return db.session.scalars(query.limit(1)).first() is not None
