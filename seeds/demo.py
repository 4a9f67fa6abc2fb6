"""Demo data for 桑园南社区 (历城区全福街道, Jinan): the figures of the community's own report.

``build_demo()`` is pure and deterministic (a fixed random seed and reference date); ``seed_demo()``
writes it in one transaction and does nothing when the community is already there.
"""
from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from geoalchemy2.shape import from_shape
from shapely.geometry import Point, box
from sqlalchemy import insert, select, text
from stdnum.cn import ric

from app.extensions import db
from app.models import Building, Community, Facility, Grid, Household, Resident

from .names import FEMALE_CHARS, HOME_REGION, MALE_CHARS, MIGRANT_REGIONS, SURNAMES

COMMUNITY = dict(name="桑园南社区", street="全福街道", district="历城区", city="济南市",
                 area_km2=0.67, founded_on=dt.date(2001, 6, 1), hotline="0531-88561234")
# The report's figures (see shared/domain); the tests hold the seed to them.
FIGURES = dict(grids=6, buildings=61, households=3128, residents=8859, building_heads=43,
               care_households=46, fire_hydrants=5, septic_tanks=119, sewer_manholes=52)
SERVICE_FACILITIES = {"clinic": 1, "shop": 12, "kindergarten": 2, "barber": 4, "laundry": 3,
                      "pharmacy": 2}
POWER_ROOMS = 6
REFERENCE_DATE = dt.date(2026, 7, 1)  # ages are computed against this, never "today"
SEED = 20010601

# 0.67 km²: about 1,000 m east-west by 670 m north-south, split into 2 rows × 3 columns of grids.
WEST, EAST, SOUTH, NORTH = 117.0560, 117.0672, 36.6880, 36.6940
GRIDS = (
    ("SYN-01", "第一网格", "#e6194b", "dormitory", "机床二厂宿舍"),
    ("SYN-02", "第二网格", "#3cb44b", "dormitory", "纺织厂宿舍"),
    ("SYN-03", "第三网格", "#4363d8", "dormitory", "桑园老宿舍"),
    ("SYN-04", "第四网格", "#f58231", "compound", "全福花园"),
    ("SYN-05", "第五网格", "#911eb4", "compound", "桑园雅居"),
    ("SYN-06", "第六网格", "#008080", "compound", "盛福名苑"),
)
BUILDINGS_PER_GRID = (10, 10, 10, 10, 10, 11)
METRES_LON = 1 / (111_320 * math.cos(math.radians(36.69)))
METRES_LAT = 1 / 110_950


@dataclass
class Demo:
    community: dict
    grids: list = field(default_factory=list)
    buildings: list = field(default_factory=list)
    households: list = field(default_factory=list)
    residents: list = field(default_factory=list)
    facilities: list = field(default_factory=list)


def grid_cell(index: int):
    row, col = divmod(index, 3)
    dx, dy = (EAST - WEST) / 3, (NORTH - SOUTH) / 2
    return box(WEST + col * dx, NORTH - (row + 1) * dy, WEST + (col + 1) * dx, NORTH - row * dy)


def building_slot(cell, slot: int):
    """Footprint (about 60 m × 14 m) and entrance of slot ``slot`` of a 4 × 3 layout in ``cell``."""
    minx, miny, maxx, maxy = cell.bounds
    row, col = divmod(slot, 4)
    cx = minx + (col + 0.5) * (maxx - minx) / 4
    cy = maxy - (row + 0.5) * (maxy - miny) / 3
    half_w, half_h = 30 * METRES_LON, 7 * METRES_LAT
    footprint = box(cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    return footprint, Point(cx, cy - half_h - 2 * METRES_LAT)


class People:
    """Deterministic names, ID numbers and phones."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.surnames = [s for s, _ in SURNAMES]
        self.weights = [w for _, w in SURNAMES]
        self.ids: set[str] = set()
        self.phones: set[str] = set()

    def surname(self) -> str:
        return self.rng.choices(self.surnames, self.weights)[0]

    def name(self, gender: str, surname: str | None = None) -> str:
        chars = MALE_CHARS if gender == "male" else FEMALE_CHARS
        given = "".join(self.rng.choice(chars) for _ in range(self.rng.choice((1, 2, 2))))
        return (surname or self.surname()) + given

    def id_number(self, region: str, birth: dt.date, gender: str) -> str:
        while True:
            seq = self.rng.randrange(0, 100) * 10 + self.rng.choice((1, 3, 5, 7, 9) if gender == "male"
                                                                    else (0, 2, 4, 6, 8))
            body = f"{region}{birth:%Y%m%d}{seq:03d}"
            number = body + ric.calc_check_digit(body + "0")  # expects a full-length number
            if number not in self.ids:
                self.ids.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = self.rng.choice(("138", "139", "135", "150", "151", "158", "186", "187", "188")) \
                + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def birth(self, age_from: int, age_to: int) -> dt.date:
        age_days = self.rng.randrange(age_from * 365 + 1, age_to * 365 + 364)
        return REFERENCE_DATE - dt.timedelta(days=age_days)


def _household_sizes(rng: random.Random, count: int, total: int, singles: set[int]) -> list[int]:
    sizes = [1 if i in singles else rng.choices((1, 2, 3, 4, 5), (8, 26, 40, 20, 6))[0]
             for i in range(count)]
    adjustable = [i for i in range(count) if i not in singles]
    while sum(sizes) != total:
        i = rng.choice(adjustable)
        if sum(sizes) < total and sizes[i] < 6:
            sizes[i] += 1
        elif sum(sizes) > total and sizes[i] > 2:
            sizes[i] -= 1
    return sizes


def _care_tags(rng: random.Random, household_ids: list[int]):
    """46 care households: low-income, disability, elderly alone and extreme hardship."""
    chosen = rng.sample(household_ids, FIGURES["care_households"])
    tags: dict[int, dict] = {}
    plan = ["low_income"] * 17 + ["disability"] * 13 + ["elderly_alone"] * 12 + ["extreme_hardship"] * 4
    for hid, tag in zip(chosen, plan):
        tags[hid] = {tag: True}
    for hid in chosen[:4]:  # a few households carry two tags
        tags[hid]["disability"] = True
    return tags


def build_demo() -> Demo:
    rng = random.Random(SEED)
    people = People(rng)
    demo = Demo(community=dict(COMMUNITY, id=1))

    building_id = 0
    for index, (code, name, colour, kind, compound) in enumerate(GRIDS):
        grid_id = index + 1
        cell = grid_cell(index)
        demo.grids.append(dict(id=grid_id, community_id=1, code=code, name=name, colour=colour,
                               boundary=from_shape(cell, srid=4326)))
        for slot in range(BUILDINGS_PER_GRID[index]):
            building_id += 1
            footprint, entrance = building_slot(cell, slot)
            dormitory = kind == "dormitory"
            demo.buildings.append(dict(
                id=building_id, grid_id=grid_id, number=f"{building_id}号楼", compound=compound,
                kind=kind, floors=6 if dormitory else 13, units=3 if dormitory else 2,
                footprint=from_shape(footprint, srid=4326), entrance=from_shape(entrance, srid=4326),
                head_id=None))

    # Households: 51 per building, one more in the first 17 (3,128 in all).
    per_building = [51 + (1 if i < FIGURES["households"] - 51 * len(demo.buildings) else 0)
                    for i in range(len(demo.buildings))]
    for building, count in zip(demo.buildings, per_building):
        per_floor = 3 if building["kind"] == "dormitory" else 2
        slots = [(unit, floor, room) for unit in range(1, building["units"] + 1)
                 for floor in range(1, building["floors"] + 1) for room in range(1, per_floor + 1)]
        for unit, floor, room in slots[:count]:
            kind = building["kind"]
            residence = rng.choices(("registered", "migrant", "factory_family"),
                                    (50, 20, 30) if kind == "dormitory" else (65, 30, 5))[0]
            demo.households.append(dict(
                id=len(demo.households) + 1, building_id=building["id"], grid_id=building["grid_id"],
                unit=str(unit), room=f"{floor}{room:02d}", residence_type=residence,
                phone=people.phone(), low_income=False, disability=False, elderly_alone=False,
                extreme_hardship=False))

    household_ids = [h["id"] for h in demo.households]
    care = _care_tags(rng, household_ids)
    elderly_alone = {hid for hid, tags in care.items() if tags.get("elderly_alone")}
    sizes = _household_sizes(rng, len(household_ids), FIGURES["residents"],
                             {hid - 1 for hid in elderly_alone})
    for household, size in zip(demo.households, sizes):
        household.update(care.get(household["id"], {}))
        _add_members(demo, people, household, size)

    _choose_building_heads(demo, rng)
    _add_facilities(demo, rng)
    return demo


def _add_members(demo: Demo, people: People, household: dict, size: int) -> None:
    rng = people.rng
    region = HOME_REGION if household["residence_type"] != "migrant" else rng.choice(MIGRANT_REGIONS)
    surname = people.surname()
    if household["elderly_alone"]:
        head_age = rng.randint(70, 92)
    else:
        head_age = rng.randint(26, 82)
    head_gender = rng.choice(("male", "male", "female"))
    members = [("head", head_gender, head_age, surname)]
    if size >= 2:
        members.append(("spouse", "female" if head_gender == "male" else "male",
                        max(22, head_age + rng.randint(-4, 3)), None))
    for _ in range(size - len(members)):
        if head_age >= 52 and rng.random() < 0.45:
            relation, age = "grandchild", rng.randint(1, max(1, min(head_age - 44, 20)))
        elif head_age <= 55 and rng.random() < 0.3:
            relation, age = "parent", min(95, head_age + rng.randint(22, 32))
        else:
            relation, age = "child", max(0, head_age - rng.randint(22, 34))
        members.append((relation, rng.choice(("male", "female")), age,
                        surname if relation in ("child", "grandchild") else None))
    for relation, gender, age, family_name in members:
        birth = people.birth(age, age)
        adult = age >= 18
        party = adult and rng.random() < (0.09 if age >= 50 else 0.05)
        political = "party_member" if party else ("league_member" if 14 <= age <= 28 and rng.random() < 0.4
                                                  else "masses")
        demo.residents.append(dict(
            id=len(demo.residents) + 1, household_id=household["id"],
            building_id=household["building_id"], grid_id=household["grid_id"],
            name=people.name(gender, family_name), gender=gender, birth_date=birth,
            id_number=people.id_number(region, birth, gender),
            phone=people.phone() if adult and rng.random() < 0.8 else None,
            relation_to_head=relation, political_status=political,
            party_branch="桑园南社区党总支第{}支部".format(household["grid_id"]) if party else None,
            party_joined_on=(birth.replace(year=birth.year + rng.randint(20, 40), day=1) if party else None),
            party_flow=("flowing_in" if household["residence_type"] == "migrant" else "settled") if party else None,
        ))


def _choose_building_heads(demo: Demo, rng: random.Random) -> None:
    """43 buildings have a head (楼长): an adult resident of the building, party members first."""
    by_building: dict[int, list[dict]] = {}
    for resident in demo.residents:
        age = (REFERENCE_DATE - resident["birth_date"]).days // 365
        if 35 <= age <= 75:
            by_building.setdefault(resident["building_id"], []).append(resident)
    with_head = sorted(rng.sample([b["id"] for b in demo.buildings], FIGURES["building_heads"]))
    for building in demo.buildings:
        if building["id"] in with_head:
            candidates = sorted(by_building[building["id"]],
                                key=lambda r: (r["political_status"] != "party_member", r["id"]))
            building["head_id"] = candidates[0]["id"]


def _random_point(rng: random.Random, cell, margin_m: float = 8.0) -> Point:
    minx, miny, maxx, maxy = cell.bounds
    mx, my = margin_m * METRES_LON, margin_m * METRES_LAT
    return Point(rng.uniform(minx + mx, maxx - mx), rng.uniform(miny + my, maxy - my))


FACILITY_NAMES = {
    "fire_hydrant": "消防栓", "septic_tank": "化粪池", "sewer_manhole": "下水道井口", "power_room": "配电室",
    "clinic": "桑园南社区卫生服务站", "shop": "便民商店", "kindergarten": "幼儿园", "barber": "理发店",
    "laundry": "洗衣店", "pharmacy": "药店",
}


def _add_facilities(demo: Demo, rng: random.Random) -> None:
    cells = [grid_cell(i) for i in range(len(GRIDS))]
    counts = {"fire_hydrant": FIGURES["fire_hydrants"], "septic_tank": FIGURES["septic_tanks"],
              "sewer_manhole": FIGURES["sewer_manholes"], "power_room": POWER_ROOMS,
              **SERVICE_FACILITIES}
    for kind, count in counts.items():
        for n in range(1, count + 1):
            grid_index = (n - 1) % len(GRIDS) if kind != "septic_tank" else rng.randrange(len(GRIDS))
            label = FACILITY_NAMES[kind]
            name = label if count == 1 else f"{label}{n:03d}" if count > 9 else f"{label}{n}"
            demo.facilities.append(dict(
                id=len(demo.facilities) + 1, grid_id=grid_index + 1, kind=kind, name=name,
                location=from_shape(_random_point(rng, cells[grid_index]), srid=4326),
                status="needs_repair" if rng.random() < 0.05 else "normal",
                last_inspected_on=REFERENCE_DATE - dt.timedelta(days=rng.randrange(10, 200))))


def seed_demo(session=None) -> bool:
    """Write the demo in one transaction; False (and nothing written) if it is already there."""
    session = session or db.session
    if session.scalar(select(Community.id).where(Community.name == COMMUNITY["name"])) is not None:
        return False
    demo = build_demo()
    session.execute(insert(Community), [demo.community])
    session.execute(insert(Grid), demo.grids)
    heads = {b["id"]: b.pop("head_id") for b in demo.buildings}
    session.execute(insert(Building), demo.buildings)
    session.execute(insert(Household), demo.households)
    session.execute(insert(Resident), demo.residents)
    for building_id, head_id in heads.items():
        if head_id:
            session.execute(Building.__table__.update().where(Building.id == building_id)
                            .values(head_id=head_id))
    session.execute(insert(Facility), demo.facilities)
    move_id_sequences(session, (Community, Grid, Building, Household, Resident, Facility))
    session.commit()
    return True


def move_id_sequences(session, models) -> None:
    """Rows were written with explicit ids: on PostgreSQL, move each id sequence past them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT coalesce(max(id), 1) FROM {table}))"))


@dataclass
class DemoPlace:
    """What the later demo seeds (cases, aid, community work) build on."""

    community: Community
    users: dict
    grids: list
    buildings: dict


def demo_place(session) -> DemoPlace | None:
    community = session.scalars(select(Community).where(Community.name == COMMUNITY["name"])).first()
    if community is None:
        return None
    from flask_appbuilder.security.sqla.models import User

    grids = session.scalars(select(Grid).where(Grid.community_id == community.id).order_by(Grid.code)).all()
    return DemoPlace(community, dict(session.execute(select(User.username, User.id)).all()), grids,
                     {grid.id: session.scalars(select(Building).where(Building.grid_id == grid.id)).all()
                      for grid in grids})
