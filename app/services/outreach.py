"""Part 三's recommendations: the figures, each one query in the database inside the user's scope
(supervision coverage: contact households visited this week / this month; reach, 知晓率: households
reached by a visit, a service contact card or the residents' group), and the service contact
cards (what a card says, the record of cards handed over)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, exists, func, select

from ..extensions import db
from ..models import CardHandover, ContactHousehold, Grid, GridSupervisor, Household, Visit
from ..models.outreach import CARD_HANDED, IN_GROUP, REACHED, VISITED
from ..security import privacy, scope
from ..timekeeping import local_today
from .commands import command


def percent(part, whole):
    """``part`` of ``whole`` in per cent to one decimal, rounded half up, in SQL: integer arithmetic
    (``//``) behaves alike on SQLite and PostgreSQL; None when ``whole`` is 0."""
    return ((part * 1000 + whole // 2) // func.nullif(whole, 0)) / 10.0


def count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day - dt.timedelta(days=day.weekday())
    return start, start + dt.timedelta(days=6)


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day.replace(day=1)
    return start, (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Coverage:
    grid_id: int
    code: str
    name: str
    supervisors: int
    contacts: int
    week: int
    month: int
    week_percent: float | None
    month_percent: float | None


def supervision_visit_between(start: dt.date, end: dt.date):
    """A contact household (of the enclosing query) had a supervision visit between the two days."""
    return exists().where(Visit.household_id == ContactHousehold.household_id, Visit.purpose == "supervision",
                          Visit.visited_on.between(start, end))


def coverage_by_grid(day: dt.date) -> list[Coverage]:
    """Per grid of the user's: active supervisors, contact households, and how many of those had a
    supervision visit in ``day``'s week (Monday to Sunday) and month."""
    week = supervision_visit_between(*week_of(day))
    month = supervision_visit_between(*month_of(day))
    contacts = func.count(ContactHousehold.id)
    supervisors = (select(func.count(GridSupervisor.id))
                   .where(GridSupervisor.grid_id == Grid.id, GridSupervisor.active.is_(True))
                   .correlate(Grid).scalar_subquery())
    query = (select(Grid.id, Grid.code, Grid.name, supervisors, contacts, count_if(week), count_if(month),
                    percent(count_if(week), contacts), percent(count_if(month), contacts))
             .outerjoin(ContactHousehold, ContactHousehold.grid_id == Grid.id)
             .group_by(Grid.id, Grid.code, Grid.name).order_by(Grid.code))
    return [Coverage(*row) for row in db.session.execute(scope.restrict(query, Grid, "grid"))]


@dataclass(frozen=True)
class Reach:
    grid_id: int | None
    code: str
    name: str
    households: int
    reached: int
    visited: int
    card: int
    group: int
    percent: float | None


def reach_by_grid() -> list[Reach]:
    """Per grid of the user's: households, how many were reached (and by which way; one household
    may be reached several ways), and the percentage reached."""
    households = func.count(Household.id)
    reached = count_if(REACHED)
    query = (select(Grid.id, Grid.code, Grid.name, households, reached, count_if(VISITED), count_if(CARD_HANDED),
                    count_if(IN_GROUP), percent(reached, households))
             .outerjoin(Household, Household.grid_id == Grid.id)
             .group_by(Grid.id, Grid.code, Grid.name).order_by(Grid.code))
    return [Reach(*row) for row in db.session.execute(scope.restrict(query, Grid, "grid"))]


def total_reach(rows: list[Reach]) -> Reach:
    """The sum of the grids' rows (the percentage again from the sums, not an average of rates)."""
    households = sum(row.households for row in rows)
    reached = sum(row.reached for row in rows)
    share = (reached * 1000 + households // 2) // households / 10 if households else None  # as ``percent``
    return Reach(None, "", "", households, reached, sum(row.visited for row in rows), sum(row.card for row in rows),
                 sum(row.group for row in rows), share)


REACH_PERCENT = select(percent(count_if(REACHED), func.count(Household.id)))
UNREACHED = ~REACHED


def card_of(household: Household) -> dict:
    """What a service contact card says. The grid's service phone and the community's hotline are
    public service numbers; the building head's own phone is personal data, shown as the privacy
    rules show it to this user (masked for a supervisor)."""
    building, grid = household.building, household.grid
    community, head = grid.community, building.head
    return {
        "household": household.address, "head_name": household.head_name or "",
        "community": community.name, "street": community.street or "",
        "grid": f"{grid.code} {grid.name}", "colour": grid.colour,
        "manager": str(grid.manager) if grid.manager is not None else "", "manager_phone": grid.service_phone or "",
        "building": str(building), "building_head": head.name if head is not None else "",
        "building_head_phone": privacy.shown("phone", head.phone) if head is not None and head.phone else "",
        "hotline": community.hotline or "", "group_number": community.group_number or "",
        "household_id": household.id,
    }


@command
def hand_over(households, handed_by: str) -> int:
    """Record a card handed over today to each of ``households`` that has none yet (a household is
    handed one card); committed. Returns how many were recorded."""
    handed = set(db.session.scalars(select(CardHandover.household_id).where(
        CardHandover.household_id.in_([household.id for household in households]))))
    today = local_today()
    new = [CardHandover(household=household, handed_on=today, handed_by=handed_by)
           for household in households if household.id not in handed]
    db.session.add_all(new)
    return len(new)
