"""Who may see which part of the map (user → grids or whole communities), and the audit log."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .choices import AUDIT_ACTION


def _codes(choices) -> str:
    return ", ".join(f"'{code}'" for code in choices.codes)


class UserScope(Model):
    """One grid, or one whole community, given to a user. A user may hold several."""

    __tablename__ = "user_scope"
    __table_args__ = (
        CheckConstraint("(community_id IS NULL) <> (grid_id IS NULL)", name="ck_user_scope_one_target"),
        Index("uq_user_scope_community", "user_id", "community_id", unique=True,
              sqlite_where=text("community_id IS NOT NULL"), postgresql_where=text("community_id IS NOT NULL")),
        Index("uq_user_scope_grid", "user_id", "grid_id", unique=True,
              sqlite_where=text("grid_id IS NOT NULL"), postgresql_where=text("grid_id IS NOT NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id", ondelete="CASCADE"), index=True)
    note: Mapped[str | None] = mapped_column(String(200))

    user = relationship("User")
    community = relationship("Community")
    grid = relationship("Grid")

    def __str__(self) -> str:
        return f"{self.user} → {self.grid or self.community}"


class AuditEntry(Model):
    """Append-only: the database itself refuses UPDATE and DELETE (see migration 0002).

    ``user_id`` is deliberately not a foreign key: the record outlives the account.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (
        CheckConstraint(f"action IN ({_codes(AUDIT_ACTION)})", name="ck_audit_entry_action"),
        Index("ix_audit_entry_object", "object_type", "object_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)  # UTC
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(20), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    object_label: Mapped[str | None] = mapped_column(String(200))
    changes: Mapped[str | None] = mapped_column(Text)  # JSON: {field: [old, new]}
    client_address: Mapped[str | None] = mapped_column(String(64))
    # The community the record belongs to, so a secretary reads only their community's log.
    community_id: Mapped[int | None] = mapped_column(Integer, index=True)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"


class SessionEpoch(Model):
    """A user's session epoch (none: 0). Every session cookie and API token carries the epoch it
    was issued in and is refused once the user's epoch has moved on: signing out, a new password,
    deactivation or a role taken away end all of the user's sessions, on every process and host
    (``app/security/sessions.py``). A table of our own rather than a column on FAB's ``ab_user``."""

    __tablename__ = "session_epoch"
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
