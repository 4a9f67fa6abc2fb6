"""List filters of the API: FAB's ``q`` filters, each value checked against its column's type first
(FAB would pass a number to a text filter, or a word to a date column, and fail with a 500)."""
from __future__ import annotations

from dateutil import parser as date_parser
from flask_appbuilder.exceptions import InvalidColumnFilterFABException
from flask_babel import gettext

from ..boundary import nul_message
from .fields import MAX_ID

FILTER_KEYS = {"col", "opr", "value"}
RELATION_FILTERS = {"rel_o_m", "nrel_o_m", "rel_m_m"}


def _whole(value, low: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= MAX_ID


def _is_date(text) -> bool:
    try:
        date_parser.isoparse(text)
    except (TypeError, ValueError, OverflowError):
        return False
    return True


def checked_filter(datamodel, col: str, opr: str, value) -> dict:
    """The filter, its value fit for its column, or InvalidColumnFilterFABException (a 400)."""
    if opr in ("in", "not_in") and not isinstance(value, list):
        raise InvalidColumnFilterFABException(f"Filter {opr} on {col} takes a list")
    values = value if opr in ("in", "not_in") else [value]
    if any(isinstance(v, str) and "\x00" in v for v in values):  # a ``q`` given as JSON may carry one
        raise InvalidColumnFilterFABException(nul_message(gettext("Filter value for %(name)s", name=col)))
    if opr in RELATION_FILTERS or datamodel.is_relation(col):
        fits = all(_whole(v, 1) for v in values)
    elif datamodel.is_boolean(col):
        if not isinstance(value, bool) or opr not in ("eq", "neq"):
            raise InvalidColumnFilterFABException(f"Filter on {col} takes eq or neq and true or false")
        # FAB reads "y" as true and nothing else: false is "not true".
        return {"col": col, "opr": opr if value else ("neq" if opr == "eq" else "eq"), "value": "y"}
    elif datamodel.is_integer(col):
        fits = all(_whole(v, -MAX_ID) for v in values)
    elif datamodel.is_float(col):
        fits = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    elif datamodel.is_date(col) or datamodel.is_datetime(col):
        fits = all(isinstance(v, str) and _is_date(v) for v in values)
    else:
        fits = all(isinstance(v, str) for v in values)
    if not fits:
        raise InvalidColumnFilterFABException(f"Filter value for {col} is not of its column's type")
    return {"col": col, "opr": opr, "value": value}
