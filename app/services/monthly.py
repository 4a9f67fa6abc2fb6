"""The street office's monthly pack: a ZIP of fixed CSVs for one month, inside the user's scope."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from ..extensions import db
from ..models import (Activity, AidItem, Attendance, Case, CaseCategory, Community, DiaryEntry, Grid, Household, Resident,
                      StockMove, Voucher)
from ..models.choices import CASE_STAGE, DIARY_CATEGORY, PARTY_STATUSES, VOUCHER_KIND
from ..security import scope
from . import export

CARE = Household.low_income | Household.disability | Household.elderly_alone | Household.extreme_hardship


def month_range(month: str) -> tuple[dt.date, dt.date]:
    """("YYYY-MM") → first day, first day of the next month; ValueError when malformed."""
    first = dt.date.fromisoformat(month + "-01")
    if first.year >= dt.MAXYEAR:  # its next month is past the calendar's end
        raise ValueError(f"month out of range: {month}")
    return first, (first + dt.timedelta(days=32)).replace(day=1)


def _csv(header, rows) -> bytes:
    return "".join(export.stream(header, rows)).encode("utf-8")


def _population():
    """Per grid: households, residents, party members, care households (three GROUP BYs)."""
    grids = db.session.execute(scope.restrict(select(Grid.id, Grid.code, Grid.name).order_by(Grid.code),
                                              Grid, "grid")).all()
    ids = [grid_id for grid_id, _code, _name in grids]
    households = dict(db.session.execute(select(Household.grid_id, func.count(Household.id))
                                         .where(Household.grid_id.in_(ids)).group_by(Household.grid_id)).all())
    care = dict(db.session.execute(select(Household.grid_id, func.count(Household.id))
                                   .where(Household.grid_id.in_(ids), CARE).group_by(Household.grid_id)).all())
    people = {grid_id: (count, members) for grid_id, count, members in db.session.execute(
        select(Resident.grid_id, func.count(Resident.id),
               func.sum(case((Resident.political_status.in_(PARTY_STATUSES), 1), else_=0)))
        .where(Resident.grid_id.in_(ids)).group_by(Resident.grid_id))}
    for grid_id, code, name in grids:
        residents, members = people.get(grid_id, (0, 0))
        yield [code, name, households.get(grid_id, 0), residents, members or 0, care.get(grid_id, 0)]


def pack(month: str) -> tuple[str, bytes]:
    """(file name, ZIP bytes) for ``month``."""
    start, end = month_range(month)
    communities = db.session.scalars(scope.restrict(select(Community.name), Community, "community")).all()
    files = {}
    files["00_README.csv"] = _csv([_("Community"), _("Period")], [["、".join(communities), f"{start} — {end - dt.timedelta(days=1)}"]])
    files["01_population_by_grid.csv"] = _csv(
        [_("Code"), _("Grid"), _("Households"), _("Residents"), _("Party members"), _("Care households")], _population())
    cases = db.session.execute(scope.restrict(
        select(Case.number, Case.title, CaseCategory.name, Grid.code, Case.stage, Case.reported_at, Case.closed_at)
        .join(CaseCategory, CaseCategory.id == Case.category_id).join(Grid, Grid.id == Case.grid_id)
        .where(Case.reported_at >= start, Case.reported_at < end).order_by(Case.number), Case)).all()
    files["02_cases.csv"] = _csv(
        [_("Case number"), _("Title"), _("Category"), _("Grid"), _("Stage"), _("Reported at"), _("Days")],
        ([number, title, category, grid, CASE_STAGE.label(stage), reported.date().isoformat(),
          ((closed or dt.datetime.combine(end, dt.time())) - reported).days]
         for number, title, category, grid, stage, reported, closed in cases))
    moves = db.session.execute(scope.restrict(
        select(StockMove.moved_on, Voucher.number, StockMove.kind, StockMove.item_id, StockMove.quantity)
        .join(Voucher, Voucher.id == StockMove.voucher_id)
        .where(StockMove.moved_on >= start, StockMove.moved_on < end).order_by(StockMove.moved_on, StockMove.id),
        StockMove)).all()
    names = dict(db.session.execute(select(AidItem.id, AidItem.name)).all())
    files["03_aid_moves.csv"] = _csv([_("Date"), _("Voucher"), _("Kind"), _("Item"), _("Quantity")],
                                     ([day.isoformat(), number, VOUCHER_KIND.label(kind), names.get(item), quantity]
                                      for day, number, kind, item, quantity in moves))
    diary = db.session.execute(scope.restrict(
        select(DiaryEntry.category, func.count(DiaryEntry.id))
        .where(DiaryEntry.entry_on >= start, DiaryEntry.entry_on < end).group_by(DiaryEntry.category),
        DiaryEntry)).all()
    files["04_diary_by_category.csv"] = _csv([_("Category"), _("Entries")],
                                             ([DIARY_CATEGORY.label(code), count] for code, count in diary))
    activities = db.session.execute(scope.restrict(
        select(Activity.held_on, Activity.title, func.count(Attendance.id), func.coalesce(func.sum(Attendance.hours), 0))
        .outerjoin(Attendance, Attendance.activity_id == Activity.id)
        .where(Activity.held_on >= start, Activity.held_on < end).group_by(Activity.id, Activity.held_on, Activity.title)
        .order_by(Activity.held_on), Activity)).all()
    files["05_volunteer_activities.csv"] = _csv([_("Date"), _("Title"), _("Attended"), _("Hours")],
                                                ([day.isoformat(), title, count, hours]
                                                 for day, title, count, hours in activities))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return f"monthly-{month}.zip", out.getvalue()
