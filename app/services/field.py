"""The field app's writes (report a problem, record a visit, patrol) and its today-list.

Each item a phone sends carries an id the phone made (a UUID). The server keeps it with a unique
constraint: the same item sent again (an answer lost on a weak signal) returns what the first
sending made, and nothing new. Each function validates, writes and commits; a refusal is a
``FieldRefusal`` whose message the phone shows the user.
"""
from __future__ import annotations

import datetime as dt
import math
import uuid

from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import (Case, CaseCategory, FieldReceipt, Grid, Household, MeetingFollowUp, Patrol, PatrolPoint,
                      Visit)
from ..models.choices import CASE_FINAL_STAGES, CASE_STAGE, VISIT_PURPOSE
from ..security import actor, scope
from ..timekeeping import local_today, utc_now, zone
from ..validation import MAX_ID, FieldError
from . import photos, workflow
from .mapdata import grid_at

PHONE_CLOCK_SLACK = dt.timedelta(hours=1)  # a phone's clock a little ahead is not a refusal
OLDEST_QUEUED = dt.timedelta(days=30)  # an item kept longer on a phone is refused, not backdated


class FieldRefusal(ValueError):
    """Why the server refused an item; shown on the phone as is."""


# -- what a phone sends ---------------------------------------------------------------------------------
def client_id(value) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise FieldRefusal(_l("The phone sent no valid id for this item.")) from None


def phone_time(value) -> dt.datetime:
    """Milliseconds since 1970 (the phone's clock) as naive UTC; now if absent."""
    if value in (None, ""):
        return utc_now()
    try:
        millis = float(value)
    except (TypeError, ValueError):
        raise FieldRefusal(_l("The time the phone sent is not a time.")) from None
    now = utc_now()
    if not math.isfinite(millis):
        raise FieldRefusal(_l("The time the phone sent is not a time."))
    try:
        at = dt.datetime.fromtimestamp(millis / 1000, dt.UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        raise FieldRefusal(_l("The time the phone sent is not a time.")) from None
    if at > now + PHONE_CLOCK_SLACK or at < now - OLDEST_QUEUED:
        raise FieldRefusal(_l("The phone's clock is wrong, or this item waited more than 30 days: "
                              "it was not recorded."))
    return at


def point(lng, lat):
    """A WGS 84 point from the phone's position, or None when it sent none."""
    if lng in (None, "") and lat in (None, ""):
        return None
    try:
        x, y = float(lng), float(lat)
    except (TypeError, ValueError):
        raise FieldRefusal(_l("The position the phone sent is not a position.")) from None
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
        raise FieldRefusal(_l("The position the phone sent is not a position."))
    return from_shape(Point(x, y), srid=4326)


def _accuracy(value) -> float | None:
    try:
        metres = float(value)
    except (TypeError, ValueError):
        return None
    return round(metres, 1) if math.isfinite(metres) and 0 <= metres < 1e6 else None


def _id(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ID else None


def _me():
    return actor.current().user


def _commit(receipt_of_first):
    """Commit; a concurrent sending of the same item (the unique id) answers with the first's record."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        found = receipt_of_first()
        if found is None:
            raise
        return found, False
    except (FieldError, scope.OutOfScope) as error:
        db.session.rollback()
        raise FieldRefusal(str(error)) from None
    return None, True


def _receipt(kind: str, key: str) -> FieldReceipt | None:
    found = db.session.scalars(select(FieldReceipt).where(FieldReceipt.client_id == key)).first()
    if found is not None and (found.kind != kind or found.user_id != _me().id):
        raise FieldRefusal(_l("This item's id belongs to another record."))
    return found


def own_patrol(key) -> Patrol | None:
    """The user's patrol with this client id, or None."""
    if not key:
        return None
    try:
        key = str(uuid.UUID(str(key)))
    except ValueError:
        return None
    return db.session.scalars(select(Patrol).where(Patrol.client_id == key, Patrol.user_id == _me().id)).first()


# -- 报告问题: a problem reported from the phone ------------------------------------------------------------
def report(key, *, category_id, text, lng, lat, patrol_key=None, uploads=()) -> tuple[Case, bool]:
    """(the case, whether it was made now). ``uploads``: (bytes, filename) of each photo."""
    key = client_id(key)
    found = _receipt("report", key)
    if found is not None:
        return found.case, False
    text = (text or "").strip()
    category = db.session.scalars(scope.restrict(
        select(CaseCategory).where(CaseCategory.id == _id(category_id), CaseCategory.active.is_(True)),
        CaseCategory, "community")).first()
    if category is None:
        raise FieldRefusal(_l("Choose the kind of problem."))
    location = point(lng, lat)
    if location is None:
        raise FieldRefusal(_l("The report has no position: allow the phone to give its position."))
    case = Case(title=(text.splitlines()[0][:40] if text else category.name), description=text or None,
                source="patrol", category=category, location=location)
    try:
        workflow.open_case(case)
        db.session.add(case)
        for data, filename in uploads:
            photos.store(case, data, filename, _me().username)
    except (workflow.WorkflowError, photos.PhotoError) as error:
        db.session.rollback()
        raise FieldRefusal(str(error)) from None
    patrol = own_patrol(patrol_key)
    db.session.add(FieldReceipt(client_id=key, kind="report", user_id=_me().id, grid=case.grid, case=case,
                                patrol=patrol, received_at=utc_now()))
    first, created = _commit(lambda: _receipt("report", key))
    return (first.case, False) if first is not None else (case, created)


# -- 入户走访: a home visit -------------------------------------------------------------------------------
def visit(key, *, household_id, purpose, notes, follow_up=False, visited_at=None) -> tuple[Visit, bool]:
    key = client_id(key)
    found = _receipt("visit", key)
    if found is not None:
        return found.visit, False
    household = db.session.scalars(scope.restrict(select(Household).where(Household.id == _id(household_id)),
                                                  Household, "grid")).first()
    if household is None:
        raise FieldRefusal(_l("Choose the household visited."))
    if purpose not in VISIT_PURPOSE.codes:
        raise FieldRefusal(_l("Choose the purpose of the visit."))
    day = phone_time(visited_at).replace(tzinfo=dt.UTC).astimezone(zone()).date() if visited_at else local_today()
    user = _me()
    record = Visit(household=household, visited_on=day, purpose=purpose, notes=(notes or "").strip() or None,
                   follow_up=bool(follow_up), visitors=f"{user.first_name}{user.last_name}"[:200] or user.username,
                   recorded_by=user.username)
    db.session.add(record)
    db.session.add(FieldReceipt(client_id=key, kind="visit", user_id=user.id, grid_id=household.grid_id,
                                visit=record, received_at=utc_now()))
    first, created = _commit(lambda: _receipt("visit", key))
    return (first.visit, False) if first is not None else (record, created)


# -- 巡查: patrols and their tracks --------------------------------------------------------------------------
def start_patrol(key, *, started_at=None) -> tuple[Patrol, bool]:
    key = client_id(key)
    found = db.session.scalars(select(Patrol).where(Patrol.client_id == key)).first()
    if found is not None:
        if found.user_id != _me().id:
            raise FieldRefusal(_l("This item's id belongs to another record."))
        return found, False
    communities = sorted(scope.current().community_ids)
    if not communities:
        raise FieldRefusal(_l("You were given no community to patrol."))
    patrol = Patrol(client_id=key, user_id=_me().id, username=_me().username, community_id=communities[0],
                    started_at=phone_time(started_at))
    db.session.add(patrol)
    first, created = _commit(lambda: db.session.scalars(select(Patrol).where(Patrol.client_id == key)).first())
    return first or patrol, created


def _patrol_of(patrol_key) -> Patrol:
    patrol = own_patrol(patrol_key)
    if patrol is None:
        raise FieldRefusal(_l("There is no such patrol of yours."))
    return patrol


def add_point(patrol_key, key, *, at, lng, lat, accuracy=None) -> tuple[PatrolPoint, bool]:
    """One position of a patrol; the first inside one of the user's grids gives the patrol its grid."""
    key = client_id(key)
    patrol = _patrol_of(patrol_key)

    def first():
        return db.session.scalars(select(PatrolPoint).where(PatrolPoint.client_id == key)).first()
    found = first()
    if found is not None:
        if found.patrol_id != patrol.id:
            raise FieldRefusal(_l("This item's id belongs to another record."))
        return found, False
    location = point(lng, lat)
    if location is None:
        raise FieldRefusal(_l("The position the phone sent is not a position."))
    if patrol.grid_id is None:
        grid = grid_at(location)
        if grid is not None:
            patrol.grid, patrol.community_id = grid, grid.community_id
    row = PatrolPoint(client_id=key, patrol=patrol, at=phone_time(at), location=location,
                      accuracy=_accuracy(accuracy))
    db.session.add(row)
    kept, created = _commit(first)
    return kept or row, created


def end_patrol(patrol_key, *, ended_at=None) -> Patrol:
    patrol = _patrol_of(patrol_key)
    if patrol.ended_at is None:
        patrol.ended_at = max(phone_time(ended_at), patrol.started_at)
        _commit(lambda: None)
    return patrol


# -- 今日: the user's day ---------------------------------------------------------------------------------
def _day(value) -> str | None:
    return value.isoformat() if value else None


def today(may_list_cases: bool, may_list_follow_ups: bool) -> dict:
    """My open cases by deadline, my due follow-ups and visits to follow up, the reports I sent."""
    me = _me()
    soon = local_today() + dt.timedelta(days=7)
    cases = []
    if may_list_cases:
        query = scope.restrict(select(Case).where(Case.assignee_id == me.id, Case.stage.not_in(CASE_FINAL_STAGES))
                               .order_by(Case.due_on.is_(None), Case.due_on, Case.id), Case, "grid").limit(30)
        cases = [{"id": c.id, "number": c.number, "title": c.title, "stage": str(CASE_STAGE.label(c.stage)),
                  "due_on": _day(c.due_on), "sla": c.sla} for c in db.session.scalars(query)]
    follow_ups = []
    if may_list_follow_ups:
        query = scope.restrict(select(MeetingFollowUp).where(
            MeetingFollowUp.owner_id == me.id, MeetingFollowUp.done_on.is_(None), MeetingFollowUp.due_on <= soon)
            .order_by(MeetingFollowUp.due_on), MeetingFollowUp, "grid").limit(30)
        follow_ups = [{"id": f.id, "content": f.content[:80], "due_on": _day(f.due_on)}
                      for f in db.session.scalars(query)]
    visits = [{"id": v.id, "household": str(v.household), "visited_on": _day(v.visited_on),
               "notes": (v.notes or "")[:80]}
              for v in db.session.scalars(scope.restrict(
                  select(Visit).where(Visit.recorded_by == me.username, Visit.follow_up.is_(True))
                  .order_by(Visit.visited_on.desc()), Visit, "grid").limit(20))]
    reports = [{"id": c.id, "number": c.number, "title": c.title, "stage": str(CASE_STAGE.label(c.stage))}
               for c in db.session.scalars(select(Case).where(Case.reporter_id == me.id)
                                           .order_by(Case.id.desc()).limit(20))]
    return {"cases": cases, "follow_ups": follow_ups, "visits": visits, "reports": reports}


def categories() -> list[dict]:
    query = scope.restrict(select(CaseCategory.id, CaseCategory.name).where(CaseCategory.active.is_(True))
                           .order_by(CaseCategory.id), CaseCategory, "community")
    return [{"id": id_, "name": name} for id_, name in db.session.execute(query)]


def open_patrol() -> dict | None:
    patrol = db.session.scalars(select(Patrol).where(Patrol.user_id == _me().id, Patrol.ended_at.is_(None))
                                .order_by(Patrol.id.desc())).first()
    if patrol is None:
        return None
    return {"client_id": patrol.client_id, "started_at": patrol.started_at.isoformat() + "Z",
            "points": patrol.point_count}


def buildings() -> list[dict]:
    from ..models import Building

    query = scope.restrict(select(Building.id, Building.compound, Building.number).order_by(Building.id),
                           Building, "grid")
    return [{"id": id_, "name": f"{compound or ''} {number}".strip()} for id_, compound, number in
            db.session.execute(query)]


def households(building_id=None, term: str = "", limit: int = 200) -> list[dict]:
    """A building's households (by unit and room), or those whose building or room matches ``term``."""
    from ..models import Building

    query = select(Household.id, Household.unit, Household.room, Building.compound, Building.number) \
        .join(Building, Building.id == Household.building_id).order_by(Building.id, Household.unit, Household.room)
    if building_id is not None:
        query = query.where(Household.building_id == _id(building_id))
    elif term:
        pattern = f"%{term.replace('%', '').replace('_', '')[:40]}%"
        query = query.where((Building.number.like(pattern)) | (Household.room.like(pattern))
                            | (Building.compound.like(pattern)))
    else:
        return []
    rows = db.session.execute(scope.restrict(query, Household, "grid").limit(limit))
    return [{"id": id_, "unit": unit or "", "room": room or "", "building": f"{compound or ''} {number}".strip()}
            for id_, unit, room, compound, number in rows]


def grid_name(grid_id) -> str:
    grid = db.session.get(Grid, grid_id)
    return f"{grid.code} {grid.name}" if grid else ""
