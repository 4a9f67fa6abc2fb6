"""Cases (事件): problems found by patrols, the QQ group, the diary, visits, the hotline or walk-ins,
carried through the report's workflow. Stages change only through ``app.services.workflow``.
"""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from geoalchemy2 import Geometry
from sqlalchemy import (Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from .choices import CASE_FINAL_STAGES, CASE_PRIORITY, CASE_SOURCE, CASE_STAGE
from .deadlines import Deadline
from .registry import SRID, _codes
from .rules import long_text

OPEN = text("stage NOT IN (%s)" % ", ".join(f"'{stage}'" for stage in CASE_FINAL_STAGES))


class CaseCategory(Model):
    """A kind of problem with its service levels; each community keeps its own list."""

    __tablename__ = "case_category"
    __table_args__ = (
        UniqueConstraint("community_id", "name", name="uq_case_category_name"),
        CheckConstraint("days_to_register BETWEEN 0 AND 365 AND days_to_close BETWEEN 0 AND 365",
                        name="ck_case_category_days"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    days_to_register: Mapped[int] = mapped_column(Integer, default=2)
    days_to_close: Mapped[int] = mapped_column(Integer, default=7)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    community = relationship("Community")

    def __str__(self) -> str:
        return self.name


class Case(Model):
    __tablename__ = "case_record"  # "case" is an SQL keyword
    __table_args__ = (
        UniqueConstraint("year", "seq", name="uq_case_year_seq"),
        CheckConstraint(f"stage IN ({_codes(CASE_STAGE)})", name="ck_case_stage"),
        CheckConstraint(f"source IN ({_codes(CASE_SOURCE)})", name="ck_case_source"),
        CheckConstraint(f"priority IN ({_codes(CASE_PRIORITY)})", name="ck_case_priority"),
        CheckConstraint("satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="ck_case_satisfaction"),
        Index("ix_case_grid_stage_due", "grid_id", "stage", "due_on"),
        # A grid's list in its order (key last): PostgreSQL reads a grid's first page from it.
        Index("ix_case_grid_page", "grid_id", "id"),
        # Open cases by deadline (a few percent of a district's): overdue and due-soon lists and counts.
        Index("ix_case_open_due", "due_on", sqlite_where=OPEN, postgresql_where=OPEN),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # 2026-000123
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = long_text(4000)
    category_id: Mapped[int] = mapped_column(ForeignKey("case_category.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"))
    location = mapped_column(Geometry("POINT", srid=SRID, spatial_index=True), nullable=True)
    address: Mapped[str | None] = mapped_column(String(200))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id", ondelete="SET NULL"), index=True)
    # The reporting resident's household (kept in step on flush), so its page lists its cases.
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    # The patrol or other activity on which the problem was found.
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_activity.id"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    stage: Mapped[str] = mapped_column(String(20), default="discovered", index=True)
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    due_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolution: Mapped[str | None] = long_text()
    satisfaction: Mapped[int | None] = mapped_column(Integer)

    category = relationship("CaseCategory")
    grid = relationship("Grid")
    resident = relationship("Resident")
    household = relationship("Household")
    activity = relationship("Activity")
    reporter = relationship("User", foreign_keys=[reporter_id])
    assignee = relationship("User", foreign_keys=[assignee_id])
    events = relationship("CaseEvent", back_populates="case", order_by="CaseEvent.id",
                          cascade="all, delete-orphan")
    photos = relationship("CasePhoto", back_populates="case", order_by="CasePhoto.id",
                          cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        return self.stage not in CASE_FINAL_STAGES

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


# Computed in SQL at query time against the community's local date: listable, filterable, sortable.
CASE_DEADLINE = Deadline(done=Case.stage.in_(CASE_FINAL_STAGES), due_on=Case.due_on, name="sla")
sla_where = CASE_DEADLINE.where  # the cases in a state, through ``ix_case_open_due``
Case.sla = column_property(CASE_DEADLINE.state(), deferred=False,
                           info={"where": sla_where})  # its filter (app/listing.py)


class CaseEvent(Model):
    """One step of a case's timeline: who moved it from which stage to which, when, and why."""

    __tablename__ = "case_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    user_id: Mapped[int | None] = mapped_column(Integer)  # not a foreign key: the record outlives the account
    username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(20))
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = long_text()

    case = relationship("Case", back_populates="events")


class CasePhoto(Model):
    __tablename__ = "case_photo"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    uploaded_by: Mapped[str | None] = mapped_column(String(64))

    case = relationship("Case", back_populates="photos")

    def __str__(self) -> str:
        return self.original_name or self.stored_name
