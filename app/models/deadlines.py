"""The deadline state of anything with a due date — done, overdue, due soon, on time — computed in
SQL against the community's local date (never typed): cases and meetings' follow-up items."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Date, and_, bindparam, case, false, or_

from ..timekeeping import local_today, soon_limit

STATES = ("done", "overdue", "due_soon", "on_time")


@dataclass(frozen=True)
class Deadline:
    done: object  # a condition: the record needs nothing more
    due_on: object  # its due date column (no date: on time)
    name: str  # prefix of its parameters' names (unique per column in a statement)

    def _dates(self, use: str):
        return (bindparam(f"{self.name}_{use}today", callable_=local_today, type_=Date),
                bindparam(f"{self.name}_{use}soon", callable_=soon_limit, type_=Date))

    def state(self):
        """The state as a column expression (listable, sortable)."""
        today, soon = self._dates("")
        return case((self.done, "done"), (self.due_on.is_(None), "on_time"), (self.due_on < today, "overdue"),
                    (self.due_on <= soon, "due_soon"), else_="on_time")

    def where(self, state: str):
        """The records in ``state``, as conditions an index can serve (the computed state column
        itself is read for every record in scope)."""
        today, soon = self._dates("where_")
        still_open = ~self.done
        return {
            "done": self.done,
            "overdue": and_(still_open, self.due_on < today),
            "due_soon": and_(still_open, self.due_on >= today, self.due_on <= soon),
            "on_time": and_(still_open, or_(self.due_on.is_(None), self.due_on > soon)),
        }.get(state, false())
