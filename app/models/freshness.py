"""What the dashboard keeps between requests, in the database (several app processes share it):
a version per table that each committed write bumps, and the figures computed from them."""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import BigInteger, Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column


class DataVersion(Model):
    """How many committed transactions wrote ``name`` (a table, or "*" for "anything": a bulk
    writer that does not say what it wrote). One row per table, so writers of different tables
    never wait for each other; see ``app.services.freshness``."""

    __tablename__ = "data_version"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class FigureCacheEntry(Model):
    """One part of the dashboard for one context (scope, period, visibility, locale, day): its
    figures as JSON, the versions of the tables they were read from, and when."""

    __tablename__ = "figure_cache"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the context
    stored_at: Mapped[float] = mapped_column(Float)  # seconds since the epoch
    versions: Mapped[str] = mapped_column(Text)  # {"table": version, …}
    payload: Mapped[str] = mapped_column(Text)
