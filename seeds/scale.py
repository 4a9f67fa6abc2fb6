"""A district for the benchmarks: ``flask --app run seed scale --communities N``.

Adds communities shaped like the demo (its 6 grids, 61 buildings, 3,128 households and 8,859
residents, its facilities) beside it on the map, each with a year of work at a district's rates:
about 1,000 cases with their timelines, 5,000 diary entries, 10,000 stock moves with their
vouchers, visits, volunteers and activities, and sign-in accounts (a secretary and six grid
managers, password demo123) in demo mode. N=100 gives ≈900k residents, ≈100k cases, ≈500k diary
entries and ≈1M stock moves.

Fast and flat: the demo's registry is built once as a template; each community is a shifted copy
with its own names and ID numbers and explicit ids, written with COPY (PostgreSQL) or Core
multi-row inserts (SQLite) in one transaction of its own, so memory holds a community per writer
whatever N is. On PostgreSQL two connections write at once (its foreign-key checks take a core per
backend). Deterministic, and idempotent: communities already there are kept, so
``--communities 100`` after 10 adds 90.
"""
from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field

from geoalchemy2.elements import WKBElement
from geoalchemy2.shape import from_shape, to_shape
from shapely import affinity
from sqlalchemy import bindparam, func, select, text, update
from stdnum.cn import ric

from app.extensions import db
from app.models import (Activity, AidItem, Attendance, Building, Campaign, Case, CaseCategory, CaseEvent, Community,
                        DiaryEntry, Donor, Facility, FundEntry, Grid, Household, NumberSeries, Resident, StockMove,
                        Team, UserScope, Visit, Volunteer, Voucher, VoucherLine)
from app.services import freshness
from app.services.words import index_text

from .cases import CATEGORIES, RESOLUTIONS, TITLES
from .community import ACTIVITIES, CATEGORY_WEIGHTS, DIARY
from .demo import COMMUNITY, build_demo
from .names import HOME_REGION, MIGRANT_REGIONS

NAME = "规模测试{:03d}社区"
SEED = 20261127
CASES, DIARY_ENTRIES, VISITS, DISTRIBUTIONS, DONATIONS, ACTIVITY_COUNT = 1000, 5000, 320, 4200, 700, 24
COLUMNS = 10  # communities per row of the district map
STEP_LON, STEP_LAT = 0.0125, 0.0070  # one community's cell (the demo spans 0.0112° × 0.0060°)
BATCH = 5000
ORDER = (Community, Grid, Building, Household, Resident, Facility, CaseCategory, Case, CaseEvent, DiaryEntry, Visit,
         AidItem, Donor, Campaign, Voucher, VoucherLine, StockMove, FundEntry, Team, Volunteer, Activity, Attendance)


@dataclass
class Report:
    communities: int = 0
    rows: int = 0
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass
class Ids:
    """The next free id of each table, taken in community order by the one thread that makes them."""

    next: dict = field(default_factory=dict)

    def take(self, model, count: int) -> int:
        first = self.next[model]
        self.next[model] = first + count
        return first


class Template:
    """The demo's registry as plain rows and shapes, built once."""

    def __init__(self):
        demo = build_demo()
        self.grids = [dict(row, boundary=to_shape(row["boundary"])) for row in demo.grids]
        self.buildings = [dict(row, footprint=to_shape(row["footprint"]), entrance=to_shape(row["entrance"]))
                          for row in demo.buildings]
        self.households = demo.households
        self.residents = demo.residents
        self.facilities = [dict(row, location=to_shape(row["location"])) for row in demo.facilities]
        given = {"male": [], "female": []}
        for resident in self.residents:
            given[resident["gender"]].append(resident["name"][1:])
        self.given = given


REGIONS = (HOME_REGION, *MIGRANT_REGIONS)
# Provinces none of the demo's people come from: one per origin above.
PROVINCES = ("50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "45", "46")


def _id_number(position: int, number: str) -> str:
    """The template's ID number moved to a region code of the community's own (a province per
    origin, the community's number as the county part; none the demo's), so numbers never
    collide however many communities there are; birth date and sex digit kept, check digit
    recomputed. (The county part is not a real county: the app checks the province only.)"""
    body = f"{PROVINCES[REGIONS.index(number[:6])]}{position:04d}" + number[6:17]
    return body + ric.calc_check_digit(body + "0")


def _shifted(shape, position: int):
    row, col = divmod(position, COLUMNS)
    return from_shape(affinity.translate(shape, xoff=col * STEP_LON, yoff=-row * STEP_LAT), srid=4326)


def _registry(position, template, ids, rng, rows):
    """Community, grids, buildings, households, residents, facilities: the template, shifted."""
    name = NAME.format(position)
    community_id = ids.take(Community, 1)
    rows[Community].append(dict(COMMUNITY, id=community_id, name=name, street=f"第{(position - 1) // 10 + 1}街道"))
    grid0, building0 = ids.take(Grid, len(template.grids)) - 1, ids.take(Building, len(template.buildings)) - 1
    household0 = ids.take(Household, len(template.households)) - 1
    resident0 = ids.take(Resident, len(template.residents)) - 1
    for grid in template.grids:
        rows[Grid].append(dict(grid, id=grid0 + grid["id"], community_id=community_id,
                               code=f"C{position:03d}-{grid['code'][-2:]}", boundary=_shifted(grid["boundary"], position)))
    for building in template.buildings:
        rows[Building].append(dict(building, id=building0 + building["id"], grid_id=grid0 + building["grid_id"],
                                   head_id=None, footprint=_shifted(building["footprint"], position),
                                   entrance=_shifted(building["entrance"], position)))
    for household in template.households:
        rows[Household].append(dict(household, id=household0 + household["id"],
                                    building_id=building0 + household["building_id"],
                                    grid_id=grid0 + household["grid_id"]))
    given = {gender: rng.sample(names, len(names)) for gender, names in template.given.items()}
    taken = {"male": 0, "female": 0}
    for resident in template.residents:
        gender = resident["gender"]
        taken[gender] += 1
        rows[Resident].append(dict(
            resident, id=resident0 + resident["id"], household_id=household0 + resident["household_id"],
            building_id=building0 + resident["building_id"], grid_id=grid0 + resident["grid_id"],
            name=resident["name"][0] + given[gender][taken[gender] - 1],
            id_number=_id_number(position, resident["id_number"]),
            party_branch=resident["party_branch"] and f"{name}党委第{resident['grid_id']}支部"))
    heads = [dict(b_id=building0 + b["id"], h_id=resident0 + b["head_id"])
             for b in template.buildings if b.get("head_id")]
    facility0 = ids.take(Facility, len(template.facilities)) - 1
    for facility in template.facilities:
        rows[Facility].append(dict(facility, id=facility0 + facility["id"], grid_id=grid0 + facility["grid_id"],
                                   location=_shifted(facility["location"], position)))
    return community_id, grid0, building0, household0, heads


def _cases(community_id, grid0, template, ids, rng, rows, series, now, users):
    category0 = ids.take(CaseCategory, len(CATEGORIES)) - 1
    for index, (name, register_days, close_days, _share) in enumerate(CATEGORIES, start=1):
        rows[CaseCategory].append(dict(id=category0 + index, community_id=community_id, name=name,
                                       days_to_register=register_days, days_to_close=close_days, active=True))
    weights = [share or 1 for *_rest, share in CATEGORIES]
    case0 = ids.take(Case, CASES) - 1
    stages = ("closed",) * 85 + ("discovered", "collected", "registered", "in_progress", "in_progress", "feedback",
                                 "rejected")
    for number in range(1, CASES + 1):
        index = rng.choices(range(len(CATEGORIES)), weights)[0]
        name, _register, close_days, _share = CATEGORIES[index]
        building = rng.choice(template.buildings)
        grid_id = grid0 + building["grid_id"]
        stage = rng.choice(stages)
        reported = now - dt.timedelta(days=rng.randint(0 if stage != "closed" else 10, 365), hours=rng.randint(0, 12))
        year = reported.year
        series[year] = series.get(year, 0) + 1
        closed = reported + dt.timedelta(days=rng.randint(1, close_days + 2)) if stage == "closed" else None
        manager = users.get(("grid", building["grid_id"]))
        rows[Case].append(dict(
            id=case0 + number, number=f"{year}-{series[year]:06d}", year=year, seq=series[year],
            title=rng.choice(TITLES[name]).format(b=building["number"], c=building["compound"]),
            description="巡逻中发现。", category_id=category0 + index + 1, source=rng.choice(("patrol", "qq_group")),
            grid_id=grid_id, location=None, address=f"{building['compound']} {building['number']}",
            reporter_id=manager, assignee_id=manager, priority="normal", stage=stage, reported_at=reported,
            due_on=(reported + dt.timedelta(days=close_days)).date(), closed_at=closed,
            resolution=RESOLUTIONS[name] if closed else None, satisfaction=rng.choice((5, 5, 4)) if closed else None))
        rows[CaseEvent].append(dict(case_id=case0 + number, at=reported, user_id=manager, username=None,
                                    action="report", from_stage=None, to_stage="discovered", note=None))
        if stage != "discovered":
            rows[CaseEvent].append(dict(case_id=case0 + number, at=closed or reported + dt.timedelta(hours=5),
                                        user_id=manager, username=None, action="close" if closed else "collect",
                                        from_stage="feedback" if closed else "discovered",
                                        to_stage="closed" if closed else "collected", note=None))


_WORDS: dict[str, str] = {}  # content → its search words: the same few thousand sentences recur


def _diary_and_visits(grid0, template, rng, rows, today, users):
    categories, weights = list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())
    for _ in range(DIARY_ENTRIES):
        building = rng.choice(template.buildings)
        category = rng.choices(categories, weights)[0]
        content = rng.choice(DIARY[category]).format(b=building["number"], c=building["compound"])
        if content not in _WORDS:
            _WORDS[content] = index_text(content)
        rows[DiaryEntry].append(dict(
            grid_id=grid0 + building["grid_id"], entry_on=today - dt.timedelta(days=rng.randrange(365)),
            category=category, content=content, search_words=_WORDS[content],
            follow_up=category == "request" and rng.random() < 0.4,
            author_id=users.get(("grid", building["grid_id"]))))
    for household in rng.sample(template.households, VISITS):
        rows[Visit].append(dict(visited_on=today - dt.timedelta(days=rng.randrange(365)),
                                household_id=None, grid_id=grid0 + household["grid_id"], _household=household["id"],
                                purpose=rng.choice(("condolence", "assistance", "opinion", "supervision")),
                                visitors="网格员", notes="了解家庭情况，登记需求。", follow_up=False))


def _aid(community_id, grid0, household0, template, ids, rng, rows, today, numbers, position):
    from .aid import ITEMS, ORGANISATIONS

    item0 = ids.take(AidItem, len(ITEMS)) - 1
    for index, (name, category, unit, low, _range) in enumerate(ITEMS, start=1):
        rows[AidItem].append(dict(id=item0 + index, community_id=community_id, name=name, category=category,
                                  unit=unit, low_stock=low, active=True))
    donor0 = ids.take(Donor, len(ORGANISATIONS)) - 1
    for index, name in enumerate(ORGANISATIONS, start=1):
        rows[Donor].append(dict(id=donor0 + index, community_id=community_id, kind="organisation", name=name))
    campaign = ids.take(Campaign, 1)
    start = today - dt.timedelta(days=330)
    rows[Campaign].append(dict(id=campaign, community_id=community_id, name=f"{start.year}年冬日暖民",
                               starts_on=start, ends_on=today, note="募集过冬物品和捐款。"))
    voucher0 = ids.take(Voucher, DONATIONS + DISTRIBUTIONS) - 1
    stock = {item: 0 for item in range(item0 + 1, item0 + len(ITEMS) + 1)}
    fund = 0

    def voucher(number, kind, series, day, lines, fen, fund_kind=None, sign=1, **links):
        nonlocal fund
        key = (series, day.year)
        numbers[key] = numbers.get(key, 0) + 1
        rows[Voucher].append(dict(id=voucher0 + number, number=f"{series}{position:03d}-{day.year}-{numbers[key]:05d}",
                                  community_id=community_id, kind=kind, status="posted", dated=day, amount_fen=fen,
                                  proposed_by="secretary", posted_by="secretary", posted_at=dt.datetime.combine(
                                      day, dt.time(2)), note=None, **links))
        common = dict(voucher_id=voucher0 + number, community_id=community_id,
                      household_id=links.get("household_id"), grid_id=links.get("grid_id"),
                      campaign_id=campaign, donor_id=links.get("donor_id"))
        for item, quantity in lines:
            rows[VoucherLine].append(dict(voucher_id=voucher0 + number, item_id=item, quantity=quantity))
            rows[StockMove].append(dict(common, item_id=item, kind=kind, quantity=sign * quantity, moved_on=day))
            stock[item] += sign * quantity
        if fen:
            fund += sign * fen
            rows[FundEntry].append(dict(common, kind=fund_kind, amount_fen=sign * fen, entry_on=day))

    for number in range(1, DONATIONS + 1):  # in first, over the first months …
        day = start + dt.timedelta(days=number * 150 // DONATIONS)
        lines = [(item, rng.randint(2, 6)) for item in rng.sample(sorted(stock), 4)]
        voucher(number, "donation", "JZ", day, lines, rng.choice((0, 0, 5000, 10000)), "donation_in",
                donor_id=donor0 + rng.randint(1, len(ORGANISATIONS)), campaign_id=campaign)
    for number in range(DONATIONS + 1, DONATIONS + DISTRIBUTIONS + 1):  # … then out, never below zero
        household = rng.choice(template.households)
        day = start + dt.timedelta(days=150 + (number - DONATIONS) * 170 // DISTRIBUTIONS)
        in_stock = sorted((item for item in stock if stock[item] > 0), key=stock.get, reverse=True)
        lines = [(item, 1) for item in in_stock[:rng.choice((1, 2, 2))]]
        fen = 5000 if fund >= 5000 and rng.random() < 0.1 else 0
        voucher(number, "distribution", "FF", day, lines, fen, "relief_out", -1,
                household_id=household0 + household["id"], grid_id=grid0 + household["grid_id"], campaign_id=campaign)


def _volunteers(community_id, grid0, template, ids, rng, rows, today):
    team = ids.take(Team, 1)
    rows[Team].append(dict(id=team, community_id=community_id, name="党建服务队", founded_on=dt.date(2012, 5, 1),
                           note="日常巡逻，不定期公益劳动。"))
    volunteer0 = ids.take(Volunteer, 44) - 1
    for index in range(1, 45):
        rows[Volunteer].append(dict(id=volunteer0 + index, community_id=community_id, team_id=team,
                                    name=rng.choice(template.residents)["name"], kind="resident", active=True))
    activity0 = ids.take(Activity, ACTIVITY_COUNT) - 1
    for index in range(1, ACTIVITY_COUNT + 1):
        kind, title = ACTIVITIES[index % len(ACTIVITIES)]
        hours = rng.choice((2.0, 3.0))
        rows[Activity].append(dict(id=activity0 + index, community_id=community_id, team_id=team, kind=kind,
                                   title=title, held_on=today - dt.timedelta(days=index * 14), hours=hours,
                                   grid_id=grid0 + rng.randint(1, len(template.grids)), organiser="党委书记"))
        for volunteer in rng.sample(range(1, 45), 12):
            rows[Attendance].append(dict(activity_id=activity0 + index, volunteer_id=volunteer0 + volunteer,
                                         hours=hours))


def _accounts(position, community_id, grid0, template, ids, rows, logins, now) -> dict:
    """Sign-in accounts with their ids taken here (a secretary, a manager per grid, password
    demo123): {("grid", template grid id): user id}. Each grid names its manager."""
    from flask_appbuilder.security.sqla.models import User, assoc_user_role

    name = NAME.format(position)
    people = [(f"c{position:03d}-secretary", name, "书记", "secretary", community_id, None)]
    people += [(f"c{position:03d}-grid{grid['id']}", grid["name"], "网格员", "manager", None, grid0 + grid["id"])
               for grid in template.grids]
    user0 = ids.take(User, len(people)) - 1
    role0, scope0 = ids.take(assoc_user_role, len(people)) - 1, ids.take(UserScope, len(people)) - 1
    made, managers = {}, {}
    for number, (username, first, last, role, community, grid_id) in enumerate(people, start=1):
        rows[User].append(dict(id=user0 + number, username=username, first_name=first, last_name=last,
                               email=f"{username}@scale.invalid", password=logins["password"], active=True,
                               created_on=now, changed_on=now))
        rows[assoc_user_role].append(dict(id=role0 + number, user_id=user0 + number, role_id=logins[role]))
        rows[UserScope].append(dict(id=scope0 + number, user_id=user0 + number, community_id=community,
                                    grid_id=grid_id))
        if grid_id is not None:
            managers[grid_id] = user0 + number
            made[("grid", int(username.rsplit("grid", 1)[1]))] = user0 + number
    for grid in rows[Grid]:
        grid["manager_id"] = managers.get(grid["id"])
    return made


def _logins() -> dict:
    """The accounts' password hash (hashing is slow by design: once) and role ids."""
    from flask import current_app
    from werkzeug.security import generate_password_hash

    from app.security.role_names import MANAGER, SECRETARY

    from app.security.sync import ensure_roles

    from .accounts import DEMO_PASSWORD

    ensure_roles()  # the accounts' roles exist (a database only migrated has none)
    sm = current_app.appbuilder.sm
    return {"password": generate_password_hash(DEMO_PASSWORD), "secretary": sm.find_role(SECRETARY).id,
            "manager": sm.find_role(MANAGER).id}


def _insert(connection, model, rows) -> int:
    """PostgreSQL's COPY, or Core multi-row inserts on SQLite (not the ORM's bulk path, which
    groups and inspects every row)."""
    if not rows:
        return 0
    table = getattr(model, "__table__", model)
    keys = sorted(set().union(*rows))
    if connection.dialect.name == "postgresql":
        columns = ", ".join(f'"{key}"' for key in keys)
        with connection.connection.driver_connection.cursor() as cursor, \
                cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([_copyable(row.get(key)) for key in keys])
        return len(rows)
    uniform = [row if len(row) == len(keys) else {key: row.get(key) for key in keys} for row in rows]
    for start in range(0, len(uniform), BATCH):
        connection.execute(table.insert(), uniform[start:start + BATCH])
    return len(rows)


def _copyable(value):
    """COPY takes geometry as EWKT text."""
    if isinstance(value, WKBElement):
        return f"SRID=4326;{to_shape(value).wkt}"
    return value


def _tables(accounts: bool) -> tuple:
    """Every table written, parents first: accounts before the grids that name their managers,
    grids before the scopes that point at them."""
    if not accounts:
        return ORDER
    from flask_appbuilder.security.sqla.models import User, assoc_user_role

    return (User, assoc_user_role, *ORDER[:6], UserScope, *ORDER[6:])


def _next_ids(session, tables) -> Ids:
    return Ids({model: (session.scalar(select(func.max(getattr(model, "__table__", model).c.id))) or 0) + 1
                for model in tables})


def _series(session, name) -> dict:
    return dict(session.execute(select(NumberSeries.year, NumberSeries.last).where(NumberSeries.series == name)).all())


def _save_series(connection, name, counters) -> None:
    """Each year's last number, never lowered: communities written in parallel commit in any order."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    postgres = connection.dialect.name == "postgresql"
    upsert = (pg_insert if postgres else sqlite_insert)(NumberSeries)
    highest = (func.greatest if postgres else func.max)(NumberSeries.last, upsert.excluded.last)
    for year in sorted(counters):  # one order for every writer: no deadlock between two
        connection.execute(upsert.values(series=name, year=year, last=counters[year]).on_conflict_do_update(
            index_elements=[NumberSeries.series, NumberSeries.year], set_={"last": highest}))


def _move_sequences(connection, ids: dict) -> None:
    """PostgreSQL: each id sequence past this community's explicit ids, never back (another writer
    may have moved it further), one writer at a time."""
    if connection.dialect.name != "postgresql":
        return
    connection.execute(text("SELECT pg_advisory_xact_lock(20261127)"))  # held to the commit
    for model, next_id in ids.items():
        connection.execute(text(
            "SELECT setval(s, greatest(:last, coalesce(pg_sequence_last_value(s), 1))) "
            "FROM CAST(pg_get_serial_sequence(:table, 'id') AS regclass) AS s"),
            {"table": getattr(model, "__table__", model).name, "last": next_id - 1})


@dataclass
class Batch:
    """One community's rows, ids taken, ready to write in a transaction of its own."""

    rows: dict
    heads: list
    series: dict
    ids: dict

    @property
    def size(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def _write(engine, batch: Batch) -> int:
    """Writes one community in a transaction of its own; the number of rows."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Foreign-key checks look each parent up by its primary key. Planned once per run on
            # small tables (a community's aid items, donors, its campaign), they would scan the
            # whole table for every row inserted, every community's items more each time.
            connection.execute(text("SET LOCAL enable_seqscan = off"))
        for model, rows in batch.rows.items():
            _insert(connection, model, rows)
            if model is Resident:  # buildings and their heads point at each other
                table = Building.__table__
                connection.execute(update(table).where(table.c.id == bindparam("b_id"))
                                   .values(head_id=bindparam("h_id")), batch.heads)
        _save_series(connection, "case", batch.series)
        _move_sequences(connection, batch.ids)
    return batch.size


def _community(position, template, ids, tables, logins, case_series, today) -> Batch:
    """Community ``position``'s rows with their ids, from the template and its own random numbers."""
    rng = random.Random(SEED + position)
    rows = {model: [] for model in tables}
    community_id, grid0, building0, household0, heads = _registry(position, template, ids, rng, rows)
    now = dt.datetime.combine(today, dt.time(2))
    users = _accounts(position, community_id, grid0, template, ids, rows, logins, now) if logins else {}
    _cases(community_id, grid0, template, ids, rng, rows, case_series, now, users)
    _diary_and_visits(grid0, template, rng, rows, today, users)
    for visit in rows[Visit]:
        visit["household_id"] = household0 + visit.pop("_household")
    _aid(community_id, grid0, household0, template, ids, rng, rows, today, {}, position)
    _volunteers(community_id, grid0, template, ids, rng, rows, today)
    for model, model_rows in rows.items():  # the rest of the ids, in order: the same whoever writes
        if model_rows and "id" not in model_rows[0]:
            first = ids.take(model, len(model_rows))
            for offset, row in enumerate(model_rows):
                row["id"] = first + offset
    return Batch(rows, heads, dict(case_series), dict(ids.next))


def missing(communities: int) -> list[int]:
    """The positions among 1 … ``communities`` whose community is not there yet."""
    existing = set(db.session.scalars(select(Community.name).where(Community.name.like("规模测试%社区"))))
    return [p for p in range(1, communities + 1) if NAME.format(p) not in existing]


def writers_for(dialect: str) -> int:
    """Connections writing at once: PostgreSQL checks each row's foreign keys in its backend, which
    takes a core; two backends take both. SQLite has one writer."""
    return 2 if dialect == "postgresql" else 1


def seed_scale(communities: int, accounts: bool = False, progress=None, writers: int | None = None) -> Report:
    """Make sure scale communities 1 … ``communities`` exist; a Report of what was written.
    ``progress(1)`` is called after each community.

    This thread makes the communities in order, taking every id as it goes (so the same database
    and N always give the same rows and ids); ``writers`` connections write them, each community in
    a transaction of its own, at most one waiting per writer (memory stays flat)."""
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    from app.timekeeping import local_today

    session, report, started = db.session, Report(), time.perf_counter()
    positions = missing(communities)
    if not positions:
        return report
    logins = _logins() if accounts else None  # first: it may sync the roles, before any id is taken
    tables, template = _tables(accounts), Template()
    ids, case_series = _next_ids(session, tables), _series(session, "case")
    engine, today = db.engine, local_today()
    session.commit()  # this session's reads end here; the writers' commits are seen after
    writers = writers or writers_for(engine.dialect.name)
    pending: set = set()

    def settle(block: bool) -> None:
        done, _ = wait(pending, return_when=FIRST_COMPLETED) if block else ({f for f in pending if f.done()}, None)
        for future in done:
            pending.discard(future)
            report.rows += future.result()  # a writer's error stops the run here
            report.communities += 1
            if progress:
                progress(1)

    with ThreadPoolExecutor(writers, thread_name_prefix="seed-writer") as pool:
        for position in positions:
            batch = _community(position, template, ids, tables, logins, case_series, today)
            while len(pending) >= writers:
                settle(block=True)
            if writers == 1:  # SQLite: in this thread, on a connection of this thread
                report.rows += _write(engine, batch)
                report.communities += 1
                if progress:
                    progress(1)
            else:
                pending.add(pool.submit(_write, engine, batch))
            del batch
            settle(block=False)
        while pending:
            settle(block=True)
    # The writers' connections went around this session: every stored figure counts again.
    freshness.changed(session)
    session.commit()
    report.seconds = time.perf_counter() - started
    return report
