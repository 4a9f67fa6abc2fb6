"""Text a user typed is shown as text, never run: a hostile name in every kind of record, then every
page that can show it, as the secretary (who sees the most) and the supervisor (masked views)."""
import re

import pytest

from app.extensions import db
from app.models import Building, Case, DiaryEntry, Facility, Grid, Household, Resident
from app.models.choices import CASE_FINAL_STAGES

pytestmark = pytest.mark.engine_independent

PAYLOAD = "<script>x()</script>\"'><img src=x onerror=y()>"
ESCAPED = "&lt;script&gt;x()&lt;/script&gt;"


def _hostile_records():
    """The payload written into one record of each kind (through the ORM, so every rule applies)."""
    resident = db.session.scalars(db.select(Resident).order_by(Resident.id)).first()
    household = db.session.get(Household, resident.household_id)
    case = db.session.scalars(db.select(Case).where(Case.stage.not_in(CASE_FINAL_STAGES)).order_by(Case.id)).first()
    facility = db.session.scalars(db.select(Facility).order_by(Facility.id)).first()
    entry = db.session.scalars(db.select(DiaryEntry).order_by(DiaryEntry.id)).first()
    building = db.session.scalars(db.select(Building).order_by(Building.id)).first()
    grid = db.session.scalars(db.select(Grid).order_by(Grid.id)).first()
    resident.name = PAYLOAD
    household.note = PAYLOAD
    case.title, case.address = PAYLOAD, PAYLOAD
    facility.name = PAYLOAD
    entry.content = PAYLOAD
    building.compound = PAYLOAD
    grid.note = PAYLOAD
    db.session.commit()
    return {"residentview": resident.id, "householdview": household.id, "caseview": case.id,
            "facilityview": facility.id, "diaryview": entry.id, "buildingview": building.id, "gridview": grid.id}


def _pages(app, records):
    """Every GET page that takes no argument, each record's page, and the searches that find them."""
    plain = sorted({rule.rule for rule in app.url_map.iter_rules()
                    if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith(("/static", "/vendor"))
                    and "logout" not in rule.rule})
    shown = [f"/{view}/show/{pk}" for view, pk in records.items()]
    searches = ["/map/search?q=script", "/residentview/list/?_flt_0_name=script", "/caseview/list/?_flt_0_title=script"]
    return plain + shown + searches


@pytest.mark.parametrize("username", ["secretary", "supervisor"])
def test_what_users_typed_is_shown_as_text_on_every_page(app, client_as, username):
    records = _hostile_records()
    client = client_as(username)
    escaped_on = []
    for url in _pages(app, records):
        response = client.get(url)
        assert response.status_code < 500, url
        if not response.mimetype.startswith("text/html"):
            # JSON carries the text as a string value, for the page's script to put in as text.
            assert response.mimetype in ("application/json", "text/csv", "application/zip",
                                         "application/octet-stream", "image/png", "image/jpeg", "text/css",
                                         "application/javascript", "text/javascript", "application/manifest+json"), (url, response.mimetype)
            continue
        html = response.get_data(as_text=True)
        assert PAYLOAD not in html, url
        assert not re.search(r"<script>x\(\)|onerror=y\(\)>", html), url
        if ESCAPED in html:
            escaped_on.append(url)
    # It was looked for where it shows: every record's own page has it, as text.
    assert {f"/{view}/show/{pk}" for view, pk in records.items()} <= set(escaped_on)
