"""The stock tallies: the ledger's moves summed by place, item, kind, month and direction, kept by
the database on every insert whoever writes (the ledger, a seed, raw SQL), gone with a rollback;
the dashboard's aid figures read them and equal the moves."""
from collections import Counter

from sqlalchemy import func, insert, select

from app.extensions import db
from app.models import AidItem, Donor, Household, StockMove, StockTally
from app.services import ledger
from app.timekeeping import local_today
from test_figure_cache import view
from test_tallies import STOCK_KEYS, kept, moves

TODAY = local_today()


def tallies():
    return kept(StockTally, STOCK_KEYS, ("quantity",))


def donate(item_id, quantity, dated=TODAY):
    donor = db.session.scalars(select(Donor).order_by(Donor.id)).first()
    return ledger.submit("donation", 1, dated, [ledger.Line(item_id, quantity)], donor_id=donor.id)


def test_the_seeded_ledger_is_tallied(app):
    summed = moves()
    assert summed and any(grid is None for _c, grid, *_rest in summed), "donations: no grid"
    assert any(quantity < 0 for quantity in summed.values()), "moves out"
    assert tallies() == summed


def test_every_writer_adds_to_the_tallies_and_a_rollback_takes_its_part_back(app):
    item = db.session.scalars(select(AidItem).order_by(AidItem.id)).first()
    home = db.session.scalars(select(Household).where(Household.grid_id == 1).order_by(Household.id)).first()
    before = tallies()
    donate(item.id, 7)
    donate(item.id, 5)  # the same tally again, its grid missing
    ledger.submit("distribution", 1, TODAY, [ledger.Line(item.id, 3)], household_id=home.id)
    key = (1, None, item.id, "donation", TODAY.replace(day=1), True, "quantity")
    assert tallies()[key] == before[key] + 12
    # Written around the app: several moves in one statement, on a connection of its own.
    voucher = db.session.scalars(select(StockMove.voucher_id).where(StockMove.item_id == item.id)).first()
    row = dict(voucher_id=voucher, community_id=1, item_id=item.id, kind="donation", moved_on=TODAY.replace(day=2))
    with db.engine.begin() as connection:
        connection.execute(insert(StockMove), [dict(row, quantity=2), dict(row, quantity=4), dict(row, quantity=-1)])
    assert tallies()[key] == before[key] + 18
    # Written and rolled back: neither the moves nor their tally stay.
    written = tallies()
    ledger.record("donation", 1, TODAY, [ledger.Line(item.id, 100)],
                  donor_id=db.session.scalars(select(Donor.id)).first())
    db.session.flush()
    assert tallies()[key] == written[key] + 100  # inside the writing transaction
    db.session.rollback()
    assert tallies() == written == moves()


def test_the_dashboards_aid_figures_equal_the_moves(app, secretary_client):
    cards, charts, _html = view(secretary_client)
    received = db.session.scalar(select(func.sum(StockMove.quantity)).where(StockMove.kind == "donation"))
    given = db.session.scalar(select(-func.sum(StockMove.quantity)).where(StockMove.kind == "distribution"))
    assert (cards["items_received"], cards["items_distributed"]) == (received, given)
    stock = charts["stock_by_item"]
    items = db.session.scalars(select(AidItem).order_by(AidItem.id)).all()
    assert stock["x"] == [item.name for item in items]
    assert stock["series"][0]["data"] == [item.stock for item in items]
    per_month = Counter()
    for moved_on, quantity in db.session.execute(select(StockMove.moved_on, StockMove.quantity)):
        per_month["in" if quantity > 0 else "out", moved_on.strftime("%Y-%m")] += abs(quantity)
    chart = charts["aid_per_month"]
    shown = {(series["code"], month): value for series in chart["series"]
             for month, value in zip(chart["x"], series["data"]) if value}
    assert shown == dict(per_month)


def test_a_write_of_moves_shows_on_the_next_dashboard(app, secretary_client):
    before, _charts, _html = view(secretary_client)
    item = db.session.scalars(select(AidItem).order_by(AidItem.id)).first()
    donate(item.id, 9)  # the ledger (which also locks the item's row)
    after, _charts, _html = view(secretary_client)
    assert after["items_received"] == before["items_received"] + 9
    # Moves alone, through the session: only aid_stock_move is written, the tallies by trigger.
    voucher = db.session.scalars(select(StockMove.voucher_id).where(StockMove.item_id == item.id)).first()
    db.session.execute(insert(StockMove).values(voucher_id=voucher, community_id=1, item_id=item.id,
                                                kind="donation", quantity=4, moved_on=TODAY))
    db.session.commit()
    again, charts, _html = view(secretary_client)
    assert again["items_received"] == after["items_received"] + 4
    db.session.expire_all()
    assert charts["stock_by_item"]["series"][0]["data"][0] == db.session.get(AidItem, item.id).stock
