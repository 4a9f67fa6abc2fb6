"""The dashboard's figures and charts: every number a GROUP BY or COUNT in the database, inside the
user's grid scope, with the list URL that shows the rows behind it."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, literal, select

from ..extensions import db
from ..models import (Activity, Attendance, Building, Case, CaseCategory, DiaryEntry, Facility, FundEntry, Grid,
                      Household, MeetingFollowUp, Resident, StockMove, Visit, Voucher)
from ..models.outreach import REACHED
from ..models.choices import (CASE_FINAL_STAGES, CASE_STAGE, DIARY_CATEGORY, FACILITY_KIND, INFRASTRUCTURE_KINDS,
                              PARTY_STATUSES, RESIDENCE_TYPE, SERVICE_KINDS)
from ..security import privacy, scope
from ..security.access import may
from ..timekeeping import local_today
from . import outreach

CARE = (Household.low_income | Household.disability | Household.elderly_alone | Household.extreme_hardship)


def _link(route: str, **filters) -> str:
    """A list URL with FAB's filters: a value is "starts with"/"equal" (index 0), a list is "in" (index 8)."""
    args = {(f"_flt_8_{column}" if isinstance(value, (list, tuple)) else f"_flt_0_{column}"): value
            for column, value in filters.items()}
    return f"/{route}/list/" + (f"?{urlencode(args, doseq=True)}" if args else "")


def _count(model, *conditions, level="grid", value=None):
    query = select(func.coalesce(value, 0) if value is not None else func.count(model.id)).where(*conditions)
    return db.session.scalar(scope.restrict(query, model, level)) or 0


def _month_link(route: str, column: str, month: str, **filters) -> str:
    """The list of ``route`` narrowed to one month ("YYYY-MM") of ``column``."""
    first = dt.date.fromisoformat(month + "-01")
    following = (first + dt.timedelta(days=32)).replace(day=1)
    args = {f"_flt_1_{column}": (first - dt.timedelta(days=1)).isoformat(), f"_flt_2_{column}": following.isoformat(),
            **{f"_flt_0_{key}": value for key, value in filters.items()}}
    return f"/{route}/list/?{urlencode(args)}"


def month_of(column):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def since(period: str) -> dt.date | None:
    today = local_today()
    return {"month": today.replace(day=1), "year": today.replace(month=1, day=1)}.get(period)


# key, label, data kind whose list it needs, counter(start) and list link
def kpis(period: str = "all") -> list[dict]:
    start = since(period)

    def after(column):
        return (column >= start,) if start else ()

    cards = [
        ("residents", _l("Residents"), "resident", lambda: _count(Resident), _link("residentview")),
        ("households", _l("Households"), "household", lambda: _count(Household), _link("householdview")),
        ("buildings", _l("Buildings"), "building", lambda: _count(Building), _link("buildingview")),
        ("party_members", _l("Party members"), "resident",
         lambda: _count(Resident, Resident.political_status.in_(PARTY_STATUSES)),
         _link("residentview", political_status=list(PARTY_STATUSES))),
        ("care_households", _l("Care households"), "household", lambda: _count(Household, CARE), None),
        ("facilities", _l("Facilities"), "facility", lambda: _count(Facility, level="community"), _link("facilityview")),
        *[(f"facility_{kind}", label, "facility",
           lambda kind=kind: _count(Facility, Facility.kind == kind, level="community"), _link("facilityview", kind=kind))
          for kind, label in FACILITY_KIND if kind in INFRASTRUCTURE_KINDS],
        ("service_facilities", _l("Service facilities"), "facility",
         lambda: _count(Facility, Facility.kind.in_(SERVICE_KINDS), level="community"),
         _link("facilityview", kind=list(SERVICE_KINDS))),
        ("cases_closed", _l("Cases closed"), "case",
         lambda: _count(Case, Case.stage == "closed", *after(Case.reported_at)), _link("caseview", stage="closed")),
        ("cases_open", _l("Cases open"), "case", lambda: _count(Case, Case.stage.not_in(CASE_FINAL_STAGES)),
         _link("caseview", stage=[code for code in CASE_STAGE.codes if code not in CASE_FINAL_STAGES])),
        ("cases_overdue", _l("Cases overdue"), "case", lambda: _count(Case, Case.sla == "overdue"),
         _link("caseview", sla="overdue")),
        ("diary_entries", _l("Diary entries"), "diary", lambda: _count(DiaryEntry, *after(DiaryEntry.entry_on)),
         _link("diaryview")),
        ("visits", _l("Home visits"), "visit", lambda: _count(Visit, *after(Visit.visited_on)), _link("visitview")),
        ("volunteer_activities", _l("Volunteer activities"), "activity",
         lambda: _count(Activity, *after(Activity.held_on)), _link("activityview")),
        ("volunteer_hours", _l("Volunteer hours"), "activity",
         lambda: db.session.scalar(scope.restrict(
             select(func.coalesce(func.sum(Attendance.hours), 0)).join(Activity, Activity.id == Attendance.activity_id)
             .where(*after(Activity.held_on)), Attendance)) or 0, None),
        ("donations_yuan", _l("Donations (yuan)"), "aid_move",
         lambda: _count(FundEntry, FundEntry.kind == "donation_in", *after(FundEntry.entry_on),
                        value=func.sum(FundEntry.amount_fen) // 100), _link("fundentryview")),
        ("items_received", _l("Items received"), "aid_move",
         lambda: _count(StockMove, StockMove.kind == "donation", *after(StockMove.moved_on),
                        value=func.sum(StockMove.quantity)), _link("stockmoveview", kind="donation")),
        ("items_distributed", _l("Items given out"), "aid_move",
         lambda: _count(StockMove, StockMove.kind == "distribution", *after(StockMove.moved_on),
                        value=-func.sum(StockMove.quantity)), _link("stockmoveview", kind="distribution")),
        ("households_helped", _l("Households helped"), "aid_move",
         lambda: _count(Voucher, Voucher.kind == "distribution", Voucher.status == "posted",
                        *after(Voucher.dated), value=func.count(func.distinct(Voucher.household_id))), None),
        # Part 三 of the report: follow-ups of the meetings past their date, and 知晓率.
        ("follow_ups_overdue", _l("Meeting follow-ups overdue"), "meeting_follow_up",
         lambda: _count(MeetingFollowUp, MeetingFollowUp.sla == "overdue"), _link("followupview", sla="overdue")),
        ("reach_percent", _l("Households reached (%)"), "reach",
         lambda: _count(Household, value=outreach.percent(outreach.count_if(REACHED), func.count(Household.id))),
         _link("reachview")),
    ]
    return [{"key": key, "label": str(label), "value": count(), "link": link}
            for key, label, kind, count, link in cards if may(kind, "list")]


def _series(rows, categories_of=lambda code: code):
    """{category: {x: value}} → ECharts-ready x axis and series."""
    xs = sorted({x for _c, x, _v in rows})
    names = sorted({c for c, _x, _v in rows}, key=str)
    data = {(c, x): v for c, x, v in rows}
    return xs, [{"name": str(categories_of(c)), "code": c, "data": [data.get((c, x), 0) for x in xs]}
                for c in names]


def residents_by_grid_and_age() -> dict:
    today = local_today()

    def born_before(years):
        return today.replace(year=today.year - years)

    band = case((Resident.birth_date > born_before(18), "0-17"), (Resident.birth_date > born_before(35), "18-34"),
                (Resident.birth_date > born_before(60), "35-59"), (Resident.birth_date > born_before(80), "60-79"),
                (Resident.birth_date.is_not(None), "80+"), else_="?")
    rows = db.session.execute(scope.restrict(
        select(band, Grid.code, func.count(Resident.id)).join(Grid, Grid.id == Resident.grid_id)
        .group_by(band, Grid.code), Resident)).all()
    grids, series = _series(rows)
    ids = dict(db.session.execute(select(Grid.code, Grid.id)).all())
    return {"key": "residents_by_grid_age", "title": str(_l("Residents by grid and age")), "type": "bar",
            "stack": True, "x": grids, "series": series,
            "links": [_link("residentview", grid=ids[code]) for code in grids]}


def households_by_type() -> dict:
    rows = db.session.execute(scope.restrict(
        select(Household.residence_type, func.count(Household.id)).group_by(Household.residence_type), Household)).all()
    return {"key": "households_by_type", "title": str(_l("Households by residence type")), "type": "pie",
            "data": [{"name": RESIDENCE_TYPE.label(code), "value": count} for code, count in rows],
            "links": [_link("householdview", residence_type=code) for code, _ in rows]}


def households_by_care_tag() -> dict:
    tags = [("low_income", _l("Low-income (dibao)")), ("disability", _l("Disability")),
            ("elderly_alone", _l("Elderly living alone")), ("extreme_hardship", _l("Extreme hardship"))]
    query = select(*[func.coalesce(func.sum(case((getattr(Household, tag), 1), else_=0)), 0) for tag, _ in tags])
    counts = db.session.execute(scope.restrict(query, Household)).one()
    sees = privacy.may_see_sensitive()  # masked roles see the counts, not the rows
    return {"key": "households_by_care", "title": str(_l("Care households by tag")), "type": "bar",
            "x": [str(label) for _, label in tags], "series": [{"name": str(_l("Households")), "data": list(counts)}],
            "links": [_link("householdview", **{tag: "y"}) if sees else None for tag, _ in tags]}


def cases_by_stage() -> dict:
    rows = dict(db.session.execute(scope.restrict(
        select(Case.stage, func.count(Case.id)).group_by(Case.stage), Case)).all())
    return {"key": "cases_funnel", "title": str(_l("Cases by stage")), "type": "funnel",
            "data": [{"name": label, "value": rows.get(code, 0)} for code, label in
                     ((c, CASE_STAGE.label(c)) for c in CASE_STAGE.codes)],
            "links": [_link("caseview", stage=code) for code in CASE_STAGE.codes]}


def cases_by_category_per_month(start) -> dict:
    month = month_of(Case.reported_at)
    query = select(CaseCategory.name, month, func.count(Case.id)).join(CaseCategory, CaseCategory.id == Case.category_id)
    if start:
        query = query.where(Case.reported_at >= start)
    rows = db.session.execute(scope.restrict(query.group_by(CaseCategory.name, month), Case)).all()
    months, series = _series(rows)
    return {"key": "cases_by_category", "title": str(_l("Cases by category per month")), "type": "bar",
            "stack": True, "x": months, "series": series,
            "links": [_month_link("caseview", "reported_at", month) for month in months]}


def days_to_close_by_grid() -> dict:
    if db.session.get_bind().dialect.name == "postgresql":
        days = func.extract("epoch", Case.closed_at - Case.reported_at) / 86400
    else:
        days = func.julianday(Case.closed_at) - func.julianday(Case.reported_at)
    rows = db.session.execute(scope.restrict(
        select(Grid.code, Grid.id, func.avg(days)).join(Grid, Grid.id == Case.grid_id)
        .where(Case.stage == "closed").group_by(Grid.code, Grid.id).order_by(Grid.code), Case)).all()
    return {"key": "days_to_close", "title": str(_l("Mean days to close by grid")), "type": "bar",
            "x": [code for code, _id, _ in rows],
            "series": [{"name": str(_l("Days")), "data": [round(float(avg), 1) for *_rest, avg in rows]}],
            "links": [_link("caseview", grid=id_, stage="closed") for _code, id_, _ in rows]}


def sla_compliance() -> dict:
    on_time = case((func.date(Case.closed_at) <= Case.due_on, "on_time"), else_="late")
    rows = dict(db.session.execute(scope.restrict(
        select(on_time, func.count(Case.id)).where(Case.stage == "closed").group_by(on_time), Case)).all())
    return {"key": "sla", "title": str(_l("Closed within the deadline")), "type": "pie",
            "data": [{"name": str(_l("On time")), "value": rows.get("on_time", 0)},
                     {"name": str(_l("Late")), "value": rows.get("late", 0)}],
            "links": [_link("caseview", stage="closed")] * 2}


def aid_per_month(start) -> dict:
    month = month_of(StockMove.moved_on)
    direction = case((StockMove.quantity > 0, literal("in")), else_=literal("out"))
    query = select(direction, month, func.sum(func.abs(StockMove.quantity)))
    if start:
        query = query.where(StockMove.moved_on >= start)
    rows = db.session.execute(scope.restrict(query.group_by(direction, month), StockMove)).all()
    months, series = _series(rows, {"in": _l("In"), "out": _l("Out")}.get)
    return {"key": "aid_per_month", "title": str(_l("Aid in and out per month")), "type": "bar", "x": months,
            "series": series, "links": [_month_link("stockmoveview", "moved_on", month) for month in months]}


def diary_per_month(start) -> dict:
    month = month_of(DiaryEntry.entry_on)
    query = select(DiaryEntry.category, month, func.count(DiaryEntry.id))
    if start:
        query = query.where(DiaryEntry.entry_on >= start)
    rows = db.session.execute(scope.restrict(query.group_by(DiaryEntry.category, month), DiaryEntry)).all()
    months, series = _series(rows, DIARY_CATEGORY.label)
    return {"key": "diary_per_month", "title": str(_l("Diary entries per month")), "type": "bar", "stack": True,
            "x": months, "series": series, "links": [_month_link("diaryview", "entry_on", month) for month in months]}


def volunteer_hours_per_month(start) -> dict:
    month = month_of(Activity.held_on)
    query = select(month, func.sum(Attendance.hours)).join(Activity, Activity.id == Attendance.activity_id)
    if start:
        query = query.where(Activity.held_on >= start)
    rows = db.session.execute(scope.restrict(query.group_by(month).order_by(month), Attendance)).all()
    return {"key": "volunteer_hours", "title": str(_l("Volunteer hours per month")), "type": "bar",
            "x": [m for m, _ in rows], "series": [{"name": str(_l("Hours")), "data": [float(h) for _, h in rows]}],
            "links": [_month_link("activityview", "held_on", month) for month, _ in rows]}


def stock_by_item() -> dict:
    from ..models import AidItem

    rows = db.session.execute(scope.restrict(select(AidItem.id, AidItem.name, AidItem.stock)
                                             .order_by(AidItem.id), AidItem, "community")).all()
    return {"key": "stock_by_item", "title": str(_l("Aid stock by item")), "type": "bar",
            "x": [name for _id, name, _s in rows], "series": [{"name": str(_l("In stock")),
                                                               "data": [stock for *_rest, stock in rows]}],
            "links": [f"/aiditemview/card/{id_}" for id_, _n, _s in rows]}


def charts(period: str = "all") -> list[dict]:
    start = since(period)
    wanted = [("resident", residents_by_grid_and_age), ("household", households_by_type),
              ("household", households_by_care_tag), ("case", cases_by_stage),
              ("case", lambda: cases_by_category_per_month(start)), ("case", days_to_close_by_grid),
              ("case", sla_compliance), ("aid_move", lambda: aid_per_month(start)),
              ("aid_item", stock_by_item),
              ("diary", lambda: diary_per_month(start)), ("activity", lambda: volunteer_hours_per_month(start))]
    return [build() for kind, build in wanted if may(kind, "list")]
