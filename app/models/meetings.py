"""网格服务工作例会: the grid service meetings the report recommends (part 三 (一)), at community or grid
level, with attendees, agenda, minutes and decisions, and follow-up items with an owner and a due date
(overdue computed like a case's); a follow-up can become a case."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from .choices import MEETING_STATUS
from .intake import BecomesCase
from .deadlines import Deadline
from .registry import _codes
from .rules import ARTICLE, long_text, past_date

meeting_attendee = Table(
    "meeting_attendee", Model.metadata,
    Column("meeting_id", ForeignKey("grid_meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Meeting(Model):
    """A community-wide meeting (no grid) or one grid's."""

    __tablename__ = "grid_meeting"
    __table_args__ = (CheckConstraint(f"status IN ({_codes(MEETING_STATUS)})", name="ck_meeting_status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"), index=True)  # none: community level
    title: Mapped[str] = mapped_column(String(120))
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    place: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    chair: Mapped[str | None] = mapped_column(String(50))
    other_attendees: Mapped[str | None] = mapped_column(String(300))  # unit or resident representatives
    agenda: Mapped[str | None] = long_text(ARTICLE)
    minutes: Mapped[str | None] = long_text(ARTICLE)
    decisions: Mapped[str | None] = long_text(ARTICLE)

    community = relationship("Community")
    grid = relationship("Grid")
    attendees = relationship("User", secondary=meeting_attendee)
    follow_ups = relationship("MeetingFollowUp", back_populates="meeting", order_by="MeetingFollowUp.id",
                              cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class MeetingFollowUp(BecomesCase, Model):
    """Something a meeting decided to do: who, by when; done when it has a done date."""

    __tablename__ = "meeting_follow_up"
    __table_args__ = (Index("ix_follow_up_grid_due", "grid_id", "done_on", "due_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("grid_meeting.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)  # the meeting's, on flush
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"), index=True)  # the meeting's grid by default
    content: Mapped[str] = long_text(ARTICLE)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    done_on: Mapped[dt.date | None] = past_date()
    result: Mapped[str | None] = long_text(ARTICLE)

    meeting = relationship("Meeting", back_populates="follow_ups")
    community = relationship("Community")
    grid = relationship("Grid")
    owner = relationship("User")

    def __str__(self) -> str:
        return self.content[:30]


# Overdue like a case (the same rule): computed in SQL against the community's local date, never typed.
MeetingFollowUp.sla = column_property(
    Deadline(done=MeetingFollowUp.done_on.is_not(None), due_on=MeetingFollowUp.due_on, name="follow_up").state(),
    deferred=False)
