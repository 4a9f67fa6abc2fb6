"""Every registry screen through the test client: list, show, add, edit, delete, validation."""
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Building, Grid, Household, Resident
from samples import SCREENS, count, listed_count, newest

@pytest.mark.parametrize("route", SCREENS)
def test_list_show_add_edit_delete(admin_client, route):
    model, form, field, new_value = SCREENS[route]
    listing = admin_client.get(f"/{route}/list/")
    assert listing.status_code == 200
    assert admin_client.get(f"/{route}/show/1").status_code == 200
    assert admin_client.get(f"/{route}/add").status_code == 200
    assert admin_client.get(f"/{route}/edit/1").status_code == 200

    before = count(model)
    data = form()
    response = admin_client.post(f"/{route}/add", data=data)
    assert response.status_code == 302, response.data.decode()[-3000:]
    assert count(model) == before + 1
    row = newest(model)

    data[field] = str(new_value)
    response = admin_client.post(f"/{route}/edit/{row.id}", data=data)
    assert response.status_code == 302
    assert getattr(newest(model), field) == new_value

    response = admin_client.post(f"/{route}/delete/{row.id}")
    assert response.status_code == 302
    assert count(model) == before


def test_show_of_a_missing_row_is_404(admin_client):
    assert admin_client.get("/residentview/show/999999").status_code == 404
    assert admin_client.get("/residentview/edit/999999").status_code == 404


def test_resident_saved_through_the_form_gets_birth_date_gender_and_derived_grid(admin_client):
    data = SCREENS["residentview"][1]()
    admin_client.post("/residentview/add", data=data)
    resident = newest(Resident)
    assert (str(resident.birth_date), resident.gender) == ("1990-01-01", "male")
    assert (resident.building_id, resident.grid_id) == (1, 1)


def form_errors(html: str) -> str:
    return " ".join(re.findall(r'class="help-block[^"]*">\s*([^<]+)<', html) or
                    re.findall(r"<span[^>]*>([^<]*(?:错误|不符|必填|不是|应为|无效|不属于|不一致)[^<]*)</span>", html))


@pytest.mark.parametrize("change, message", [
    ({"id_number": "370112199001010031"}, "校验位错误"),
    ({"birth_date": "1990-01-02"}, "与身份证号不符"),
    ({"gender": "female"}, "与身份证号不符"),
    ({"phone": "12345"}, "不是有效的电话号码"),
    ({"id_number": "", "gender": ""}, "没有身份证号时必填"),
    ({"building": "20"}, "不属于所选网格"),   # building 20 is in grid 2
])
def test_bad_resident_input_is_refused_with_a_message_and_nothing_saved(admin_client, change, message):
    before = count(Resident)
    data = {**SCREENS["residentview"][1](), **change}
    response = admin_client.post("/residentview/add", data=data)
    assert response.status_code == 200
    assert message in response.data.decode()
    assert count(Resident) == before


@pytest.mark.parametrize("value, message", [
    ("POINT(117.06 36.69)", "应为 POLYGON"),
    ("POLYGON((0 0, 1 1, 1 0, 0 1, 0 0))", "无效"),
    ("hello", "既不是 WKT 也不是 GeoJSON"),
])
def test_bad_geometry_is_refused_and_nothing_saved(admin_client, value, message):
    before = count(Building)
    data = {**SCREENS["buildingview"][1](), "footprint": value}
    response = admin_client.post("/buildingview/add", data=data)
    assert message in response.data.decode()
    assert count(Building) == before


def test_editing_geometry_round_trips_as_wkt(admin_client):
    html = admin_client.get("/gridview/edit/1").data.decode()
    assert re.search(r"POLYGON \(\(117\.05\d+ 36\.69\d+, ", html)


def test_a_failed_edit_changes_nothing(admin_client):
    resident = db.session.get(Resident, 1)
    name, phone = resident.name, resident.phone
    data = {**SCREENS["residentview"][1](), "household": str(resident.household_id),
            "building": str(resident.building_id), "grid": str(resident.grid_id),
            "id_number": resident.id_number, "name": "改名", "phone": "999"}
    response = admin_client.post("/residentview/edit/1", data=data)
    assert response.status_code == 200
    db.session.expire_all()
    assert (db.session.get(Resident, 1).name, db.session.get(Resident, 1).phone) == (name, phone)


def test_deleting_a_building_with_households_is_refused_and_nothing_lost(admin_client):
    before = count(Building), count(Household)
    admin_client.post("/buildingview/delete/1")
    assert (count(Building), count(Household)) == before


def test_lookup_is_searchable_paged_and_narrowed_by_parent(admin_client):
    data = admin_client.get("/lookup/building?grid=2").get_json()
    ids = [row["id"] for row in data["results"]]
    assert ids and set(db.session.scalars(select(Building.grid_id).where(Building.id.in_(ids)))) == {2}
    page1 = admin_client.get("/lookup/household?building=1").get_json()
    page2 = admin_client.get("/lookup/household?building=1&page=2").get_json()
    assert len(page1["results"]) == 20 and page1["pagination"]["more"] is True
    assert not {r["id"] for r in page1["results"]} & {r["id"] for r in page2["results"]}
    head = db.session.scalars(select(Resident).where(Resident.relation_to_head == "head")).first()
    found = admin_client.get(f"/lookup/household?q={head.name}").get_json()["results"]
    assert head.household_id in [row["id"] for row in found]
    one = admin_client.get("/lookup/grid?id=3").get_json()["results"]
    assert one == [{"id": 3, "text": str(db.session.get(Grid, 3))}]
    assert admin_client.get("/lookup/nothing").status_code == 404


def test_lookup_needs_a_login(client):
    assert client.get("/lookup/resident?q=王").status_code in (401, 302)


def test_search_forms_do_not_embed_related_tables(admin_client):
    """FAB's default renders every related row as an <option>; pickers load on demand."""
    html = admin_client.get("/residentview/list/").data.decode()
    assert html.count("<option") < 40
    assert "/lookup/household" in html


def test_list_filters_by_grid_and_building(admin_client):
    html = admin_client.get("/residentview/list/?_flt_0_grid=3&_flt_0_building=25").data.decode()
    expected = db.session.scalar(select(func.count(Resident.id)).where(Resident.building_id == 25))
    assert listed_count(html) == expected


def test_lookup_treats_wildcards_literally(admin_client):
    assert admin_client.get("/lookup/resident?q=%25").get_json()["results"] == []
    assert admin_client.get("/lookup/resident?q=_").get_json()["results"] == []
