"""Wrong data refused (issue 19, part 2): the rules declared on columns (lengths, dates of the
past, blanks) on the screens, the API, the importer and every flush; blank ID numbers never
duplicates; places near their community; the database's own refusals named by field and rule."""
import datetime as dt

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Building, DiaryEntry, Facility, Household, Resident, Visit
from app.timekeeping import local_today
from app.validation import explain_database_error
from samples import first_household_of_building, valid_id
from test_import import as_csv, upload

TOMORROW = local_today() + dt.timedelta(days=1)
FAR_AWAY = "POLYGON((116.300 39.900, 116.301 39.900, 116.301 39.901, 116.300 39.901, 116.300 39.900))"  # Beijing
NEAR = "POLYGON((117.0600 36.6900, 117.0601 36.6900, 117.0601 36.6901, 117.0600 36.6901, 117.0600 36.6900))"


def resident_form(**changes):
    """The resident screen's form for a new resident of grid 1 (no ID number)."""
    return {"grid": "1", "building": "1", "household": str(first_household_of_building(1)), "name": "规则居民",
            "id_number": "", "gender": "female", "birth_date": "", "phone": "", "relation_to_head": "other",
            "political_status": "masses", "party_branch": "", "party_joined_on": "", "party_flow": "", "note": "",
            **changes}


def resident_body(**changes):
    return {"grid": 1, "building": 1, "household": first_household_of_building(1), "name": "规则居民",
            "gender": "female", "relation_to_head": "other", "political_status": "masses", **changes}


def count(model):
    return db.session.scalar(select(func.count(model.id)))


def error_of(response) -> dict:
    assert response.status_code == 422, response.get_json()
    return response.get_json()["message"]


# -- ID numbers: blank is no duplicate ---------------------------------------------------------------
def test_residents_without_an_id_number_are_never_duplicates_on_the_screen_and_the_api(manager_client, api_as):
    headers = api_as("grid1")
    before = count(Resident)
    for name in ("无证一", "无证二"):
        page = manager_client.post("/residentview/add", data=resident_form(name=name), follow_redirects=True)
        assert "已经存在" not in page.data.decode() and "已存在" not in page.data.decode()
    for name in ("无证三", "无证四"):
        made = manager_client.post("/api/v1/resident/", headers=headers, json=resident_body(name=name, id_number=""))
        assert made.status_code == 201, made.get_json()
    assert count(Resident) == before + 4
    assert db.session.scalar(select(func.count()).where(Resident.id_number == "")) == 0, "blank is NULL"
    # A given number is still unique.
    number = valid_id("37011219850505004")
    assert client_post(manager_client, headers, number).status_code == 201
    assert error_of(client_post(manager_client, headers, number)) == {"id_number": ["已存在。"]}


def client_post(client, headers, number):
    return client.post("/api/v1/resident/", headers=headers,
                       json=resident_body(id_number=number, gender=None, name="有证"))


def test_the_import_takes_many_residents_without_an_id_number(manager_client):
    rows = [["SYN-01", "1号楼", "9", "911", "户籍居民", name, "女", "", "", "", relation, "群众"]
            for name, relation in (("导入无证一", "户主"), ("导入无证二", "配偶"), ("导入无证三", "子女"))]
    before = count(Resident)
    html = upload(manager_client, as_csv(rows), "无证.csv")
    assert "导入 3 位居民" in html, html
    assert count(Resident) == before + 3


def test_the_database_keeps_no_empty_id_number(app):
    resident = db.session.scalars(select(Resident)).first()
    with pytest.raises(IntegrityError) as refused:
        db.session.execute(text("UPDATE resident SET id_number = '' WHERE id = :id"), {"id": resident.id})
    db.session.rollback()
    assert explain_database_error(refused.value).field == "id_number"


# -- blanks, lengths, dates: the columns' rules ------------------------------------------------------
@pytest.mark.parametrize("field, value, message", [
    ("name", "   ", "必填"),
    ("note", "备" * 2001, "2000"),  # (a 5 MB form is refused whole before any form reads it: 413)
    ("birth_date", TOMORROW.isoformat(), "不能晚于今天"),
    ("birth_date", "0001-01-01", "1900-01-01"),
    ("party_joined_on", TOMORROW.isoformat(), "不能晚于今天"),
])
def test_a_resident_breaking_a_column_rule_is_refused_on_the_screen_naming_the_field(manager_client, field,
                                                                                     value, message):
    before = count(Resident)
    page = manager_client.post("/residentview/add", data=resident_form(**{field: value})).data.decode()
    assert count(Resident) == before
    assert message in page


@pytest.mark.parametrize("field, value, message", [
    ("name", "   ", "必填"),
    ("note", "备" * 5_000_001, "2000"),
    ("birth_date", TOMORROW.isoformat(), "不能晚于今天"),
    ("birth_date", "0001-01-01", "1900-01-01"),
    ("party_joined_on", TOMORROW.isoformat(), "不能晚于今天"),
])
def test_a_resident_breaking_a_column_rule_is_refused_by_the_api_naming_the_field(client, api_as, field, value,
                                                                                  message):
    before = count(Resident)
    refused = error_of(client.post("/api/v1/resident/", headers=api_as("grid1"), json=resident_body(**{field: value})))
    assert list(refused) == [field] and message in refused[field][0]
    assert count(Resident) == before


def test_joining_the_party_before_being_born_is_refused_everywhere(manager_client, api_as, app):
    dates = {"birth_date": "1990-05-01", "party_joined_on": "1980-07-01"}
    page = manager_client.post("/residentview/add", data=resident_form(**dates)).data.decode()
    assert "早于出生日期（1990-05-01）" in page
    refused = error_of(manager_client.post("/api/v1/resident/", headers=api_as("grid1"), json=resident_body(**dates)))
    assert list(refused) == ["party_joined_on"]
    # Any other path: the flush.
    resident = db.session.scalars(select(Resident).where(Resident.birth_date.is_not(None))).first()
    resident.party_joined_on = resident.birth_date - dt.timedelta(days=1)
    with pytest.raises(ValueError, match="早于|before"):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("url, body", [
    ("/api/v1/diary/", {"category": "request", "grid": 1, "content": "未来的日志", "entry_on": TOMORROW.isoformat()}),
    ("/api/v1/visit/", {"household": 1, "purpose": "assistance", "visitors": "网格员", "visited_on": TOMORROW.isoformat()}),
])
def test_diary_and_visit_dates_in_the_future_are_refused(client, api_as, url, body):
    refused = client.post(url, headers=api_as("grid1"), json=body)
    assert refused.status_code == 422, refused.get_json()
    field = "entry_on" if "diary" in url else "visited_on"
    assert refused.get_json()["message"][field] == ["不能晚于今天"]


def test_any_code_path_meets_the_column_rules_at_the_flush(app):
    for model, field, value in ((DiaryEntry, "entry_on", TOMORROW), (Visit, "visited_on", dt.date(1, 1, 1)),
                                (Household, "note", "x" * 2001), (Facility, "name", "  ")):
        row = db.session.scalars(select(model)).first()
        setattr(row, field, value)
        with pytest.raises(ValueError) as refused:
            db.session.flush()
        db.session.rollback()
        assert refused.value.field == field


def test_the_database_refuses_a_text_longer_than_its_column_naming_it(app):
    with pytest.raises(IntegrityError) as refused:
        db.session.execute(text("UPDATE household SET note = :note WHERE id = 1"), {"note": "x" * 2001})
    db.session.rollback()
    assert (refused.value and explain_database_error(refused.value).field) == "note"
    assert "2000" in explain_database_error(refused.value).reason


# -- ID number against birth date and gender ---------------------------------------------------------
def test_an_id_number_contradicting_birth_date_or_gender_is_refused_on_screen_api_and_import(manager_client,
                                                                                             api_as):
    number = valid_id("37011219850315001")  # born 1985-03-15, a man
    page = manager_client.post("/residentview/add", data=resident_form(
        id_number=number, gender="male", birth_date="1985-03-16")).data.decode()
    assert "与身份证号不符" in page
    headers = api_as("grid1")
    assert "birth_date" in error_of(manager_client.post("/api/v1/resident/", headers=headers, json=resident_body(
        id_number=number, gender="male", birth_date="1985-03-16")))
    assert "gender" in error_of(manager_client.post("/api/v1/resident/", headers=headers, json=resident_body(
        id_number=number, gender="female")))
    html = upload(manager_client, as_csv([["SYN-01", "1号楼", "9", "921", "户籍居民", "证日不符", "女", "1985-03-15",
                                           number, "", "户主", "群众"]]), "不符.csv")
    assert "未导入任何数据" in html and "性别" in html
    assert db.session.scalar(select(func.count()).where(Resident.id_number == number)) == 0


# -- places near their community ---------------------------------------------------------------------
def test_a_footprint_far_outside_the_community_is_refused_on_screen_and_api(manager_client, api_as):
    building = db.session.scalars(select(Building).where(Building.grid_id == 1)).first()
    refused = error_of(manager_client.put(f"/api/v1/building/{building.id}", headers=api_as("grid1"),
                                          json={"footprint": FAR_AWAY}))
    assert list(refused) == ["footprint"] and "社区范围之外" in refused["footprint"][0]
    page = manager_client.post(f"/buildingview/edit/{building.id}", data={
        "grid": "1", "number": building.number, "compound": building.compound or "", "kind": building.kind,
        "floors": str(building.floors or ""), "units": str(building.units or ""), "head": "",
        "footprint": FAR_AWAY, "entrance": ""}, follow_redirects=True).data.decode()
    assert "社区范围之外" in page and "轮廓" in page
    db.session.expire_all()
    assert db.session.get(Building, building.id).footprint is not None
    # Near the community: accepted.
    assert manager_client.put(f"/api/v1/building/{building.id}", headers=api_as("grid1"),
                              json={"footprint": NEAR}).status_code == 200


def test_a_facility_far_away_is_refused(client, api_as):
    before = count(Facility)
    refused = error_of(client.post("/api/v1/facility/", headers=api_as("secretary"), json={
        "grid": 1, "kind": "barber", "name": "远方理发店", "status": "normal",
        "location": {"type": "Point", "coordinates": [121.47, 31.23]}}))  # Shanghai
    assert list(refused) == ["location"]
    assert count(Facility) == before


# -- the database's refusals, named ------------------------------------------------------------------
def test_a_check_constraint_names_the_field_and_its_rule_on_screen_and_api(manager_client, api_as):
    building = db.session.scalars(select(Building).where(Building.grid_id == 1)).first()
    refused = error_of(manager_client.put(f"/api/v1/building/{building.id}", headers=api_as("grid1"),
                                          json={"floors": -5}))
    assert refused == {"floors": ["应为 1 至 120"]}
    page = manager_client.post(f"/buildingview/edit/{building.id}", data={
        "grid": "1", "number": building.number, "compound": building.compound or "", "kind": building.kind,
        "floors": "-5", "units": "", "head": "", "footprint": "", "entrance": ""}, follow_redirects=True).data.decode()
    assert "层数: 应为 1 至 120" in page and "重复" not in page


@pytest.mark.parametrize("statement, field, words", [
    ("INSERT INTO building (grid_id, number, kind) VALUES (1, 'x', 'dormitory')", "number", "已存在"),
    ("INSERT INTO building (grid_id, kind) VALUES (1, 'dormitory')", "number", "必填"),
    ("INSERT INTO building (grid_id, number, kind) VALUES (999999, '无网格楼', 'dormitory')", "record", "不存在"),
    ("UPDATE building SET floors = 0 WHERE id = 1", "floors", "1 至 120"),
    ("UPDATE building SET units = 99 WHERE id = 1", "units", "1 至 50"),
])
def test_check_not_null_foreign_key_and_unique_failures_are_told_apart(client, statement, field, words):
    with client.application.test_request_context(headers={"Accept-Language": "zh"}):
        if "'x'" in statement:  # a duplicate of building 1's number in its grid
            statement = statement.replace("'x'", f"'{db.session.get(Building, 1).number}'")
        with pytest.raises(IntegrityError) as refused:
            db.session.execute(text(statement))
            db.session.flush()
        db.session.rollback()
        explained = explain_database_error(refused.value)
        assert explained.field == field and words in explained.reason, (explained.field, explained.reason)
