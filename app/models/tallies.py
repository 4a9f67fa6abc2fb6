"""Tallies: big tables' rows counted (or summed) by grid and by what the dashboard groups by,
written only by the database (the triggers of migration 0009) in the transaction that writes the
rows, so no writer can forget them. Read-only here. A tally at zero stays (readers skip it) until
what it names goes (its foreign keys cascade).

On SQLite an Alembic batch operation on a tallied table rebuilds the table without its triggers:
such a migration must create them again (migration 0009's generator).

Each is 2–170× smaller than its table: the dashboard's first view of a district reads these
instead of 900k residents, 316k households, 500k diary entries, 100k cases and 1M stock moves.
"""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column


class ResidentTally(Model):
    """Residents by grid and birth year (none: unknown), and how many are party members."""

    source_table = "resident"  # the table it counts (not a column)
    __tablename__ = "resident_tally"
    __table_args__ = (Index("uq_resident_tally_key", "grid_id", "birth_year", unique=True,
                            postgresql_nulls_not_distinct=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id", ondelete="CASCADE"))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    residents: Mapped[int] = mapped_column(Integer)
    party_members: Mapped[int] = mapped_column(Integer)


class HouseholdTally(Model):
    """Households by grid and residence type; how many carry any care tag, and each tag."""

    source_table = "household"  # the table it counts (not a column)
    __tablename__ = "household_tally"
    __table_args__ = (Index("uq_household_tally_key", "grid_id", "residence_type", unique=True,
                            postgresql_nulls_not_distinct=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id", ondelete="CASCADE"))
    residence_type: Mapped[str] = mapped_column(String(20))
    households: Mapped[int] = mapped_column(Integer)
    care: Mapped[int] = mapped_column(Integer)
    low_income: Mapped[int] = mapped_column(Integer)
    disability: Mapped[int] = mapped_column(Integer)
    elderly_alone: Mapped[int] = mapped_column(Integer)
    extreme_hardship: Mapped[int] = mapped_column(Integer)


class DiaryTally(Model):
    """Diary entries by grid, category and month (its first day)."""

    source_table = "diary_entry"  # the table it counts (not a column)
    __tablename__ = "diary_tally"
    __table_args__ = (Index("uq_diary_tally_key", "grid_id", "category", "month", unique=True,
                            postgresql_nulls_not_distinct=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(20))
    month: Mapped[dt.date] = mapped_column(Date)
    entries: Mapped[int] = mapped_column(Integer)


class CaseTally(Model):
    """Cases by grid, stage, category and month reported (UTC, as the dashboard groups them);
    the seconds from report to close summed, the closed cases, those closed by their deadline."""

    source_table = "case_record"  # the table it counts (not a column)
    __tablename__ = "case_tally"
    __table_args__ = (Index("uq_case_tally_key", "grid_id", "stage", "category_id", "month", unique=True,
                            postgresql_nulls_not_distinct=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(20))
    category_id: Mapped[int] = mapped_column(ForeignKey("case_category.id", ondelete="CASCADE"))
    month: Mapped[dt.date] = mapped_column(Date)
    cases: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[int] = mapped_column(BigInteger)
    closed: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)


class StockTally(Model):
    """The stock moves summed by place (no grid: the whole station's), item, kind, month and
    direction. The moves are append-only, so a tally only grows."""

    source_table = "aid_stock_move"  # the table it counts (not a column)
    __tablename__ = "aid_stock_tally"
    __table_args__ = (Index("uq_aid_stock_tally_key", "community_id", "grid_id", "item_id", "kind", "month", "inward",
                            unique=True, postgresql_nulls_not_distinct=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("aid_item.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    month: Mapped[dt.date] = mapped_column(Date)
    inward: Mapped[bool] = mapped_column(Boolean)
    quantity: Mapped[int] = mapped_column(Integer)


# The table each tally counts → the tally: a write to the first writes the second too.
TALLY_OF = {model.source_table: model.__tablename__
            for model in (ResidentTally, HouseholdTally, DiaryTally, CaseTally, StockTally)}
