"""Registry constraints and the derived grid/building columns, on the real database."""
import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Building, Facility, Grid, Household, Resident
from app.validation import FieldError


def a_household(grid_code="SYN-01"):
    return db.session.scalars(select(Household).join(Grid, Grid.id == Household.grid_id)
                              .where(Grid.code == grid_code).order_by(Household.id)).first()


def count(model):
    return db.session.scalar(select(func.count(model.id)))


def duplicate_id_number():
    return Resident(household=a_household(), name="重号", id_number=db.session.get(Resident, 1).id_number,
                    relation_to_head="other", political_status="masses")


def second_head():
    return Resident(household=a_household(), name="第二户主", gender="male",
                    relation_to_head="head", political_status="masses")


def same_address():
    household = a_household()
    return Household(building=household.building, unit=household.unit, room=household.room,
                     residence_type="registered")


def unknown_kind():
    return Facility(grid_id=1, kind="volcano", name="x", status="normal")


@pytest.mark.parametrize("make_row", [duplicate_id_number, second_head, same_address, unknown_kind],
                         ids=["unique ID number", "one head per household",
                              "one household per address", "known codes only"])
def test_the_database_refuses_rows_that_break_a_constraint(app, make_row):
    db.session.add(make_row())
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_resident_with_a_bad_id_number_is_not_saved(app):
    before = count(Resident)
    db.session.add(Resident(household=a_household(), name="错号", id_number="110105194912310021",
                            relation_to_head="other", political_status="masses"))
    with pytest.raises(FieldError) as error:
        db.session.commit()
    assert error.value.field == "id_number" and str(error.value) == "身份证号: 校验位错误"
    db.session.rollback()
    assert count(Resident) == before


def test_birth_date_and_gender_are_filled_from_the_id_number(app):
    resident = Resident(household=a_household(), name="补全", id_number="11010519491231002x",
                        relation_to_head="other", political_status="masses")
    db.session.add(resident)
    db.session.commit()
    assert (resident.id_number, resident.birth_date, resident.gender) == \
        ("11010519491231002X", dt.date(1949, 12, 31), "female")


def test_a_residents_grid_and_building_follow_the_household(app):
    household = a_household("SYN-02")
    resident = Resident(household=household, name="新居民", gender="male", relation_to_head="child",
                        political_status="masses", grid_id=1)  # a wrong grid is overwritten
    db.session.add(resident)
    db.session.commit()
    assert (resident.building_id, resident.grid_id) == (household.building_id, household.grid_id)


def test_moving_a_household_moves_its_residents(app):
    household = a_household("SYN-01")
    target = db.session.scalars(select(Building).where(Building.grid_id == 4)).first()
    household.building = target
    household.room = "9901"
    db.session.commit()
    rows = db.session.execute(select(Resident.building_id, Resident.grid_id)
                              .where(Resident.household_id == household.id)).all()
    assert rows and set(rows) == {(target.id, 4)}
    assert household.grid_id == 4


def test_moving_a_building_to_another_grid_moves_households_and_residents(app):
    building = db.session.scalars(select(Building).where(Building.grid_id == 1)).first()
    building.grid = db.session.get(Grid, 2)
    db.session.commit()
    assert set(db.session.scalars(select(Household.grid_id).where(Household.building_id == building.id))) == {2}
    assert set(db.session.scalars(select(Resident.grid_id).where(Resident.building_id == building.id))) == {2}
