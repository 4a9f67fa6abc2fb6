"""监督: supervisors per grid, contact households and the supervisors' weekly visits (recorded by staff;
the Supervisor role stays read-only), coverage per grid counted in SQL, the monthly supervision day
and its opinions made cases once; grid scope."""
import re

from sqlalchemy import exists, func, select

from app.extensions import db
from app.models import (AuditEntry, Case, ContactHousehold, GridSupervisor, Household, SupervisionDay,
                        SupervisionOpinion, Visit)
from app.services import outreach
from app.timekeeping import local_today
from samples import count, listed_count, newest
from test_rbac import denied

TODAY = local_today()


def supervisor_of(grid_id, kind="street"):
    return db.session.scalars(select(GridSupervisor).where(GridSupervisor.grid_id == grid_id,
                                                           GridSupervisor.kind == kind)).first()


def plain_household(grid_id):
    """A household of the grid that is not a contact point."""
    return db.session.scalars(select(Household).where(
        Household.grid_id == grid_id, ~exists().where(ContactHousehold.household_id == Household.id))
        .order_by(Household.id)).first()


def contact_of(grid_id):
    return db.session.scalars(select(ContactHousehold).where(ContactHousehold.grid_id == grid_id)
                              .order_by(ContactHousehold.id)).first()


def coverage_row(html, grid_id):
    row = re.search(rf'<tr data-grid="{grid_id}">(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_a_grid_manager_makes_a_household_of_their_grid_a_contact_point(manager_client):
    household, keeper = plain_household(1), supervisor_of(1)
    response = manager_client.post("/contacthouseholdview/add", data={
        "household": str(household.id), "supervisor": str(keeper.id), "since": TODAY.isoformat(), "note": "联系点"})
    assert response.status_code == 302
    contact = newest(ContactHousehold)
    assert (contact.household_id, contact.grid_id, contact.supervisor_id) == (household.id, 1, keeper.id)
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "contact_household",
                                                        AuditEntry.object_id == contact.id)).one()
    assert audit.username == "grid1"


def test_contact_points_are_refused_with_a_reason(secretary_client, manager_client):
    before = count(ContactHousehold)
    # Another grid's supervisor for this grid's household.
    html = secretary_client.post("/contacthouseholdview/add", data={
        "household": str(plain_household(1).id), "supervisor": str(supervisor_of(2).id), "since": ""}).data.decode()
    assert "不是该住户所在网格的监督员" in html
    # A household that already is one.
    html = secretary_client.post("/contacthouseholdview/add", data={
        "household": str(contact_of(1).household_id), "supervisor": str(supervisor_of(1).id), "since": ""}).data.decode()
    assert "已是社情民意联系点" in html
    # Another grid's household is not the grid manager's to choose.
    html = manager_client.post("/contacthouseholdview/add", data={
        "household": str(plain_household(2).id), "supervisor": str(supervisor_of(1).id), "since": ""}).data.decode()
    assert "记录不存在或无权选择" in html
    assert count(ContactHousehold) == before


def test_staff_record_a_supervision_visit_on_the_supervisors_behalf(manager_client):
    contact = contact_of(1)
    response = manager_client.post("/supervisionvisitview/add", data={
        "visited_on": TODAY.isoformat(), "household": str(contact.household_id), "supervisor": "",
        "notes": "居民反映网格员服务及时。", "follow_up": ""})
    assert response.status_code == 302
    visit = newest(Visit)
    assert (visit.purpose, visit.supervisor_id, visit.recorded_by, visit.grid_id) == (
        "supervision", contact.supervisor_id, "grid1", 1), "the keeper, recorded by the grid manager"
    assert visit.visitors == contact.supervisor.name
    # It is a home visit too: the household's visits (and reach) count it.
    html = manager_client.get(f"/visitview/list/?_flt_0_household={contact.household_id}").data.decode()
    assert f"/visitview/show/{visit.id}\"" in html and contact.supervisor.name in html


def test_only_contact_households_get_supervision_visits(manager_client):
    before = count(Visit)
    html = manager_client.post("/supervisionvisitview/add", data={
        "visited_on": TODAY.isoformat(), "household": str(plain_household(1).id), "supervisor": "",
        "notes": "走访", "follow_up": ""}).data.decode()
    assert count(Visit) == before and "不是社情民意联系点" in html


def test_the_supervisor_reads_supervision_and_writes_nothing(supervisor_client):
    for route in ("gridsupervisorview", "contacthouseholdview", "supervisionvisitview", "supervisiondayview",
                  "supervisionopinionview"):
        assert supervisor_client.get(f"/{route}/list/").status_code == 200
    contact = contact_of(1)
    before = count(Visit)
    assert denied(supervisor_client.post("/supervisionvisitview/add", data={
        "visited_on": TODAY.isoformat(), "household": str(contact.household_id), "notes": "我来过"}))
    assert denied(supervisor_client.post(f"/contacthouseholdview/delete/{contact.id}"))
    assert count(Visit) == before and db.session.get(ContactHousehold, contact.id) is not None
    # Their phones are masked for the supervisor.
    html = supervisor_client.get("/gridsupervisorview/list/").data.decode()
    assert re.search(r"1\d\d\*\*\*\*\d{4}", html) and not re.search(r">\s*1\d{10}\s*<", html)


def test_coverage_per_grid_is_this_weeks_and_this_months_visited_contacts(manager_client):
    def expected(start, end):
        return db.session.scalar(select(func.count(func.distinct(ContactHousehold.id))).join(
            Visit, Visit.household_id == ContactHousehold.household_id).where(
            ContactHousehold.grid_id == 1, Visit.purpose == "supervision", Visit.visited_on.between(start, end)))

    html = manager_client.get("/contacthouseholdview/list/").data.decode()
    contacts = db.session.scalar(select(func.count(ContactHousehold.id)).where(ContactHousehold.grid_id == 1))
    week, month = expected(*outreach.week_of(TODAY)), expected(*outreach.month_of(TODAY))
    cells = coverage_row(html, 1)
    assert cells[2] == str(contacts)
    assert cells[3].startswith(f"{week} (") and cells[4].startswith(f"{month} (")
    assert f"({(week * 1000 + contacts // 2) // contacts / 10}%)" in cells[3]
    assert 'data-grid="2"' not in html, "a grid manager sees their grid's coverage only"
    # Visiting a contact household not yet visited this week adds one.
    unvisited = db.session.scalars(select(ContactHousehold).where(
        ContactHousehold.grid_id == 1, ~exists().where(
            Visit.household_id == ContactHousehold.household_id, Visit.purpose == "supervision",
            Visit.visited_on.between(*outreach.week_of(TODAY))))).first()
    if unvisited is not None:
        manager_client.post("/supervisionvisitview/add", data={
            "visited_on": TODAY.isoformat(), "household": str(unvisited.household_id), "supervisor": "",
            "notes": "每周走访", "follow_up": ""})
        cells = coverage_row(manager_client.get("/contacthouseholdview/list/").data.decode(), 1)
        assert cells[3].startswith(f"{week + 1} (")


def test_another_grids_contact_households_are_404_to_a_grid_manager(manager_client):
    assert listed_count(manager_client.get("/contacthouseholdview/list/").data.decode()) == db.session.scalar(
        select(func.count(ContactHousehold.id)).where(ContactHousehold.grid_id == 1))
    other = contact_of(2)
    assert manager_client.get(f"/contacthouseholdview/show/{other.id}").status_code == 404
    assert manager_client.post(f"/contacthouseholdview/edit/{other.id}",
                               data={"supervisor": str(supervisor_of(2).id)}).status_code == 404
    assert manager_client.post(f"/contacthouseholdview/delete/{other.id}").status_code == 404
    visit = db.session.scalars(select(Visit).where(Visit.purpose == "supervision", Visit.grid_id == 2)).first()
    assert manager_client.get(f"/supervisionvisitview/show/{visit.id}").status_code == 404
    assert manager_client.get(f"/gridsupervisorview/show/{supervisor_of(2).id}").status_code == 404
    assert count(ContactHousehold) == db.session.scalar(select(func.count(ContactHousehold.id)))


def test_an_opinion_of_a_supervision_day_becomes_one_case(manager_client):
    opinion = db.session.scalars(select(SupervisionOpinion).where(SupervisionOpinion.grid_id == 1)).first()
    cases = count(Case)
    for _ in range(2):
        manager_client.post("/supervisionopinionview/action_post", data={"action": "to_case", "rowid": [opinion.id]})
    assert count(Case) == cases + 1
    db.session.expire_all()
    case = db.session.get(SupervisionOpinion, opinion.id).case
    assert (case.source, case.grid_id) == ("supervision", 1)
    other = db.session.scalars(select(SupervisionOpinion).where(SupervisionOpinion.grid_id == 2)).first()
    assert manager_client.post("/supervisionopinionview/action_post",
                               data={"action": "to_case", "rowid": [other.id]}).status_code == 404


def test_supervision_days_are_the_communitys_and_only_the_secretary_records_them(manager_client, secretary_client):
    assert listed_count(manager_client.get("/supervisiondayview/list/").data.decode()) == count(SupervisionDay)
    form = {"community": "1", "held_on": TODAY.isoformat(), "channel": "qq", "topic": "本月网格服务监督日",
            "participants": "88", "summary": "群内讨论"}
    before = count(SupervisionDay)
    assert denied(manager_client.post("/supervisiondayview/add", data=form))
    assert secretary_client.post("/supervisiondayview/add", data=form).status_code == 302
    assert count(SupervisionDay) == before + 1


def test_volunteers_see_no_supervision(volunteer_client):
    for route in ("gridsupervisorview", "contacthouseholdview", "supervisionvisitview", "supervisiondayview",
                  "supervisionopinionview"):
        assert denied(volunteer_client.get(f"/{route}/list/"))


def test_the_demo_has_every_grid_supervised_every_week_and_a_supervision_day_every_month(app):
    for grid_id in range(1, 7):
        assert supervisor_of(grid_id) is not None, "每一个网格都要安排一名工作监督员"
        assert db.session.scalar(select(func.count(ContactHousehold.id)).where(ContactHousehold.grid_id == grid_id)) > 0
    weeks = db.session.scalars(select(Visit.visited_on).where(Visit.purpose == "supervision",
                                                              Visit.supervisor_id.is_not(None))).all()
    assert len({day.isocalendar()[:2] for day in weeks}) >= 8, "每周都要深入走访"
    assert max(weeks) <= TODAY
    months = db.session.scalars(select(SupervisionDay.held_on)).all()
    assert len({(day.year, day.month) for day in months}) >= 11
    assert db.session.scalar(select(func.count(SupervisionOpinion.id))) >= 3 * len(months)


def test_a_supervisors_phone_is_checked_on_every_path(app, secretary_client):
    import pytest
    from app.validation import FieldError

    db.session.add(GridSupervisor(grid_id=1, name="错号", kind="street", phone="12345"))
    with pytest.raises(FieldError):
        db.session.commit()
    db.session.rollback()
    before = count(GridSupervisor)
    html = secretary_client.post("/gridsupervisorview/add", data={
        "grid": "1", "name": "新监督员", "kind": "retired_cadre", "phone": "12345", "resident": "",
        "appointed_on": "", "active": "y", "note": ""}).data.decode()
    assert count(GridSupervisor) == before and "不是有效的电话号码" in html
    secretary_client.post("/gridsupervisorview/add", data={
        "grid": "1", "name": "新监督员", "kind": "retired_cadre", "phone": "138 1234 5678", "resident": "",
        "appointed_on": "", "active": "y", "note": ""})
    assert newest(GridSupervisor).phone == "13812345678"
