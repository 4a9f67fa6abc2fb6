"""The request boundary: malformed input is refused here, before any view or query sees it, with a
4xx that names the parameter or field (never a 500 from deep inside a view or the database).

- Row ids in the path (``<int:…>``, ``<pk>``, ``…_id``) beyond the database's integer range, or not
  numbers, are rows that do not exist: 404.
- A NUL character (which PostgreSQL's text cannot hold) in any query parameter, form field, path
  argument or JSON string: 400 naming it (422 with the field's message for an API body).
- FAB's list parameters (``page_<View>``, ``psize_<View>``, ``_flt_<n>_<column>``) must fit their
  kind: page numbers and sizes whole numbers, a filter's value its column's type: else 400.
- JSON bodies are parsed by a bounded parser (``BoundedJSON``): nesting too deep is a 400, not a
  RecursionError. Rison (``?q=``) is bounded in ``app.api.rison``.
Views read their own numbers and dates with ``whole_number_arg`` and ``date_arg``.
"""
from __future__ import annotations

import datetime as dt
import inspect
import math
import re

from flask import abort, current_app, jsonify, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext
from werkzeug.exceptions import BadRequest

from .caching import app_memo
from .fab_overrides import require
from .models.rules import EARLIEST, LATEST  # dates a record of this community can have
from .validation import MAX_ID

PAGE_ARG = re.compile(r"^(page|psize)_.+$")
FILTER_ARG = re.compile(r"^_flt_(\d)_(.+)$")
ORDER_ARG = re.compile(r"^_oc_(.+)$")
ID_ARG = re.compile(r"^(pk|id|.+_id)$")


class MalformedInput(BadRequest):
    """A 400 whose description (in the user's language) says which parameter or field is wrong."""


class BoundedJSON(DefaultJSONProvider):
    """Flask's JSON, but a document nested deeper than Python can recurse is a malformed one (a
    ValueError: Flask answers 400, ``get_json(silent=True)`` gives None)."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def whole_number_arg(name: str, default: int | None = None, low: int = 0, high: int = MAX_ID) -> int | None:
    """Query parameter ``name`` as a whole number from ``low`` to ``high``; absent or blank:
    ``default``; anything else: a 400 naming it."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not _is_whole(raw, low, high):
        raise MalformedInput(gettext("Parameter %(name)s must be a whole number from %(low)s to %(high)s.",
                                     name=name, low=low, high=high))
    return int(raw)




def date_arg(name: str, default: dt.date) -> dt.date:
    """Query parameter ``name`` as a date (YYYY-MM-DD); absent or blank: ``default``; anything else,
    or a date no record can have (a month or week around it could pass the calendar's end): a 400."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or not EARLIEST <= day <= LATEST:
        raise MalformedInput(gettext("Parameter %(name)s must be a date from %(low)s to %(high)s (YYYY-MM-DD).",
                                     name=name, low=EARLIEST.isoformat(), high=LATEST.isoformat()))
    return day


def _is_whole(text: str, low: int, high: int) -> bool:
    return re.fullmatch(r"[+-]?\d{1,12}", text) is not None and low <= int(text) <= high


def _is_number(text: str) -> bool:
    try:
        value = float(text)
    except ValueError:
        return False
    return math.isfinite(value) and abs(value) < 1e15


# -- path arguments ---------------------------------------------------------------------------------
def ids_in_range(endpoint, values) -> None:
    """A row id that cannot be a row (past the integer columns' range, or not a number) is not
    found; so is an action (FAB's ``…/action/<name>/<pk>``) the view does not have, and a file
    (FAB's ``…/download/<filename>``) that is not one of FAB's uploads (``<uuid>_sep_<name>``)."""
    if endpoint and endpoint.endswith(".action") and "name" in (values or {}):
        if values["name"] not in (getattr(_request_view(), "actions", None) or {}):
            abort(404)
    if endpoint and endpoint.endswith(".download") and "_sep_" not in str((values or {}).get("filename", "")):
        abort(404)
    for name, value in (values or {}).items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int) and not -MAX_ID - 1 <= value <= MAX_ID:
            abort(404)
        if isinstance(value, str) and ID_ARG.match(name) and not _is_whole(value, 0, MAX_ID):
            abort(404)


# -- NUL characters ---------------------------------------------------------------------------------
def _nul_in_json(body) -> str | None:
    """The top-level field of the JSON body holding a NUL character (in a key or a string), if any."""
    stack = [(None, body)]
    while stack:
        field, value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return field or ""
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in str(key):
                    return field or str(key).replace("\x00", "\\0")
                stack.append((field or str(key), item))
        elif isinstance(value, list):
            stack.extend((field, item) for item in value)
    return None


def nul_message(name: str) -> str:
    return gettext("%(name)s contains a NUL character (\\0), which text may not contain.", name=name)


def _label(name: str) -> str:
    """A form field's label on the view serving this request (its name if unknown)."""
    view = _request_view()
    label = (getattr(view, "label_columns", None) or {}).get(name)
    return f"“{label}” ({name})" if label else name


def _refuse_nul():
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and "\x00" in value:
            raise MalformedInput(nul_message(name))
    for name, value in request.args.items(multi=True):
        if "\x00" in name or "\x00" in value:
            raise MalformedInput(nul_message(gettext("Parameter %(name)s", name=name.replace("\x00", "\\0"))))
    if request.method in ("POST", "PUT", "PATCH"):
        for name, value in request.form.items(multi=True):
            if "\x00" in name or "\x00" in value:
                raise MalformedInput(nul_message(_label(name.replace("\x00", "\\0"))))
        for name, upload in request.files.items(multi=True):
            if "\x00" in name or "\x00" in (upload.filename or ""):
                raise MalformedInput(nul_message(_label(name.replace("\x00", "\\0"))))
        if request.is_json:
            field = _nul_in_json(request.get_json(silent=True))
            if field is not None:
                message = nul_message(gettext("This field"))
                if request.path.startswith("/api/"):  # the API's answer to a bad body: a message per field
                    return jsonify(message={field: [message]}), 422
                raise MalformedInput(nul_message(field))
    return None


# -- FAB's list parameters ----------------------------------------------------------------------------
def _views_by(name: str, key) -> dict:
    """The app's views by ``key`` (their endpoint, their class's name): made once per app."""
    return app_memo("grid.boundary_views", 2).get(
        name, lambda: {key(view): view for view in current_app.appbuilder.baseviews})


def _request_view():
    return _views_by("endpoint", lambda view: view.endpoint).get(request.blueprint)


def _view_named(class_name: str):
    """The list view ``class_name`` (FAB names a list's parameters after its view's class)."""
    return _views_by("class", lambda view: type(view).__name__).get(class_name)


def _refuse_bad_list_args():
    for name, value in request.args.items(multi=True):
        if PAGE_ARG.match(name):
            # a page of rows is at most what the API gives (the lists offer 25 to 100): the whole
            # registry in one page is an export's job, which streams it
            low, high = (0, MAX_ID) if name.startswith("page_") else (1, current_app.config["FAB_API_MAX_PAGE_SIZE"])
            if not _is_whole(value, low, high):
                raise MalformedInput(gettext("Parameter %(name)s must be a whole number from %(low)s to %(high)s.",
                                             name=name, low=low, high=high))
    for name, value in request.args.items(multi=True):
        view = _view_named(match.group(1)) if (match := ORDER_ARG.match(name)) else None
        if view is not None and value and value not in (getattr(view, "order_columns", None) or ()):
            raise MalformedInput(gettext("Parameter %(name)s: the list cannot be sorted by %(column)s.",
                                         name=name, column=value))
    filters = [(int(match.group(1)), match.group(2), value) for name, value in request.args.items(multi=True)
               if (match := FILTER_ARG.match(name))]
    view = _request_view() if filters else None
    offered = view._filters.get_search_filters() if getattr(view, "_filters", None) is not None else {}
    for index, column, value in filters if offered else ():
        if column not in offered:
            continue  # FAB ignores a filter on a column it does not search
        if index >= len(offered[column]):
            raise MalformedInput(gettext("Filter %(name)s: no such comparison", name=_label(column)))
        datamodel = view.datamodel
        if not value.strip() or column not in datamodel.list_properties:
            continue  # a blank filter filters nothing
        if datamodel.is_boolean(column):
            # FAB turns only "y" (its checkbox) into True and hands any other text to the database.
            reason = None if value == "y" else gettext("Must be y (yes).")
        else:
            reason = filter_value_problem(datamodel, column, value)
        if reason:
            raise MalformedInput(gettext("Filter %(name)s: %(reason)s", name=_label(column), reason=reason))


def _whole(value, low: int, high: int) -> bool:
    if isinstance(value, str):
        return _is_whole(value, low, high)
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _number(value) -> bool:
    if isinstance(value, str):
        return _is_number(value)
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and abs(value) < 1e15


def _date(value) -> bool:
    try:
        day = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else None
    except ValueError:
        return False
    return day is not None and EARLIEST <= day <= LATEST


def filter_value_problem(datamodel, column: str, value) -> str | None:
    """What is wrong with ``value`` as a filter on ``column`` (None: it fits), for the screens'
    ``_flt_`` text and the API's ``q`` values alike (true/false columns aside: each side writes
    them its own way). FAB would hand a word to a number or date column, and fail with a 500 or
    drop the filter without a word."""
    if datamodel.is_relation(column):
        return None if _whole(value, 1, MAX_ID) else gettext("must be a record number")
    if datamodel.is_integer(column):
        return None if _whole(value, -MAX_ID - 1, MAX_ID) else gettext("Must be a whole number.")
    if datamodel.is_float(column) or datamodel.is_numeric(column):
        return None if _number(value) else gettext("Must be a number.")
    if datamodel.is_date(column) or datamodel.is_datetime(column):
        return None if _date(value) else gettext("must be a date from %(low)s to %(high)s (YYYY-MM-DD)",
                                                 low=EARLIEST.isoformat(), high=LATEST.isoformat())
    return None if isinstance(value, str) else gettext("must be text")


def refuse_malformed():
    """``before_request``: the request's parameters and body fit for the views."""
    return _refuse_nul() or _refuse_bad_list_args()


# -- numbers typed into forms ----------------------------------------------------------------------
def _bounded(field_class, fits, message) -> None:
    """Every ``field_class`` (FAB's generated forms' and ours) refuses a number the database
    cannot hold, as WTForms refuses one it cannot read: the field's error, the form re-shown."""
    if getattr(field_class.process_formdata, "bounded", False):
        return
    read = field_class.process_formdata
    require(list(inspect.signature(read).parameters) == ["self", "valuelist"],
            f"wtforms.{field_class.__name__}.process_formdata")

    def process_formdata(self, valuelist):
        read(self, valuelist)
        if self.data is not None and not fits(self.data):
            self.data = None
            raise ValueError(str(message()))

    process_formdata.bounded = True
    field_class.process_formdata = process_formdata


def bound_form_numbers() -> None:
    from wtforms import DecimalField, FloatField, IntegerField

    from .api.fields import RANGE

    _bounded(IntegerField, lambda value: -MAX_ID - 1 <= value <= MAX_ID,
             lambda: str(RANGE).format(min=-MAX_ID - 1, max=MAX_ID))
    for field_class in (FloatField, DecimalField):
        _bounded(field_class, lambda value: math.isfinite(value) and abs(value) < 1e15,
                 lambda: gettext("Must be a number."))


def screens_read_forms_only() -> None:
    """A screen's form reads a posted form; Flask-WTF would also take a JSON body for one (its
    values of any type, or not an object at all, break the form's fields). The REST API reads
    JSON and fills the screens' forms itself (``app.api.forms``)."""
    from flask_wtf.form import FlaskForm, _Auto

    if getattr(FlaskForm.Meta.wrap_formdata, "forms_only", False):
        return
    wrap = FlaskForm.Meta.wrap_formdata
    require(list(inspect.signature(wrap).parameters) == ["self", "form", "formdata"],
            "flask_wtf.form.FlaskForm.Meta.wrap_formdata")

    def wrap_formdata(self, form, formdata):
        if formdata is _Auto and request.is_json and not request.form and not request.files:
            return None
        return wrap(self, form, formdata)

    wrap_formdata.forms_only = True
    FlaskForm.Meta.wrap_formdata = wrap_formdata


def register(app) -> None:
    bound_form_numbers()
    screens_read_forms_only()
    app.url_value_preprocessor(ids_in_range)
    app.before_request(refuse_malformed)
