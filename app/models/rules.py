"""What a column's value may be, declared once on the column and read by every layer that writes:
the screens' forms and through them the API (``app.views.fields.apply_column_rules``), the
importer and every flush (``app.validation.check_columns``), and migration 0010's constraints.

- a text's maximum length: ``String(n)``'s own, or ``long_text(n)`` for a TEXT column;
- a date that records the past (a birth, a visit, a diary entry): ``past_date()``; it may also be
  no earlier than another date of the row (``not_before="birth_date"``);
- every date lies between EARLIEST and LATEST (no ``0001-01-01``).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, Text
from sqlalchemy.orm import mapped_column

NOTE = 2000  # a note, a reason, a reply
ARTICLE = 10000  # a diary entry, minutes, a notice's body
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)


def long_text(length: int = NOTE, **kwargs):
    """A TEXT column of at most ``length`` characters."""
    return mapped_column(Text, info={"max_length": length}, **kwargs)


def past_date(not_before: str | None = None, **kwargs):
    """A date that records something that happened: never after today."""
    return mapped_column(Date, info={"past": True, "not_before": not_before}, **kwargs)


def check(sqltext: str, name: str, column: str, rule) -> CheckConstraint:
    """A check constraint that knows the field it guards and its rule in words, so that the
    database's refusal can name both (``app.validation.explain_database_error``)."""
    return CheckConstraint(sqltext, name=name, info={"column": column, "rule": rule})


def max_length(column) -> int | None:
    return column.info.get("max_length") or getattr(column.type, "length", None)
