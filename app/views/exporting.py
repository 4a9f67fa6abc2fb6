"""The CSV export of a list: the list's own query (scope, filters, word search, order), selecting
only its columns in SQL (related rows by their SQL label, ``app.models.labels``) and streamed from
the database; each value shown as the list shows it (labels, masks).

No ORM objects and no OFFSET pages: one Core query whose rows arrive in batches, so a million
rows cost the memory of one batch and the first byte comes at once.
"""
from __future__ import annotations

from flask import Response, request, stream_with_context
from sqlalchemy import Boolean, Date, String, Text, cast
from sqlalchemy.orm import ColumnProperty, RelationshipProperty, aliased

from ..extensions import db
from ..models.choices import Choices
from ..models.labels import label_of
from ..security import privacy
from ..services import audit, export
from ..timekeeping import local_today
from . import formatters as fmt


def column_plan(view, name: str, joins: list):
    """(SQL, converter or None) for list column ``name``: as much as possible done in SQL; a
    many-to-one relation adds its outer join to ``joins``."""
    model = view.datamodel.obj
    attribute = getattr(model, name)
    prop = getattr(attribute, "property", None)
    formatter = view.formatters_columns.get(name)
    if formatter is fmt.blank:
        formatter = None
    if isinstance(prop, RelationshipProperty) and not prop.uselist:
        target = aliased(prop.mapper.class_)
        joins.append((target, attribute.of_type(target)))
        if formatter is None:
            return export.cell_sql(label_of(target, joins)), None
        # A formatter of the related row gets its label: what it shows of the row is its str().
        return label_of(target, joins), export.memoised(formatter)
    if not isinstance(prop, ColumnProperty):
        raise TypeError(f"{model.__name__}.{name} cannot be exported in SQL")
    if name in privacy.MASKED and not privacy.may_see_sensitive():
        return privacy.MASKS_SQL[name](attribute, export.neutral_sql), None
    if isinstance(getattr(formatter, "__self__", None), Choices) and formatter.__name__ == "label":
        return export.coded_sql(attribute, formatter.__self__), None
    if formatter is not None and name not in privacy.MASKED:
        return attribute, export.memoised(formatter)
    kind = attribute.type
    if isinstance(kind, Date):  # the database's ISO text is the CSV's YYYY-MM-DD
        return cast(attribute, String), None
    if isinstance(kind, Boolean):
        return export.yes_no_sql(attribute), None
    if isinstance(kind, (String, Text)):
        return export.cell_sql(attribute), None
    return attribute, None


def plan(view, columns: list[str]):
    """(statement, converters): the list's query (FAB's filters and order over the scoped base
    filter) selecting ``columns``."""
    _search, filters, order_column, order_direction = view._requested_list()
    if not order_column and view.base_order:
        order_column, order_direction = view.base_order
    model = view.datamodel.obj
    query = view.datamodel.apply_all(db.session.query(model), filters.get_joined_filters(view._base_filters),
                                     order_column, order_direction)
    joins: list = []
    selected, converters = zip(*(column_plan(view, column, joins) for column in columns))
    query = query.with_entities(*selected)
    for target, on in joins:
        query = query.outerjoin(target, on)
    return query.statement, list(converters)


def response(view) -> Response:
    columns = [col for col in view.list_columns if col not in privacy.hidden_columns()]
    header = [str(view.label_columns.get(col, col)) for col in columns]
    statement, converters = plan(view, columns)
    audit.exported(view.data_kind, str(view.list_title), changes={"filters": dict(request.args.items())})
    name = f"{view.data_kind}-{local_today().isoformat()}.csv"
    return Response(stream_with_context(export.stream_query(header, statement, converters)), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})
