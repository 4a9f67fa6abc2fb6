"""Derived registry columns, kept in step on every flush.

A household's grid is its building's grid; a resident's building and grid are their household's.
Moving a building to another grid moves its households and residents with it.
"""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import inspect, select, update
from sqlalchemy.orm import Session

from .registry import Building, Grid, Household, Resident


def _load(session: Session, obj, relation: str, model, fk: str):
    related = getattr(obj, relation)
    if related is None and getattr(obj, fk) is not None:
        related = session.get(model, getattr(obj, fk))
    return related


def _changed(obj, relation: str) -> bool:
    return inspect(obj).attrs[relation].history.has_changes()


def derive_registry_columns(session: Session, _context, _instances) -> None:
    touched = list(session.new) + list(session.dirty)
    for obj in touched:
        if isinstance(obj, Household):
            building = _load(session, obj, "building", Building, "building_id")
            if building is not None:
                obj.grid = building.grid
    for obj in touched:
        if isinstance(obj, Resident):
            household = _load(session, obj, "household", Household, "household_id")
            if household is not None:
                building = _load(session, household, "building", Building, "building_id")
                obj.building = building
                obj.grid = building.grid if building is not None else household.grid
    from .cases import Case
    from .diary import Visit

    for obj in touched:
        # A visit is in its household's grid; a case names its reporting resident's household.
        if isinstance(obj, Visit):
            household = _load(session, obj, "household", Household, "household_id")
            if household is not None:
                obj.grid_id = household.grid_id if household.grid_id else household.building.grid_id
        if isinstance(obj, Case) and (obj.resident is not None or obj.resident_id is not None):
            resident = _load(session, obj, "resident", Resident, "resident_id")
            obj.household_id = resident.household_id
    from .outreach import CardHandover
    from .supervision import ContactHousehold

    # Rows that carry their household's grid (for the scope) move with it.
    followers = (ContactHousehold, CardHandover)
    for obj in session.dirty:
        if isinstance(obj, Household) and obj.id and _changed(obj, "building"):
            session.execute(update(Resident).where(Resident.household_id == obj.id)
                            .values(building_id=obj.building.id, grid_id=obj.building.grid.id)
                            .execution_options(synchronize_session=False))
            for model in followers:
                session.execute(update(model).where(model.household_id == obj.id).values(grid_id=obj.building.grid.id)
                                .execution_options(synchronize_session=False))
        if isinstance(obj, Building) and obj.id and _changed(obj, "grid"):
            grid_id = obj.grid.id
            session.execute(update(Household).where(Household.building_id == obj.id)
                            .values(grid_id=grid_id).execution_options(synchronize_session=False))
            session.execute(update(Resident).where(Resident.building_id == obj.id)
                            .values(grid_id=grid_id).execution_options(synchronize_session=False))
            households = select(Household.id).where(Household.building_id == obj.id)
            for model in followers:
                session.execute(update(model).where(model.household_id.in_(households)).values(grid_id=grid_id)
                                .execution_options(synchronize_session=False))


def _links():
    """model → (relationship, foreign key, parent model, [relationships taken from the parent]):
    what a row takes from its parent on every flush (the scope checks it right after). Set through
    the relationships: a relationship a form set (even to None) would otherwise win over a column."""
    from .cobuilding import BranchPairing, CobuildingUnit, UnitSupport
    from .meetings import Meeting, MeetingFollowUp
    from .outreach import CardHandover
    from .supervision import ContactHousehold, SupervisionDay, SupervisionOpinion

    return {
        ContactHousehold: ("household", "household_id", Household, ["grid"]),
        CardHandover: ("household", "household_id", Household, ["grid"]),
        Meeting: ("grid", "grid_id", Grid, ["community"]),
        MeetingFollowUp: ("meeting", "meeting_id", Meeting, ["community"]),
        SupervisionOpinion: ("day", "day_id", SupervisionDay, ["community"]),
        UnitSupport: ("unit", "unit_id", CobuildingUnit, ["community"]),
        BranchPairing: ("building", "building_id", Building, ["grid"]),
    }


def derive_linked_columns(session: Session, _context, _instances) -> None:
    from .meetings import MeetingFollowUp

    links = _links()
    for obj in list(session.new) + list(session.dirty):
        link = links.get(type(obj))
        if link is None:
            continue
        relation, fk, model, taken = link
        parent = _load(session, obj, relation, model, fk)
        if parent is None:
            continue
        for name in taken:
            if getattr(parent, name) is not None:
                setattr(obj, name, getattr(parent, name))
        # A grid meeting's follow-ups are that grid's; a community meeting's may name a grid.
        if isinstance(obj, MeetingFollowUp) and parent.grid is not None:
            obj.grid = parent.grid


def check_registry_fields(session: Session, _context, _instances) -> None:
    """Every path that saves people (forms, seeds, imports, API) meets the same rules."""
    from ..services.identity import normalize_identity
    from ..validation import clean_colour, clean_phone
    from .cobuilding import CobuildingUnit
    from .supervision import GridSupervisor

    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Resident):
            obj.id_number, obj.birth_date, obj.gender = normalize_identity(
                obj.id_number or None, obj.birth_date, obj.gender)
        if isinstance(obj, (Resident, Household, GridSupervisor, CobuildingUnit)) and obj.phone:
            obj.phone = clean_phone(obj.phone)
        if isinstance(obj, Grid):
            obj.colour = clean_colour(obj.colour)
            if obj.service_phone:
                obj.service_phone = clean_phone(obj.service_phone)


def check_column_rules(session: Session, _context, _instances) -> None:
    """Every row written, by whatever path, meets the rules declared on its columns (lengths,
    dates of the past …, app.models.rules): a new row's every value, a changed row's changes."""
    from ..validation import check_columns, column_rules

    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, Model) or not hasattr(type(obj), "__table__"):
            continue
        rules = column_rules(type(obj))
        if not rules:
            continue
        state = inspect(obj)
        keys = [key for key in rules if obj in session.new or state.attrs[key].history.has_changes()]
        if not keys:
            continue
        # A date checked against another (joined the party / born): either changing checks both.
        keys += [key for key, column in rules.items() if column.info.get("not_before") in keys]
        partners = {rules[key].info["not_before"] for key in keys if rules[key].info.get("not_before")}
        check_columns(type(obj), {key: getattr(obj, key) for key in {*keys, *partners}})


# model → (its geometry columns, how to reach its grid)
PLACED = {"building": ("footprint", "entrance"), "facility": ("location",), "case_record": ("location",),
          "grid": ("boundary",)}


def check_places(session: Session, _context, _instances) -> None:
    """A building's footprint and entrance, a facility's or a case's place, a grid's boundary: near
    the community's grids (within validation.NEAR_METRES of their extent), whatever path writes them."""
    from geoalchemy2.shape import to_shape
    from shapely import wkt

    from ..validation import check_near

    def shape_of(value):  # a form's element, or EWKT text from code
        return wkt.loads(value.split(";")[-1]) if isinstance(value, str) else to_shape(value)

    extents: dict[tuple, object] = {}

    def extent(community_id, without_grid=None):
        key = (community_id, without_grid)
        if key not in extents:
            query = select(Grid.boundary).where(Grid.community_id == community_id, Grid.boundary.is_not(None))
            if without_grid is not None:
                query = query.where(Grid.id != without_grid)
            shapes = [shape_of(boundary) for boundary in session.scalars(query)]
            bounds = [shape.bounds for shape in shapes]
            extents[key] = (min(b[0] for b in bounds), min(b[1] for b in bounds), max(b[2] for b in bounds),
                            max(b[3] for b in bounds)) if bounds else None
        return extents[key]

    for obj in list(session.new) + list(session.dirty):
        columns = PLACED.get(getattr(obj, "__tablename__", None))
        if columns is None:
            continue
        state = inspect(obj)
        changed = [col for col in columns if getattr(obj, col) is not None
                   and (obj in session.new or state.attrs[col].history.has_changes())]
        if not changed:
            continue
        if isinstance(obj, Grid):
            community_id, without = obj.community_id or (obj.community.id if obj.community else None), obj.id
        else:
            grid = obj.grid if obj.grid is not None else (session.get(Grid, obj.grid_id) if obj.grid_id else None)
            community_id, without = (grid.community_id if grid is not None else None), None
        if community_id is None:
            continue
        for col in changed:
            check_near(col, shape_of(getattr(obj, col)), extent(community_id, without), obj.__tablename__)
