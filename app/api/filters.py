"""List filters of the API: FAB's ``q`` filters, each value checked against its column's type first
(FAB would pass a number to a text filter, or a word to a date column, and fail with a 500)."""
from __future__ import annotations

from flask_appbuilder.exceptions import InvalidColumnFilterFABException
from flask_babel import gettext

from ..boundary import filter_value_problem, nul_message
from .fields import MAX_ID

FILTER_KEYS = {"col", "opr", "value"}
RELATION_FILTERS = {"rel_o_m", "nrel_o_m", "rel_m_m"}


def checked_filter(datamodel, col: str, opr: str, value) -> dict:
    """The filter, its value fit for its column, or InvalidColumnFilterFABException (a 400)."""
    if opr in ("in", "not_in") and not isinstance(value, list):
        raise InvalidColumnFilterFABException(gettext("Filter %(name)s: %(operator)s takes a list",
                                                      name=col, operator=opr))
    values = value if opr in ("in", "not_in") else [value]
    if any(isinstance(v, str) and "\x00" in v for v in values):  # a ``q`` given as JSON may carry one
        raise InvalidColumnFilterFABException(nul_message(gettext("Filter value for %(name)s", name=col)))
    if datamodel.is_boolean(col) and opr not in RELATION_FILTERS:
        if not isinstance(value, bool) or opr not in ("eq", "neq"):
            raise InvalidColumnFilterFABException(
                gettext("Filter %(name)s: takes eq or neq and true or false", name=col))
        # FAB reads "y" as true and nothing else: false is "not true".
        return {"col": col, "opr": opr if value else ("neq" if opr == "eq" else "eq"), "value": "y"}
    for v in values:
        reason = (None if _record_number(v) else gettext("must be a record number")) if opr in RELATION_FILTERS \
            else filter_value_problem(datamodel, col, v)
        if reason:
            raise InvalidColumnFilterFABException(gettext("Filter %(name)s: %(reason)s", name=col, reason=reason))
    return {"col": col, "opr": opr, "value": value}


def _record_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID
