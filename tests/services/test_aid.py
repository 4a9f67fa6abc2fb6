"""The aid ledger: balances are sums of moves, nothing goes below zero (even at the same moment),
posted rows never change, receipts, proposals, scope, and the report's four figures."""
import re
import threading

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DatabaseError

from app.extensions import db
from app.models import AidItem, AuditEntry, Campaign, Donor, FundEntry, Household, StockMove, Voucher, VoucherLine
from app.security import actor
from app.services import ledger
from app.services.stats import community_figures
from app.timekeeping import local_today

TODAY = local_today()


def item(name="棉衣"):
    return db.session.scalars(select(AidItem).where(AidItem.name == name)).one()


def stock(item_id):
    db.session.expire_all()
    return db.session.scalar(select(func.coalesce(func.sum(StockMove.quantity), 0)).where(StockMove.item_id == item_id))


def household(grid_id=1):
    return db.session.scalars(select(Household).where(Household.grid_id == grid_id).order_by(Household.id)).first()


def new_item(app, quantity, name="测试羽绒服"):
    """A fresh item with ``quantity`` donated (by the system: the test's own code)."""
    entry = AidItem(community_id=1, name=name, category="clothing", unit="件", low_stock=1)
    db.session.add(entry)
    db.session.commit()
    donor = db.session.scalars(select(Donor).order_by(Donor.id)).first()
    if quantity:
        ledger.submit("donation", 1, TODAY, [ledger.Line(entry.id, quantity)], donor_id=donor.id)
    return entry.id


def lines_form(*lines, **fields):
    data = {"dated": TODAY.isoformat(), "campaign": "", "amount": "", "note": "", **fields}
    for index in range(6):
        item_id, quantity = lines[index] if index < len(lines) else ("", "")
        data[f"lines-{index}-item"], data[f"lines-{index}-quantity"] = str(item_id), str(quantity)
    return data


def test_stock_and_the_stock_card_reconcile_to_the_moves(secretary_client):
    for entry in db.session.scalars(select(AidItem)):
        assert entry.stock == stock(entry.id) >= 0
    html = secretary_client.get(f"/aiditemview/card/{item().id}").data.decode()
    balances = [int(value) for value in re.findall(r'<td class="aid-balance">(-?\d+)</td>', html)]
    moves = db.session.scalars(select(StockMove.quantity).where(StockMove.item_id == item().id)
                               .order_by(StockMove.moved_on, StockMove.id)).all()
    running = [sum(moves[:index + 1]) for index in range(len(moves))]
    assert balances == running and balances[-1] == item().stock
    assert min(balances) >= 0, "never below zero at any date"


def test_the_fund_never_went_below_zero(app):
    amounts = db.session.scalars(select(FundEntry.amount_fen).order_by(FundEntry.entry_on, FundEntry.id)).all()
    running = 0
    for amount in amounts:
        running += amount
        assert running >= 0
    assert running == ledger.fund_balance(1)


def test_a_distribution_beyond_the_stock_is_refused_naming_what_is_left(secretary_client, app):
    item_id = new_item(app, 3)
    vouchers = db.session.scalar(select(func.count(Voucher.id)))
    form = lines_form((item_id, 2), (item().id, 1), (item_id, 2), household=str(household().id))
    html = secretary_client.post("/aid/distribute", data=form).data.decode()
    assert stock(item_id) == 3 and db.session.scalar(select(func.count(Voucher.id))) == vouchers
    assert "测试羽绒服：库存仅剩 3 件，申请 4" in html


def test_relief_money_beyond_the_fund_is_refused(secretary_client):
    left = ledger.fund_balance(1)
    form = lines_form(household=str(household().id), amount=f"{left / 100 + 1:.2f}")
    html = secretary_client.post("/aid/distribute", data=form).data.decode()
    assert ledger.fund_balance(1) == left
    assert "邻里互助基金仅余" in html


@pytest.mark.parametrize("form, message", [
    ({"amount": "-5"}, "请填写金额"), ({"amount": "1.234"}, "请填写金额"),
    ({"lines-0-quantity": "2"}, "请至少填写"),
])
def test_bad_input_is_refused_with_a_message(secretary_client, form, message):
    vouchers = db.session.scalar(select(func.count(Voucher.id)))
    data = {**lines_form(household=str(household().id)), **form}
    html = secretary_client.post("/aid/distribute", data=data).data.decode()
    assert message in html
    assert db.session.scalar(select(func.count(Voucher.id))) == vouchers


def test_two_staff_giving_out_the_last_coat_at_the_same_moment(app):
    """Both see one coat; the ledger serves them one after the other: one gets it, one is told."""
    item_id = new_item(app, 1)
    households = [household(1).id, household(2).id]
    start = threading.Barrier(2)
    outcomes = []

    def distribute(household_id):
        with app.app_context(), actor.system("tests"):  # a thread's context has no actor of its own
            start.wait()
            try:
                ledger.submit("distribution", 1, TODAY, [ledger.Line(item_id, 1)], household_id=household_id)
                outcomes.append("posted")
            except ledger.LedgerError as error:
                outcomes.append(str(error))

    for _round in range(3):
        threads = [threading.Thread(target=distribute, args=(h,)) for h in households]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        ledger.submit("donation", 1, TODAY, [ledger.Line(item_id, 1)],
                      donor_id=db.session.scalars(select(Donor.id)).first())
    assert outcomes.count("posted") == 3
    assert all("库存仅剩 0" in outcome or "only 0" in outcome for outcome in outcomes if outcome != "posted")
    assert stock(item_id) == 1


@pytest.mark.parametrize("statement", [
    update(StockMove).values(quantity=99), delete(StockMove), update(FundEntry).values(amount_fen=1),
    delete(FundEntry), update(Voucher).where(Voucher.status == "posted").values(note="改"),
    delete(Voucher).where(Voucher.status == "posted"),
])
def test_posted_rows_cannot_be_changed_or_deleted(app, statement):
    with pytest.raises(DatabaseError):
        db.session.execute(statement)
    db.session.rollback()


def test_a_correction_is_a_new_adjustment_and_audited(secretary_client):
    before = item().stock
    form = lines_form((item().id, 2), direction="out", note="盘点发现两件受潮")
    secretary_client.post("/aid/adjust", data=form)
    assert stock(item().id) == before - 2
    voucher = db.session.scalars(select(Voucher).order_by(Voucher.id.desc())).first()
    assert (voucher.kind, voucher.status, voucher.number[:2]) == ("adjustment", "posted", "TZ")
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "aid_voucher",
                                                        AuditEntry.object_id == voucher.id)).all()
    assert audit and audit[0].username == "secretary"
    refused = lines_form((item().id, 2), direction="out", note="")
    assert "必填" in secretary_client.post("/aid/adjust", data=refused).data.decode()
    assert stock(item().id) == before - 2


def test_a_donation_posts_and_prints_its_receipt(secretary_client):
    donor = db.session.scalars(select(Donor).where(Donor.kind == "organisation")).first()
    form = lines_form((item().id, 5), (item("棉被").id, 2), donor=str(donor.id), amount="300")
    response = secretary_client.post("/aid/donate", data=form)
    voucher = db.session.scalars(select(Voucher).order_by(Voucher.id.desc())).first()
    assert response.headers["Location"].endswith(f"/voucherview/receipt/{voucher.id}")
    receipt = secretary_client.get(f"/voucherview/receipt/{voucher.id}").data.decode()
    assert re.search(rf"JZ-{TODAY.year}-\d{{4}}", receipt) and voucher.number in receipt
    assert "捐赠凭证" in receipt and donor.name in receipt and "300.00" in receipt and "棉被" in receipt


def test_a_grid_managers_distribution_waits_for_the_secretary(client_as):
    manager, secretary, supervisor = client_as("grid1"), client_as("secretary"), client_as("supervisor")
    before = item().stock
    manager.post("/aid/distribute", data=lines_form((item().id, 1), household=str(household(1).id)))
    proposal = db.session.scalars(select(Voucher).order_by(Voucher.id.desc())).first()
    assert (proposal.status, proposal.number, proposal.proposed_by) == ("proposed", None, "grid1")
    assert stock(item().id) == before
    assert supervisor.post("/voucherview/action_post", data={"action": "post", "rowid": [proposal.id]}).status_code == 403
    assert manager.post("/voucherview/action_post", data={"action": "post", "rowid": [proposal.id]}).status_code == 403
    secretary.post("/voucherview/action_post", data={"action": "post", "rowid": [proposal.id]})
    db.session.expire_all()
    assert db.session.get(Voucher, proposal.id).status == "posted" and stock(item().id) == before - 1


def test_a_grid_manager_sees_and_gives_aid_only_in_their_grids(client_as):
    manager = client_as("grid1")
    other = household(2)
    vouchers = db.session.scalar(select(func.count(Voucher.id)))
    html = manager.post("/aid/distribute", data=lines_form((item().id, 1), household=str(other.id))).data.decode()
    assert "不存在或无权选择" in html and db.session.scalar(select(func.count(Voucher.id))) == vouchers
    listed = manager.get("/voucherview/list/?psize_VoucherView=100").data.decode()
    visible = {int(pk) for pk in re.findall(r'/voucherview/show/(\d+)"', listed)}
    grids = set(db.session.scalars(select(Voucher.grid_id).where(Voucher.id.in_(visible))))
    assert visible and grids == {1}
    donation = db.session.scalars(select(Voucher).where(Voucher.kind == "donation")).first()
    assert manager.get(f"/voucherview/show/{donation.id}").status_code == 404
    assert manager.get("/aid/donate").status_code in (302, 403)
    page = manager.get(f"/householdview/show/{household(1).id}").data.decode()
    assert "物品收发" in page and "邻里互助基金" in page


def test_a_campaign_summary_is_its_ledger(secretary_client):
    campaign = db.session.scalars(select(Campaign).where(Campaign.name == "2024年冬日暖民")).one()
    given = -db.session.scalar(select(func.sum(StockMove.quantity)).where(
        StockMove.campaign_id == campaign.id, StockMove.kind == "distribution"))
    helped = db.session.scalar(select(func.count(func.distinct(StockMove.household_id))).where(
        StockMove.campaign_id == campaign.id) .where(StockMove.household_id.is_not(None)))
    html = secretary_client.get(f"/campaignview/show/{campaign.id}").data.decode()
    assert f">{given}<" in re.sub(r"\s+", "", html)
    assert campaign.households_helped >= helped


def test_the_report_s_four_aid_figures_come_out_of_the_ledger(app):
    figures = community_figures()
    donated = sum(db.session.scalars(select(FundEntry.amount_fen).where(FundEntry.kind == "donation_in"))) // 100
    received = sum(db.session.scalars(select(StockMove.quantity).where(StockMove.kind == "donation")))
    given = -sum(db.session.scalars(select(StockMove.quantity).where(StockMove.kind == "distribution")))
    helped = len(set(db.session.scalars(select(Voucher.household_id).where(Voucher.kind == "distribution"))))
    assert (figures["donations_yuan"], figures["items_received"], figures["items_distributed"],
            figures["households_helped"]) == (donated, received, given, helped)
    # 3万余元, 800余件, 600余件, 500余户
    assert 30000 <= donated < 40000 and 800 <= received < 900 and 600 <= given < 700 and 500 <= helped < 600
    winters = db.session.scalars(select(Campaign.name).where(Campaign.name.like("%冬日暖民"))).all()
    assert len(winters) >= 5


def proposal(item_id) -> int:
    """A grid manager's distribution of one ``item_id``, waiting for the secretary."""
    voucher = Voucher(community_id=1, kind="distribution", status="proposed", dated=TODAY, grid_id=1,
                      household_id=household(1).id, proposed_by="grid1",
                      lines=[VoucherLine(item_id=item_id, quantity=1)])
    db.session.add(voucher)
    db.session.commit()
    return voucher.id


ACTS = {"post": (ledger.post_proposed, "posted"), "cancel": (ledger.cancel, "cancelled")}
LABELS = {"posted": "已入账", "cancelled": "已取消"}


@pytest.mark.parametrize("first, second", [("post", "post"), ("cancel", "cancel"), ("post", "cancel")])
def test_two_people_acting_on_one_proposal_at_once_the_second_is_told_it_is_done(app, first, second):
    """Each in a session (and connection) of its own, both holding the proposal as proposed: one
    acts, the other waits for it and gets the domain error naming the state, never a database error."""
    item_id = new_item(app, 5)
    for _round in range(3):
        voucher_id = proposal(item_id)
        start = threading.Barrier(2)
        outcomes = {}

        def act(name):
            with app.app_context(), actor.system("tests"):  # a thread's context has no actor of its own
                voucher = db.session.get(Voucher, voucher_id)
                assert voucher.status == "proposed"
                start.wait()
                try:
                    ACTS[name][0](voucher)
                    outcomes[name + str(len(outcomes))] = ACTS[name][1]
                except ledger.VoucherStateError as error:
                    outcomes[name + str(len(outcomes))] = str(error)
                except Exception as error:  # noqa: BLE001  (what the test must never see)
                    outcomes[name + str(len(outcomes))] = repr(error)
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=act, args=(name,)) for name in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        db.session.expire_all()
        final = db.session.get(Voucher, voucher_id)
        done = [outcome for outcome in outcomes.values() if outcome in LABELS]
        refused = [outcome for outcome in outcomes.values() if outcome not in LABELS]
        assert done == [final.status], outcomes
        assert len(refused) == 1 and f"已是“{LABELS[final.status]}”" in refused[0], outcomes
        moves = db.session.scalar(select(func.count(StockMove.id)).where(StockMove.voucher_id == voucher_id))
        assert moves == (1 if final.status == "posted" else 0)
    assert stock(item_id) == 5 - db.session.scalar(select(func.count(Voucher.id)).where(
        Voucher.status == "posted", Voucher.kind == "distribution", Voucher.lines.any(VoucherLine.item_id == item_id)))


def test_a_proposal_already_posted_or_cancelled_is_a_conflict_on_the_api_and_a_message_on_the_screen(
        client, api_as, secretary_client):
    from test_cases import flashes

    secretary = api_as("secretary")
    posted, cancelled = proposal(item().id), proposal(item().id)
    assert client.post(f"/api/v1/voucher/{posted}/post", headers=secretary).status_code == 200
    assert client.post(f"/api/v1/voucher/{cancelled}/cancel", headers=secretary).status_code == 200
    number = db.session.get(Voucher, posted).number
    for voucher_id, state in ((posted, "已入账"), (cancelled, "已取消")):
        for act in ("post", "cancel"):
            response = client.post(f"/api/v1/voucher/{voucher_id}/{act}", headers=secretary)
            assert response.status_code == 409, (voucher_id, act)
            assert f"已是“{state}”" in response.get_json()["message"]
        secretary_client.post("/voucherview/action_post", data={"action": "post", "rowid": [voucher_id]})
        assert any(f"已是“{state}”" in message for message in flashes(secretary_client))
    assert number in client.post(f"/api/v1/voucher/{posted}/cancel", headers=secretary).get_json()["message"]


# -- quantities are positive; the direction says in or out -------------------------------------------
def test_a_negative_quantity_never_reverses_an_adjustment_on_the_desk_the_api_or_the_ledger(secretary_client,
                                                                                             api_as, app):
    coat = item().id
    before = stock(coat)
    vouchers = db.session.scalar(select(func.count(Voucher.id)))
    html = secretary_client.post("/aid/adjust", data=lines_form((coat, -5), direction="out", note="盘点")).data.decode()
    # the quantity field's own error (WTForms' range message, in Chinese), and nothing written
    assert re.search(r"1\D{1,6}" + str(ledger.MAX_QUANTITY), html), "the quantity's range is not named"
    assert db.session.scalar(select(func.count(Voucher.id))) == vouchers
    refused = secretary_client.post("/api/v1/voucher/adjustment", headers=api_as("secretary"), json={
        "dated": TODAY.isoformat(), "direction": "out", "note": "盘点", "lines": [{"item": coat, "quantity": -5}]})
    assert refused.status_code == 422 and "quantity" in str(refused.get_json()["message"])
    for quantity in (-5, 0):
        with pytest.raises(ledger.LedgerError, match="数量|Quantity"):
            ledger.submit("adjustment", 1, TODAY, [ledger.Line(coat, quantity)], note="盘点", direction="out")
    with pytest.raises(ledger.LedgerError, match="方向|Direction"):
        ledger.submit("adjustment", 1, TODAY, [ledger.Line(coat, 5)], note="盘点")
    with pytest.raises(ledger.LedgerError, match="金额|Money"):
        ledger.submit("donation", 1, TODAY, [ledger.Line(coat, 5)], -100, donor_id=1)
    assert stock(coat) == before and db.session.scalar(select(func.count(Voucher.id))) == vouchers
    # Out by 5 lowers the stock by 5; the line keeps its positive quantity, the voucher its direction.
    made = secretary_client.post("/api/v1/voucher/adjustment", headers=api_as("secretary"), json={
        "dated": TODAY.isoformat(), "direction": "out", "note": "盘点", "lines": [{"item": coat, "quantity": 5}]})
    assert made.status_code == 201, made.get_json()
    voucher = db.session.get(Voucher, made.get_json()["id"])
    assert (voucher.direction, [line.quantity for line in voucher.lines]) == ("out", [5])
    assert stock(coat) == before - 5


def test_the_database_refuses_a_line_that_is_not_above_zero_naming_the_quantity(app):
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from app.validation import explain_database_error

    voucher = db.session.scalars(select(Voucher)).first()
    with pytest.raises(IntegrityError) as refused:
        db.session.execute(text("INSERT INTO aid_voucher_line (voucher_id, item_id, quantity) VALUES (:v, :i, -3)"),
                           {"v": voucher.id, "i": item().id})
    db.session.rollback()
    assert explain_database_error(refused.value).field == "quantity"
