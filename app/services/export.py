"""CSV for the street office: UTF-8 with BOM (Excel on Chinese Windows opens it), Chinese headers,
values as the user sees them (labels, masks), cells that a spreadsheet would run neutralised,
streamed in batches so memory stays flat however many rows.

What can be done per cell in SQL is (neutralising, coded values' labels, yes/no, dates as text):
the database does it in C, and rows that need nothing more go from the cursor to the CSV writer.
"""
from __future__ import annotations

import csv
import io
import itertools

from flask_babel import gettext
from markupsafe import Markup
from sqlalchemy import case, func, literal

BOM = "\ufeff"
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 2000
MEMO_LIMIT = 512  # distinct values remembered per column: codes and flags, not names


def cell(value) -> str:
    text = "" if value is None else (Markup(value).striptags() if isinstance(value, Markup) else str(value))
    return "'" + text if text.startswith(DANGEROUS) else text


def neutral_sql(text):
    """``cell``'s neutralising, in SQL."""
    return case((func.substr(text, 1, 1).in_(DANGEROUS), literal("'") + text), else_=text)


def coded_sql(column, choices):
    """A coded column as its translated label, in SQL; an unknown code as itself."""
    return case({code: str(label) for code, label in choices}, value=column, else_=neutral_sql(column))


def yes_no_sql(column):
    return case((column.is_(None), literal("")), (column, literal(gettext("Yes"))), else_=literal(gettext("No")))


def memoised(formatter):
    """``formatter`` then ``cell``, remembering the results for the first values seen: a column of
    codes or flags is formatted a handful of times, not once per row."""
    known: dict = {}

    def convert(value):
        try:
            return known[value]
        except KeyError:
            shown = cell(formatter(value))
            if len(known) < MEMO_LIMIT:
                known[value] = shown
            return shown
        except TypeError:  # unhashable
            return cell(formatter(value))
    return convert


def _taken(buffer) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _row_converter(converters):
    """One function converting a row's values that need it, or None when every value is ready."""
    if converters is None:
        return lambda row: [cell(value) for value in row]
    todo = [(index, convert) for index, convert in enumerate(converters) if convert is not None]
    if not todo:
        return None

    def convert_row(row):
        row = list(row)
        for index, convert in todo:
            row[index] = convert(row[index])
        return row
    return convert_row


def _batches(rows, size):
    if hasattr(rows, "partitions"):  # a database result: fetched a batch at a time
        yield from rows.partitions(size)
        return
    rows = iter(rows)
    while batch := list(itertools.islice(rows, size)):
        yield batch


def stream(header, rows, converters=None):
    """Yield the CSV of ``rows``: the header with the BOM, then one chunk per batch. ``converters``
    gives per column a function or None (the value is ready); without it every value goes through
    ``cell``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([cell(name) for name in header])
    yield BOM + _taken(buffer)
    convert = _row_converter(converters)
    for batch in _batches(rows, BATCH):
        writer.writerows(batch if convert is None else map(convert, batch))
        yield _taken(buffer)


def stream_query(header, statement, converters):
    """``stream`` of a query's rows, on a connection of its own: the response outlives the
    request's transaction (which the audit entry commits), and PostgreSQL's server-side cursor
    lives only as long as its transaction."""
    from ..extensions import db

    with db.engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=BATCH).execute(statement)
        yield from stream(header, result, converters)
