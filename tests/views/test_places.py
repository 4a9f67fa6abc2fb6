"""A place given as people give it: the form's point field reads "lng lat", "lat,lng", WKT and
GeoJSON (one parser, app.validation.parse_geometry); a bad one is refused in Chinese naming the
field; /lookup/grid?at= answers the point as read and the user's grid there, in scope."""
import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, Grid
from test_cases import category

GRID1 = "117.0575 36.6925"  # inside grid 1 (test_cases' report lands there)


@pytest.mark.parametrize("typed", ["117.0575 36.6925", "36.6925,117.0575", "POINT(117.0575 36.6925)",
                                   '{"type": "Point", "coordinates": [117.0575, 36.6925]}'])
def test_a_volunteer_report_takes_the_place_as_typed_and_its_grid(volunteer_client, typed):
    form = {"title": "路灯不亮", "category": str(category().id), "location": typed, "grid": ""}
    assert volunteer_client.post("/myreportsview/add", data=form).status_code == 302
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    point = to_shape(case.location)
    assert (case.title, case.grid_id, point.x, point.y) == ("路灯不亮", 1, 117.0575, 36.6925)


def test_a_bad_place_is_refused_in_chinese_naming_the_field(manager_client):
    before = db.session.scalar(select(func.count(Case.id)))
    html = manager_client.post("/caseview/add", data={
        "title": "井盖松动", "category": str(category().id), "source": "patrol", "priority": "low",
        "grid": "1", "location": "楼下"}).data.decode()
    assert db.session.scalar(select(func.count(Case.id))) == before
    assert "位置：不是可识别的位置" in html and "117.0568 36.6934" in html


def test_the_grid_at_a_place_is_the_users_grid_there(client_as):
    grid1, volunteer = client_as("grid1"), client_as("volunteer")
    answer = grid1.get("/lookup/grid", query_string={"at": "36.6925,117.0575"}).get_json()
    assert answer["point"] == [117.0575, 36.6925]
    assert [row["id"] for row in answer["results"]] == [1]
    grid2_point = to_shape(db.session.get(Grid, 2).boundary).representative_point()
    at = f"{grid2_point.x} {grid2_point.y}"
    assert grid1.get("/lookup/grid", query_string={"at": at}).get_json()["results"] == []  # not theirs
    assert [row["id"] for row in volunteer.get("/lookup/grid", query_string={"at": at}).get_json()["results"]] == [2]
    bad = grid1.get("/lookup/grid", query_string={"at": "楼下"})
    assert bad.status_code == 400 and "不是可识别的位置" in bad.get_json()["message"]


def test_the_grid_at_a_place_needs_a_sign_in(client):
    response = client.get("/lookup/grid", query_string={"at": GRID1})
    assert response.status_code in (302, 401, 403)
    assert b"results" not in response.data
