"""The community registry: community → grid → building → household → resident, and facilities.

Households and residents carry their building's and grid's ids (kept in step on every flush by
``app.models.consistency``) so that grid scope, filters and counts never need a join.
"""
from __future__ import annotations

import datetime as dt
import functools

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from geoalchemy2 import Geometry
from sqlalchemy import (Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String,
                        UniqueConstraint, case, func, literal, select, text)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from .choices import (BUILDING_KIND, CARE_TAGS, FACILITY_KIND, FACILITY_STATUS, GENDER, PARTY_STATUSES,
                      POLITICAL_STATUS, RELATION_TO_HEAD, RESIDENCE_TYPE)
from .rules import check, long_text, past_date

SRID = 4326
HEAD_ONLY = text("relation_to_head = 'head'")


def _codes(choices) -> str:
    return ", ".join(f"'{code}'" for code in choices.codes)


class Community(Model):
    __tablename__ = "community"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    street: Mapped[str | None] = mapped_column(String(100))
    district: Mapped[str | None] = mapped_column(String(100))
    city: Mapped[str | None] = mapped_column(String(100))
    area_km2: Mapped[float | None] = mapped_column(Float)
    founded_on: Mapped[dt.date | None] = past_date()
    hotline: Mapped[str | None] = mapped_column(String(30))
    group_number: Mapped[str | None] = mapped_column(String(30))  # the residents' QQ/WeChat group, on the cards

    grids = relationship("Grid", back_populates="community", order_by="Grid.code")

    def __str__(self) -> str:
        return self.name


class Grid(Model):
    __tablename__ = "grid"
    __table_args__ = (UniqueConstraint("community_id", "code", name="uq_grid_community_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    colour: Mapped[str] = mapped_column(String(7), default="#3388ff")
    boundary = mapped_column(Geometry("POLYGON", srid=SRID, spatial_index=True), nullable=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)
    service_phone: Mapped[str | None] = mapped_column(String(20))  # the grid manager's work phone, on the cards
    note: Mapped[str | None] = long_text()

    community = relationship("Community", back_populates="grids")
    manager = relationship("User", foreign_keys=[manager_id])
    supervisor = relationship("User", foreign_keys=[supervisor_id])
    buildings = relationship("Building", back_populates="grid", order_by="Building.number")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Building(Model):
    __tablename__ = "building"
    __table_args__ = (
        UniqueConstraint("grid_id", "number", name="uq_building_grid_number"),
        check("floors IS NULL OR floors BETWEEN 1 AND 120", "ck_building_floors", "floors", _l("is from 1 to 120")),
        check("units IS NULL OR units BETWEEN 1 AND 50", "ck_building_units", "units", _l("is from 1 to 50")),
        CheckConstraint(f"kind IN ({_codes(BUILDING_KIND)})", name="ck_building_kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"), index=True)
    number: Mapped[str] = mapped_column(String(30))
    compound: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default="dormitory")
    floors: Mapped[int | None] = mapped_column(Integer)
    units: Mapped[int | None] = mapped_column(Integer)
    footprint = mapped_column(Geometry("POLYGON", srid=SRID, spatial_index=True), nullable=True)
    entrance = mapped_column(Geometry("POINT", srid=SRID, spatial_index=True), nullable=True)
    # The building head (楼长) is a resident; the FK is added after the resident table exists.
    head_id: Mapped[int | None] = mapped_column(
        ForeignKey("resident.id", ondelete="SET NULL", name="fk_building_head_id_resident", use_alter=True), index=True)

    grid = relationship("Grid", back_populates="buildings")
    head = relationship("Resident", foreign_keys=[head_id], post_update=True)
    households = relationship("Household", back_populates="building",
                              order_by="(Household.unit, Household.room)")

    def __str__(self) -> str:
        return f"{self.compound} {self.number}" if self.compound else self.number


class Household(Model):
    __tablename__ = "household"
    __table_args__ = (
        UniqueConstraint("building_id", "unit", "room", name="uq_household_address"),
        CheckConstraint(f"residence_type IN ({_codes(RESIDENCE_TYPE)})", name="ck_household_residence"),
        Index("ix_household_grid_care", "grid_id", "low_income", "disability",
              "elderly_alone", "extreme_hardship"),
        # A grid's list in its order (key last): PostgreSQL reads a grid's first page from it.
        Index("ix_household_grid_page", "grid_id", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"))
    unit: Mapped[str] = mapped_column(String(10))
    room: Mapped[str] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(20))
    residence_type: Mapped[str] = mapped_column(String(20), default="registered")
    low_income: Mapped[bool] = mapped_column(Boolean, default=False)
    disability: Mapped[bool] = mapped_column(Boolean, default=False)
    elderly_alone: Mapped[bool] = mapped_column(Boolean, default=False)
    extreme_hardship: Mapped[bool] = mapped_column(Boolean, default=False)
    group_joined_on: Mapped[dt.date | None] = past_date(index=True)  # joined the residents' group
    note: Mapped[str | None] = long_text()

    building = relationship("Building", back_populates="households")
    grid = relationship("Grid")  # derived from the building on flush
    residents = relationship("Resident", back_populates="household", foreign_keys="Resident.household_id",
                             order_by="Resident.id")

    @property
    def address(self) -> str:
        return f"{self.building} {self.unit}-{self.room}" if self.building else f"{self.unit}-{self.room}"

    @property
    def is_care(self) -> bool:
        return any(getattr(self, tag) for tag in CARE_TAGS.codes)

    def __str__(self) -> str:
        head = getattr(self, "head_name", None)
        return f"{self.address} {head}" if head else self.address


class Resident(Model):
    __tablename__ = "resident"
    __table_args__ = (
        CheckConstraint(f"gender IN ({_codes(GENDER)})", name="ck_resident_gender"),
        CheckConstraint(f"political_status IN ({_codes(POLITICAL_STATUS)})", name="ck_resident_political"),
        CheckConstraint(f"relation_to_head IN ({_codes(RELATION_TO_HEAD)})", name="ck_resident_relation"),
        # No ID number is NULL, never '': the unique constraint ignores NULLs (on both databases).
        check("id_number <> ''", "ck_resident_id_number", "id_number", _l("is empty: leave it out")),
        # One head per household.
        Index("uq_resident_household_head", "household_id", unique=True,
              sqlite_where=HEAD_ONLY, postgresql_where=HEAD_ONLY),
        Index("ix_resident_grid_political", "grid_id", "political_status"),
        # The dashboard's age bands: the residents born between a band's boundary and the end of its year.
        Index("ix_resident_birth", "birth_date", "grid_id"),
        # A grid's list in its order (key last): PostgreSQL reads a grid's first page from it.
        Index("ix_resident_grid_page", "grid_id", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"))
    name: Mapped[str] = mapped_column(String(50), index=True)
    gender: Mapped[str] = mapped_column(String(10))
    birth_date: Mapped[dt.date | None] = past_date()
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    relation_to_head: Mapped[str] = mapped_column(String(20), default="head")
    political_status: Mapped[str] = mapped_column(String(20), default="masses")
    party_branch: Mapped[str | None] = mapped_column(String(100))
    party_joined_on: Mapped[dt.date | None] = past_date(not_before="birth_date")
    party_flow: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = long_text()

    household = relationship("Household", back_populates="residents", foreign_keys=[household_id])
    # Both derived from the household on flush (app.models.consistency).
    building = relationship("Building", foreign_keys=[building_id])
    grid = relationship("Grid")

    @property
    def is_party_member(self) -> bool:
        return self.political_status in PARTY_STATUSES

    def __str__(self) -> str:
        return self.name


class Facility(Model):
    __tablename__ = "facility"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_codes(FACILITY_KIND)})", name="ck_facility_kind"),
        CheckConstraint(f"status IN ({_codes(FACILITY_STATUS)})", name="ck_facility_status"),
        Index("ix_facility_grid_kind", "grid_id", "kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(100))
    location = mapped_column(Geometry("POINT", srid=SRID, spatial_index=True), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="normal")
    last_inspected_on: Mapped[dt.date | None] = past_date()
    note: Mapped[str | None] = long_text()

    grid = relationship("Grid")

    def __str__(self) -> str:
        return self.name


# Read-only figures shown in lists, computed by the database per row.
Household.head_name = column_property(
    select(Resident.name)
    .where(Resident.household_id == Household.id, Resident.relation_to_head == "head")
    .correlate_except(Resident).scalar_subquery(),
    deferred=False,
)
# The household's care tags as codes ("low_income,disability,"); CARE_TAGS.labels shows them.
Household.care_labels = column_property(
    functools.reduce(lambda text, tag: text + tag, (
        case((getattr(Household, code), literal(code + ",")), else_=literal("")) for code in CARE_TAGS.codes)),
)
Household.resident_count = column_property(
    select(func.count(Resident.id)).where(Resident.household_id == Household.id)
    .correlate_except(Resident).scalar_subquery(),
)
Building.household_count = column_property(
    select(func.count(Household.id)).where(Household.building_id == Building.id)
    .correlate_except(Household).scalar_subquery(),
)
Building.resident_count = column_property(
    select(func.count(Resident.id)).where(Resident.building_id == Building.id)
    .correlate_except(Resident).scalar_subquery(),
)
