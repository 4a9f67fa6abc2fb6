"""服务联系卡 and 知晓率 (part 三 (二), (四)): service contact cards handed to households, and whether
each household has been reached — by a visit, a card handed over, or joining the residents' group."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import ForeignKey, String, exists, or_, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from .diary import Visit
from .registry import Household
from .rules import long_text, past_date


class CardHandover(Model):
    __tablename__ = "card_handover"
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"), index=True)  # the household's, on flush
    handed_on: Mapped[dt.date] = past_date(index=True)
    handed_by: Mapped[str | None] = mapped_column(String(64))
    received_by: Mapped[str | None] = mapped_column(String(50))
    note: Mapped[str | None] = long_text()

    household = relationship("Household")
    grid = relationship("Grid")

    def __str__(self) -> str:
        return f"{self.handed_on} {self.household}"


VISITED = exists().where(Visit.household_id == Household.id)
CARD_HANDED = exists().where(CardHandover.household_id == Household.id)
IN_GROUP = Household.group_joined_on.is_not(None)
# Reached (知晓): the one definition, used by the reach list, its per-grid figures and the stats.
REACHED = or_(IN_GROUP, VISITED, CARD_HANDED)

# The same test with the visits and cards as sets, for counting a whole district at once:
# PostgreSQL hashes each set once instead of looking up every household (the dashboard's 知晓率
# over 316k households: 440 ms → about 120 ms). For a page of rows, REACHED's lookups are cheaper.
REACHED_SETS = or_(IN_GROUP, Household.id.in_(select(Visit.household_id)),
                   Household.id.in_(select(CardHandover.household_id)))

Household.reached = column_property(REACHED, deferred=True)
