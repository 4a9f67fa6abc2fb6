"""A record that can become a case (a diary entry, group feedback, a meeting's follow-up item, a
supervision opinion): once, linked both ways (``app.services.intake`` makes the case)."""
from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship


class BecomesCase:
    """Its case, when it became one (a case deleted leaves the record without one)."""

    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id", ondelete="SET NULL"), unique=True)

    @declared_attr
    def case(cls):
        return relationship("Case")
