"""Malformed input is a 4xx that says what was wrong, never a 500 (issue 19), and the error pages
are the app's own: its layout, Chinese text, a way home. ``test_route_fuzz`` crawls every route;
these hold each example of the issue to its status and message."""
from __future__ import annotations

import io
import re

import pytest
from flask import abort
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Building, DiaryEntry, Resident, Voucher
from app.security import actor
from conftest import dispose, make_app
from samples import SCREENS, count

HUGE = "99999999999999999999"
DEEP_RISON = "(a:" * 200 + "1" + ")" * 200


def text(response) -> str:
    return response.get_data(as_text=True)


def home_link(html: str) -> bool:
    return re.search(r'<a class="btn btn-primary grid-error-home" href="/"', html) is not None


# -- integer parameters ---------------------------------------------------------------------------------
@pytest.mark.parametrize("param", ["page_ResidentView", "psize_ResidentView"])
@pytest.mark.parametrize("value", ["abc", HUGE, "-1"])
def test_a_page_or_page_size_that_is_not_a_whole_number_is_a_400_naming_it(secretary_client, param, value):
    response = secretary_client.get(f"/residentview/list/?{param}={value}")
    assert response.status_code == 400
    assert f"参数 {param} 必须是" in text(response) and home_link(text(response))


@pytest.mark.parametrize("value", [HUGE, "2147483648", "abc"])
def test_a_filter_on_a_related_row_by_an_impossible_id_is_a_400_naming_the_column(secretary_client, value):
    response = secretary_client.get(f"/residentview/list/?_flt_0_grid={value}")
    assert response.status_code == 400
    assert "筛选“网格”" in text(response)


def test_a_filter_on_a_number_column_must_be_a_number(secretary_client):
    assert secretary_client.get(f"/buildingview/list/?_flt_0_floors={HUGE}").status_code == 400
    assert secretary_client.get("/buildingview/list/?_flt_0_floors=6").status_code == 200
    # A long digit string is a fine value for a text column (an ID number).
    assert secretary_client.get("/residentview/list/?_flt_0_name=370112199001010030").status_code == 200


@pytest.mark.parametrize("value", ["99999999999999999999", "2147483648", "true", "1"])
def test_a_filter_on_a_true_false_column_takes_only_yes(secretary_client, value):
    """FAB reads only "y" and sends any other text to the database (PostgreSQL: a 500)."""
    response = secretary_client.get(f"/householdview/list/?_flt_0_low_income={value}")
    assert response.status_code == 400 and "低保" in response.get_data(as_text=True)
    assert secretary_client.get("/householdview/list/?_flt_0_low_income=y").status_code == 200


def test_a_filter_index_past_the_columns_comparisons_is_a_400(secretary_client):
    response = secretary_client.get("/residentview/list/?_flt_5_grid=1")
    assert response.status_code == 400 and "没有这种比较方式" in text(response)


@pytest.mark.parametrize("url", [f"/residentview/show/{HUGE}", "/residentview/show/2147483648",
                                 "/residentview/edit/abc", "/cards/building/2147483648", "/map/circle/2147483648",
                                 f"/users/show/{HUGE}", "/caseview/photo/1/2147483648"])
def test_an_id_past_the_database_range_is_not_found(secretary_client, url):
    response = secretary_client.get(url)
    assert response.status_code == 404
    assert "页面或记录不存在" in text(response) and home_link(text(response))


def test_an_api_id_past_the_range_is_the_apis_404(client, api_as):
    for url in (f"/api/v1/resident/{HUGE}", "/api/v1/case/2147483648/steps"):
        response = client.get(url, headers=api_as("secretary"))
        assert response.status_code == 404 and response.is_json and "message" in response.get_json()
    assert client.put(f"/api/v1/resident/{HUGE}", headers=api_as("secretary"), json={}).status_code == 404


def test_an_unknown_action_of_a_security_screen_is_not_found(admin_client):
    assert admin_client.post("/users/action/nosuchaction/1").status_code == 404


def test_the_lookup_and_card_pages_name_a_bad_page_number(secretary_client):
    response = secretary_client.get("/lookup/building?page=abc")
    assert response.status_code == 400 and "参数 page 必须是" in text(response)
    assert secretary_client.get(f"/lookup/building?grid={HUGE}").status_code == 400
    assert secretary_client.get(f"/lookup/building?id={HUGE}").get_json()["results"] == []
    assert secretary_client.get("/cards/?page=abc").status_code == 400
    assert secretary_client.get("/cards/?page=2").status_code == 200


# -- NUL characters -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/residentview/list/?_flt_0_name=a%00b", "/map/search?q=a%00b",
                                 "/lookup/building?q=%00", "/residentview/list/?q=%00"])
def test_a_nul_in_a_query_parameter_is_a_400_naming_it(secretary_client, url):
    response = secretary_client.get(url)
    assert response.status_code == 400
    assert "含有空字符" in text(response) and "参数" in text(response)


def test_a_form_with_a_nul_saves_nothing_and_says_which_field(secretary_client):
    before = count(Resident)
    data = {**SCREENS["residentview"][1](), "name": "王\x00五"}
    response = secretary_client.post("/residentview/add", data=data)
    assert response.status_code == 400
    assert "“名称” (name) 含有空字符" in text(response)
    assert count(Resident) == before


def test_an_api_body_with_a_nul_is_a_422_for_that_field(client, api_as):
    headers = api_as("grid1")
    before = db.session.scalar(select(func.count(DiaryEntry.id)))
    response = client.post("/api/v1/diary/", headers=headers, json={"category": "request", "grid": 1,
                                                                     "content": "下水\u0000管道"})
    assert response.status_code == 422
    assert list(response.get_json()["message"]) == ["content"]
    assert "空字符" in response.get_json()["message"]["content"][0]
    assert db.session.scalar(select(func.count(DiaryEntry.id))) == before
    case = client.post("/api/v1/case/", headers=headers, json={"title": "路灯\u0000不亮"})
    assert case.status_code == 422 and list(case.get_json()["message"]) == ["title"]


def test_a_nul_in_an_api_filter_is_a_400(client, api_as):
    response = client.get("/api/v1/resident/?q=(filters:!((col:name,opr:sw,value:'a%00b')))",
                          headers=api_as("secretary"))
    assert response.status_code == 400 and "空字符" in response.get_json()["message"]
    as_json = '{"filters": [{"col": "name", "opr": "sw", "value": "a\\u0000b"}]}'
    response = client.get("/api/v1/resident/", query_string={"q": as_json}, headers=api_as("secretary"))
    assert response.status_code == 400 and "空字符" in response.get_json()["message"]


# -- deep nesting, odd numbers, months past the calendar ---------------------------------------------------
def test_rison_nested_200_deep_is_a_400(client, api_as):
    response = client.get(f"/api/v1/resident/?q={DEEP_RISON}", headers=api_as("secretary"))
    assert response.status_code == 400 and "rison" in response.get_json()["message"]


def test_a_json_body_nested_100000_deep_is_a_400(client, api_as, client_as):
    body = "[" * 100_000 + "]" * 100_000
    for method, url in (("POST", "/api/v1/diary/"), ("PUT", "/api/v1/diary/1")):
        response = client.open(url, method=method, headers=api_as("secretary"), data=body,
                               content_type="application/json")
        assert response.status_code == 400, url
    response = client_as("secretary").post("/map/save", data=body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "99999999999999999999.99", "sNaN"])
def test_a_non_finite_or_huge_amount_is_refused_by_the_money_field(secretary_client, client, api_as, amount):
    before = count(Voucher)
    form = {"dated": "2026-01-05", "donor": "1", "amount": amount, "note": "",
            **{f"lines-{index}-{part}": "" for index in range(6) for part in ("item", "quantity")}}
    page = secretary_client.post("/aid/donate", data=form)
    assert page.status_code == 200
    assert "请填写金额（元）" in text(page) or "最多" in text(page)
    answer = client.post("/api/v1/voucher/donation", headers=api_as("secretary"),
                         json={"donor": 1, "amount": amount, "lines": []})
    assert answer.status_code == 422 and "amount" in answer.get_json()["message"]
    assert count(Voucher) == before


def test_a_whole_number_the_database_cannot_hold_is_the_fields_error(secretary_client):
    before = count(Building)
    data = {**SCREENS["buildingview"][1](), "floors": HUGE}
    response = secretary_client.post("/buildingview/add", data=data)
    assert response.status_code == 200 and "应在 -2147483648 到 2147483647 之间" in text(response)
    data = {**SCREENS["buildingview"][1](), "floors": "6", "grid": HUGE}
    assert secretary_client.post("/buildingview/add", data=data).status_code == 200
    assert count(Building) == before


def test_the_monthly_pack_of_month_9999_12_says_the_month_is_wrong(secretary_client):
    response = secretary_client.get("/export/monthly?month=9999-12", follow_redirects=True)
    assert response.status_code == 200 and "请按 YYYY-MM 填写月份" in text(response)


def test_a_date_past_the_calendar_is_a_400(secretary_client):
    response = secretary_client.get("/diary/demands?date=9999-12-31")
    assert response.status_code == 400 and "参数 date" in text(response)
    assert secretary_client.get("/diary/demands?date=2026-01-05").status_code == 200


# -- the map ------------------------------------------------------------------------------------------------
def test_a_building_without_a_footprint_is_left_off_the_layer(client_as):
    db.session.execute(update(Building).where(Building.id == 1).values(footprint=None, entrance=None))
    db.session.commit()
    for role in ("secretary", "grid1", "volunteer"):
        layer = client_as(role).get("/map/layer/buildings")
        assert layer.status_code == 200
        ids = {feature["properties"]["id"] for feature in layer.get_json()["features"]}
        assert 1 not in ids and 2 in ids
    heads = client_as("secretary").get("/map/layer/building_heads")
    assert heads.status_code == 200 and all(f["geometry"] for f in heads.get_json()["features"])


# -- the error pages ------------------------------------------------------------------------------------------
def test_the_404_page_has_the_layout_chinese_text_and_a_link_home(secretary_client, client):
    html = text(secretary_client.get("/no/such/page"))
    assert "页面或记录不存在" in html and home_link(html)
    assert 'class="navbar' in html, "the app's own layout (its menu)"
    assert "Not Found" not in html
    anonymous = client.get("/no/such/page")
    assert anonymous.status_code == 404 and home_link(text(anonymous))


def test_the_403_and_405_pages_are_the_apps_own(volunteer_client, secretary_client):
    refused = volunteer_client.get("/lookup/resident")
    assert refused.status_code == 403 and "无权访问此页面" in text(refused) and home_link(text(refused))
    wrong = secretary_client.get("/logout/")
    assert wrong.status_code == 405 and "不能这样使用" in text(wrong) and home_link(text(wrong))


def test_api_errors_keep_the_apis_json_shape(client, api_as):
    response = client.get("/api/v1/no-such-thing/", headers=api_as("secretary"))
    assert response.status_code == 404 and response.get_json() == {"message": "页面或记录不存在"}


@pytest.fixture
def failing_app(databases, demo_template):
    """The app as deployed (errors answered, not raised), with a route that fails."""
    app = make_app(databases.copy(demo_template), PROPAGATE_EXCEPTIONS=False)

    @app.route("/fails")
    def fails():
        db.session.execute(select(func.count(Resident.id)))
        raise RuntimeError("a bug")

    @app.route("/too-many")
    def too_many():
        abort(429)

    with app.app_context(), actor.system("tests"):  # as the ``app`` fixture
        yield app
    dispose(app)


def test_the_500_page_is_the_apps_own(failing_app):
    response = failing_app.test_client().get("/fails")
    assert response.status_code == 500
    html = text(response)
    assert "服务器出错了" in html and "没有保存任何内容" in html and home_link(html)
    assert "a bug" not in html


def test_the_429_page_is_the_apps_own(failing_app):
    """A limit met anywhere but the sign-in (which answers on its own page, test_hardening)."""
    html = text(failing_app.test_client().get("/too-many"))
    assert "尝试次数过多" in html and home_link(html)


def test_the_sign_in_budget_answers_on_the_sign_in_page_in_chinese(databases, demo_template):
    app = make_app(databases.copy(demo_template), RATELIMIT_ENABLED=True, AUTH_RATE_LIMIT="1 per minute")
    try:
        with app.app_context():
            client = app.test_client()
            for _ in range(2):
                response = client.post("/login/", data={"username": "secretary", "password": "guess"})
            assert response.status_code == 429 and response.headers["Retry-After"]
            assert "登录失败次数过多" in text(response) and 'name="password"' in text(response)
    finally:
        dispose(app)


# -- the review's round: the same classes, other members ------------------------------------------
def test_a_page_size_past_the_apis_is_a_400_and_the_apis_is_served(secretary_client, app):
    largest = app.config["FAB_API_MAX_PAGE_SIZE"]
    response = secretary_client.get(f"/residentview/list/?psize_ResidentView={largest + 1}")
    assert response.status_code == 400 and f"1 到 {largest}" in text(response)
    assert secretary_client.get(f"/residentview/list/?psize_ResidentView={largest}").status_code == 200


def test_a_nul_in_an_uploads_file_name_saves_nothing_and_is_a_400(manager_client):
    from app.models import CasePhoto
    from test_cases import make_case

    case = make_case("discovered")
    before = count(CasePhoto)
    response = manager_client.post(f"/caseview/photos/{case.id}", content_type="multipart/form-data",
                                   data={"photo": (io.BytesIO(b"\x89PNG"), "a\x00b.png")})
    assert response.status_code == 400 and "空字符" in text(response)
    assert count(CasePhoto) == before


def test_a_step_note_past_its_length_is_a_422_naming_the_field_and_nothing_changes(manager_client):
    """A rule only the flush knows reaches the app's one handler: 422, the field and its rule."""
    from app.models import Case, CaseEvent
    from test_cases import make_case

    case = make_case("discovered", grid_id=1)
    events = count(CaseEvent)
    response = manager_client.post(f"/caseview/step/{case.id}", data={"step": "collect", "note": "长" * 2001})
    assert response.status_code == 422 and "2000" in text(response) and home_link(text(response))
    db.session.expire_all()
    assert db.session.get(Case, case.id).stage == "discovered" and count(CaseEvent) == events


def test_a_long_diary_entry_becomes_a_case_that_opens_with_its_beginning(manager_client):
    entry = db.session.scalars(select(DiaryEntry).where(DiaryEntry.grid_id == 1, DiaryEntry.case_id.is_(None))
                               .order_by(DiaryEntry.id)).first()
    entry.content = "楼道" + "积水" * 4000
    db.session.commit()
    response = manager_client.post(f"/diaryview/action/to_case/{entry.id}")
    assert response.status_code == 302
    db.session.expire_all()
    from app.models import Case

    case = db.session.get(Case, db.session.get(DiaryEntry, entry.id).case_id)
    assert len(case.description) == 4000 and entry.content.startswith(case.description)


@pytest.mark.parametrize("url, form", [
    ("/aid/donate", {"dated": "0206-01-05"}),
    ("/cobuilding/give", {"given_on": "0206-01-05"}),
])
def test_a_date_outside_the_calendar_on_a_desk_form_is_the_fields_error(secretary_client, url, form):
    before = count(Voucher)
    response = secretary_client.post(url, data=form)
    assert response.status_code == 200 and "1900-01-01" in text(response)
    assert count(Voucher) == before


@pytest.mark.parametrize("value", ["abc", "2026-13-01", "0206-01-05"])
def test_a_date_filter_that_is_not_a_date_is_a_400_on_the_screen_and_in_the_api(secretary_client, client, api_as,
                                                                              value):
    """One rule for a filter's value, on screens and in the API: a word on a date column is named,
    not dropped without a word."""
    response = secretary_client.get(f"/residentview/list/?_flt_0_birth_date={value}")
    assert response.status_code == 400 and "筛选“出生日期”" in text(response)
    q = f"(filters:!((col:birth_date,opr:gt,value:'{value}')))"
    response = client.get(f"/api/v1/resident/?q={q}", headers=api_as("secretary"))
    assert response.status_code == 400 and "birth_date" in response.get_json()["message"]
    assert secretary_client.get("/residentview/list/?_flt_0_birth_date=1960-01-01").status_code == 200


def test_a_json_request_to_a_screen_gets_its_error_as_json(secretary_client):
    """The map's save is JSON in and out: a body that is not its shape is a JSON 400, not a page."""
    response = secretary_client.post("/map/save", data="[1]", content_type="application/json")
    assert response.status_code == 400 and response.is_json and response.get_json()["message"]
