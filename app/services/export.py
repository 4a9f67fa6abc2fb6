"""CSV for the street office: UTF-8 with BOM (Excel on Chinese Windows opens it), Chinese headers,
values as the user sees them (labels, masks), cells that a spreadsheet would run neutralised and
long numbers (ID numbers) kept as text, streamed in batches so memory stays flat however many rows.

What can be done per cell in SQL is (neutralising, coded values' labels, yes/no, dates as text,
masks): the database does it in C, and rows that need nothing more go from the cursor to the CSV
writer as the driver's tuples; on PostgreSQL they do not reach Python as values at all: COPY
writes the CSV (``_copied``), Python passes its bytes on.
"""
from __future__ import annotations

import csv
import io
import itertools

from flask_babel import gettext
from markupsafe import Markup
from sqlalchemy import Boolean, Integer, String, case, func, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

BOM = "\ufeff"
# A spreadsheet runs a cell as a formula when its first character past any blank is one of these
# (the fullwidth ones too: a Chinese input method types them, and WPS takes them as operators).
FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Blanks a spreadsheet skips: whitespace of any script (str.isspace's: tab, line breaks, the
# ideographic space …) and the invisible zero-width characters.
BLANKS = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
          "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u180e\u200b\u200c\u200d\u2060\ufeff")
# A cell of digits that Excel and WPS would take for a number and spoil: 12 digits or more (shown as
# 3.70112E+17, every digit past the 15th turned to 0: an ID number) or a leading zero (dropped:
# a landline, a room "0101"). Such a cell starts with a tab, which both keep as text: the cell
# is no longer a number, and the tab is invisible. Not an apostrophe (a CSV shows it, unlike a
# typed cell) nor ="…" (a formula, which neutralising exists to prevent); the tab starts no
# formula and what follows it is digits, so the cell stays neutral. The import strips it again.
LONG_NUMBER = 12
TEXT_MARK = "\t"
BATCH = 2000
MEMO_LIMIT = 512  # distinct values remembered per column: codes and flags, not names


def _is_formula(text: str) -> bool:
    return text.lstrip(BLANKS).startswith(FORMULA_STARTS)


def _is_spoilt_number(text: str) -> bool:
    return text.isascii() and text.isdigit() and (len(text) >= LONG_NUMBER or (len(text) > 1 and text[0] == "0"))


def cell(value) -> str:
    """A value as its CSV cell: a formula neutralised (an apostrophe before it), a long number or
    one with a leading zero kept as text."""
    text = "" if value is None else (Markup(value).striptags() if isinstance(value, Markup) else str(value))
    if _is_formula(text):
        return "'" + text
    return TEXT_MARK + text if _is_spoilt_number(text) else text


class _digits_only(FunctionElement):
    """Whether a text is one or more ASCII digits, in SQL."""
    type = Boolean()
    inherit_cache = True
    name = "digits_only"


@compiles(_digits_only)
def _digits_only_sqlite(element, compiler, **kw):
    text = compiler.process(element.clauses, **kw)
    return f"({text} GLOB '[0-9]*' AND {text} NOT GLOB '*[^0-9]*')"


@compiles(_digits_only, "postgresql")
def _digits_only_postgresql(element, compiler, **kw):
    return f"({compiler.process(element.clauses, **kw)} ~ '^[0-9]+$')"


def _formula_sql(text):
    return func.substr(func.ltrim(text, BLANKS), 1, 1).in_(FORMULA_STARTS)


def neutral_sql(text):
    """``cell``'s formula neutralising alone, in SQL (the masks apply it to the part they show)."""
    return case((_formula_sql(text), literal("'") + text), else_=text)


def cell_sql(text):
    """``cell`` in SQL: neutralised, and a long number kept as text."""
    length = func.length(text)
    spoilt = _digits_only(text) & ((length >= LONG_NUMBER) | ((func.substr(text, 1, 1) == "0") & (length > 1)))
    return case((_formula_sql(text), literal("'") + text), (spoilt, literal(TEXT_MARK) + text), else_=text)


def coded_sql(column, choices):
    """A coded column as its translated label, in SQL; an unknown code as itself."""
    return case({code: str(label) for code, label in choices}, value=column, else_=cell_sql(column))


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
    return _written(header, _batches(rows, BATCH), converters)


def _written(header, batches, converters):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([cell(name) for name in header])
    yield BOM + _taken(buffer)
    convert = _row_converter(converters)
    for batch in batches:
        writer.writerows(batch if convert is None else map(convert, batch))
        yield _taken(buffer)


def stream_query(header, statement, converters, copy: bool = True):
    """``stream`` of a query's rows, on a connection of its own: the response outlives the
    request's transaction (which the audit entry commits), and PostgreSQL's server-side cursor
    lives only as long as its transaction.

    On PostgreSQL a query whose every value is ready in SQL is sent as ``COPY … TO STDOUT``:
    PostgreSQL writes the CSV itself, in C, while Python passes its rows on (``copy=False`` takes
    the cursor path instead, as the tests do to compare the two byte for byte)."""
    from ..extensions import db

    with db.engine.connect() as connection:
        # No JIT on PostgreSQL (app/database.py: every connection): it compiled the plan before
        # the first row, 0.6 s for a district's residents.
        if connection.dialect.name == "postgresql":
            if copy and _copyable(statement, converters):
                yield from _copied(connection, header, statement)
                return
        yield from _written(header, _rows(connection, statement), converters)


def _rows(connection, statement):
    """The statement's rows in batches: a server-side cursor's on PostgreSQL; on SQLite (whose
    cursor steps through the rows anyway) the driver's own tuples when no column needs
    SQLAlchemy's conversion of its values (its Row objects were a sixth of the CPU time)."""
    if connection.dialect.name == "postgresql" or any(
            column.type.dialect_impl(connection.dialect).result_processor(connection.dialect, None)
            for column in statement.selected_columns):
        yield from connection.execution_options(stream_results=True, yield_per=BATCH).execute(statement) \
            .partitions(BATCH)
        return
    cursor = connection.execute(statement).cursor
    while batch := cursor.fetchmany(BATCH):
        yield batch


# -- PostgreSQL's COPY -----------------------------------------------------------------------------
# Python's csv module writes what PostgreSQL's CSV writes (same delimiter, quote, doubling, and
# quoting only cells with a delimiter, quote or line break) except: PostgreSQL ends rows with LF
# (the rows here end with CRLF, as csv.writer's), quotes an empty string to tell it from NULL
# (here NULLIF makes it NULL: an empty cell either way), and writes numbers and times its way
# (only text and integers are sent through COPY). ``tests/services/test_export.py`` holds the two equal.
_COPIED_TYPES = (String, Integer)  # Text is a String
BIG_RESULT = 20_000  # rows: a sort of fewer takes milliseconds, of more delays the first row


def _copyable(statement, converters) -> bool:
    columns = list(statement.selected_columns)
    return (len(columns) > 1 and all(convert is None for convert in converters)  # csv quotes a lone empty cell
            and all(isinstance(column.type, _COPIED_TYPES) for column in columns))


def _bound(connection, statement):
    """(SQL, parameters) as the driver receives them (psycopg binds them into the COPY itself)."""
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    processors = compiled._bind_processors  # what SQLAlchemy's execution applies to each value
    params = {name: processors[name](value) if name in processors else value
              for name, value in compiled.construct_params().items()}
    return compiled.string, params


def _in_order_plan(cursor, sql, params) -> None:
    """A cursor's plan favours its first rows; COPY's, the total: for a big result, a sort (or a
    parallel sort) of every row before the first (0.3 s for a million residents by household,
    2 s for a district's by id). Ask for a plan that reads in order instead (an index, nested
    loops): the file starts at once and streams as PostgreSQL reads. A small result keeps its
    plan: there a sort takes milliseconds and an index walk over the whole table would not."""
    plan = cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params).fetchone()[0][0]["Plan"]
    if plan["Plan Rows"] > BIG_RESULT:
        cursor.execute("SET LOCAL enable_sort = off")


def _copied(connection, header, statement):
    statement = statement.with_only_columns(
        *(func.nullif(column, "") if isinstance(column.type, String) else column
          for column in statement.selected_columns))
    sql, params = _bound(connection, statement)
    buffer = io.StringIO()
    csv.writer(buffer).writerow([cell(name) for name in header])
    cursor = connection.connection.driver_connection.cursor()
    _in_order_plan(cursor, sql, params)
    with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
        yield BOM + buffer.getvalue()
        lines = []
        for row in copy:  # one row at a time, each ending with LF
            lines.append(row[:-1])
            if len(lines) == BATCH:
                lines.append(b"")
                yield b"\r\n".join(lines)
                lines = []
        if lines:
            lines.append(b"")
            yield b"\r\n".join(lines)
