"""一支队: volunteer teams, their members, activities and attendance (hours)."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (Boolean, CheckConstraint, Date, Float, ForeignKey, String, UniqueConstraint,
                        func, select)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from .choices import ACTIVITY_KIND, VOLUNTEER_KIND
from .registry import _codes
from .rules import long_text, past_date


class Team(Model):
    __tablename__ = "volunteer_team"
    __table_args__ = (UniqueConstraint("community_id", "name", name="uq_team_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    founded_on: Mapped[dt.date | None] = past_date()
    note: Mapped[str | None] = long_text()

    community = relationship("Community")

    def __str__(self) -> str:
        return self.name


class Volunteer(Model):
    __tablename__ = "volunteer"
    __table_args__ = (CheckConstraint(f"kind IN ({_codes(VOLUNTEER_KIND)})", name="ck_volunteer_kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_team.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20), default="resident")
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id", ondelete="SET NULL"), index=True)
    organisation: Mapped[str | None] = mapped_column(String(100))  # school or unit of an outside volunteer
    phone: Mapped[str | None] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    community = relationship("Community")
    team = relationship("Team")
    resident = relationship("Resident")
    user = relationship("User")

    def __str__(self) -> str:
        return self.name


class Activity(Model):
    __tablename__ = "volunteer_activity"
    __table_args__ = (CheckConstraint(f"kind IN ({_codes(ACTIVITY_KIND)})", name="ck_activity_kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"), index=True)  # none: community-wide
    team_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_team.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120))
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    hours: Mapped[float] = mapped_column(Float, default=2.0)  # each attendee's, unless they say otherwise
    organiser: Mapped[str | None] = mapped_column(String(50))
    note: Mapped[str | None] = long_text()

    community = relationship("Community")
    grid = relationship("Grid")
    team = relationship("Team")

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class Attendance(Model):
    __tablename__ = "volunteer_attendance"
    __table_args__ = (UniqueConstraint("activity_id", "volunteer_id", name="uq_attendance"),
                      CheckConstraint("hours > 0 AND hours <= 24", name="ck_attendance_hours"))
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("volunteer_activity.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id", ondelete="CASCADE"), index=True)
    hours: Mapped[float] = mapped_column(Float)

    activity = relationship("Activity")
    volunteer = relationship("Volunteer")

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.activity}"


Volunteer.total_hours = column_property(
    select(func.coalesce(func.sum(Attendance.hours), 0)).where(Attendance.volunteer_id == Volunteer.id)
    .correlate_except(Attendance).scalar_subquery(), deferred=True)
Activity.attendance_count = column_property(
    select(func.count(Attendance.id)).where(Attendance.activity_id == Activity.id)
    .correlate_except(Attendance).scalar_subquery(), deferred=True)
