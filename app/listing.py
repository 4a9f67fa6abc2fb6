"""List pages at a district's scale: FAB's SQLAlchemy interface with its page and count made cheap, and the
list filters of our own. Used by the screens (views) and the REST API (api) alike.

- A page's rows come with their related rows joined in one query, without the related rows'
  geometry and the computed columns their labels do not read. A page past an OFFSET reads the keys
  first, then joins only the page's rows.
- Deep pages by keyset: the pagination links carry the page they leave from and its first and last
  keys (``anchor_<View>``), so the next, previous and nearby pages, and the last one, are an index
  range read (``(order, key) > (boundary)``) instead of an OFFSET through every row before them. A
  page number without an anchor (typed, bookmarked) still works, by OFFSET.
- The count is a plain COUNT of the filtered rows (FAB counts over a subquery), none at all when
  the first page holds every row, and on PostgreSQL the planner's estimate, shown as approximate,
  once the exact count passes ``GRID_EXACT_COUNT_UP_TO`` rows (counting 900k rows costs more than
  the page); past that too, a page reached by its link shows the count its link carries.
- A filter on a related row compares the foreign key (FAB reads the related row first).
- A write the database (or a flush check) refuses raises a FieldError naming the field and the
  rule (``app.validation.explain_database_error``), for the screens' messages and the API's 422.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, request
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import FilterRelationOneToManyEqual, SQLAFilterConverter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from geoalchemy2 import Geometry
from flask_appbuilder.exceptions import DatabaseException
from sqlalchemy import Column, asc, desc, func, literal, select, tuple_
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable
from sqlalchemy.orm import MANYTOONE, ColumnProperty, RelationshipProperty, defer, joinedload, undefer

from .caching import Memo
from .models import labels
from .services import words
from .validation import MAX_ID, FieldError, explain_database_error

KEYSET_REACH = 10  # pages from an anchor read by keyset; a farther jump is an OFFSET
END = "end"


class Explain(Executable, ClauseElement):
    """PostgreSQL's plan of a statement, as JSON (SQLAlchemy's documented recipe for new SQL)."""

    inherit_cache = False

    def __init__(self, statement):
        self.statement = statement


@compiles(Explain, "postgresql")
def _explain(element, compiler, **kwargs):
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kwargs)


class Estimate(int):
    """A row count from the planner's statistics, not from counting."""

    approximate = True


@dataclass(frozen=True)
class Anchor:
    """Where a pagination link was made: page, its first and last keys, page size and order, and
    the list's count as that page showed it."""

    page: int | None  # None: the list's end
    first: int | None
    last: int | None
    size: int
    order: str
    count: int = 0

    def encode(self) -> str:
        return ".".join(str(part) for part in (END if self.page is None else self.page, self.first or 0,
                                               self.last or 0, self.size, self.count, self.order))

    @classmethod
    def decode(cls, text: str) -> Anchor | None:
        try:
            page, first, last, size, count, order = text.split(".", 5)
            anchor = cls(None if page == END else int(page), int(first), int(last), int(size), order, int(count))
        except ValueError:
            return None
        numbers = (anchor.page or 0, anchor.first, anchor.last, anchor.size, anchor.count)
        return anchor if all(0 <= number <= MAX_ID for number in numbers) else None  # else no row's keys


def _order_key(order_column: str, order_direction: str) -> str:
    return f"{order_column}-{order_direction}"


def _request_order(view_name: str) -> tuple[str, str]:
    column = request.args.get(f"_oc_{view_name}", "")
    return column, request.args.get(f"_od_{view_name}", "") if column else ""


class StateFilter(BaseFilter):
    """A computed state column (``info={"where": conditions_of_state}``) equal to a state, through
    its model's conditions, which an index can serve (the computed column itself cannot)."""

    name = _l("Equal to")
    arg_name = "eq"

    def apply(self, query, value):
        return query.filter(getattr(self.model, self.column_name).info["where"](value))


class WordFilter(BaseFilter):
    """Whole Chinese words in a words column (see app.services.words)."""

    name = "words"

    def apply(self, query, value):
        return query.filter(words.matches(getattr(self.model, self.column_name), value))


class KeyEqualFilter(FilterRelationOneToManyEqual):
    """A many-to-one relation equal to the row with this key, compared by the foreign key (FAB
    reads the related row first, geometry and all, to compare with it)."""

    def apply(self, query, value):
        prop = getattr(self.model, self.column_name).property
        pairs = prop.local_remote_pairs
        try:
            key = int(value)
        except (TypeError, ValueError):
            return super().apply(query, value)
        if prop.direction is not MANYTOONE or len(pairs) != 1 or not pairs[0][1].primary_key:
            return super().apply(query, value)
        return query.filter(pairs[0][0] == key)


class FilterConverter(SQLAFilterConverter):
    """FAB's filters per column, made once per interface and column (FAB makes every column's, for
    each ``Filters``: three times a list request), a relation's equality by its key."""

    def convert(self, col_name):
        filters = self.datamodel.converted_filters.get(col_name, lambda: self._convert(col_name))
        return None if filters is None else list(filters)  # FAB extends the list it gets

    def _convert(self, col_name):
        if "where" in getattr(getattr(self.datamodel.obj, col_name, None), "info", {}):
            return [StateFilter(col_name, self.datamodel)]
        filters = super().convert(col_name)
        return filters and [KeyEqualFilter(col_name, self.datamodel) if type(flt) is FilterRelationOneToManyEqual
                            else flt for flt in filters]


class ListInterface(SQLAInterface):
    filter_converter_class = FilterConverter

    def __init__(self, obj, session=None, loads=(), view_name: str = ""):
        self.converted_filters = Memo()  # FilterConverter's, by column
        super().__init__(obj, session)
        self.loads = list(loads)
        self.view_name = view_name

    # -- writes: a refusal says which field and which rule ---------------------------------------
    def _refusing(self, write, item, commit):
        try:
            write(self, item, commit)
        except (IntegrityError, DataError, DatabaseException, FieldError) as error:
            self.session.rollback()
            cause = error.__cause__ if isinstance(error, DatabaseException) else error
            if isinstance(cause, FieldError):
                refusal = cause
            elif isinstance(cause, (IntegrityError, DataError)):
                refusal = explain_database_error(cause)
            else:
                raise
            g.write_refusal = str(refusal)  # FAB's edit page shows its own words (ScopedView reads this)
            raise refusal from error

    def add(self, item, commit=True):
        self._refusing(SQLAInterface.add, item, commit)

    def edit(self, item, commit=True):
        self._refusing(SQLAInterface.edit, item, commit)

    def delete(self, item, commit=True):
        self._refusing(SQLAInterface.delete, item, commit)

    def apply_all(self, query, filters=None, order_column="", order_direction="", page=None, page_size=None,
                  *args, **kwargs):
        query = super().apply_all(query, filters, order_column, order_direction, page, page_size, *args, **kwargs)
        # A page of a list (the export selects its own columns and takes no loader options).
        return query.options(*self.loads) if page_size and self.loads else query

    def query(self, filters=None, order_column="", order_direction="", page=None, page_size=None,
              select_columns=None, outer_default_load=False):
        joins = any("." in (flt.column_name or "") for flt in (filters.filters if filters else []))
        if select_columns and not any("." in column for column in select_columns):
            # The API's list: whole rows and their relations per relation; FAB's load_only of the
            # selected columns left out the foreign keys, then read them and the related rows per row.
            select_columns = None
        if not page_size or select_columns or joins:  # not a list page, or filters FAB joins for
            return super().query(filters, order_column, order_direction, page, page_size, select_columns,
                                 outer_default_load)
        page = page or 0
        anchor = self._anchor(order_column, order_direction, page, page_size)
        # Counting a long list costs more than its page: the count the link's page showed, as an
        # estimate (rows may have come or gone since).
        count = (Estimate(anchor.count) if anchor is not None
                 and anchor.count > current_app.config["GRID_EXACT_COUNT_UP_TO"] else None)
        if anchor is not None and anchor.page is None:  # the end: the last rows, in reverse
            count = count or self.count(filters)
            on_last_page = count - (max(count - 1, 0) // page_size) * page_size
            rows = self._keyset_rows(filters, order_column, order_direction, None, reverse=True, offset=0,
                                     limit=page_size if getattr(count, "approximate", False) else on_last_page)
        elif anchor is not None:
            rows = self._anchored_rows(filters, order_column, order_direction, anchor, page, page_size)
        else:
            rows = None
        if rows is None:
            query = self.apply_all(self.session.query(self.obj), filters, order_column, order_direction)
            rows = self._page_of(query, page * page_size, page_size)
        if count is None:
            count = len(rows) if not page and len(rows) < page_size else self.count(filters)
        return count, rows

    # -- keyset --------------------------------------------------------------------------------------
    def _anchor(self, order_column, order_direction, page, page_size) -> Anchor | None:
        """The request's anchor, if it fits this request (same order and size, near enough) and the
        order allows a keyset (a column without NULLs, then the key)."""
        anchor = Anchor.decode(request.args.get(f"anchor_{self.view_name}", "")) if self.view_name else None
        if anchor is None or anchor.size != page_size:
            return None
        if anchor.order != _order_key(*_request_order(self.view_name)):
            return None
        if anchor.page is not None and (not anchor.first or abs(page - anchor.page) > KEYSET_REACH):
            return None
        return anchor if self._keyset_column(order_column) is not None else None

    def _keyset_column(self, order_column):
        column = getattr(self.obj, order_column, None) if order_column and "." not in order_column else None
        prop = getattr(column, "property", None)
        if not isinstance(prop, ColumnProperty) or len(prop.columns) != 1:
            return None
        table_column = prop.columns[0]
        if getattr(table_column, "table", None) is not self.obj.__table__ or table_column.nullable:
            return None
        return column

    def _anchored_rows(self, filters, order_column, order_direction, anchor, page, page_size):
        if page > anchor.page:
            return self._keyset_rows(filters, order_column, order_direction, anchor.last, reverse=False,
                                     offset=(page - anchor.page - 1) * page_size, limit=page_size)
        if page < anchor.page:
            return self._keyset_rows(filters, order_column, order_direction, anchor.first, reverse=True,
                                     offset=(anchor.page - page - 1) * page_size, limit=page_size)
        return self._keyset_rows(filters, order_column, order_direction, anchor.first, reverse=False, offset=0,
                                 limit=page_size, inclusive=True)

    def _keyset_rows(self, filters, order_column, order_direction, boundary_pk, reverse, offset, limit,
                     inclusive=False):
        """``limit`` rows after (or, reverse, before) the row ``boundary_pk`` in the list's order;
        None when that row is gone (the caller falls back to OFFSET)."""
        column, pk = self._keyset_column(order_column), self.get_pk()
        ascending = (order_direction != "desc") != reverse
        query = self.apply_filters(self.session.query(self.obj), self.get_inner_filters(filters))
        if boundary_pk is not None:
            boundary = self.session.execute(select(column).where(pk == boundary_pk)).first()
            if boundary is None:
                return None
            keys = tuple_(column, pk) if column is not pk else pk
            values = tuple_(literal(boundary[0], column.type), literal(boundary_pk, pk.type)) \
                if column is not pk else boundary_pk
            if inclusive:
                query = query.filter(keys >= values if ascending else keys <= values)
            else:
                query = query.filter(keys > values if ascending else keys < values)
        direction = asc if ascending else desc
        query = query.order_by(*[direction(c) for c in ((column, pk) if column is not pk else (pk,))])
        rows = self._page_of(query, offset, limit)
        return rows[::-1] if reverse else rows

    def _page_of(self, query, offset, limit):
        """``limit`` rows of ``query`` from ``offset``, with their related rows. Past an offset, the
        keys first (an index walk over the rows before the page), then those rows joined to
        their related rows: joined in one query, every skipped row was joined too (page 17,896
        of a district: 1.5 s)."""
        if not offset or not self.loads:
            return query.offset(offset or None).limit(limit).options(*self.loads).all()
        pk = self.get_pk()
        keys = [key for (key,) in query.with_entities(pk).offset(offset).limit(limit).all()]
        if not keys:
            return []
        found = {getattr(row, self.get_pk_name()): row
                 for row in self.session.query(self.obj).filter(pk.in_(keys)).options(*self.loads)}
        return [found[key] for key in keys if key in found]

    # -- count ---------------------------------------------------------------------------------------
    def count(self, filters=None) -> int:
        inner = self.get_inner_filters(filters)
        # On the session's connection (its transaction): a count needs none of the ORM's work per statement.
        connection = self.session.connection()
        if connection.dialect.name != "postgresql":
            return connection.execute(
                self.apply_filters(self.session.query(func.count()).select_from(self.obj), inner).statement).scalar()
        keys = self.apply_filters(self.session.query(self.get_pk()), inner)
        up_to = current_app.config["GRID_EXACT_COUNT_UP_TO"]
        exact = connection.execute(select(func.count()).select_from(keys.limit(up_to + 1).subquery())).scalar()
        if exact <= up_to:
            return exact
        plan = connection.execute(Explain(keys.statement)).scalar()
        return Estimate(max(int(plan[0]["Plan"]["Plan Rows"]), exact))


def _for_label(load, model):
    """``load`` of a related ``model`` row, shown by its label: its geometry and the computed
    columns its label does not read left unread (read if ever asked for). A household's counts,
    say, are correlated subqueries: for every row of a page that shows it."""
    unread = [column.key for column in model.__mapper__.column_attrs
              if isinstance(column.columns[0].type, Geometry)
              or (not _is_table_column(column, model) and column.key not in labels.NEEDS.get(model, ()))]
    return load.options(*[defer(getattr(model, key)) for key in unread]) if unread else load


def _is_table_column(prop, model) -> bool:
    column = prop.columns[0]
    return isinstance(column, Column) and column.table is model.__table__


def list_loads(model, columns):
    """Joined loads of the many-to-one relations among ``columns`` (and what their labels read):
    one query for a page's rows and their related rows (a query per relation cost a round trip
    and the ORM's per-query work each, ~0.5 ms); deferred computed columns among the columns
    loaded with the rows."""
    loads = []
    for column in columns:
        prop = getattr(getattr(model, column, None), "property", None)
        if isinstance(prop, ColumnProperty) and prop.deferred:
            loads.append(undefer(getattr(model, column)))
        elif isinstance(prop, RelationshipProperty) and not prop.uselist:
            target = prop.mapper.class_
            load = _for_label(joinedload(getattr(model, column)), target)
            needs = [getattr(target, need) for need in labels.NEEDS.get(target, ())
                     if isinstance(getattr(target, need).property, RelationshipProperty)]
            loads += [_for_label(joinedload(getattr(model, column)).joinedload(need), need.property.mapper.class_)
                      for need in needs] + [load]
    return loads
