"""The mutual-aid station (邻里互助站) and fund (邻里互助基金): a ledger, never a counter.

A voucher (凭证) is a document: a donation, a purchase, a distribution to one household, or an
adjustment. Posting it (``app.services.ledger``) writes stock moves and fund entries, which the
database keeps append-only. An item's stock and the fund's balance are sums of those rows.
Money is kept in fen (分), as integers: exact on every database.
"""
from __future__ import annotations

import datetime as dt
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String,
                        UniqueConstraint, func, select, text)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from .choices import AID_ITEM_CATEGORY, DONOR_KIND, VOUCHER_KIND, VOUCHER_STATUS
from .registry import _codes
from .rules import check, long_text


class AidItem(Model):
    __tablename__ = "aid_item"
    __table_args__ = (
        UniqueConstraint("community_id", "name", name="uq_aid_item_name"),
        CheckConstraint(f"category IN ({_codes(AID_ITEM_CATEGORY)})", name="ck_aid_item_category"),
        CheckConstraint("low_stock >= 0", name="ck_aid_item_low_stock"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    category: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(10))
    low_stock: Mapped[int] = mapped_column(Integer, default=5)  # at or below: marked low
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    community = relationship("Community")

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class Donor(Model):
    __tablename__ = "donor"
    __table_args__ = (CheckConstraint(f"kind IN ({_codes(DONOR_KIND)})", name="ck_donor_kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id", ondelete="SET NULL"), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = long_text()

    community = relationship("Community")
    household = relationship("Household")

    def __str__(self) -> str:
        return self.name


class Campaign(Model):
    __tablename__ = "campaign"
    __table_args__ = (UniqueConstraint("community_id", "name", name="uq_campaign_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = long_text()

    community = relationship("Community")

    def __str__(self) -> str:
        return self.name


HELPED = text("kind = 'distribution' AND status = 'posted'")


class Voucher(Model):
    """One posting (or, from a grid manager, a proposed distribution waiting for the secretary)."""

    __tablename__ = "aid_voucher"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_codes(VOUCHER_KIND)})", name="ck_voucher_kind"),
        CheckConstraint(f"status IN ({_codes(VOUCHER_STATUS)})", name="ck_voucher_status"),
        check("amount_fen >= 0", "ck_voucher_amount", "amount_fen", _l("is never negative")),
        check("(kind = 'adjustment' AND direction IN ('in', 'out')) OR (kind <> 'adjustment' AND direction IS NULL)",
              "ck_voucher_direction", "direction", _l("an adjustment goes in or out; other vouchers have none")),
        Index("ix_voucher_community_status", "community_id", "status"),
        # A grid's list in its order (key last): PostgreSQL reads a grid's first page from it.
        Index("ix_voucher_grid_page", "grid_id", "id"),
        # The households helped (the dashboard), in household order, with what scope and period read.
        Index("ix_voucher_helped", "household_id", "grid_id", "community_id", "dated",
              sqlite_where=HELPED, postgresql_where=HELPED),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)  # given when posted
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    dated: Mapped[dt.date] = mapped_column(Date)
    donor_id: Mapped[int | None] = mapped_column(ForeignKey("donor.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"))  # the household's
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(Integer, default=0)  # money, in or out by kind
    direction: Mapped[str | None] = mapped_column(String(3))  # an adjustment's: "in" or "out"
    note: Mapped[str | None] = long_text()
    proposed_by: Mapped[str | None] = mapped_column(String(64))
    posted_by: Mapped[str | None] = mapped_column(String(64))
    posted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    community = relationship("Community")
    donor = relationship("Donor")
    household = relationship("Household")
    grid = relationship("Grid")
    campaign = relationship("Campaign")
    lines = relationship("VoucherLine", back_populates="voucher", order_by="VoucherLine.id",
                         cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.number or f"#{self.id}"


class VoucherLine(Model):
    __tablename__ = "aid_voucher_line"
    __table_args__ = (check("quantity > 0", "ck_voucher_line_quantity", "quantity",
                            _l("is a whole number above zero (the voucher says in or out)")),)
    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("aid_voucher.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("aid_item.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)  # positive: the voucher's kind or direction says in or out

    voucher = relationship("Voucher", back_populates="lines")
    item = relationship("AidItem")


class StockMove(Model):
    """Append-only. In (+) or out (−) of one item; a posted voucher's line."""

    __tablename__ = "aid_stock_move"
    __table_args__ = (
        CheckConstraint("quantity <> 0", name="ck_stock_move_quantity"),
        Index("ix_stock_move_item_date", "item_id", "moved_on", "id"),
        # A grid's list in its order (key last): PostgreSQL reads a grid's first page from it.
        Index("ix_stock_move_grid_page", "grid_id", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("aid_voucher.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("aid_item.id"))
    kind: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    moved_on: Mapped[dt.date] = mapped_column(Date)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    donor_id: Mapped[int | None] = mapped_column(ForeignKey("donor.id"), index=True)

    voucher = relationship("Voucher")
    item = relationship("AidItem")
    household = relationship("Household")
    campaign = relationship("Campaign")


class FundEntry(Model):
    """Append-only. Money in (+) or out (−) of the mutual-aid fund; a posted voucher's amount."""

    __tablename__ = "aid_fund_entry"
    __table_args__ = (CheckConstraint("amount_fen <> 0", name="ck_fund_entry_amount"),
                      Index("ix_fund_entry_grid_page", "grid_id", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("aid_voucher.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount_fen: Mapped[int] = mapped_column(Integer)
    entry_on: Mapped[dt.date] = mapped_column(Date, index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    donor_id: Mapped[int | None] = mapped_column(ForeignKey("donor.id"), index=True)

    voucher = relationship("Voucher")
    household = relationship("Household")
    campaign = relationship("Campaign")


class NumberSeries(Model):
    """The last number given in a series and year (case numbers, receipt numbers …)."""

    __tablename__ = "number_series"
    series: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


# Current stock: the sum of the item's moves, computed by the database in the same query as the list.
AidItem.stock = column_property(
    select(func.coalesce(func.sum(StockMove.quantity), 0)).where(StockMove.item_id == AidItem.id)
    .correlate_except(StockMove).scalar_subquery(),
)
AidItem.is_low = column_property(AidItem.stock <= AidItem.low_stock)


def _campaign_sum(model, value, *conditions):
    return column_property(
        select(func.coalesce(func.sum(value), 0)).where(model.campaign_id == Campaign.id, *conditions)
        .correlate_except(model).scalar_subquery(), deferred=True)


# A campaign's summary, computed by the database.
Campaign.items_in = _campaign_sum(StockMove, StockMove.quantity, StockMove.quantity > 0)
Campaign.items_out = _campaign_sum(StockMove, -StockMove.quantity, StockMove.kind == "distribution")
Campaign.donated_fen = _campaign_sum(FundEntry, FundEntry.amount_fen, FundEntry.kind == "donation_in")
Campaign.relief_fen = _campaign_sum(FundEntry, -FundEntry.amount_fen, FundEntry.kind == "relief_out")
Campaign.households_helped = column_property(
    select(func.count(func.distinct(Voucher.household_id)))
    .where(Voucher.campaign_id == Campaign.id, Voucher.kind == "distribution", Voucher.status == "posted")
    .correlate_except(Voucher).scalar_subquery(), deferred=True)
