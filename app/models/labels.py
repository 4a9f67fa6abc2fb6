"""What a row is called (its ``__str__``), as SQL: a list's related columns exported without
loading one object per row. ``tests/services/test_export.py`` holds each equal to ``str(row)``.

A label that needs other tables asks for outer joins (``joins``: (alias, on clause) pairs) rather
than correlated subqueries, which the database would run once per mention of the label.
"""
from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import String, and_, case, cast, func, inspect, literal, select
from sqlalchemy.orm import aliased

from .aid import AidItem, Campaign, Donor, Voucher
from .cases import Case, CaseCategory
from .cobuilding import CobuildingUnit
from .diary import DiaryEntry
from .meetings import Meeting
from .supervision import GridSupervisor, SupervisionDay
from .notices import GroupFeedback, Notice
from .registry import Building, Community, Facility, Grid, Household, Resident
from .volunteers import Activity, Team, Volunteer


def _text(column):
    return cast(column, String)


def _building(t):
    return case((func.coalesce(t.compound, "") != "", t.compound + " " + t.number), else_=t.number)


def _household(t, joins):
    building, head = aliased(Building), aliased(Resident)
    joins += [(building, building.id == t.building_id),
              (head, and_(head.household_id == t.id, head.relation_to_head == "head"))]
    return (func.coalesce(_building(building) + " ", "") + t.unit + "-" + t.room
            + func.coalesce(" " + func.nullif(head.name, ""), ""))


def _dated(date_column, text_column):
    return _text(date_column) + " " + func.substr(text_column, 1, 20)


_LABELS = {
    Community: lambda t: t.name,
    Grid: lambda t: t.code + " " + t.name,
    Building: _building,
    Household: _household,
    Resident: lambda t: t.name,
    Facility: lambda t: t.name,
    AidItem: lambda t: t.name + "（" + t.unit + "）",
    Donor: lambda t: t.name,
    Campaign: lambda t: t.name,
    Voucher: lambda t: func.coalesce(t.number, literal("#") + _text(t.id)),
    CaseCategory: lambda t: t.name,
    Case: lambda t: t.number + " " + t.title,
    DiaryEntry: lambda t: _dated(t.entry_on, t.content),
    Notice: lambda t: t.title,
    GroupFeedback: lambda t: _dated(t.received_on, t.content),
    Team: lambda t: t.name,
    Volunteer: lambda t: t.name,
    Activity: lambda t: _text(t.held_on) + " " + t.title,
    User: lambda t: t.first_name + " " + t.last_name,
    Meeting: lambda t: _text(t.held_on) + " " + t.title,
    GridSupervisor: lambda t: t.name,
    SupervisionDay: lambda t: _text(t.held_on) + " " + t.topic,
    CobuildingUnit: lambda t: t.name,
}

LABELLED = frozenset(_LABELS)


_JOINING = {Household}

# What a row's ``__str__`` reads besides its own table's columns: the relations loaded with a list
# that shows such rows, and the only computed columns (column_property) it loads of them.
NEEDS = {Household: ("building", "head_name")}


def label_of(entity, joins: list):
    """The SQL label of ``entity`` (a mapped class or an alias of one); the outer joins it needs
    are added to ``joins``."""
    model = inspect(entity).mapper.class_
    return _LABELS[model](entity, joins) if model in _JOINING else _LABELS[model](entity)


def labels(model):
    """SELECT id, label FROM ``model``, with the joins its label needs."""
    joins: list = []
    query = select(model.id, label_of(model, joins))
    for target, on in joins:
        query = query.outerjoin(target, on)
    return query
