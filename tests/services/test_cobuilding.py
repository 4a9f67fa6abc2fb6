"""共驻共建: units with their party organisation, the support they gave — money and goods only as posted
donation vouchers of the aid ledger with the unit as donor, in one transaction with the support —
and pairings with building party branches; roles."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import (AidItem, BranchPairing, Building, CobuildingUnit, Donor, FundEntry, StockMove, Team,
                        UnitSupport, Voucher)
from app.services import ledger
from app.services.stats import community_figures
from app.timekeeping import local_today
from samples import count, newest
from test_rbac import denied

TODAY = local_today()


def unit(name="济南纺织厂"):
    return db.session.scalars(select(CobuildingUnit).where(CobuildingUnit.name == name)).one()


def support_form(unit_id, kind, *lines, **fields):
    data = {"unit": str(unit_id), "given_on": TODAY.isoformat(), "kind": kind, "purpose": "冬日暖民", "people": "",
            "campaign": "", "amount": "", "note": "", **fields}
    for index in range(4):
        item_id, quantity = lines[index] if index < len(lines) else ("", "")
        data[f"lines-{index}-item"], data[f"lines-{index}-quantity"] = str(item_id), str(quantity)
    return data


def item(name):
    return db.session.scalars(select(AidItem).where(AidItem.name == name)).one()


def stock(item_id):
    return db.session.scalar(select(func.coalesce(func.sum(StockMove.quantity), 0)).where(StockMove.item_id == item_id))


def test_money_from_a_unit_is_a_posted_donation_with_the_unit_as_donor(secretary_client):
    giver = unit("桑园小学")
    assert giver.donor_id is None
    before = community_figures()["donations_yuan"]
    fund = ledger.fund_balance(1)
    response = secretary_client.post("/cobuilding/give", data=support_form(giver.id, "money", amount="800",
                                                                            purpose="好水送好人"))
    assert response.status_code == 302
    support = newest(UnitSupport)
    voucher = support.voucher
    assert (support.kind, support.amount_fen, support.unit_id) == ("money", 80000, giver.id)
    assert (voucher.kind, voucher.status, voucher.amount_fen) == ("donation", "posted", 80000)
    assert voucher.donor.name == "桑园小学" and db.session.get(CobuildingUnit, giver.id).donor_id == voucher.donor_id
    entry = db.session.scalars(select(FundEntry).where(FundEntry.voucher_id == voucher.id)).one()
    assert (entry.kind, entry.amount_fen) == ("donation_in", 80000)
    assert ledger.fund_balance(1) == fund + 80000 and community_figures()["donations_yuan"] == before + 800
    # The second gift reuses the unit's donor.
    secretary_client.post("/cobuilding/give", data=support_form(giver.id, "money", amount="100"))
    assert db.session.scalar(select(func.count(Donor.id)).where(Donor.name == "桑园小学")) == 1


def test_goods_from_a_unit_reach_the_stock_through_the_ledger(secretary_client):
    quilt = item("棉被")
    before = stock(quilt.id)
    secretary_client.post("/cobuilding/give", data=support_form(unit().id, "goods", (quilt.id, 12)))
    support = newest(UnitSupport)
    moves = db.session.scalars(select(StockMove).where(StockMove.voucher_id == support.voucher_id)).all()
    assert [(move.item_id, move.quantity, move.kind) for move in moves] == [(quilt.id, 12, "donation")]
    assert stock(quilt.id) == before + 12 and support.amount_fen == 0
    receipt = secretary_client.get(f"/voucherview/receipt/{support.voucher_id}").data.decode()
    assert "济南纺织厂" in receipt and "棉被" in receipt


def test_bad_support_is_refused_and_nothing_is_written(secretary_client):
    quilt = item("棉被")
    counts = (count(UnitSupport), count(Voucher), count(Donor), stock(quilt.id))
    cases = [
        (support_form(unit().id, "goods"), "请填写物品和数量"),
        (support_form(unit().id, "money", (quilt.id, 2), amount="50"), "请填写金额，不填物资"),
        (support_form(unit().id, "people"), "请填写出动人数"),
        (support_form(unit().id, "money", amount="-5"), "200"),  # the money field's own message
    ]
    for form, message in cases:
        html = secretary_client.post("/cobuilding/give", data=form).data.decode()
        assert message in html, message
    db.session.expire_all()
    assert (count(UnitSupport), count(Voucher), count(Donor), stock(quilt.id)) == counts


def test_people_sent_are_recorded_without_the_ledger(secretary_client):
    vouchers = count(Voucher)
    secretary_client.post("/cobuilding/give", data=support_form(unit().id, "people", people="6", purpose="清理楼道"))
    support = newest(UnitSupport)
    assert (support.kind, support.people, support.voucher_id) == ("people", 6, None) and count(Voucher) == vouchers
    assert secretary_client.post(f"/unitsupportview/delete/{support.id}").status_code == 302
    assert db.session.scalar(select(func.count(UnitSupport.id)).where(UnitSupport.id == support.id)) == 0


def test_support_posted_to_the_station_is_never_deleted(secretary_client):
    posted = db.session.scalars(select(UnitSupport).where(UnitSupport.voucher_id.is_not(None))).first()
    html = secretary_client.post(f"/unitsupportview/delete/{posted.id}", follow_redirects=True).data.decode()
    db.session.expire_all()
    assert db.session.get(UnitSupport, posted.id) is not None and "不能删除" in html


def test_only_who_receives_donations_records_support(manager_client, supervisor_client, volunteer_client):
    form = support_form(unit().id, "money", amount="10")
    before = count(UnitSupport)
    for client in (manager_client, supervisor_client, volunteer_client):
        assert denied(client.post("/cobuilding/give", data=form))
    assert count(UnitSupport) == before
    assert manager_client.get("/cobuildingunitview/list/").status_code == 200
    assert supervisor_client.get(f"/unitsupportview/show/{newest(UnitSupport).id}").status_code == 200
    assert denied(supervisor_client.post(f"/cobuildingunitview/edit/{unit().id}", data={"name": "改名"}))
    for route in ("cobuildingunitview", "unitsupportview", "branchpairingview"):
        assert denied(volunteer_client.get(f"/{route}/list/"))


def test_a_unit_or_team_pairs_with_a_building_party_branch(secretary_client):
    building = db.session.scalars(select(Building).where(Building.grid_id == 3).order_by(Building.id)).first()
    form = {"unit": "", "team": "", "grid": "3", "building": str(building.id), "branch": "测试楼宇党支部",
            "services": "法律咨询", "started_on": TODAY.isoformat(), "active": "y", "note": ""}
    before = count(BranchPairing)
    html = secretary_client.post("/branchpairingview/add", data=form).data.decode()
    assert "请选择与该支部结对的单位或志愿服务队" in html and count(BranchPairing) == before
    html = secretary_client.post("/branchpairingview/add", data={**form, "unit": str(unit().id), "grid": "2"}).data.decode()
    assert "不属于所选网格" in html and count(BranchPairing) == before
    team = db.session.scalars(select(Team).where(Team.name == "青年睦邻服务队")).one()
    assert secretary_client.post("/branchpairingview/add", data={**form, "team": str(team.id)}).status_code == 302
    pairing = newest(BranchPairing)
    assert (pairing.team_id, pairing.building_id, pairing.grid_id) == (team.id, building.id, 3)


def test_the_demo_units_are_the_reports_kinds_and_gave_through_the_ledger(app):
    kinds = set(db.session.scalars(select(CobuildingUnit.kind)))
    assert {"resident_unit", "non_public", "social_org", "university", "school", "property"} <= kinds
    assert all(db.session.scalars(select(CobuildingUnit.party_org)))
    ledgered = db.session.scalars(select(UnitSupport).where(UnitSupport.kind != "people")).all()
    assert ledgered and all(s.voucher is not None and s.voucher.status == "posted" and
                            s.voucher.donor_id == s.unit.donor_id for s in ledgered)
    assert db.session.scalar(select(func.count(UnitSupport.id)).where(UnitSupport.kind == "people")) >= 5
    # The students' team and units are paired with building branches in every grid.
    grids = set(db.session.scalars(select(BranchPairing.grid_id)))
    assert grids == set(range(1, 7))
    assert db.session.scalar(select(func.count(BranchPairing.id)).where(BranchPairing.team_id.is_not(None))) >= 6


def test_a_unit_stays_in_its_community(secretary_client, second_community):
    """Its donor and the aid it gave belong to its community's station: the edit form does not
    offer the community, and a posted one is ignored."""
    unit = db.session.scalars(select(CobuildingUnit).order_by(CobuildingUnit.id)).first()
    html = secretary_client.get(f"/cobuildingunitview/edit/{unit.id}").data.decode()
    assert 'name="name"' in html and 'name="community"' not in html
    community_id = unit.community_id
    secretary_client.post(f"/cobuildingunitview/edit/{unit.id}",
                          data={"name": unit.name, "kind": unit.kind, "community": second_community["community"]})
    db.session.expire_all()
    assert db.session.get(CobuildingUnit, unit.id).community_id == community_id
