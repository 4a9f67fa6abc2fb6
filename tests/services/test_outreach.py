"""服务联系卡 and 知晓率: printable cards scoped like households (phones per the privacy rules), A4
sheets per building, hand-overs recorded, reach per grid counted in SQL with the households not
reached listed; the four new figures of ``stats --json``."""
import json
import math
import re
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.models import (Building, CardHandover, CobuildingUnit, ContactHousehold, Grid, Household, Meeting, Resident,
                        Visit)
from app.services.stats import community_figures
from samples import count, listed_count
from test_rbac import denied

ROOT = Path(__file__).resolve().parents[2]


def building_with_head(grid_id):
    return db.session.scalars(select(Building).where(Building.grid_id == grid_id, Building.head_id.is_not(None))
                              .order_by(Building.id)).first()


def first_household(building_id):
    return db.session.scalars(select(Household).where(Household.building_id == building_id)
                              .order_by(Household.id)).first()


def households_of(building_id):
    return db.session.scalar(select(func.count(Household.id)).where(Household.building_id == building_id))


def reached_ids(grid_id=None):
    """Reached households, worked out without the app's expression: Python sets of ids."""
    households = select(Household.id)
    if grid_id is not None:
        households = households.where(Household.grid_id == grid_id)
    ids = set(db.session.scalars(households))
    visited = set(db.session.scalars(select(Visit.household_id)))
    carded = set(db.session.scalars(select(CardHandover.household_id)))
    grouped = set(db.session.scalars(select(Household.id).where(Household.group_joined_on.is_not(None))))
    return ids, ids & (visited | carded | grouped)


def test_a_household_card_names_its_grid_manager_building_head_hotline_and_group(manager_client):
    building = building_with_head(1)
    household, head = first_household(building.id), db.session.get(Resident, building.head_id)
    grid = db.session.get(Grid, 1)
    html = manager_client.get(f"/cards/household/{household.id}").data.decode()
    assert f'data-household="{household.id}"' in html
    for text in (grid.name, str(grid.manager), grid.service_phone, head.name, grid.community.hotline,
                 grid.community.group_number):
        assert text and text in html, text
    if head.phone:
        assert head.phone in html, "the card is for the household: the building head's phone is printed whole"


def test_the_card_prints_on_a4_with_a_print_stylesheet(manager_client):
    building = building_with_head(1)
    html = manager_client.get(f"/cards/building/{building.id}").data.decode()
    cards = html.count('class="service-card"')
    assert cards == households_of(building.id)
    assert html.count('class="cards-sheet"') == math.ceil(cards / 8)
    assert "/static/css/cards.css" in html and "<script" not in html
    css = (ROOT / "app/static/css/cards.css").read_text()
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", css) and "@media print" in css
    assert manager_client.get("/static/css/cards.css").status_code == 200


def test_another_grids_cards_are_404_to_a_grid_manager(manager_client):
    building = building_with_head(2)
    assert manager_client.get(f"/cards/household/{first_household(building.id).id}").status_code == 404
    assert manager_client.get(f"/cards/building/{building.id}").status_code == 404
    before = count(CardHandover)
    assert manager_client.post(f"/cards/building/{building.id}/hand_over").status_code == 404
    assert manager_client.post(f"/cards/household/{first_household(building.id).id}/hand_over").status_code == 404
    assert count(CardHandover) == before
    index = manager_client.get("/cards/").data.decode()
    assert f'data-building="{building.id}"' not in index and f'data-building="{building_with_head(1).id}"' in index


def test_a_supervisor_prints_cards_with_the_building_heads_phone_masked(supervisor_client):
    building = db.session.scalars(select(Building).join(Resident, Resident.id == Building.head_id).where(
        Resident.phone.is_not(None)).order_by(Building.id)).first()
    head = db.session.get(Resident, building.head_id)
    html = supervisor_client.get(f"/cards/household/{first_household(building.id).id}").data.decode()
    assert head.name in html and head.phone not in html and f"{head.phone[:3]}****{head.phone[-4:]}" in html
    assert building.grid.service_phone in html, "the grid's service phone is a public number"
    assert "登记这些联系卡今日已发放" not in html
    before = count(CardHandover)
    assert denied(supervisor_client.post(f"/cards/building/{building.id}/hand_over"))
    assert count(CardHandover) == before


def test_volunteers_print_no_cards_and_see_no_reach(volunteer_client):
    household = first_household(building_with_head(1).id)
    for url in (f"/cards/household/{household.id}", "/cards/", "/reachview/list/", "/cardhandoverview/list/"):
        assert denied(volunteer_client.get(url)), url


def test_handing_over_a_buildings_cards_is_recorded_once_per_household(manager_client):
    building = db.session.scalars(select(Building).where(Building.grid_id == 1).where(
        ~select(CardHandover.id).join(Household, Household.id == CardHandover.household_id)
        .where(Household.building_id == Building.id).exists()).order_by(Building.id)).first()
    assert building is not None, "the demo leaves buildings without cards"
    before = count(CardHandover)
    manager_client.post(f"/cards/building/{building.id}/hand_over")
    assert count(CardHandover) == before + households_of(building.id)
    manager_client.post(f"/cards/building/{building.id}/hand_over")
    assert count(CardHandover) == before + households_of(building.id)
    handed = db.session.scalars(select(CardHandover).order_by(CardHandover.id.desc())).first()
    assert (handed.handed_by, handed.grid_id) == ("grid1", 1)
    index = manager_client.get("/cards/").data.decode()
    row = re.search(rf'data-building="{building.id}">(.*?)</tr>', index, re.S).group(1)
    assert f'<td class="cards-handed">{households_of(building.id)}</td>' in row


def test_reach_per_grid_is_counted_in_sql_and_lists_the_households_not_reached(manager_client):
    ids, reached = reached_ids(1)
    html = manager_client.get("/reachview/list/").data.decode()
    row = re.search(r'<tr data-grid="1">(.*?)</tr>', html, re.S).group(1)
    cells = [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    percent = (len(reached) * 1000 + len(ids) // 2) // len(ids) / 10
    assert cells[1:3] == [str(len(ids)), str(len(reached))] and cells[6] == f"{percent}%"
    assert 'data-grid="2"' not in html
    assert listed_count(html) == len(ids) - len(reached) > 0
    # A card handed to a household not reached takes it off the list.
    unreached = min(ids - reached)
    manager_client.post(f"/cards/household/{unreached}/hand_over")
    html = manager_client.get("/reachview/list/").data.decode()
    assert listed_count(html) == len(ids) - len(reached) - 1
    assert manager_client.get(f"/reachview/show/{unreached}").status_code == 404


def test_the_secretary_sees_every_grids_reach_and_the_total(secretary_client):
    html = secretary_client.get("/reachview/list/").data.decode()
    assert len(re.findall(r'<tr data-grid="\d+">', html)) == 6
    ids, reached = reached_ids()
    total = re.search(r'<th class="reach-total">([\d.]+)%</th>', html).group(1)
    assert float(total) == (len(reached) * 1000 + len(ids) // 2) // len(ids) / 10
    assert float(total) < 100, "the demo has work left: the report asks for 100%"


def test_stats_json_adds_meetings_contact_households_units_and_reach(app):
    data = json.loads(app.test_cli_runner().invoke(args=["stats", "--json"]).output)
    ids, reached = reached_ids()
    assert data["meetings"] == db.session.scalar(select(func.count(Meeting.id)).where(Meeting.status != "cancelled"))
    assert data["contact_households"] == count(ContactHousehold) > 0
    assert data["cobuilding_units"] == db.session.scalar(
        select(func.count(CobuildingUnit.id)).where(CobuildingUnit.active.is_(True))) > 0
    assert data["reach_percent"] == (len(reached) * 1000 + len(ids) // 2) // len(ids) / 10
    assert community_figures()["reach_percent"] == data["reach_percent"]


def test_seeding_the_recommendations_again_changes_nothing(app):
    from seeds.recommendations import seed_demo_recommendations

    before = {model: count(model) for model in (Meeting, ContactHousehold, CardHandover, CobuildingUnit)}
    assert seed_demo_recommendations() is False
    assert {model: count(model) for model in before} == before


def test_the_dashboard_shows_reach_and_overdue_follow_ups_in_the_users_scope(secretary_client, manager_client):
    from test_dashboard import cards

    found, _html = cards(secretary_client)
    assert found["reach_percent"] == community_figures()["reach_percent"]
    ids, reached = reached_ids(1)
    found, html = cards(manager_client)
    assert found["reach_percent"] == (len(reached) * 1000 + len(ids) // 2) // len(ids) / 10
    from app.models import MeetingFollowUp
    from app.timekeeping import local_today
    overdue = db.session.scalar(select(func.count(MeetingFollowUp.id)).where(
        MeetingFollowUp.grid_id == 1, MeetingFollowUp.done_on.is_(None), MeetingFollowUp.due_on < local_today()))
    assert found["follow_ups_overdue"] == overdue and "/followupview/list/?_flt_0_sla=overdue" in html
