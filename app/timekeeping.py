"""Dates as the community sees them: "today" in the configured time zone, timestamps in UTC."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE)


def utc_now() -> dt.datetime:
    """Naive UTC, as stored."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def local_today() -> dt.date:
    return dt.datetime.now(zone()).date()


def soon_limit() -> dt.date:
    """The last day that still counts as "due soon"."""
    days = current_app.config.get("CASE_DUE_SOON_DAYS", 2) if has_app_context() else 2
    return local_today() + dt.timedelta(days=days)
