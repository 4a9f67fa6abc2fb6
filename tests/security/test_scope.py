"""One grid scope on every path: lists, counts, detail, edit, delete, actions, pickers, forms, flushes.

The demo's grid1 manages grid 1 (SYN-01); rows of grid 2 are another grid's. A second community
with its own secretary checks that a district database keeps communities apart.
"""
import pytest
from flask import g
from flask_appbuilder import action
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select

from app.extensions import db
from app.models import Building, Facility, Household, Resident, UserScope
from app.security import scope
from samples import SCREENS, count, listed_count, user_id


def first(model, grid_id):
    return db.session.scalars(select(model).where(model.grid_id == grid_id).order_by(model.id)).first()


def in_grid(model, grid_id):
    return db.session.scalar(select(func.count(model.id)).where(model.grid_id == grid_id))


@pytest.mark.parametrize("route, model", [("residentview", Resident), ("householdview", Household),
                                          ("buildingview", Building)])
def test_a_grid_manager_lists_and_counts_only_their_grid(manager_client, route, model):
    html = manager_client.get(f"/{route}/list/").data.decode()
    assert listed_count(html) == in_grid(model, 1)
    other = first(model, 2)
    assert f"/{route}/show/{other.id}\"" not in html
    # A filter for another grid finds nothing, rather than that grid's rows.
    assert listed_count(manager_client.get(f"/{route}/list/?_flt_0_grid=2").data.decode()) == 0


def test_a_grid_manager_reads_every_grid_and_facility_of_their_community(manager_client):
    assert listed_count(manager_client.get("/gridview/list/").data.decode()) == 6
    assert listed_count(manager_client.get("/facilityview/list/").data.decode()) == count(Facility)


@pytest.mark.parametrize("route, model", [("residentview", Resident), ("householdview", Household),
                                          ("buildingview", Building)])
def test_another_grids_record_by_id_is_404_everywhere(manager_client, route, model):
    other = first(model, 2)
    before = count(model)
    assert manager_client.get(f"/{route}/show/{other.id}").status_code == 404
    assert manager_client.get(f"/{route}/edit/{other.id}").status_code == 404
    form = SCREENS[route][1]()
    assert manager_client.post(f"/{route}/edit/{other.id}", data=form).status_code == 404
    assert manager_client.post(f"/{route}/delete/{other.id}").status_code == 404
    assert count(model) == before
    db.session.expire_all()
    assert db.session.get(model, other.id).grid_id == 2


def test_related_lists_on_a_detail_page_stay_in_scope(manager_client):
    """Grid 2's page is readable (community level); its buildings and households are not listed."""
    html = manager_client.get("/gridview/show/2").data.decode()
    assert manager_client.get("/gridview/show/2").status_code == 200
    building = first(Building, 2)
    assert f"/buildingview/show/{building.id}\"" not in html


def test_pickers_offer_and_accept_only_rows_in_scope(manager_client):
    found = manager_client.get("/lookup/resident?q=").get_json()["results"]
    assert found
    grids = set(db.session.scalars(select(Resident.grid_id).where(Resident.id.in_([r["id"] for r in found]))))
    assert grids == {1}
    other = first(Resident, 2)
    assert manager_client.get(f"/lookup/resident?id={other.id}").get_json()["results"] == []
    assert [r["id"] for r in manager_client.get("/lookup/grid?q=").get_json()["results"]] == [1]


def test_a_form_naming_another_grids_building_saves_nothing(manager_client):
    before = count(Household)
    other_building = first(Building, 2)
    data = {**SCREENS["householdview"][1](), "grid": "2", "building": str(other_building.id)}
    html = manager_client.post("/householdview/add", data=data).data.decode()
    assert "不存在或无权选择" in html
    assert count(Household) == before


def test_moving_an_own_household_into_another_grid_is_refused(manager_client):
    own = first(Household, 1)
    other_building = first(Building, 2)
    data = {**SCREENS["householdview"][1](), "grid": "2", "building": str(other_building.id),
            "unit": own.unit, "room": own.room}
    manager_client.post(f"/householdview/edit/{own.id}", data=data)
    db.session.expire_all()
    assert db.session.get(Household, own.id).grid_id == 1


def test_a_grid_manager_adds_a_household_in_their_own_grid(manager_client):
    before = in_grid(Household, 1)
    response = manager_client.post("/householdview/add", data=SCREENS["householdview"][1]())
    assert response.status_code == 302
    assert in_grid(Household, 1) == before + 1


def test_every_flush_checks_the_scope_whatever_the_code_path(app):
    """An import, an API call or a service writing rows meets the same rule as the forms."""
    manager = db.session.scalars(select(User).where(User.username == "grid1")).one()
    with app.test_request_context():
        g.user = manager
        other = first(Household, 2)
        other.note = "改了别人的户"
        with pytest.raises(scope.OutOfScope):
            db.session.flush()
        db.session.rollback()
        own = first(Household, 1)
        own.note = "自己的户"
        db.session.flush()
        db.session.rollback()


def test_actions_only_ever_receive_rows_in_scope(app):
    """A household screen with an action: FAB's action routes would fetch any row by id."""
    from app.security.sync import sync_roles
    from app.views.registry import HouseholdView

    touched = []

    class HouseholdProbeView(HouseholdView):
        route_base = "/householdprobe"
        method_permission_name = {"probe": "edit"}

        @action("probe", "Probe", single=False)
        def probe(self, items):
            touched.extend(item.id for item in items)
            return "done"

    app.appbuilder.add_view_no_menu(HouseholdProbeView)
    sync_roles()
    client = app.test_client()
    client.post("/login/", data={"username": "grid1", "password": "demo123"})
    own, other = first(Household, 1), first(Household, 2)
    assert client.post("/householdprobe/action_post", data={"action": "probe", "rowid": [own.id]}).data == b"done"
    assert client.post("/householdprobe/action_post",
                       data={"action": "probe", "rowid": [own.id, other.id]}).status_code == 404
    assert client.post(f"/householdprobe/action/probe/{other.id}").status_code == 404
    assert touched == [own.id]
    supervisor = app.test_client()
    supervisor.post("/login/", data={"username": "supervisor", "password": "demo123"})
    assert supervisor.post("/householdprobe/action_post",
                           data={"action": "probe", "rowid": [own.id]}).status_code == 403


def test_nobody_sees_a_community_they_were_not_given(client_as, second_community):
    secretary, supervisor, other = client_as("secretary"), client_as("supervisor"), client_as("secretary2")
    for client in (secretary, supervisor):
        assert client.get(f"/residentview/show/{second_community['resident']}").status_code == 404
        assert client.get(f"/communitywithgridsview/show/{second_community['community']}").status_code == 404
        assert client.get(f"/gridview/show/{second_community['grid']}").status_code == 404
        assert "第二社区" not in client.get("/communitywithgridsview/list/").data.decode()
        assert "第二社区" not in str(client.get("/lookup/community?q=").get_json())
    assert listed_count(other.get("/residentview/list/").data.decode()) == 1
    assert listed_count(other.get("/gridview/list/").data.decode()) == 1
    assert other.get("/residentview/show/1").status_code == 404
    # The first secretary may not give their grids to the second community's secretary's scope.
    assert "secretary2" not in str(secretary.get("/lookup/user?q=secretary").get_json())


def test_a_secretary_gives_a_volunteer_a_grid_and_the_volunteer_sees_it(secretary_client, client_as):
    volunteer = user_id("volunteer")
    data = {"user": str(volunteer), "community": "", "grid": "3", "note": ""}
    assert secretary_client.post("/userscopeview/add", data=data).status_code == 302
    assert db.session.scalar(select(func.count(UserScope.id)).where(
        UserScope.user_id == volunteer, UserScope.grid_id == 3)) == 1
    refused = secretary_client.post("/userscopeview/add", data={**data, "community": "1"}).data.decode()
    assert "二选一" in refused


def test_a_grid_manager_given_a_second_grid_sees_both(app, client_as):
    db.session.add(UserScope(user_id=user_id("grid1"), grid_id=2))
    db.session.commit()
    html = client_as("grid1").get("/residentview/list/").data.decode()
    assert listed_count(html) == in_grid(Resident, 1) + in_grid(Resident, 2)


def test_a_list_offers_no_filter_the_user_could_not_use(supervisor_client, secretary_client):
    """Filtering grids by manager needs the user picker, which only the secretary may use."""
    offered = 'name="manager" class="filter"'
    assert offered not in supervisor_client.get("/gridview/list/").data.decode()
    assert supervisor_client.get("/lookup/user?q=").status_code == 403
    assert offered in secretary_client.get("/gridview/list/").data.decode()
