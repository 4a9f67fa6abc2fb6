"""共驻共建 (part 三 (三)): units in the area — resident units, non-public and "two new" party
organisations, schools and universities, property companies — with their party organisation, the
support they gave (people, money, goods) and their pairings with building party branches
(楼宇支部结对). Money and goods reach the aid ledger only as posted donation vouchers
(``app.services.cobuilding`` → ``app.services.ledger``), with the unit's donor as donor.
"""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (Boolean, CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint, func,
                        select)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from .choices import PARTY_ORG_KIND, SUPPORT_KIND, UNIT_KIND
from .registry import _codes
from .rules import long_text, past_date


class CobuildingUnit(Model):
    __tablename__ = "cobuilding_unit"
    __table_args__ = (
        UniqueConstraint("community_id", "name", name="uq_cobuilding_unit_name"),
        CheckConstraint(f"kind IN ({_codes(UNIT_KIND)})", name="ck_cobuilding_unit_kind"),
        CheckConstraint(f"party_org_kind IN ({_codes(PARTY_ORG_KIND)})", name="ck_cobuilding_party_org_kind"),
        CheckConstraint("party_members IS NULL OR party_members >= 0", name="ck_cobuilding_party_members"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(50))  # the contact person
    phone: Mapped[str | None] = mapped_column(String(20))
    party_org: Mapped[str | None] = mapped_column(String(100))  # its party organisation's name
    party_org_kind: Mapped[str] = mapped_column(String(20), default="branch")
    party_members: Mapped[int | None] = mapped_column(Integer)
    joined_on: Mapped[dt.date | None] = past_date()  # since when it takes part in 共驻共建
    # The unit as a donor of the aid station; made when it first gives money or goods.
    donor_id: Mapped[int | None] = mapped_column(ForeignKey("donor.id", ondelete="SET NULL"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = long_text()

    community = relationship("Community")
    donor = relationship("Donor")

    def __str__(self) -> str:
        return self.name


class UnitSupport(Model):
    """Support a unit gave: people (how many), money or goods (through a posted donation voucher)."""

    __tablename__ = "cobuilding_support"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_codes(SUPPORT_KIND)})", name="ck_cobuilding_support_kind"),
        CheckConstraint("people IS NULL OR people >= 0", name="ck_cobuilding_support_people"),
        CheckConstraint("amount_fen >= 0", name="ck_cobuilding_support_amount"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("cobuilding_unit.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)  # the unit's, on flush
    given_on: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(10))
    purpose: Mapped[str] = mapped_column(String(200))
    people: Mapped[int | None] = mapped_column(Integer)  # people sent (人次)
    amount_fen: Mapped[int] = mapped_column(Integer, default=0)  # money, in fen; as posted on the voucher
    voucher_id: Mapped[int | None] = mapped_column(ForeignKey("aid_voucher.id"), unique=True)
    note: Mapped[str | None] = long_text()

    unit = relationship("CobuildingUnit")
    community = relationship("Community")
    voucher = relationship("Voucher")

    def __str__(self) -> str:
        return f"{self.given_on} {self.unit} {self.purpose}"


class BranchPairing(Model):
    """A unit (or a volunteer team, such as the students' 青年睦邻服务队) paired with a building's party
    branch (楼宇支部结对), and what they do together."""

    __tablename__ = "branch_pairing"
    __table_args__ = (CheckConstraint("unit_id IS NOT NULL OR team_id IS NOT NULL", name="ck_pairing_partner"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("cobuilding_unit.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_team.id"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"), index=True)  # the building's, on flush
    branch: Mapped[str] = mapped_column(String(100))  # the building party branch
    services: Mapped[str | None] = mapped_column(String(200))  # 清理卫生、陪伴老人、法律咨询 …
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = long_text()

    unit = relationship("CobuildingUnit")
    team = relationship("Team")
    building = relationship("Building")
    grid = relationship("Grid")

    def __str__(self) -> str:
        return f"{self.unit or self.team} · {self.branch}"


CobuildingUnit.support_count = column_property(
    select(func.count(UnitSupport.id)).where(UnitSupport.unit_id == CobuildingUnit.id)
    .correlate_except(UnitSupport).scalar_subquery(), deferred=True)
CobuildingUnit.money_fen = column_property(
    select(func.coalesce(func.sum(UnitSupport.amount_fen), 0)).where(UnitSupport.unit_id == CobuildingUnit.id)
    .correlate_except(UnitSupport).scalar_subquery(), deferred=True)
