"""The dashboard's figures and charts: every number a GROUP BY or COUNT in the database, inside the
user's grid scope, with the list URL that shows the rows behind it.

The page is made of parts, one per kind of data (residents, cases, aid …): each part reads its
table once (one GROUP BY gives its cards and its charts) and is shown only to users who may list
that kind. A district reads ~3M rows for the whole page, so parts are kept in the database between
requests (``figure_cache``) until a table they read changes.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import partial
from urllib.parse import urlencode

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, literal, select, union_all

from ..extensions import db
from ..models import (Activity, AidItem, Attendance, Building, Case, CaseCategory, Facility, FundEntry,
                      Grid, Household, MeetingFollowUp, Resident, StockTally, Visit, Voucher)
from ..models.choices import (CASE_FINAL_STAGES, CASE_STAGE, CARE_TAGS, DIARY_CATEGORY, FACILITY_KIND,
                              INFRASTRUCTURE_KINDS, PARTY_STATUSES, RESIDENCE_TYPE, SERVICE_KINDS)
from ..models.outreach import REACHED_SETS
from ..models.cases import sla_where
from ..models.tallies import CaseTally, DiaryTally, HouseholdTally, ResidentTally
from ..security import privacy, scope
from ..security.access import may
from ..timekeeping import local_today
from . import figure_cache, outreach


def _link(route: str, **filters) -> str:
    """A list URL with FAB's filters: a value is "starts with"/"equal" (index 0), a list is "in" (index 8)."""
    args = {(f"_flt_8_{column}" if isinstance(value, (list, tuple)) else f"_flt_0_{column}"): value
            for column, value in filters.items()}
    return f"/{route}/list/" + (f"?{urlencode(args, doseq=True)}" if args else "")


def _month_link(route: str, column: str, month: str, **filters) -> str:
    """The list of ``route`` narrowed to one month ("YYYY-MM") of ``column``."""
    first = dt.date.fromisoformat(month + "-01")
    following = (first + dt.timedelta(days=32)).replace(day=1)
    args = {f"_flt_1_{column}": (first - dt.timedelta(days=1)).isoformat(), f"_flt_2_{column}": following.isoformat(),
            **{f"_flt_0_{key}": value for key, value in filters.items()}}
    return f"/{route}/list/?{urlencode(args)}"


def month_text(value) -> str:
    return value if isinstance(value, str) else value.strftime("%Y-%m")


def since(period: str) -> dt.date | None:
    today = local_today()
    return {"month": today.replace(day=1), "year": today.replace(month=1, day=1)}.get(period)


def _count_if(condition):
    return func.count().filter(condition)


def _run(query, model, level="grid"):
    return db.session.execute(scope.restrict(query, model, level)).all()


def _scalar(query, model, level="grid"):
    return db.session.scalar(scope.restrict(query, model, level)) or 0


def _after(column, start):
    return (column >= start,) if start else ()


def _series(rows, categories_of=lambda code: code):
    """(category, x, value) rows → ECharts-ready x axis and one series per category."""
    data = defaultdict(int)
    for category, x, value in rows:
        data[category, x] += value
    xs = sorted({x for _c, x in data})
    names = sorted({c for c, _x in data}, key=str)
    return xs, [{"name": str(categories_of(c)), "code": c, "data": [data.get((c, x), 0) for x in xs]}
                for c in names]


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _grid_codes(ids) -> dict[int, str]:
    return dict(db.session.execute(select(Grid.id, Grid.code).where(scope.among(Grid.id, set(ids)))).all())


# Each part: (start of the period or None) -> {"cards": {key: value}, "charts": [chart, …]}, JSON-ready.

PARTY = "party"  # not a band: the party members, read with the bands from the same tallies


def _age_bands(party: bool) -> list[tuple[str, int, int]]:
    """(band, grid, residents), in one statement (one snapshot): each year of the resident
    tallies in its band, the year a band's boundary (the day 18, 35, 60, 80 years ago) falls in
    with the older band; then the residents of that year born after the boundary, counted once
    from their rows (a birth-date index range of a few thousand), moved to the younger band.
    With ``party``, also (PARTY, grid, party members)."""
    today = local_today()
    boundaries = [(_years_before(today, years), younger, older) for years, younger, older in
                  ((18, "0-17", "18-34"), (35, "18-34", "35-59"), (60, "35-59", "60-79"), (80, "60-79", "80+"))]
    tally, born = ResidentTally, Resident.birth_date
    band = case((tally.birth_year.is_(None), "?"),
                *[(tally.birth_year > day.year, younger) for day, younger, _older in boundaries], else_="80+")
    counts = [select(band.label("band"), tally.grid_id.label("grid"), tally.residents.label("n")),
              *([select(literal(PARTY), tally.grid_id, tally.party_members)] if party else [])]
    later = union_all(*[scope.restrict(
        select(literal(younger).label("younger"), literal(older).label("older"), Resident.grid_id.label("grid"),
               func.count().label("n")).where(born > day, born <= dt.date(day.year, 12, 31))
        .group_by(Resident.grid_id), Resident) for day, younger, older in boundaries]).cte("later")
    moved = union_all(*[scope.restrict(count, tally) for count in counts],
                      select(later.c.younger, later.c.grid, later.c.n),
                      select(later.c.older, later.c.grid, -later.c.n)).subquery()
    total = func.sum(moved.c.n)
    return [(name, grid, int(count)) for name, grid, count in db.session.execute(  # PostgreSQL: a numeric sum
        select(moved.c.band, moved.c.grid, total).group_by(moved.c.band, moved.c.grid).having(total != 0))]


def _residents(_start=None, party: bool = True) -> dict:
    """The residents by grid and age band, and the party members."""
    rows = _age_bands(party)
    ages = [row for row in rows if row[0] != PARTY]
    codes = _grid_codes({grid for _band, grid, _count in ages})
    grids, series = _series((band, codes[grid], count) for band, grid, count in ages)
    ids = {code: grid for grid, code in codes.items()}
    chart = {"key": "residents_by_grid_age", "title": str(_l("Residents by grid and age")), "type": "bar",
             "stack": True, "x": grids, "series": series,
             "links": [_link("residentview", grid=ids[code]) for code in grids]}
    cards = {"residents": sum(count for *_rest, count in ages)}
    if party:
        cards["party_members"] = sum(count for name, _grid, count in rows if name == PARTY)
    return {"cards": cards, "charts": [chart]}


def _households(_start=None) -> dict:
    tags = CARE_TAGS.codes
    tally = HouseholdTally
    rows = _run(select(tally.residence_type, func.sum(tally.households), func.sum(tally.care),
                       *[func.sum(getattr(tally, tag)) for tag in tags])
                .where(tally.households != 0).group_by(tally.residence_type).order_by(tally.residence_type), tally)
    care = [sum(row[3 + i] for row in rows) for i in range(len(tags))]
    sees = privacy.may_see_sensitive()  # masked roles see the counts, not the rows
    by_type = {"key": "households_by_type", "title": str(_l("Households by residence type")), "type": "pie",
               "data": [{"name": RESIDENCE_TYPE.label(code), "value": count} for code, count, *_ in rows],
               "links": [_link("householdview", residence_type=code) for code, *_ in rows]}
    by_care = {"key": "households_by_care", "title": str(_l("Care households by tag")), "type": "bar",
               "x": [CARE_TAGS.label(tag) for tag in tags], "series": [{"name": str(_l("Households")), "data": care}],
               "links": [_link("householdview", **{tag: "y"}) if sees else None for tag in tags]}
    return {"cards": {"households": sum(row[1] for row in rows), "care_households": sum(row[2] for row in rows)},
            "charts": [by_type, by_care]}


def _reach(_start=None) -> dict:
    share = _scalar(select(outreach.percent(outreach.count_if(REACHED_SETS), func.count(Household.id))), Household)
    return {"cards": {"reach_percent": float(share)}, "charts": []}


def _buildings(_start=None) -> dict:
    return {"cards": {"buildings": _scalar(select(func.count(Building.id)), Building)}, "charts": []}


def _facilities(_start=None) -> dict:
    kinds = dict(_run(select(Facility.kind, func.count()).group_by(Facility.kind), Facility, "community"))
    return {"cards": {"facilities": sum(kinds.values()),
                      **{f"facility_{kind}": kinds.get(kind, 0) for kind in INFRASTRUCTURE_KINDS},
                      "service_facilities": sum(kinds.get(kind, 0) for kind in SERVICE_KINDS)},
            "charts": []}


def _cases(start=None) -> dict:
    """The case tallies by grid and stage (the cards, the funnel, days to close, closed on time),
    the open cases past their deadline from their partial index (it moves with the date), and the
    cases by category and month."""
    tally = CaseTally
    in_period = func.coalesce(func.sum(tally.cases).filter(tally.month >= start), 0) if start else func.sum(tally.cases)
    rows = _run(select(tally.grid_id, tally.stage, func.sum(tally.cases), in_period, func.sum(tally.seconds),
                       func.sum(tally.closed), func.sum(tally.on_time))
                .where(tally.cases != 0).group_by(tally.grid_id, tally.stage), tally)
    overdue = _scalar(select(func.count()).select_from(Case).where(sla_where("overdue")), Case)
    stages, closed = defaultdict(int), [row for row in rows if row[1] == "closed"]
    for _grid, stage, count, *_rest in rows:
        stages[stage] += count
    cards = {"cases_closed": sum(row[3] for row in closed),
             "cases_open": sum(count for stage, count in stages.items() if stage not in CASE_FINAL_STAGES),
             "cases_overdue": overdue}
    funnel = {"key": "cases_funnel", "title": str(_l("Cases by stage")), "type": "funnel",
              "data": [{"name": CASE_STAGE.label(code), "value": stages.get(code, 0)} for code in CASE_STAGE.codes],
              "links": [_link("caseview", stage=code) for code in CASE_STAGE.codes]}
    codes = _grid_codes(row[0] for row in closed)
    timed = sorted((codes[grid], grid, float(total) / counted / 86400) for grid, _s, _c, _p, total, counted, _t
                   in closed if counted)
    days_to_close = {"key": "days_to_close", "title": str(_l("Mean days to close by grid")), "type": "bar",
                     "x": [code for code, _id, _ in timed],
                     "series": [{"name": str(_l("Days")), "data": [round(mean, 1) for *_rest, mean in timed]}],
                     "links": [_link("caseview", grid=id_, stage="closed") for _code, id_, _ in timed]}
    on_time = sum(row[6] for row in closed)
    sla = {"key": "sla", "title": str(_l("Closed within the deadline")), "type": "pie",
           "data": [{"name": str(_l("On time")), "value": on_time},
                    {"name": str(_l("Late")), "value": sum(row[2] for row in closed) - on_time}],
           "links": [_link("caseview", stage="closed")] * 2}
    return {"cards": cards, "charts": [funnel, _cases_by_category_per_month(start), days_to_close, sla]}


def _cases_by_category_per_month(start) -> dict:
    """By category name (each community has its own categories, mostly of the same names)."""
    rows = _run(select(CaseCategory.name, CaseTally.month, func.sum(CaseTally.cases))
                .join(CaseCategory, CaseCategory.id == CaseTally.category_id)
                .where(CaseTally.cases != 0, *_after(CaseTally.month, start))  # a period starts on a month's first day
                .group_by(CaseCategory.name, CaseTally.month), CaseTally)
    months, series = _series((name, month_text(month), count) for name, month, count in rows)
    return {"key": "cases_by_category", "title": str(_l("Cases by category per month")), "type": "bar",
            "stack": True, "x": months, "series": series,
            "links": [_month_link("caseview", "reported_at", month) for month in months]}


def _diary(start=None) -> dict:
    rows = [(category, month_text(month), count) for category, month, count in _run(
        select(DiaryTally.category, DiaryTally.month, func.sum(DiaryTally.entries))
        .where(DiaryTally.entries != 0, *_after(DiaryTally.month, start))  # a period starts on a month's first day
        .group_by(DiaryTally.category, DiaryTally.month), DiaryTally)]
    months, series = _series(rows, DIARY_CATEGORY.label)
    chart = {"key": "diary_per_month", "title": str(_l("Diary entries per month")), "type": "bar", "stack": True,
             "x": months, "series": series, "links": [_month_link("diaryview", "entry_on", month) for month in months]}
    return {"cards": {"diary_entries": sum(count for *_rest, count in rows)}, "charts": [chart]}


def _visits(start=None) -> dict:
    return {"cards": {"visits": _scalar(select(func.count(Visit.id)).where(*_after(Visit.visited_on, start)), Visit)},
            "charts": []}


def _activities(start=None) -> dict:
    hours = defaultdict(float)
    for day, sum_ in _run(select(Activity.held_on, func.sum(Attendance.hours))
                          .join(Activity, Activity.id == Attendance.activity_id)
                          .where(*_after(Activity.held_on, start)).group_by(Activity.held_on), Attendance):
        hours[month_text(day)] += sum_
    rows = sorted(hours.items())
    chart = {"key": "volunteer_hours", "title": str(_l("Volunteer hours per month")), "type": "bar",
             "x": [m for m, _ in rows], "series": [{"name": str(_l("Hours")), "data": [h for _, h in rows]}],
             "links": [_month_link("activityview", "held_on", month) for month, _ in rows]}
    activities = _scalar(select(func.count(Activity.id)).where(*_after(Activity.held_on, start)), Activity)
    return {"cards": {"volunteer_activities": activities, "volunteer_hours": sum(h for _, h in rows)},
            "charts": [chart]}


def _aid_moves(start=None) -> dict:
    """Donations, items in and out (the stock tallies by kind, month and direction: the moves
    summed by the database as they are written) and the households helped."""
    rows = [(kind, month_text(month), into, quantity) for kind, month, into, quantity in _run(
        select(StockTally.kind, StockTally.month, StockTally.inward, func.sum(StockTally.quantity))
        .where(StockTally.quantity != 0, *_after(StockTally.month, start))  # a period starts on a month's first day
        .group_by(StockTally.kind, StockTally.month, StockTally.inward), StockTally)]
    directions = (("in" if into else "out", month, abs(quantity)) for _kind, month, into, quantity in rows)
    months, series = _series(directions, {"in": _l("In"), "out": _l("Out")}.get)
    chart = {"key": "aid_per_month", "title": str(_l("Aid in and out per month")), "type": "bar", "x": months,
             "series": series, "links": [_month_link("stockmoveview", "moved_on", month) for month in months]}
    donations = _scalar(select(func.coalesce(func.sum(FundEntry.amount_fen) // 100, 0)).where(
        FundEntry.kind == "donation_in", *_after(FundEntry.entry_on, start)), FundEntry)
    # Each household once, read in household order from a partial index (ix_voucher_helped): a
    # DISTINCT of that order is a pass, where count(DISTINCT …) sorts its 400k rows first.
    helped = db.session.scalar(select(func.count()).select_from(scope.restrict(
        select(Voucher.household_id).where(Voucher.kind == "distribution", Voucher.status == "posted",
                                           Voucher.household_id.is_not(None), *_after(Voucher.dated, start)),
        Voucher).distinct().subquery()))
    return {"cards": {"donations_yuan": donations,
                      "items_received": sum(q for kind, *_rest, q in rows if kind == "donation"),
                      "items_distributed": -sum(q for kind, *_rest, q in rows if kind == "distribution"),
                      "households_helped": helped},
            "charts": [chart]}


def _aid_items(_start=None) -> dict:
    """Each item's stock (as ``AidItem.stock``: the sum of all its moves), from the stock tallies."""
    items = _run(select(AidItem.id, AidItem.name).order_by(AidItem.id), AidItem, "community")
    stock = dict(db.session.execute(
        select(StockTally.item_id, func.sum(StockTally.quantity))
        .where(StockTally.item_id.in_(scope.restrict(select(AidItem.id), AidItem, "community")))
        .group_by(StockTally.item_id)).all())
    chart = {"key": "stock_by_item", "title": str(_l("Aid stock by item")), "type": "bar",
             "x": [name for _id, name in items],
             "series": [{"name": str(_l("In stock")), "data": [stock.get(id_, 0) for id_, _name in items]}],
             "links": [f"/aiditemview/card/{id_}" for id_, _name in items]}
    return {"cards": {}, "charts": [chart]}


def _follow_ups(_start=None) -> dict:
    overdue = _scalar(select(func.count(MeetingFollowUp.id)).where(MeetingFollowUp.sla == "overdue"), MeetingFollowUp)
    return {"cards": {"follow_ups_overdue": overdue}, "charts": []}


# kind → (part, whether the period changes it); in the order of the page's charts.
PARTS = {
    "resident": (_residents, False),
    "household": (_households, False),
    "case": (_cases, True),
    "aid_move": (_aid_moves, True),
    "aid_item": (_aid_items, False),
    "diary": (_diary, True),
    "activity": (_activities, True),
    "building": (_buildings, False),
    "facility": (_facilities, False),
    "visit": (_visits, True),
    "meeting_follow_up": (_follow_ups, False),
    "reach": (_reach, False),
}

# The cards in the page's order: key, label, data kind, list link.
CARDS = [
    ("residents", _l("Residents"), "resident", _link("residentview")),
    ("households", _l("Households"), "household", _link("householdview")),
    ("buildings", _l("Buildings"), "building", _link("buildingview")),
    ("party_members", _l("Party members"), "resident", _link("residentview", political_status=list(PARTY_STATUSES))),
    ("care_households", _l("Care households"), "household", None),
    ("facilities", _l("Facilities"), "facility", _link("facilityview")),
    *[(f"facility_{kind}", label, "facility", _link("facilityview", kind=kind))
      for kind, label in FACILITY_KIND if kind in INFRASTRUCTURE_KINDS],
    ("service_facilities", _l("Service facilities"), "facility", _link("facilityview", kind=list(SERVICE_KINDS))),
    ("cases_closed", _l("Cases closed"), "case", _link("caseview", stage="closed")),
    ("cases_open", _l("Cases open"), "case",
     _link("caseview", stage=[code for code in CASE_STAGE.codes if code not in CASE_FINAL_STAGES])),
    ("cases_overdue", _l("Cases overdue"), "case", _link("caseview", sla="overdue")),
    ("diary_entries", _l("Diary entries"), "diary", _link("diaryview")),
    ("visits", _l("Home visits"), "visit", _link("visitview")),
    ("volunteer_activities", _l("Volunteer activities"), "activity", _link("activityview")),
    ("volunteer_hours", _l("Volunteer hours"), "activity", None),
    ("donations_yuan", _l("Donations (yuan)"), "aid_move", _link("fundentryview")),
    ("items_received", _l("Items received"), "aid_move", _link("stockmoveview", kind="donation")),
    ("items_distributed", _l("Items given out"), "aid_move", _link("stockmoveview", kind="distribution")),
    ("households_helped", _l("Households helped"), "aid_move", None),
    # Part 三 of the report: follow-ups of the meetings past their date, and 知晓率.
    ("follow_ups_overdue", _l("Meeting follow-ups overdue"), "meeting_follow_up", _link("followupview", sla="overdue")),
    ("reach_percent", _l("Households reached (%)"), "reach", _link("reachview")),
]


def page(period: str = "all") -> tuple[list[dict], list[dict]]:
    """(cards, charts) of the user's dashboard: the parts of the kinds they may list, each from
    the figure cache or counted now."""
    start = since(period)
    kinds = [kind for kind in PARTS if may(kind, "list")]
    parts = figure_cache.parts({kind: (partial(PARTS[kind][0], start), PARTS[kind][1]) for kind in kinds}, period)
    cards = [{"key": key, "label": str(label), "value": parts[kind]["cards"][key], "link": link}
             for key, label, kind, link in CARDS if kind in parts]
    return cards, [chart for kind in kinds for chart in parts[kind]["charts"]]


def chart(key: str, period: str = "all") -> dict:
    """One chart, counted now (no cache)."""
    for build, _periodic in PARTS.values():
        for found in build(since(period))["charts"]:
            if found["key"] == key:
                return found
    raise KeyError(key)


def residents_by_grid_and_age() -> dict:
    """The residents' chart alone (its age bands, not the party members' card), counted now: what
    the benchmarks set against FAB's GroupByChartView."""
    return _residents(party=False)["charts"][0]
