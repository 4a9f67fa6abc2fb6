"""一幅图's data: layers per role and scope, bbox, precision, the service circle, search, editing."""
import json
import re

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Building, Facility, Resident
from app.models.choices import PARTY_STATUSES, SERVICE_KINDS


def features(client, name, **args):
    query = "&".join(f"{key}={value}" for key, value in args.items())
    response = client.get(f"/map/layer/{name}?{query}")
    assert response.status_code == 200, (name, response.status_code)
    return response.get_json()["features"]


def test_every_facility_kind_and_the_coloured_grids_are_on_the_map(secretary_client):
    grids = features(secretary_client, "grids")
    assert len(grids) == 6 and len({g["properties"]["colour"] for g in grids}) == 6
    for kind, count in db.session.execute(select(Facility.kind, func.count(Facility.id)).group_by(Facility.kind)):
        assert len(features(secretary_client, f"facility-{kind}")) == count


def test_coordinates_are_limited_to_six_decimals(secretary_client):
    text = secretary_client.get("/map/layer/facility-septic_tank").data.decode()
    decimals = [len(number.split(".")[1]) for number in re.findall(r"-?\d+\.\d+", text)]
    assert decimals and max(decimals) <= 6


def test_a_bbox_returns_only_what_it_meets(secretary_client):
    everything = features(secretary_client, "buildings")
    west = features(secretary_client, "buildings", bbox="117.0500,36.6800,117.0600,36.7000")
    assert 0 < len(west) < len(everything)
    for building in west:
        xs = [x for ring in building["geometry"]["coordinates"] for x, _y in ring]
        assert min(xs) <= 117.0600
    assert features(secretary_client, "buildings", bbox="nonsense") == everything


def test_people_layers_follow_the_roles(client_as):
    volunteer, supervisor, manager = client_as("volunteer"), client_as("supervisor"), client_as("grid1")
    for name in ("party_members", "building_heads", "care_households", "cases"):
        assert volunteer.get(f"/map/layer/{name}").status_code == 403
    assert supervisor.get("/map/layer/care_households").status_code == 403  # sensitive: absent
    assert features(supervisor, "party_members")
    heads = {f["properties"]["head"] for f in features(volunteer, "buildings")}
    assert heads == {None}, "no building head's name for a volunteer"
    mine = features(manager, "party_members")
    buildings = {f["properties"]["building"] for f in mine}
    grids = set(db.session.scalars(select(Building.grid_id).where(Building.id.in_(buildings))))
    assert grids == {1}
    expected = db.session.scalar(select(func.count(Resident.id)).where(
        Resident.grid_id == 1, Resident.political_status.in_(PARTY_STATUSES)))
    assert sum(len(f["properties"]["names"]) for f in mine) == expected
    page = volunteer.get("/map/").data.decode()
    assert "party_members" not in page and "care_households" not in page and "facility-fire_hydrant" in page


def test_the_ten_minute_circle_is_computed_in_the_database(secretary_client):
    building = db.session.get(Building, 1)
    found = secretary_client.get(f"/map/circle/{building.id}").get_json()
    centre = to_shape(building.entrance)
    import math

    def metres(point):  # haversine, another way of counting
        lat1, lat2 = math.radians(centre.y), math.radians(point.y)
        dlat, dlng = lat2 - lat1, math.radians(point.x - centre.x)
        a = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
        return 2 * 6_371_008.8 * math.asin(math.sqrt(a))

    services = db.session.scalars(select(Facility).where(Facility.kind.in_(SERVICE_KINDS))).all()
    expected = {f.id for f in services if metres(to_shape(f.location)) <= 795}
    near_edge = {f.id for f in services if 795 < metres(to_shape(f.location)) <= 805}
    listed = {f["id"] for f in found["facilities"]}
    assert expected <= listed <= expected | near_edge
    for row in found["facilities"]:
        facility = next(f for f in services if f.id == row["id"])
        assert abs(row["metres"] - metres(to_shape(facility.location))) <= max(2, row["metres"] * 0.01)
    assert [f["metres"] for f in found["facilities"]] == sorted(f["metres"] for f in found["facilities"])


def test_search_finds_buildings_facilities_and_residents_for_who_may(client_as):
    secretary, volunteer = client_as("secretary"), client_as("volunteer")
    resident = db.session.scalars(select(Resident).order_by(Resident.id)).first()
    kinds = {row["kind"] for row in secretary.get(f"/map/search?q={resident.name}").get_json()["results"]}
    assert "resident" in kinds
    assert all(row["kind"] != "resident" for row in volunteer.get(f"/map/search?q={resident.name}").get_json()["results"])
    building = secretary.get("/map/search?q=15号").get_json()["results"][0]
    assert building["kind"] == "building" and "15号楼" in building["text"]


def test_the_secretary_moves_a_facility_and_redraws_a_grid_audited_and_validated(client_as):
    secretary, manager = client_as("secretary"), client_as("grid1")
    facility = db.session.scalars(select(Facility).order_by(Facility.id)).first()
    moved = {"kind": "facility", "id": facility.id, "geometry": {"type": "Point", "coordinates": [117.0601, 36.6911]}}
    assert manager.post("/map/save", json=moved).status_code in (302, 403)
    assert secretary.post("/map/save", json=moved).get_json() == {"saved": True}
    db.session.expire_all()
    assert to_shape(db.session.get(Facility, facility.id).location).coords[0] == (117.0601, 36.6911)
    far = {**moved, "geometry": {"type": "Point", "coordinates": [121.47, 31.23]}}  # Shanghai: a slip of the hand
    response = secretary.post("/map/save", json=far)
    assert response.status_code == 400 and "社区范围之外" in response.get_json()["error"]
    db.session.expire_all()
    assert to_shape(db.session.get(Facility, facility.id).location).coords[0] == (117.0601, 36.6911)
    bad = {"kind": "grid", "id": 1, "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}}
    response = secretary.post("/map/save", json=bad)
    assert response.status_code == 400 and "无效" in response.get_json()["error"]
    square = {"kind": "grid", "id": 1, "geometry": {"type": "Polygon", "coordinates": [
        [[117.056, 36.691], [117.0597, 36.691], [117.0597, 36.694], [117.056, 36.694], [117.056, 36.691]]]}}
    assert secretary.post("/map/save", json=square).get_json() == {"saved": True}
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "grid", AuditEntry.object_id == 1)).all()
    assert audit and "boundary" in json.loads(audit[-1].changes)


@pytest.mark.parametrize("route", ["/vendor/leaflet/dist/leaflet.js", "/vendor/leaflet.heat/dist/leaflet-heat.js",
                                   "/vendor/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js"])
def test_the_libraries_are_served_from_this_host(client, route):
    assert client.get(route).status_code == 200


def test_nothing_else_of_node_modules_is_served(client):
    assert client.get("/vendor/leaflet/package.json").status_code == 404
    assert client.get("/vendor/leaflet/dist/../package.json").status_code == 404
