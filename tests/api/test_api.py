"""The REST API keeps the screens' rules: token sign-in, grid scope (404 across grids for every
resource), masks, the screens' validation, the case workflow, photos, the aid ledger, audit rows,
and its documentation (OpenAPI and a Swagger UI served from this host, to signed-in users)."""
import datetime as dt
import io
import json
import re

from flask_appbuilder.api import BaseApi
from flask_appbuilder.security.api import SecurityApi
from flask_jwt_extended import create_access_token, decode_token
from PIL import Image
from sqlalchemy import func, not_, select

from app.api.base import ScopedApi
from app.extensions import db
from app.models import (Activity, AidItem, AuditEntry, Case, CaseCategory, Facility, Household, Resident, StockMove,
                        Voucher)
from app.security import scope
from app.security.privacy import HIDDEN, mask_id_number, mask_phone
from app.services import ledger
from app.timekeeping import local_today
from samples import first_household_of_building, user_id, valid_id

MISSING = 999_999_999


def scoped_apis(app):
    return [api for api in app.appbuilder.baseviews if isinstance(api, ScopedApi)]


def a_resident_with_phone():
    return db.session.scalars(select(Resident).where(Resident.phone.is_not(None), Resident.id_number.is_not(None),
                                                     Resident.grid_id == 1).order_by(Resident.id)).first()


def resident_body(**changes):
    return {"grid": 1, "building": 1, "household": first_household_of_building(1), "name": "接口居民",
            "id_number": valid_id("37011219850505002"), "phone": "13912345678", "relation_to_head": "other",
            "political_status": "masses", **changes}


def a_category():
    return db.session.scalars(select(CaseCategory.id).where(CaseCategory.community_id == 1)
                              .order_by(CaseCategory.id)).first()


def audit(**where):
    db.session.expire_all()
    query = select(AuditEntry).order_by(AuditEntry.id)
    for column, value in where.items():
        query = query.where(getattr(AuditEntry, column) == value)
    return db.session.scalars(query).all()


# -- sign-in ---------------------------------------------------------------------------------------
def test_a_token_comes_from_the_json_sign_in_expires_as_configured_and_refreshes(app, client):
    answer = client.post("/api/v1/security/login", json={"username": "grid1", "password": "demo123",
                                                         "provider": "db", "refresh": True}).get_json()
    claims = decode_token(answer["access_token"])
    assert dt.timedelta(seconds=claims["exp"] - claims["iat"]) == app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    refresh = decode_token(answer["refresh_token"])
    assert dt.timedelta(seconds=refresh["exp"] - refresh["iat"]) == app.config["JWT_REFRESH_TOKEN_EXPIRES"]
    renewed = client.post("/api/v1/security/refresh", headers={"Authorization": f"Bearer {answer['refresh_token']}"})
    assert renewed.status_code == 200
    headers = {"Authorization": f"Bearer {renewed.get_json()['access_token']}"}
    assert client.get("/api/v1/resident/", headers=headers).status_code == 200
    assert client.post("/api/v1/security/login", json={"username": "grid1", "password": "guess",
                                                       "provider": "db"}).status_code == 401


def test_an_expired_or_missing_token_and_a_session_cookie_open_no_data(app, client, manager_client):
    expired = create_access_token(identity=str(user_id("grid1")), expires_delta=dt.timedelta(seconds=-1))
    assert client.get("/api/v1/resident/", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    assert client.get("/api/v1/resident/").status_code == 401
    # A signed-in browser reads the document (for Swagger UI) but no data: tokens only, so no
    # cookie-authenticated write can be forged from another site.
    assert manager_client.get("/api/v1/resident/").status_code == 401
    assert manager_client.get("/api/v1/_openapi").status_code == 200


def test_a_deactivated_account_loses_its_token_at_once(app, client, api_as):
    headers = api_as("grid1")
    sm = app.appbuilder.sm
    user = sm.find_user(username="grid1")
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/resident/", headers=headers).status_code == 401


# -- the grid scope ----------------------------------------------------------------------------------
def outside_row(api, user):
    """A row of ``api``'s model that ``user`` may not reach through it (scope or own-rows filter)."""
    model = api.datamodel.obj
    query = select(model.id).order_by(model.id)
    condition = scope.clause(model, api.scope_level, scope.for_user(user))
    if type(api).__name__ == "ReportApi":
        condition = model.reporter_id == user.id
    return db.session.scalars(query.where(not_(condition))).first()


def test_another_grids_record_by_id_answers_404_on_every_endpoint_of_every_api(app, client, api_as,
                                                                                  second_community):
    # Rows the whole community shares (grids, facilities, activities) are another community's.
    db.session.add_all([Facility(grid_id=second_community["grid"], kind="shop", name="外社区商店"),
                        Activity(community_id=second_community["community"], kind="patrol", title="外社区巡逻",
                                 held_on=local_today(), hours=2)])
    db.session.commit()
    grid1 = app.appbuilder.sm.find_user(username="grid1")
    headers, checked = api_as("grid1"), []
    for api in scoped_apis(app):
        other = outside_row(api, grid1)
        assert other is not None, f"no row outside grid1's reach for {api.route_base}"
        for rule in app.url_map.iter_rules():
            if not rule.rule.startswith(api.route_base + "/<") or rule.endpoint.split(".")[0] != type(api).__name__:
                continue
            url = re.sub(r"<(?:int:)?pk>", str(other), rule.rule).replace("<int:photo_id>", "1")
            method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
            response = client.open(url, method=method, headers=headers, json={"name": "改"} if method == "PUT" else None)
            assert response.status_code in (403, 404), f"{method} {url} answered {response.status_code}"
            if response.status_code == 403:
                assert response.get_json()["message"] == "Forbidden", f"{method} {url}: refused by scope, not 404"
            checked.append((type(api).__name__, response.status_code))
    assert {name for name, status in checked if status == 404} == {type(api).__name__ for api in scoped_apis(app)}
    db.session.expire_all()
    assert db.session.get(Resident, second_community["resident"]).name == "外社区居民"


def test_a_grid_manager_lists_only_their_grid_and_filters_cannot_reach_another(client, api_as):
    headers = api_as("grid1")
    listed = client.get("/api/v1/resident/?q=(page_size:100)", headers=headers).get_json()
    assert listed["count"] == db.session.scalar(select(func.count(Resident.id)).where(Resident.grid_id == 1))
    assert {row["grid"]["id"] for row in listed["result"]} == {1}
    other = client.get("/api/v1/resident/?q=(filters:!((col:grid,opr:rel_o_m,value:2)))", headers=headers).get_json()
    assert other["count"] == 0


def test_a_body_naming_another_grids_rows_is_refused_and_saves_nothing(client, api_as):
    headers = api_as("grid1")
    before = db.session.scalar(select(func.count(Resident.id)))
    other_household = db.session.scalars(select(Household.id).where(Household.grid_id == 2)).first()
    answer = client.post("/api/v1/resident/", headers=headers, json=resident_body(household=other_household))
    assert answer.status_code == 422
    assert answer.get_json()["message"]["household"] == ["记录不存在或无权选择"]
    assert db.session.scalar(select(func.count(Resident.id))) == before


# -- the screens' rules ----------------------------------------------------------------------------
def test_validation_messages_are_the_screens_own(client, api_as):
    headers = api_as("grid1")
    good = valid_id("37011219850505002")
    wrong = good[:-1] + ("1" if good[-1] == "0" else "0")
    bad = client.post("/api/v1/resident/", headers=headers, json=resident_body(id_number=wrong, phone="12345"))
    assert bad.status_code == 422
    message = bad.get_json()["message"]
    assert message["id_number"] == ["校验位错误"] and message["phone"] == ["不是有效的电话号码"]
    typed = client.post("/api/v1/resident/", headers=headers, json=resident_body(grid="1", colour="red"))
    assert typed.status_code == 422
    assert typed.get_json()["message"] == {"grid": ["应为整数。"], "colour": ["不是本表单的字段。"]}
    assert client.post("/api/v1/resident/", headers=headers, data="name=x").status_code == 400


def test_a_resident_made_changed_and_deleted_through_the_api_is_audited(client, api_as):
    headers = api_as("grid1")
    made = client.post("/api/v1/resident/", headers=headers, json=resident_body())
    assert made.status_code == 201, made.get_json()
    pk = made.get_json()["id"]
    assert made.get_json()["result"]["birth_date"] == "1985-05-05", "filled from the ID number, as on the screen"
    assert client.put(f"/api/v1/resident/{pk}", headers=headers, json={"phone": "13700001111"}).status_code == 200
    assert db.session.get(Resident, pk).name == "接口居民", "a PUT changes only what it names"
    assert client.delete(f"/api/v1/resident/{pk}", headers=headers).status_code == 200
    rows = audit(object_type="resident", object_id=pk)
    assert [row.action for row in rows] == ["create", "update", "delete"]
    assert {row.username for row in rows} == {"grid1"} and rows[0].client_address == "127.0.0.1"
    assert json.loads(rows[1].changes)["phone"] == ["139****5678", "137****1111"]


def test_the_supervisor_reads_everything_masked_and_writes_nothing(client, api_as):
    headers = api_as("supervisor")
    resident = a_resident_with_phone()
    shown = client.get(f"/api/v1/resident/{resident.id}", headers=headers).get_json()["result"]
    assert shown["id_number"] == mask_id_number(resident.id_number) and shown["phone"] == mask_phone(resident.phone)
    listed = client.get(f"/api/v1/resident/?q=(filters:!((col:name,opr:eq,value:'{resident.name}')))",
                        headers=headers).get_json()
    assert resident.id_number not in json.dumps(listed) and resident.phone not in json.dumps(listed)
    care = db.session.scalars(select(Household).where(Household.low_income.is_(True))).first()
    household = client.get(f"/api/v1/household/{care.id}?q=(columns:!(unit,low_income,care_labels))",
                           headers=headers).get_json()
    assert not set(household["result"]) & set(HIDDEN)
    page = client.get("/api/v1/household/", headers=headers).get_json()
    assert not set(page["list_columns"]) & set(HIDDEN) and not set(page["label_columns"]) & set(HIDDEN)
    assert "phone" not in page["order_columns"]
    # No filter or order on a masked or hidden column: not an oracle.
    for q in (f"(filters:!((col:id_number,opr:sw,value:'{resident.id_number[:6]}')))", "(order_column:phone)",
              "(filters:!((col:low_income,opr:eq,value:!t)))"):
        assert client.get(f"/api/v1/resident/?q={q}", headers=headers).status_code == 400
    assert client.post("/api/v1/resident/", headers=headers, json=resident_body()).status_code == 403
    assert client.put(f"/api/v1/resident/{resident.id}", headers=headers, json={"name": "x"}).status_code == 403
    assert client.delete(f"/api/v1/resident/{resident.id}", headers=headers).status_code == 403


def test_the_secretary_sees_and_filters_sensitive_fields_whole(client, api_as):
    headers = api_as("secretary")
    resident = a_resident_with_phone()
    found = client.get(f"/api/v1/resident/?q=(filters:!((col:id_number,opr:eq,value:'{resident.id_number}')))",
                       headers=headers).get_json()
    assert found["count"] == 1 and found["result"][0]["id_number"] == resident.id_number
    low_income = client.get("/api/v1/household/?q=(filters:!((col:low_income,opr:eq,value:!t)))",
                            headers=headers).get_json()
    assert low_income["count"] == db.session.scalar(select(func.count(Household.id)).where(Household.low_income))
    assert all(row["care_labels"] for row in low_income["result"])


def test_a_malformed_list_request_is_a_400_not_a_server_error(client, api_as):
    headers = api_as("secretary")
    for q in ("(filters:!((col:name,opr:sw,value:5)))", "(filters:!((col:birth_date,opr:gt,value:'not a date')))",
              "(filters:!((col:grid,opr:rel_o_m,value:'x')))", "(filters:!((col:nothing,opr:eq,value:1)))",
              "(filters:!((col:name,opr:in,value:'x')))", "(filters:!((col:name,opr:sw)))", "(page:-1)",
              "(order_column:nothing)", "not rison", "3.5e%2B122", "!(1,2)"):
        assert client.get(f"/api/v1/resident/?q={q}", headers=headers).status_code == 400, q


def test_lists_filter_order_and_page_with_fabs_arguments(client, api_as):
    headers = api_as("secretary")
    page = client.get("/api/v1/resident/?q=(order_column:name,order_direction:desc,page:1,page_size:5,"
                      "filters:!((col:political_status,opr:eq,value:party_member)))", headers=headers).get_json()
    names = [row["name"] for row in page["result"]]
    assert len(names) == 5 and names == sorted(names, reverse=True)
    assert {row["political_status"] for row in page["result"]} == {"party_member"}
    assert page["count"] == db.session.scalar(select(func.count(Resident.id))
                                              .where(Resident.political_status == "party_member"))
    for content in ("五号楼下水管道又堵了", "楼下水果摊占道"):
        assert client.post("/api/v1/diary/", headers=headers, json={
            "category": "request", "grid": 1, "content": content}).status_code == 201
    words = client.get("/api/v1/diary/?q=(filters:!((col:search_words,opr:words,value:'下水管道')))",
                       headers=headers).get_json()
    assert words["count"] >= 1 and all("下水管道" in row["content"] for row in words["result"])
    assert "楼下水果摊占道" not in json.dumps(words, ensure_ascii=False), "whole words: 下水 is not 楼下水果"


# -- cases ---------------------------------------------------------------------------------------------
def test_a_case_goes_through_the_workflow_over_the_api(client, api_as):
    manager, secretary = api_as("grid1"), api_as("secretary")
    made = client.post("/api/v1/case/", headers=manager, json={
        "title": "路灯不亮", "category": a_category(), "source": "patrol", "priority": "normal",
        "location": {"type": "Point", "coordinates": [117.058, 36.692]}})
    assert made.status_code == 201, made.get_json()
    case = made.get_json()["result"]
    assert case["stage"] == "discovered" and case["grid"]["id"] == 1, "the grid follows from the location"
    pk = made.get_json()["id"]
    steps = client.get(f"/api/v1/case/{pk}/steps", headers=manager).get_json()["result"]
    assert [step["name"] for step in steps] == ["collect"]
    for name in ("collect", "register", "handle"):
        assert client.post(f"/api/v1/case/{pk}/{name}", headers=manager).status_code == 200
    again = client.post(f"/api/v1/case/{pk}/register", headers=manager)
    assert again.status_code == 422 and "问题处理" in again.get_json()["message"]
    assert client.post(f"/api/v1/case/{pk}/feedback", headers=manager, json={"resolution": "已修复"}).status_code == 422
    done = client.post(f"/api/v1/case/{pk}/feedback", headers=manager, json={"resolution": "已修复", "satisfaction": 5})
    assert done.get_json()["result"]["stage"] == "feedback"
    assert client.post(f"/api/v1/case/{pk}/close", headers=manager).status_code == 403, "closing is the secretary's"
    assert client.post(f"/api/v1/case/{pk}/close", headers=secretary).status_code == 200
    assert client.post(f"/api/v1/case/{pk}/reopen", headers=secretary, json={"note": ""}).status_code == 422
    reopened = client.post(f"/api/v1/case/{pk}/reopen", headers=secretary, json={"note": "居民反映又坏了"})
    timeline = reopened.get_json()["result"]["events"]
    assert [(event["action"], event["to_stage"], event["username"]) for event in timeline] == [
        ("report", "discovered", "grid1"), ("collect", "collected", "grid1"), ("register", "registered", "grid1"),
        ("handle", "in_progress", "grid1"), ("feedback", "feedback", "grid1"), ("close", "closed", "secretary"),
        ("reopen", "in_progress", "secretary")]
    assert timeline[-1]["note"] == "居民反映又坏了" and timeline[0]["at"].endswith("+00:00")
    assert len(audit(object_type="case", object_id=pk)) >= 7
    assert client.delete(f"/api/v1/case/{pk}", headers=secretary).status_code == 422, "only a fresh report"


def jpeg_with_gps():
    image = Image.new("RGB", (40, 30), (30, 200, 30))
    exif = Image.Exif()
    exif[0x8825] = {2: (36.0, 41.0, 24.0), 4: (117.0, 3.0, 36.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_photos_upload_cleaned_and_download_in_scope(client, api_as):
    manager = api_as("grid1")
    case = db.session.scalars(select(Case).where(Case.grid_id == 1, Case.stage.not_in(("closed", "rejected")))
                              .order_by(Case.id)).first()  # a closed case is read-only
    sent = client.post(f"/api/v1/case/{case.id}/photos", headers=manager, content_type="multipart/form-data",
                       data={"photo": [(io.BytesIO(jpeg_with_gps()), "现场.jpg")]})
    assert sent.status_code == 201, sent.get_json()
    photo = sent.get_json()["result"]["photos"][-1]
    assert (photo["original_name"], photo["content_type"]) == ("现场.jpg", "image/jpeg")
    served = client.get(f"/api/v1/case/{case.id}/photos/{photo['id']}", headers=manager)
    assert served.status_code == 200 and not Image.open(io.BytesIO(served.data)).getexif()
    assert client.get(f"/api/v1/case/{case.id}/photos/{photo['id']}", headers=api_as("grid2")).status_code == 404
    bad = client.post(f"/api/v1/case/{case.id}/photos", headers=manager, content_type="multipart/form-data",
                      data={"photo": [(io.BytesIO(b"MZ not an image"), "evil.jpg")]})
    assert bad.status_code == 422 and "不是 JPEG" in bad.get_json()["message"]
    assert client.post(f"/api/v1/case/{case.id}/photos", headers=manager).status_code == 400
    assert client.post(f"/api/v1/case/{case.id}/photos", headers=api_as("supervisor"), content_type="multipart/form-data",
                       data={"photo": [(io.BytesIO(jpeg_with_gps()), "a.jpg")]}).status_code == 403


def test_a_volunteer_reports_from_the_street_with_a_photo_and_follows_only_their_reports(client, api_as):
    volunteer = api_as("volunteer")
    made = client.post("/api/v1/report/", headers=volunteer, json={
        "title": "井盖缺失", "category": a_category(), "description": "五号楼前",
        "location": "POINT(117.058 36.692)"})
    assert made.status_code == 201, made.get_json()
    pk = made.get_json()["id"]
    case = db.session.get(Case, pk)
    assert (case.source, case.stage, case.reporter_id) == ("patrol", "discovered", user_id("volunteer"))
    sent = client.post(f"/api/v1/report/{pk}/photos", headers=volunteer, content_type="multipart/form-data",
                       data={"photo": [(io.BytesIO(jpeg_with_gps()), "井盖.jpg")]})
    assert sent.status_code == 201
    mine = client.get("/api/v1/report/", headers=volunteer).get_json()
    assert pk in mine["ids"] and all(db.session.get(Case, i).reporter_id == user_id("volunteer") for i in mine["ids"])
    assert client.get("/api/v1/case/", headers=volunteer).status_code == 403
    assert client.get("/api/v1/resident/", headers=volunteer).status_code == 403


# -- diary, activities --------------------------------------------------------------------------------
def test_a_diary_entry_becomes_one_case(client, api_as):
    headers = api_as("grid1")
    made = client.post("/api/v1/diary/", headers=headers, json={
        "category": "request", "grid": 1, "content": "居民反映五号楼下水管道堵塞", "households": [1]})
    assert made.status_code == 201, made.get_json()
    entry = made.get_json()["result"]
    assert entry["entry_on"] == local_today().isoformat(), "the form's default date"
    assert entry["author"]["id"] == user_id("grid1") and [h["id"] for h in entry["households"]] == [1]
    first = client.post(f"/api/v1/diary/{made.get_json()['id']}/to_case", headers=headers)
    second = client.post(f"/api/v1/diary/{made.get_json()['id']}/to_case", headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()["id"] == second.get_json()["id"] and db.session.get(Case, first.get_json()["id"]).source == "diary"


def test_a_volunteer_logs_their_own_attendance_once(client, api_as):
    headers = api_as("volunteer")
    activity = db.session.scalars(select(Activity).order_by(Activity.id)).first()
    first = client.post(f"/api/v1/activity/{activity.id}/attend", headers=headers)
    second = client.post(f"/api/v1/activity/{activity.id}/attend", headers=headers)
    assert first.status_code in (200, 201) and second.status_code == 200 and second.get_json()["created"] is False
    not_linked = client.post(f"/api/v1/activity/{activity.id}/attend", headers=api_as("secretary"))
    assert not_linked.status_code == 422 and "志愿者" in not_linked.get_json()["message"]


# -- the aid ledger -----------------------------------------------------------------------------------
def coat():
    return db.session.scalars(select(AidItem).where(AidItem.name == "棉衣")).one()


def household_of(grid_id):
    return db.session.scalars(select(Household.id).where(Household.grid_id == grid_id).order_by(Household.id)).first()


def test_aid_is_given_through_the_ledger(client, api_as):
    secretary, manager = api_as("secretary"), api_as("grid1")
    before = ledger.stock_of([coat().id])[coat().id]
    given = client.post("/api/v1/voucher/distribution", headers=secretary, json={
        "household": household_of(1), "lines": [{"item": coat().id, "quantity": 1}], "note": "冬日暖民"})
    assert given.status_code == 201, given.get_json()
    voucher = given.get_json()["result"]
    assert voucher["status"] == "posted" and voucher["number"].startswith("FF-")
    assert ledger.stock_of([coat().id])[coat().id] == before - 1
    moves = client.get(f"/api/v1/stockmove/?q=(filters:!((col:item,opr:rel_o_m,value:{coat().id})))",
                       headers=secretary).get_json()
    assert moves["result"][0]["quantity"] == -1 and moves["result"][0]["voucher"]["id"] == given.get_json()["id"]

    # A grid manager proposes; the secretary posts; nobody takes more than is left.
    proposed = client.post("/api/v1/voucher/distribution", headers=manager, json={
        "household": household_of(1), "lines": [{"item": coat().id, "quantity": 1}]})
    assert proposed.get_json()["result"]["status"] == "proposed"
    assert ledger.stock_of([coat().id])[coat().id] == before - 1
    assert client.post(f"/api/v1/voucher/{proposed.get_json()['id']}/post", headers=manager).status_code == 403
    posted = client.post(f"/api/v1/voucher/{proposed.get_json()['id']}/post", headers=secretary)
    assert posted.get_json()["result"]["status"] == "posted"
    too_many = client.post("/api/v1/voucher/distribution", headers=secretary, json={
        "household": household_of(1), "lines": [{"item": coat().id, "quantity": 10_000}]})
    assert too_many.status_code == 422 and "剩" in too_many.get_json()["message"]
    outside = client.post("/api/v1/voucher/distribution", headers=manager, json={
        "household": household_of(2), "lines": [{"item": coat().id, "quantity": 1}]})
    assert outside.status_code == 422 and "household" in outside.get_json()["message"]
    assert client.post("/api/v1/voucher/donation", headers=manager, json={}).status_code == 403
    assert client.post("/api/v1/voucher/distribution", headers=api_as("supervisor"), json={}).status_code == 403
    assert {row.action for row in audit(object_type="aid_voucher", object_id=proposed.get_json()["id"])} == {
        "create", "update"}


def test_a_grid_manager_reads_only_their_grids_aid(client, api_as):
    moves = client.get("/api/v1/stockmove/?q=(page_size:100)", headers=api_as("grid1")).get_json()
    grids = set(db.session.scalars(select(StockMove.grid_id).where(StockMove.id.in_(moves["ids"]))))
    assert grids <= {1} and moves["count"] == db.session.scalar(
        select(func.count(StockMove.id)).where(StockMove.grid_id == 1))
    assert db.session.scalar(select(func.count(Voucher.id)).where(Voucher.grid_id != 1)) > 0


# -- the document and its UI ----------------------------------------------------------------------------
def test_the_openapi_document_lists_every_api_route(app, client, api_as):
    document = client.get("/api/v1/_openapi", headers=api_as("volunteer")).get_json()
    assert document["openapi"].startswith("3.") and "/api/v1/security/login" in document["paths"]
    for rule in app.url_map.iter_rules():
        api = app.view_functions[rule.endpoint]
        if rule.rule.startswith("/api/v1/") and not rule.rule.startswith("/api/v1/_openapi"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert method.lower() in document["paths"].get(path, {}), f"{method} {path} ({api}) undocumented"
    resident = document["components"]["schemas"]["ResidentApi.post"]
    assert resident["properties"]["political_status"]["enum"][:2] == ["party_member", "probationary"]
    assert "id_number" in resident["properties"] and "additionalProperties" in resident
    assert client.get("/api/v1/_openapi").status_code == 401


def test_swagger_ui_is_served_from_here_to_signed_in_users_only(client, client_as):
    assert "/login/" in client.get("/apidocs/").headers.get("Location", "")
    for username in ("secretary", "grid1", "supervisor", "volunteer"):
        page = client_as(username).get("/apidocs/")
        assert page.status_code == 200, username
    response = client_as("volunteer").get("/apidocs/")
    html = response.data.decode()
    nonce = re.search(r"'nonce-([\w-]+)'", response.headers["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert '/vendor/swagger-ui-dist/swagger-ui-bundle.js"' in html and "/static/js/apidocs.js" in html
    assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html), "no inline code"
    assert "http" not in "".join(re.findall(r'(?:src|href)="([^"]+)"', html))
    assert client.get("/vendor/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200


def test_every_api_is_scoped_and_declares_its_row_of_the_role_table(app):
    from app.security import roles
    ours = [api for api in app.appbuilder.baseviews if isinstance(api, BaseApi)
            and type(api).__module__.startswith("app.")]
    assert len(scoped_apis(app)) >= 13
    for api in ours:
        assert isinstance(api, (ScopedApi, SecurityApi)) or getattr(api, "for_every_role", False), type(api).__name__
    for api in scoped_apis(app):
        assert api.data_kind in roles.TABLE and api.data_kind == api.screen.data_kind
        assert api.base_filters[0][1] is scope.ScopeFilter and not api.allow_browser_login


def test_rison_arguments_are_checked_as_fab_checks_them():
    """app/api/rison.py keeps each schema's validator: the same verdicts and messages as
    ``jsonschema.validate``, on FAB's own list schema."""
    import jsonschema
    import pytest
    from flask_appbuilder.api.schemas import get_list_schema

    from app.api.rison import validate

    for instance in ({"page": "x"}, {"page_size": -1.5}, {"filters": [{"col": 1}]}, {"order_direction": "up"},
                     [1, 2], {"columns": "name"}):
        with pytest.raises(jsonschema.ValidationError) as fab:
            jsonschema.validate(instance=instance, schema=get_list_schema)
        for _ in range(2):  # the validator made, then kept
            with pytest.raises(jsonschema.ValidationError) as ours:
                validate(instance, get_list_schema)
            assert ours.value.message == fab.value.message
    validate({"page": 1, "page_size": 25, "filters": [{"col": "grid", "opr": "rel_o_m", "value": 3}]}, get_list_schema)
