"""一个群: notices to the residents' group, its size over time, and feedback from it."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (Boolean, CheckConstraint, Column, ForeignKey, Integer, String, Table,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .choices import CHANNEL
from .intake import BecomesCase
from .registry import _codes
from .rules import long_text, past_date

notice_grid = Table(
    "notice_grid", Model.metadata,
    Column("notice_id", ForeignKey("group_notice.id", ondelete="CASCADE"), primary_key=True),
    Column("grid_id", ForeignKey("grid.id", ondelete="CASCADE"), primary_key=True),
)


class Notice(Model):
    __tablename__ = "group_notice"
    __table_args__ = (CheckConstraint(f"channel IN ({_codes(CHANNEL)})", name="ck_notice_channel"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10), default="qq")
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = long_text(5000)
    sent_on: Mapped[dt.date] = past_date(index=True)
    author: Mapped[str | None] = mapped_column(String(64))
    to_everyone: Mapped[bool] = mapped_column(Boolean, default=True)

    community = relationship("Community")
    grids = relationship("Grid", secondary=notice_grid)  # the audience when not everyone

    def __str__(self) -> str:
        return self.title


class GroupSize(Model):
    __tablename__ = "group_size"
    __table_args__ = (UniqueConstraint("community_id", "channel", "recorded_on", name="uq_group_size_day"),
                      CheckConstraint("members >= 0", name="ck_group_size_members"))
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10), default="qq")
    recorded_on: Mapped[dt.date] = past_date(index=True)
    members: Mapped[int] = mapped_column(Integer)

    community = relationship("Community")


class GroupFeedback(BecomesCase, Model):
    """Something residents raised in the group; it can become a case (source QQ群)."""

    __tablename__ = "group_feedback"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"), index=True)
    received_on: Mapped[dt.date] = past_date(index=True)
    channel: Mapped[str] = mapped_column(String(10), default="qq")
    content: Mapped[str] = long_text(5000)

    community = relationship("Community")
    grid = relationship("Grid")

    def __str__(self) -> str:
        return f"{self.received_on} {self.content[:20]}"
