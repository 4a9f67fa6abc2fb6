"""The supervision network of part 三 (二): each grid's supervisors (a street-office work supervisor,
retired cadres and veteran party members), the households they keep as contact points
(社情民意联系点) and visit every week, and the monthly 网格服务监督日 with the opinions collected.

Supervision visits are home visits (``Visit``) with the purpose "supervision" and the supervisor
named; staff record them on the supervisor's behalf, so the Supervisor role stays read-only.
"""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from .choices import SUPERVISION_CHANNEL, SUPERVISOR_KIND
from .intake import BecomesCase
from .diary import Visit
from .registry import _codes
from .rules import ARTICLE, long_text, past_date


class GridSupervisor(Model):
    __tablename__ = "grid_supervisor"
    __table_args__ = (CheckConstraint(f"kind IN ({_codes(SUPERVISOR_KIND)})", name="ck_supervisor_kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(20))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id", ondelete="SET NULL"), index=True)
    appointed_on: Mapped[dt.date | None] = past_date()
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = long_text()

    grid = relationship("Grid")
    resident = relationship("Resident")

    def __str__(self) -> str:
        return self.name


class ContactHousehold(Model):
    """A household's flag as a contact point, with the supervisor who keeps it (one per household)."""

    __tablename__ = "contact_household"
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), unique=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"), index=True)  # the household's, on flush
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("grid_supervisor.id"), index=True)
    since: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = long_text()

    household = relationship("Household")
    grid = relationship("Grid")
    supervisor = relationship("GridSupervisor")

    def __str__(self) -> str:
        return str(self.household)


class SupervisionDay(Model):
    """网格服务监督日: once a month, in the residents' group or on site."""

    __tablename__ = "supervision_day"
    __table_args__ = (CheckConstraint(f"channel IN ({_codes(SUPERVISION_CHANNEL)})", name="ck_supervision_channel"),
                      CheckConstraint("participants IS NULL OR participants >= 0", name="ck_supervision_participants"))
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    channel: Mapped[str] = mapped_column(String(10), default="qq")
    topic: Mapped[str] = mapped_column(String(120))
    participants: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str | None] = long_text(ARTICLE)

    community = relationship("Community")
    opinions = relationship("SupervisionOpinion", back_populates="day", order_by="SupervisionOpinion.id",
                            cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class SupervisionOpinion(BecomesCase, Model):
    """An opinion collected on a supervision day; it can become a case (source: supervision)."""

    __tablename__ = "supervision_opinion"
    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("supervision_day.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)  # the day's, on flush
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"), index=True)  # none: about the community
    raised_by: Mapped[str | None] = mapped_column(String(50))
    content: Mapped[str] = long_text(5000)
    reply: Mapped[str | None] = long_text(5000)

    day = relationship("SupervisionDay", back_populates="opinions")
    community = relationship("Community")
    grid = relationship("Grid")

    def __str__(self) -> str:
        return self.content[:30]


# The latest supervision visit of a contact household, computed per row by the database.
ContactHousehold.last_visited_on = column_property(
    select(func.max(Visit.visited_on))
    .where(Visit.household_id == ContactHousehold.household_id, Visit.purpose == "supervision")
    .correlate_except(Visit).scalar_subquery(),
)
SupervisionDay.opinion_count = column_property(
    select(func.count(SupervisionOpinion.id)).where(SupervisionOpinion.day_id == SupervisionDay.id)
    .correlate_except(SupervisionOpinion).scalar_subquery(),
)
