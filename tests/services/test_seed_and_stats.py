"""The demo reproduces the report's figures, deterministically and idempotently."""
import hashlib
import math
import json

from sqlalchemy import func, select, text

from app.extensions import db
from app.models import Building, Facility, Grid, Household
from app.services.stats import community_figures
from app.validation import clean_id_number, id_birth_date, id_gender
from seeds.demo import build_demo, seed_demo

REPORT = {"grids": 6, "buildings": 61, "households": 3128, "residents": 8859, "building_heads": 43,
          "care_households": 46, "fire_hydrants": 5, "septic_tanks": 119, "sewer_manholes": 52}


def registry_digest() -> str:
    rows = db.session.execute(text(
        "SELECT r.id, r.name, r.id_number, r.household_id, h.room, b.number, g.code "
        "FROM resident r JOIN household h ON h.id = r.household_id "
        "JOIN building b ON b.id = h.building_id JOIN grid g ON g.id = b.grid_id ORDER BY r.id")).all()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_stats_reproduce_the_report(app):
    figures = community_figures()
    assert {key: figures[key] for key in REPORT} == REPORT
    assert figures["service_facilities"] > 0 and figures["party_members"] > 0


def test_stats_json_command_prints_one_flat_object(app):
    result = app.test_cli_runner().invoke(args=["stats", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {key: data[key] for key in REPORT} == REPORT
    assert all(isinstance(value, (int, float)) for value in data.values())  # hours may be fractional


def test_stats_table_has_chinese_labels(app):
    result = app.test_cli_runner().invoke(args=["stats"])
    assert result.exit_code == 0
    assert "居民" in result.output and "8859" in result.output and "消防栓" in result.output


def test_figures_are_counted_not_stored(app):
    household = db.session.scalars(select(Household).where(Household.low_income.is_(False),
                                   Household.disability.is_(False), Household.elderly_alone.is_(False),
                                   Household.extreme_hardship.is_(False))).first()
    household.elderly_alone = True
    db.session.commit()
    assert community_figures()["care_households"] == 47


def test_seeding_twice_changes_nothing(app):
    before = registry_digest()
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0 and "nothing changed" in result.output
    assert seed_demo() is False
    assert registry_digest() == before
    assert community_figures()["residents"] == 8859


def test_demo_is_deterministic():
    first, second = build_demo(), build_demo()
    assert [(r["name"], r["id_number"]) for r in first.residents] == \
        [(r["name"], r["id_number"]) for r in second.residents]


def test_every_demo_id_number_is_valid_and_agrees_with_birth_date_and_gender():
    demo = build_demo()
    assert len({r["id_number"] for r in demo.residents}) == len(demo.residents)
    for resident in demo.residents:
        number = clean_id_number(resident["id_number"])
        assert id_birth_date(number) == resident["birth_date"]
        assert id_gender(number) == resident["gender"]


def test_demo_households_are_plausible(app):
    # Every household has exactly one head; elderly people living alone live alone.
    heads = db.session.execute(text(
        "SELECT household_id, count(*) FROM resident WHERE relation_to_head = 'head' GROUP BY household_id")).all()
    assert len(heads) == 3128 and all(count == 1 for _, count in heads)
    alone = db.session.scalars(select(Household).where(Household.elderly_alone.is_(True))).all()
    assert alone and all(h.resident_count == 1 for h in alone)
    # Denormalised columns agree with the chain household → building → grid.
    mismatched = db.session.scalar(text(
        "SELECT count(*) FROM resident r JOIN household h ON h.id = r.household_id "
        "JOIN building b ON b.id = h.building_id "
        "WHERE r.building_id != b.id OR r.grid_id != b.grid_id OR h.grid_id != b.grid_id"))
    assert mismatched == 0


def test_demo_geometry_lies_inside_its_grid(app):
    for model, column in ((Building, Building.footprint), (Building, Building.entrance),
                          (Facility, Facility.location)):
        outside = db.session.scalar(
            select(func.count(model.id)).join(Grid, Grid.id == model.grid_id)
            .where(func.ST_Within(column, Grid.boundary) == False))  # noqa: E712 (SQL boolean)
        assert outside == 0, f"{model.__name__}.{column.key} outside its grid"
    invalid = db.session.scalar(select(func.count(Grid.id)).where(func.ST_IsValid(Grid.boundary) == False))  # noqa: E712
    assert invalid == 0
    square_degrees = db.session.scalar(select(func.sum(func.ST_Area(Grid.boundary))))
    # One square degree at 36.69°N is about 111.32·cos(36.69°) × 110.95 km²; the report says 0.67.
    area_km2 = square_degrees * 111.32 * math.cos(math.radians(36.69)) * 110.95
    assert 0.64 < area_km2 < 0.70
