"""The field app's records (巡查 and what phones sent): patrols with their tracks, and a receipt for
every report or visit a phone sent, keyed by the id the phone made for it, so that a resend after a
lost answer finds the first one instead of making a second case."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from geoalchemy2 import Geometry
from sqlalchemy import CheckConstraint, DateTime, Float, ForeignKey, Index, String, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from .registry import SRID

CLIENT_ID = 36  # a UUID as text, made on the phone


class Patrol(Model):
    """One patrol (巡查) of one person: started and ended on the phone; its points are its track."""

    __tablename__ = "patrol"
    __table_args__ = (Index("ix_patrol_grid_started", "grid_id", "started_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(CLIENT_ID), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)
    username: Mapped[str] = mapped_column(String(64))  # kept when the account goes
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    # The grid of its first position (None until the phone has one).
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC, the phone's clock
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    user = relationship("User")
    community = relationship("Community")
    grid = relationship("Grid")
    points = relationship("PatrolPoint", back_populates="patrol", order_by="PatrolPoint.at",
                          cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"{self.username} {self.started_at:%Y-%m-%d %H:%M}"


class PatrolPoint(Model):
    """A position of the phone during a patrol (about every 30 s while the page is open)."""

    __tablename__ = "patrol_point"
    __table_args__ = (CheckConstraint("accuracy IS NULL OR accuracy >= 0", name="ck_patrol_point_accuracy"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(CLIENT_ID), unique=True)
    patrol_id: Mapped[int] = mapped_column(ForeignKey("patrol.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC, the phone's clock
    location = mapped_column(Geometry("POINT", srid=SRID, spatial_index=False), nullable=False)
    accuracy: Mapped[float | None] = mapped_column(Float)  # metres, as the phone said

    patrol = relationship("Patrol", back_populates="points")


class FieldReceipt(Model):
    """What a phone sent (a report, a visit) and what it became: the client id is unique, so the
    same item sent twice is one record."""

    __tablename__ = "field_receipt"
    __table_args__ = (CheckConstraint("kind IN ('report', 'visit')", name="ck_field_receipt_kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(CLIENT_ID), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    # The patrol it was made on: a problem found on a patrol belongs to it.
    patrol_id: Mapped[int | None] = mapped_column(ForeignKey("patrol.id", ondelete="SET NULL"), index=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)

    grid = relationship("Grid")
    case = relationship("Case")
    visit = relationship("Visit")
    patrol = relationship("Patrol")


# Counted at query time (a column updated every 30 s would put a row in the audit log each time).
Patrol.point_count = column_property(
    select(func.count(PatrolPoint.id)).where(PatrolPoint.patrol_id == Patrol.id).correlate_except(PatrolPoint)
    .scalar_subquery(), deferred=False)
Patrol.report_count = column_property(
    select(func.count(FieldReceipt.id)).where(FieldReceipt.patrol_id == Patrol.id, FieldReceipt.kind == "report")
    .correlate_except(FieldReceipt).scalar_subquery(), deferred=False)
