"""一个本: the people's-conditions diary (民情日志), and home visits (入户走访)."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (Boolean, CheckConstraint, Column, ForeignKey, Index, String, Table, Text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .choices import DIARY_CATEGORY, VISIT_PURPOSE
from .intake import BecomesCase
from .registry import _codes
from .rules import ARTICLE, long_text, past_date

diary_household = Table(
    "diary_household", Model.metadata,
    Column("diary_id", ForeignKey("diary_entry.id", ondelete="CASCADE"), primary_key=True),
    Column("household_id", ForeignKey("household.id", ondelete="CASCADE"), primary_key=True, index=True),
)
diary_resident = Table(
    "diary_resident", Model.metadata,
    Column("diary_id", ForeignKey("diary_entry.id", ondelete="CASCADE"), primary_key=True),
    Column("resident_id", ForeignKey("resident.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class DiaryEntry(BecomesCase, Model):
    __tablename__ = "diary_entry"
    __table_args__ = (
        CheckConstraint(f"category IN ({_codes(DIARY_CATEGORY)})", name="ck_diary_category"),
        Index("ix_diary_grid_date", "grid_id", "entry_on", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"))
    entry_on: Mapped[dt.date] = past_date(index=True)
    category: Mapped[str] = mapped_column(String(20), index=True)
    content: Mapped[str] = long_text(ARTICLE)
    # The content cut into words (jieba), space-separated: what Chinese search matches whole words in.
    search_words: Mapped[str | None] = mapped_column(Text)
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)

    grid = relationship("Grid")
    author = relationship("User")
    households = relationship("Household", secondary=diary_household)
    residents = relationship("Resident", secondary=diary_resident)

    def __str__(self) -> str:
        return f"{self.entry_on} {self.content[:20]}"


class Visit(Model):
    __tablename__ = "visit"
    __table_args__ = (CheckConstraint(f"purpose IN ({_codes(VISIT_PURPOSE)})", name="ck_visit_purpose"),
                      Index("ix_visit_household_purpose_date", "household_id", "purpose", "visited_on"),
                      Index("ix_visit_grid_date", "grid_id", "visited_on", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    visited_on: Mapped[dt.date] = past_date(index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"))  # the household's, on flush
    purpose: Mapped[str] = mapped_column(String(20))
    visitors: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = long_text(ARTICLE)
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False)
    # A supervision visit: the supervisor who made it, and the staff member who recorded it for them.
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("grid_supervisor.id"), index=True)
    recorded_by: Mapped[str | None] = mapped_column(String(64))

    household = relationship("Household")
    grid = relationship("Grid")
    supervisor = relationship("GridSupervisor")

    def __str__(self) -> str:
        return f"{self.visited_on} {self.household}"
