"""The audit log: personal-data writes, sign-ins; masked values; append-only in app and database."""
import json

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from app.extensions import db
from app.models import AuditEntry, Household, Resident
from samples import SCREENS, newest, user_id


def entries(**where):
    db.session.expire_all()
    query = select(AuditEntry).order_by(AuditEntry.id)
    for column, value in where.items():
        query = query.where(getattr(AuditEntry, column) == value)
    return db.session.scalars(query).all()


def test_creating_changing_and_deleting_a_resident_is_audited_with_masked_values(manager_client):
    data = SCREENS["residentview"][1]()
    manager_client.post("/residentview/add", data=data)
    resident = newest(Resident)
    created = entries(object_type="resident", object_id=resident.id, action="create")
    assert len(created) == 1
    changes = json.loads(created[0].changes)
    assert changes["name"] == [None, "测试居民"]
    assert changes["id_number"][1].startswith("3701") and "*" in changes["id_number"][1]
    assert data["id_number"] not in created[0].changes and "13912345678" not in created[0].changes
    assert (created[0].username, created[0].user_id) == ("grid1", user_id("grid1"))
    assert created[0].client_address == "127.0.0.1" and created[0].community_id == 1

    manager_client.post(f"/residentview/edit/{resident.id}", data={**data, "phone": "13700001111"})
    updated = entries(object_type="resident", object_id=resident.id, action="update")
    assert json.loads(updated[-1].changes)["phone"] == ["139****5678", "137****1111"]

    manager_client.post(f"/residentview/delete/{resident.id}")
    deleted = entries(object_type="resident", object_id=resident.id, action="delete")
    assert len(deleted) == 1 and json.loads(deleted[0].changes)["name"] == ["测试居民", None]


def test_a_care_tag_change_is_audited(manager_client):
    household = db.session.scalars(select(Household).where(Household.grid_id == 1, Household.low_income.is_(False))
                                   .order_by(Household.id)).first()
    data = {**SCREENS["householdview"][1](), "building": str(household.building_id), "unit": household.unit,
            "room": household.room, "residence_type": household.residence_type, "low_income": "y",
            "phone": household.phone or ""}
    manager_client.post(f"/householdview/edit/{household.id}", data=data)
    changes = json.loads(entries(object_type="household", object_id=household.id, action="update")[-1].changes)
    assert changes["low_income"] == [False, True]


def test_a_refused_change_leaves_no_audit_row(manager_client):
    before = len(entries())
    data = {**SCREENS["residentview"][1](), "id_number": "370112199001010031"}  # bad checksum
    manager_client.post("/residentview/add", data=data)
    assert len(entries()) == before


def test_sign_ins_and_failures_are_audited(client):
    client.post("/login/", data={"username": "grid2", "password": "wrong"})
    client.post("/login/", data={"username": "nobody", "password": "x"})
    client.post("/login/", data={"username": "grid2", "password": "demo123"})
    client.post("/logout/")
    rows = [(e.action, e.username) for e in entries() if e.action.startswith("log")]
    assert rows[-4:] == [("login_failed", "grid2"), ("login_failed", "nobody"), ("login", "grid2"),
                         ("logout", "grid2")]


def test_the_secretary_reads_the_log_and_nobody_can_change_it(secretary_client, manager_client):
    manager_client.post("/residentview/add", data=SCREENS["residentview"][1]())
    html = secretary_client.get("/auditlogview/list/").data.decode()
    assert "测试居民" in html and "新增" in html
    row = entries(action="create")[-1]
    detail = secretary_client.get(f"/auditlogview/show/{row.id}").data.decode()
    assert "名称: 测试居民<br>" in detail and "电话: 139****5678" in detail
    for method, path in (("get", "/auditlogview/add"), ("get", f"/auditlogview/edit/{row.id}"),
                         ("post", f"/auditlogview/delete/{row.id}")):
        assert getattr(secretary_client, method)(path).status_code in (404, 405)
    assert manager_client.get("/auditlogview/list/").status_code == 403  # not theirs to read


@pytest.mark.parametrize("statement", [update(AuditEntry).values(username="x"), delete(AuditEntry)])
def test_the_database_refuses_to_change_or_delete_audit_rows(manager_client, statement):
    manager_client.post("/residentview/add", data=SCREENS["residentview"][1]())
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(statement)
    db.session.rollback()
    assert entries()


def test_a_deleted_user_keeps_their_audit_rows(app, client_as):
    client_as("volunteer")
    sm = app.appbuilder.sm
    user = sm.find_user(username="volunteer")
    db.session.execute(text("DELETE FROM user_scope WHERE user_id = :id"), {"id": user.id})
    db.session.delete(user)
    db.session.commit()
    assert [e.username for e in entries(action="login")][-1] == "volunteer"


def test_each_secretary_reads_only_their_own_communitys_log(client_as, second_community):
    other = client_as("secretary2")
    other.post(f"/residentview/edit/{second_community['resident']}", data={
        **SCREENS["residentview"][1](), "grid": str(second_community["grid"]),
        "building": str(second_community["building"]), "household": str(second_community["household"]),
        "name": "外社区居民改名", "id_number": "", "gender": "female", "relation_to_head": "head"})
    assert entries(object_type="resident", object_id=second_community["resident"])
    client_as("grid1").post("/residentview/add", data=SCREENS["residentview"][1]())
    mine = client_as("secretary").get("/auditlogview/list/").data.decode()
    theirs = other.get("/auditlogview/list/").data.decode()
    assert "外社区居民改名" not in mine and "测试居民" in mine
    assert "外社区居民改名" in theirs and "测试居民" not in theirs


def test_a_case_naming_a_resident_is_audited(manager_client):
    from app.models import Case, CaseCategory

    resident = db.session.scalars(select(Resident).where(Resident.grid_id == 1).order_by(Resident.id)).first()
    category = db.session.scalars(select(CaseCategory).order_by(CaseCategory.id)).first()
    manager_client.post("/caseview/add", data={
        "title": "邻里噪音", "category": str(category.id), "source": "walk_in", "priority": "normal",
        "grid": "1", "resident": str(resident.id), "location": "", "address": "", "description": ""})
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case.resident_id == resident.id
    row = entries(object_type="case", object_id=case.id, action="create")[0]
    assert json.loads(row.changes)["resident_id"] == [None, resident.id] and row.username == "grid1"
