"""The field app's server side (issue 21): a resend is not a second record, a patrol's points are
its track (seen by the secretary, not by another grid's manager), a report on a patrol belongs to
it, and a field-app session ends with the working day."""
import io
import time
import uuid

from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, FieldReceipt, Household, Patrol, PatrolPoint, Visit
from app.security import sessions

IN_GRID_1 = ("117.0568", "36.6934")


def jpeg(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, "JPEG")
    return out.getvalue()


def report(client, key, **extra):
    data = {"client_id": key, "category": "1", "text": "井盖松动", "lng": IN_GRID_1[0], "lat": IN_GRID_1[1],
            "photo": (io.BytesIO(jpeg()), "a.jpg"), **extra}
    return client.post("/field/report", data=data, content_type="multipart/form-data")


def count(model, *where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_resent_report_is_the_first_case_not_a_second(client_as):
    client, key = client_as("volunteer"), str(uuid.uuid4())
    cases = count(Case)
    first = report(client, key)
    assert first.status_code == 201 and first.get_json()["grid"].startswith("SYN-01")
    again = report(client, key)  # the first answer was lost on the way
    assert again.status_code == 200 and again.get_json()["number"] == first.get_json()["number"]
    assert count(Case) == cases + 1
    case = db.session.scalars(select(Case).where(Case.number == first.get_json()["number"])).one()
    assert case.source == "patrol" and len(case.photos) == 1 and case.grid.code == "SYN-01"


def test_a_resent_visit_is_one_visit_and_a_refusal_says_why(client_as):
    client, key = client_as("grid1"), str(uuid.uuid4())
    household = db.session.scalars(select(Household.id).where(Household.grid_id == 1)).first()
    visits = count(Visit)
    body = {"client_id": key, "household": str(household), "purpose": "opinion", "notes": "听取意见"}
    assert client.post("/field/visit", data=body).status_code == 201
    assert client.post("/field/visit", data=body).status_code == 200
    assert count(Visit) == visits + 1
    other = db.session.scalars(select(Household.id).where(Household.grid_id == 2)).first()
    refused = client.post("/field/visit", data={**body, "client_id": str(uuid.uuid4()), "household": str(other)})
    assert refused.status_code == 422 and refused.get_json()["error"]
    assert count(Visit) == visits + 1


def test_a_patrol_of_ten_positions_is_one_track_for_the_secretary_not_another_grids_manager(client_as):
    walker, patrol = client_as("grid1"), str(uuid.uuid4())
    now = int(time.time() * 1000)
    assert walker.post("/field/patrol/start", data={"client_id": patrol, "at": now - 400_000}).status_code == 201
    for n in range(10):
        point = {"patrol": patrol, "client_id": str(uuid.uuid4()), "at": now - 300_000 + n * 30_000,
                 "lng": f"{117.0560 + n * 0.0001:.4f}", "lat": IN_GRID_1[1], "accuracy": "8"}
        assert walker.post("/field/patrol/point", data=point).status_code == 201
        if n == 0:  # the same position sent twice
            assert walker.post("/field/patrol/point", data=point).status_code == 200
    assert report(walker, str(uuid.uuid4()), patrol=patrol).status_code == 201
    assert walker.post("/field/patrol/end", data={"patrol": patrol, "at": now}).get_json()["points"] == 10

    row = db.session.scalars(select(Patrol).where(Patrol.client_id == patrol)).one()
    assert count(Patrol, Patrol.client_id == patrol) == 1
    assert count(PatrolPoint, PatrolPoint.patrol_id == row.id) == 10
    assert row.grid.code == "SYN-01" and row.report_count == 1 and row.ended_at is not None

    secretary = client_as("secretary")
    assert secretary.get(f"/patrolview/show/{row.id}").status_code == 200
    days = secretary.get("/patrolview/days/").data.decode()
    assert "grid1" in days and '<td class="point-count">10</td>' in days
    tracks = secretary.get("/map/layer/patrols").get_json()["features"]
    mine = [f for f in tracks if f["properties"]["id"] == row.id]
    assert len(mine) == 1 and mine[0]["geometry"]["type"] == "LineString"
    assert len(mine[0]["geometry"]["coordinates"]) == 10

    other = client_as("grid2")
    assert other.get(f"/patrolview/show/{row.id}").status_code == 404
    assert "grid1" not in other.get("/patrolview/list/").data.decode()
    assert all(f["properties"]["id"] != row.id for f in other.get("/map/layer/patrols").get_json()["features"])
    assert "grid1" not in other.get("/patrolview/days/").data.decode()


def test_someone_elses_patrol_or_id_is_refused(client_as):
    patrol = str(uuid.uuid4())
    client_as("grid1").post("/field/patrol/start", data={"client_id": patrol})
    stranger = client_as("volunteer")
    point = {"patrol": patrol, "client_id": str(uuid.uuid4()), "lng": IN_GRID_1[0], "lat": IN_GRID_1[1]}
    assert stranger.post("/field/patrol/point", data=point).status_code == 422
    assert stranger.post("/field/patrol/start", data={"client_id": patrol}).status_code == 422
    assert report(stranger, "not-a-uuid").status_code == 422


def test_a_field_app_session_ends_after_a_working_day(app, client_as):
    client = client_as("volunteer")
    assert client.get("/field/today").status_code == 200
    with client.session_transaction() as cookie:
        cookie[sessions.SIGNED_IN_KEY] -= app.config["GRID_FIELD_SESSION_HOURS"] * 3600 + 1
    answer = client.get("/field/today")
    assert answer.status_code == 401 and answer.get_json()["signed_out"]
    assert "/login/" in client.get("/field/").headers["Location"]
    assert client.get("/dashboard/").status_code == 302  # signed out everywhere, not only on the phone


def test_the_installable_parts_are_served_by_the_app(client):
    manifest = client.get("/field/manifest.webmanifest").get_json(force=True)
    assert manifest["scope"] == "/field/" and manifest["start_url"] == "/field/"
    for icon in manifest["icons"]:
        image = Image.open(io.BytesIO(client.get(icon["src"]).data))
        assert image.format == "PNG" and f"{image.width}x{image.height}" == icon["sizes"]
    worker = client.get("/field/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert client.get("/field/icon-7.png").status_code == 404
    assert client.get("/field/").status_code == 302  # the app itself needs a sign-in


def test_receipts_are_kept_with_the_client_id(client_as):
    key = str(uuid.uuid4())
    report(client_as("volunteer"), key)
    assert count(FieldReceipt, FieldReceipt.client_id == key) == 1
