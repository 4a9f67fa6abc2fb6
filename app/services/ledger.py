"""The aid ledger: the one place where stock and money move.

``submit`` builds a voucher from plain data and, for a user who may post, posts it at once
(``record`` does the same inside the caller's command); ``post_proposed`` posts a proposed one and
``cancel`` cancels it. These three are commands (``app.services.commands``). Posting locks the items (and, for money, the community's fund)
before reading balances — an UPDATE that touches their rows: a row lock on PostgreSQL, the write
lock on SQLite — so two staff handing out the last coat at the same moment are served one after
the other, and the second is told what is left. Posting or cancelling a proposal first claims its
row while it is still proposed, so of two people acting on it at once the second is told it was
already posted or cancelled (VoucherStateError, a 409 on the API). Nothing is edited afterwards: a
correction is a new adjustment voucher.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ..extensions import db
from ..models import AidItem, Community, FundEntry, Household, StockMove, Voucher, VoucherLine
from ..models.choices import VOUCHER_STATUS
from ..security import actor
from ..timekeeping import utc_now
from .commands import command
from .numbering import next_in_series

# kind → (receipt series, sign of goods, fund entry kind and sign)
KINDS = {
    "donation": ("JZ", +1, ("donation_in", +1)),
    "purchase": ("CG", +1, ("purchase_out", -1)),
    "distribution": ("FF", -1, ("relief_out", -1)),
    "adjustment": ("TZ", None, None),  # the voucher's direction says in or out; no money
}
# Quantities and amounts are positive everywhere: the kind (or an adjustment's direction) says
# whether they come in or go out. A negative quantity would turn "out" into "in".
DIRECTIONS = {"in": +1, "out": -1}
MAX_QUANTITY = 100000
MAX_AMOUNT_FEN = 100_000_000  # ¥1,000,000: more is a typing mistake


class LedgerError(ValueError):
    """A refused posting; the message names what is wrong (and what is left)."""


class VoucherStateError(LedgerError):
    """The voucher is no longer a proposal (someone posted or cancelled it first): a conflict."""

    status = 409


@dataclass(frozen=True)
class Line:
    item_id: int
    quantity: int


def yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


def _username() -> str | None:
    return actor.current().name


def may_post() -> bool:
    return actor.may("aid_voucher", "post")


def _merged(lines) -> list[Line]:
    totals: dict[int, int] = {}
    for line in lines:
        totals[line.item_id] = totals.get(line.item_id, 0) + line.quantity
    return [Line(item_id, quantity) for item_id, quantity in totals.items() if quantity]


@command
def submit(kind: str, community_id: int, dated: dt.date, lines=(), amount_fen: int = 0, **links) -> Voucher:
    """A new voucher, posted if the user may post (else proposed); committed, or nothing written."""
    return record(kind, community_id, dated, lines, amount_fen, **links)


def _check_amounts(kind: str, lines, amount_fen: int, direction: str | None) -> None:
    """Every quantity and the amount positive (or no amount), an adjustment's direction given."""
    if kind not in KINDS:
        raise LedgerError(_l("Unknown kind of voucher."))
    if any(not 1 <= line.quantity <= MAX_QUANTITY for line in lines):
        raise LedgerError(_l("Quantity: a whole number from 1 to %(max)s; the direction says in or out.",
                             max=MAX_QUANTITY))
    if not 0 <= amount_fen <= MAX_AMOUNT_FEN or (kind == "adjustment" and amount_fen):
        raise LedgerError(_l("Money (¥): from 0 to ¥%(max)s, and none in an adjustment.", max=yuan(MAX_AMOUNT_FEN)))
    if (kind == "adjustment") != (direction in DIRECTIONS):
        raise LedgerError(_l("Direction: an adjustment adds to stock (in) or takes from it (out); "
                             "other vouchers have none."))
    if not lines and not amount_fen:
        raise LedgerError(_l("Enter at least one item line or an amount of money."))


def record(kind: str, community_id: int, dated: dt.date, lines=(), amount_fen: int = 0, *,
           household_id: int | None = None, donor_id: int | None = None, campaign_id: int | None = None,
           note: str | None = None, direction: str | None = None) -> Voucher:
    """``submit`` inside the caller's command (another record saved with the voucher, e.g. a
    co-building unit's support), which commits or rolls back. Quantities and
    the amount are positive; an adjustment's ``direction`` ("in" or "out") says which way it goes."""
    _check_amounts(kind, lines, amount_fen, direction)
    lines = _merged(lines)
    if kind == "distribution" and household_id is None:
        raise LedgerError(_l("A distribution goes to one household: choose it."))
    if kind == "donation" and donor_id is None:
        raise LedgerError(_l("A donation needs its donor."))
    if kind == "adjustment" and not (note or "").strip():
        raise LedgerError(_l("An adjustment needs its reason."))
    household = db.session.get(Household, household_id) if household_id else None
    if household is not None and household.grid.community_id != community_id:
        raise LedgerError(_l("The household is not in this community."))
    items = {item.id: item for item in db.session.scalars(
        select(AidItem).where(AidItem.id.in_([line.item_id for line in lines])))}
    if any(items.get(line.item_id) is None or items[line.item_id].community_id != community_id for line in lines):
        raise LedgerError(_l("An item is not in this station's catalogue."))
    voucher = Voucher(community_id=community_id, kind=kind, status="proposed", dated=dated,
                      household_id=household_id, grid_id=household.grid_id if household else None,
                      donor_id=donor_id, campaign_id=campaign_id, amount_fen=amount_fen, direction=direction,
                      note=(note or "").strip() or None, proposed_by=_username(),
                      lines=[VoucherLine(item_id=line.item_id, quantity=line.quantity) for line in lines])
    db.session.add(voucher)
    if kind != "distribution" or may_post():
        post(voucher)
    return voucher


def _claim(voucher) -> None:
    """Lock the voucher's row while it is still a proposal, or raise VoucherStateError naming its
    state. A second poster or canceller of the same proposal waits here for the first (the row
    lock on PostgreSQL, the write lock on SQLite) and then finds the row no longer proposed."""
    claimed = db.session.execute(update(Voucher).where(Voucher.id == voucher.id, Voucher.status == "proposed")
                                 .values(status=Voucher.status)
                                 .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        db.session.refresh(voucher, ["status", "number"])
        raise _not_proposed(voucher)


def _not_proposed(voucher) -> VoucherStateError:
    return VoucherStateError(_l("Voucher %(number)s is already %(status)s.", number=str(voucher),
                                status=VOUCHER_STATUS.label(voucher.status)))


def _lock(voucher) -> None:
    """Serialise postings that touch the same items or the same fund (see the module's note)."""
    if voucher.amount_fen:
        db.session.execute(update(Community).where(Community.id == voucher.community_id)
                           .values(id=Community.id))
    item_ids = sorted(line.item_id for line in voucher.lines)
    if item_ids:
        db.session.execute(update(AidItem).where(AidItem.id.in_(item_ids)).values(id=AidItem.id))


def stock_of(item_ids) -> dict[int, int]:
    rows = db.session.execute(select(StockMove.item_id, func.sum(StockMove.quantity))
                              .where(StockMove.item_id.in_(list(item_ids))).group_by(StockMove.item_id))
    return {item_id: 0 for item_id in item_ids} | dict(rows.all())


def fund_balance(community_id: int) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(FundEntry.amount_fen), 0))
                             .where(FundEntry.community_id == community_id))


def post(voucher) -> None:
    """Post ``voucher`` (new or proposed) or raise LedgerError, inside the caller's command."""
    if voucher.status != "proposed":
        raise _not_proposed(voucher)
    series, goods_sign, fund = KINDS[voucher.kind]
    goods_sign = goods_sign or DIRECTIONS[voucher.direction]
    db.session.flush()  # the voucher and its lines have ids
    _claim(voucher)
    _lock(voucher)
    stock = stock_of([line.item_id for line in voucher.lines])
    for line in voucher.lines:
        change = line.quantity * goods_sign
        if stock[line.item_id] + change < 0:
            item = line.item or db.session.get(AidItem, line.item_id)
            raise LedgerError(_l("%(item)s: only %(left)s %(unit)s left, %(asked)s asked.", item=item.name,
                                 left=stock[line.item_id], unit=item.unit, asked=abs(change)))
    if fund and voucher.amount_fen:
        left = fund_balance(voucher.community_id)
        if left + fund[1] * voucher.amount_fen < 0:
            raise LedgerError(_l("The mutual-aid fund has only ¥%(left)s left, ¥%(asked)s asked.",
                                 left=yuan(left), asked=yuan(voucher.amount_fen)))
    links = dict(community_id=voucher.community_id, household_id=voucher.household_id, grid_id=voucher.grid_id,
                 campaign_id=voucher.campaign_id, donor_id=voucher.donor_id)
    for line in voucher.lines:
        db.session.add(StockMove(voucher_id=voucher.id, item_id=line.item_id, kind=voucher.kind,
                                 quantity=line.quantity * goods_sign, moved_on=voucher.dated, **links))
    if fund and voucher.amount_fen:
        db.session.add(FundEntry(voucher_id=voucher.id, kind=fund[0], amount_fen=fund[1] * voucher.amount_fen,
                                 entry_on=voucher.dated, **links))
    voucher.number = f"{series}-{voucher.dated.year}-{next_in_series(series, voucher.dated.year):04d}"
    voucher.status, voucher.posted_by, voucher.posted_at = "posted", _username(), utc_now()


@command
def post_proposed(voucher) -> None:
    """The secretary posts a grid manager's proposal; committed, or nothing written."""
    post(voucher)


@command
def cancel(voucher) -> None:
    """Cancel a proposal; committed, or nothing written."""
    if voucher.status != "proposed":
        raise _not_proposed(voucher)
    _claim(voucher)
    voucher.status = "cancelled"
